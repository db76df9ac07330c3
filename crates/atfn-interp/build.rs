//! Chooses the dispatch backend of the hot path (`src/exec/dispatch/mod.rs`).
//!
//! Sets `cfg(atfn_tail_calls)` when handlers can continue with the next instruction's
//! handler by a tail call: the build optimizes (`OPT_LEVEL` 2, 3, `s` or `z`; LLVM performs
//! sibling-call optimization there) and the target is one where LLVM does it for the
//! handlers' signature (x86-64, AArch64, RISC-V 64). Otherwise handlers return to a loop.
//! The `dispatch-loop` feature forces the loop backend (to test it in an optimized build).

use std::env;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=OPT_LEVEL");
    println!("cargo::rustc-check-cfg=cfg(atfn_tail_calls)");
    let optimizing = matches!(env::var("OPT_LEVEL").as_deref(), Ok("2" | "3" | "s" | "z"));
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let target = matches!(arch.as_str(), "x86_64" | "aarch64" | "riscv64");
    let forced_loop = env::var_os("CARGO_FEATURE_DISPATCH_LOOP").is_some();
    if optimizing && target && !forced_loop {
        println!("cargo::rustc-cfg=atfn_tail_calls");
    }
}
