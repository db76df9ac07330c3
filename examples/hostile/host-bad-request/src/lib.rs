//! Hostile guest (host-v1, raw ABI): calls `host_read_record` with a 10-byte request at address
//! `0xffff_0000`, outside its memory (expect `host call host_read_record failed: …`).

#[link(wasm_import_module = "host")]
unsafe extern "C" {
    fn host_read_record(ptr: i32, len: i32) -> i64;
}

/// ABI export: reserve `len` bytes for the host.
#[unsafe(no_mangle)]
pub extern "C" fn alloc(len: i32) -> i32 {
    atfn_guest::alloc(len)
}

/// ABI export: makes the bad host call and returns what it returned (it never does).
#[unsafe(no_mangle)]
pub extern "C" fn run(_ptr: i32, _len: i32) -> i64 {
    // SAFETY: the host only reads guest memory through bounds-checked accessors.
    unsafe { host_read_record(0xffff_0000_u32 as i32, 10) }
}
