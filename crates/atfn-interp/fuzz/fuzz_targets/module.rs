//! Fuzz target: arbitrary bytes as a module (decode, validate, translate), and
//! wasm-smith modules (WebAssembly 2.0 without SIMD) instantiated and every export called
//! with zero arguments under fuel. Must never panic.
//!
//! `cargo +nightly fuzz run module -- -max_total_time=60` (from `crates/atfn-interp`).

#![no_main]

use arbitrary::Unstructured;
use atfn_interp::{Config, Engine, Limits, Linker, Module, Store, Value};
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/shared/smith.rs"]
mod smith;

/// wasm-smith memories stay within the engine's default limits (the first 256 pages).
const MEMORY_PAGES: u32 = 256;

fuzz_target!(|data: &[u8]| {
    let engine = Engine::new(Config {
        consume_fuel: true,
        ..Config::default()
    });
    let _ = Module::new(&engine, data);
    let mut u = Unstructured::new(data);
    let Ok(generated) = wasm_smith::Module::new(
        smith::config(MEMORY_PAGES, Limits::default().max_table_elements),
        &mut u,
    ) else {
        return;
    };
    let module = Module::new(&engine, &generated.to_bytes()).expect("wasm-smith output validates");
    let mut store = Store::new(&engine, ());
    store.set_fuel(10_000);
    let Ok(instance) = Linker::new().instantiate(&mut store, &module) else {
        return;
    };
    let names: Vec<String> = module.exports().map(|(n, _)| n.to_string()).collect();
    for name in names {
        let Some(ty) = module.func_type(&name) else {
            continue;
        };
        let args: Vec<Value> = ty.params.iter().map(|t| Value::default_for(*t)).collect();
        store.set_fuel(10_000);
        if store.call(instance, &name, &args).is_ok() && store.is_suspended() {
            let bytes = store.snapshot().expect("snapshot of a suspended store");
            let restored = Store::restore(&engine, (), &Linker::new(), &module, &bytes);
            assert!(
                restored.is_ok(),
                "own snapshot refused: {:?}",
                restored.err()
            );
            return;
        }
    }
});
