use super::*;

/// Every module starts with the WebAssembly magic and version 1 (binary format §5.5.16).
#[test]
fn all_are_wasm_modules() {
    for (name, bytes) in ALL {
        assert_eq!(&bytes[..8], b"\0asm\x01\0\0\0", "{name}");
    }
    assert_eq!(ALL.len(), 12);
    assert_eq!(&BENCH_JSON[..8], b"\0asm\x01\0\0\0");
    #[cfg(feature = "js")]
    assert_eq!(&JS[..8], b"\0asm\x01\0\0\0");
}

/// The JSON bench guest instantiates with no imports and its `run: [] -> [i64]` finishes on
/// `atfn-interp` (the guest traps if its serde_json round trip changes a record).
#[test]
fn bench_json_runs_without_imports() {
    use atfn_interp::{Engine, Linker, Module, Outcome, Store, Value};
    let engine = Engine::default();
    let module = Module::new(&engine, BENCH_JSON).expect("the JSON bench guest translates");
    let mut store = Store::new(&engine, ());
    let instance = Linker::new()
        .instantiate(&mut store, &module)
        .expect("instantiates with an empty linker");
    let out = store.call(instance, "run", &[]).expect("run");
    let Outcome::Finished(results) = out else {
        panic!("run did not finish: {out:?}");
    };
    assert!(matches!(results[..], [Value::I64(_)]), "{results:?}");
}
