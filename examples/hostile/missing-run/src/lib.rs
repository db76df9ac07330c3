//! Hostile guest (raw ABI): exports `memory` and `alloc` but no `run` (`missing export: run`).

/// ABI export: reserve `len` bytes for the host.
#[unsafe(no_mangle)]
pub extern "C" fn alloc(len: i32) -> i32 {
    atfn_guest::alloc(len)
}
