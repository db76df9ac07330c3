//! Hostile guest (raw ABI): `run` returns a valid JSON string of 2 MiB (2,097,152 bytes),
//! past the runtime's 1 MiB output limit.

use atfn_guest::pack;

/// ABI export: reserve `len` bytes for the host.
#[unsafe(no_mangle)]
pub extern "C" fn alloc(len: i32) -> i32 {
    atfn_guest::alloc(len)
}

/// Output size in bytes: 2 MiB.
const LEN: usize = 2 * 1024 * 1024;

/// ABI export: returns `"aaa…a"` of [`LEN`] bytes.
#[unsafe(no_mangle)]
pub extern "C" fn run(_ptr: i32, _len: i32) -> i64 {
    let mut output = vec![b'a'; LEN];
    output[0] = b'"';
    output[LEN - 1] = b'"';
    let output = output.leak();
    pack(output.as_ptr() as usize as u32, output.len() as u32)
}
