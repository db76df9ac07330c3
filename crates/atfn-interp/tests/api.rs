//! Public API behaviour: calls, argument checks, states, module and link errors.

use atfn_interp::{
    Config, Engine, Error, FuncType, HostAction, LinkError, Linker, Module, Outcome, Store,
    TranslateError, ValType, Value,
};

use crate::util::{LOOPS, finished, setup, wasm};

#[test]
fn call_returns_results() {
    let (_, mut store, inst) = setup(Config::default(), LOOPS);
    let out = store.call(inst, "fib", &[Value::I32(20)]).unwrap();
    assert_eq!(finished(out), vec![Value::I32(6765)]);
}

#[test]
fn unknown_export_is_an_error() {
    let (_, mut store, inst) = setup(Config::default(), LOOPS);
    let err = store.call(inst, "nope", &[]).unwrap_err();
    assert!(matches!(err, Error::ExportNotFound(name) if name == "nope"));
}

#[test]
fn wrong_argument_types_are_an_error() {
    let (_, mut store, inst) = setup(Config::default(), LOOPS);
    let err = store.call(inst, "fib", &[Value::I64(1)]).unwrap_err();
    match err {
        Error::TypeMismatch { expected, got } => {
            assert_eq!(expected, vec![ValType::I32]);
            assert_eq!(got, vec![ValType::I64]);
        }
        other => panic!("unexpected {other:?}"),
    }
    // The store stays usable.
    let out = store.call(inst, "fib", &[Value::I32(10)]).unwrap();
    assert_eq!(finished(out), vec![Value::I32(55)]);
}

#[test]
fn resume_without_suspension_is_an_error() {
    let (_, mut store, _) = setup(Config::default(), LOOPS);
    let err = store.resume(&[]).unwrap_err();
    assert!(matches!(err, Error::WrongState("not suspended")));
}

#[test]
fn invalid_module_is_rejected() {
    let engine = Engine::default();
    let err = Module::new(&engine, b"\0asm\x01\0\0\0\x01").unwrap_err();
    assert!(matches!(err, TranslateError::Invalid(_)), "{err:?}");
    // Valid binary, invalid code (i32.add on an empty stack).
    let bytes = wasm("(module (func i32.add drop))");
    let err = Module::new(&engine, &bytes).unwrap_err();
    assert!(err.to_string().contains("type mismatch"), "{err}");
}

#[test]
fn simd_is_rejected() {
    let engine = Engine::default();
    let bytes = wasm("(module (func (drop (v128.const i64x2 0 0))))");
    assert!(matches!(
        Module::new(&engine, &bytes),
        Err(TranslateError::Invalid(_))
    ));
}

#[test]
fn unknown_import_is_a_link_error() {
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm(r#"(module (import "env" "f" (func)))"#)).unwrap();
    let mut store = Store::new(&engine, ());
    let err = Linker::new().instantiate(&mut store, &module).unwrap_err();
    assert!(matches!(
        err,
        Error::Link(LinkError::Unknown { module, name }) if module == "env" && name == "f"
    ));
}

#[test]
fn mistyped_import_is_a_link_error() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        &wasm(r#"(module (import "env" "f" (func (param i32))))"#),
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new();
    linker.func("env", "f", FuncType::new([ValType::I64], []), |_, _| {
        Ok(HostAction::Return(vec![]))
    });
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert!(matches!(
        err,
        Error::Link(LinkError::Incompatible { module, name }) if module == "env" && name == "f"
    ));
}

#[test]
fn traps_unwind_and_keep_the_store_usable() {
    let (_, mut store, inst) = setup(
        Config::default(),
        r#"(module (func (export "div") (param i32 i32) (result i32)
               (i32.div_s (local.get 0) (local.get 1))))"#,
    );
    let err = store
        .call(inst, "div", &[Value::I32(1), Value::I32(0)])
        .unwrap_err();
    assert_eq!(err.to_string(), "integer divide by zero");
    let out = store
        .call(inst, "div", &[Value::I32(7), Value::I32(2)])
        .unwrap();
    assert_eq!(out, Outcome::Finished(vec![Value::I32(3)]));
}
