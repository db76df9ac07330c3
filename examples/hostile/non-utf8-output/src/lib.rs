//! Hostile guest (raw ABI): `run` returns bytes that are not UTF-8 (`"\xff\xfe"`).

use atfn_guest::pack;

/// ABI export: reserve `len` bytes for the host.
#[unsafe(no_mangle)]
pub extern "C" fn alloc(len: i32) -> i32 {
    atfn_guest::alloc(len)
}

static OUTPUT: [u8; 4] = [b'"', 0xff, 0xfe, b'"'];

/// ABI export: returns [`OUTPUT`].
#[unsafe(no_mangle)]
pub extern "C" fn run(_ptr: i32, _len: i32) -> i64 {
    pack(OUTPUT.as_ptr() as usize as u32, OUTPUT.len() as u32)
}
