//! The ptr/len JSON ABI of design.md §1.2: guest-side allocation, the packed `i64` result and the
//! `run` driver that the [`crate::export_run!`] macro calls.

use serde::{Serialize, de::DeserializeOwned};
use std::alloc::Layout;
use std::fmt::Display;

/// Packs a guest address and length into the ABI's `i64`: `(ptr << 32) | len`.
pub fn pack(ptr: u32, len: u32) -> i64 {
    ((u64::from(ptr) << 32) | u64::from(len)) as i64
}

/// Splits an ABI `i64` into `(ptr, len)`: `ptr = v >> 32`, `len = v & 0xffff_ffff`.
pub fn unpack(value: i64) -> (u32, u32) {
    let v = value as u64;
    ((v >> 32) as u32, v as u32)
}

fn layout(len: i32) -> Option<Layout> {
    let len = usize::try_from(len).ok().filter(|&l| l > 0)?;
    Layout::from_size_align(len, 1).ok()
}

/// Reserves `len` bytes (alignment 1) and returns their address as `i32`.
///
/// `len <= 0` returns the dangling address 1 (nothing to free). Aborts (traps in wasm) if the
/// allocator is out of memory.
pub fn alloc(len: i32) -> i32 {
    let Some(layout) = layout(len) else {
        return 1;
    };
    // SAFETY: `layout` has a non-zero size.
    let ptr = unsafe { std::alloc::alloc(layout) };
    if ptr.is_null() {
        std::alloc::handle_alloc_error(layout);
    }
    ptr as usize as i32
}

/// Frees a block returned by [`alloc`].
///
/// # Safety
/// `ptr` and `len` must be exactly those of one earlier [`alloc`] call, freed once.
pub unsafe fn dealloc(ptr: i32, len: i32) {
    if let Some(layout) = layout(len) {
        // SAFETY: the caller promises `ptr` came from `alloc(len)` with this layout.
        unsafe { std::alloc::dealloc(ptr as usize as *mut u8, layout) }
    }
}

/// Takes ownership of the block `ptr..ptr+len` (from [`alloc`]) and returns its bytes.
///
/// # Safety
/// Same as [`dealloc`]; the block must be initialised.
pub(crate) unsafe fn take(ptr: i32, len: i32) -> Vec<u8> {
    if layout(len).is_none() {
        return Vec::new();
    }
    // SAFETY: caller contract; the slice is copied before the block is freed.
    let bytes = unsafe { std::slice::from_raw_parts(ptr as usize as *const u8, len as usize) };
    let owned = bytes.to_vec();
    // SAFETY: caller contract.
    unsafe { dealloc(ptr, len) };
    owned
}

/// Leaks `bytes` and returns them packed for the host (see [`pack`]).
pub(crate) fn leak(bytes: Vec<u8>) -> i64 {
    let bytes = Box::leak(bytes.into_boxed_slice());
    pack(bytes.as_ptr() as usize as u32, bytes.len() as u32)
}

/// The JSON a failed call returns: `{"ok":false,"error":"<message>"}`.
pub(crate) fn error_json(message: impl Display) -> Vec<u8> {
    #[derive(Serialize)]
    struct Failure {
        ok: bool,
        error: String,
    }
    let failure = Failure {
        ok: false,
        error: message.to_string(),
    };
    serde_json::to_vec(&failure).expect("a bool and a string serialize")
}

/// Runs `f` on JSON bytes and returns the output JSON bytes (see the crate docs for the shape).
pub(crate) fn call_json<I, O, E>(input: &[u8], f: impl FnOnce(I) -> Result<O, E>) -> Vec<u8>
where
    I: DeserializeOwned,
    O: Serialize,
    E: Display,
{
    let input: I = match serde_json::from_slice(input) {
        Ok(input) => input,
        Err(e) => return error_json(format_args!("invalid input: {e}")),
    };
    match f(input) {
        Ok(output) => serde_json::to_vec(&output)
            .unwrap_or_else(|e| error_json(format_args!("invalid output: {e}"))),
        Err(e) => error_json(e),
    }
}

/// The body of the `run` export: reads and frees the input block, calls `f` and returns the
/// packed output.
///
/// # Safety
/// `ptr..ptr+len` must be an initialised block returned by [`alloc`].
pub unsafe fn run<I, O, E>(ptr: i32, len: i32, f: impl FnOnce(I) -> Result<O, E>) -> i64
where
    I: DeserializeOwned,
    O: Serialize,
    E: Display,
{
    // SAFETY: forwarded contract.
    let input = unsafe { take(ptr, len) };
    leak(call_json(&input, f))
}

#[cfg(test)]
mod tests;
