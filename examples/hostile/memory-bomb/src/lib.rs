//! Hostile guest: grows its memory one 64 KiB page at a time, forever. The runtime must trap the
//! growth past `maxMemoryMb` (`memory limit of <n> MiB exceeded`).

use serde_json::Value;

fn bomb(_input: Value) -> Result<Value, String> {
    loop {
        std::hint::black_box(core::arch::wasm32::memory_grow::<0>(1));
    }
}

atfn_guest::export_run!(bomb);
