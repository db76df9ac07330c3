//! Hostile guest (raw ABI): `run` returns an output pointer past the end of memory.

use atfn_guest::pack;

/// ABI export: reserve `len` bytes for the host.
#[unsafe(no_mangle)]
pub extern "C" fn alloc(len: i32) -> i32 {
    atfn_guest::alloc(len)
}

/// ABI export: claims 4096 bytes of output at address 0xffff_ff00.
#[unsafe(no_mangle)]
pub extern "C" fn run(_ptr: i32, _len: i32) -> i64 {
    pack(0xffff_ff00, 4096)
}
