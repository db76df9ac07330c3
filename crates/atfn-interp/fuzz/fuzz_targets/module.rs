//! Fuzz target: arbitrary bytes as a module (decode, validate, translate), and
//! wasm-smith modules (WebAssembly 2.0 without SIMD) instantiated and every export called
//! with zero arguments under fuel. Must never panic.
//!
//! `cargo +nightly fuzz run module -- -max_total_time=60` (from `crates/atfn-interp`).

#![no_main]

use arbitrary::Unstructured;
use atfn_interp::{Config, Engine, Linker, Module, Store, Value};
use libfuzzer_sys::fuzz_target;

fn smith_config() -> wasm_smith::Config {
    wasm_smith::Config {
        simd_enabled: false,
        relaxed_simd_enabled: false,
        exceptions_enabled: false,
        gc_enabled: false,
        memory64_enabled: false,
        tail_call_enabled: false,
        threads_enabled: false,
        wide_arithmetic_enabled: false,
        extended_const_enabled: false,
        compact_imports_enabled: false,
        max_memories: 1,
        max_imports: 0,
        export_everything: true,
        max_memory32_bytes: 256 * 65536,
        ..wasm_smith::Config::default()
    }
}

fuzz_target!(|data: &[u8]| {
    let engine = Engine::new(Config {
        consume_fuel: true,
        ..Config::default()
    });
    let _ = Module::new(&engine, data);
    let mut u = Unstructured::new(data);
    let Ok(generated) = wasm_smith::Module::new(smith_config(), &mut u) else {
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
            assert!(restored.is_ok(), "own snapshot refused: {:?}", restored.err());
            return;
        }
    }
});
