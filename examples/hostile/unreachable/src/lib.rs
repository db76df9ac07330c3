//! Hostile guest (raw ABI): `run` executes the `unreachable` instruction
//! (`trap: unreachable (func <index>: run)`).

/// ABI export: reserve `len` bytes for the host.
#[unsafe(no_mangle)]
pub extern "C" fn alloc(len: i32) -> i32 {
    atfn_guest::alloc(len)
}

/// ABI export: traps at once.
#[unsafe(no_mangle)]
pub extern "C" fn run(_ptr: i32, _len: i32) -> i64 {
    core::arch::wasm32::unreachable()
}
