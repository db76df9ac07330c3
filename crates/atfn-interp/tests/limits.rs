//! Resource limits: call depth, value stack, memory pages, table elements.

use atfn_interp::{Config, Engine, Error, Limits, Linker, Module, Store, Trap, Value};

use crate::util::{LOOPS, finished, setup, wasm};

fn limited(limits: Limits) -> Config {
    Config {
        limits,
        ..Config::default()
    }
}

#[test]
fn deep_recursion_is_a_clean_trap_at_the_configured_depth() {
    let config = limited(Limits {
        max_call_depth: 100,
        ..Limits::default()
    });
    let (_, mut store, inst) = setup(config.clone(), LOOPS);
    // fib(n) nests n frames deep.
    assert_eq!(
        finished(store.call(inst, "fib", &[Value::I32(20)]).unwrap()),
        vec![Value::I32(6765)]
    );
    let text = r#"(module (func $f (export "f") (param i32) (result i32)
        (if (result i32) (local.get 0)
          (then (i32.add (i32.const 1) (call $f (i32.sub (local.get 0) (i32.const 1)))))
          (else (i32.const 0)))))"#;
    let (_, mut store, inst) = setup(config, text);
    assert_eq!(
        finished(store.call(inst, "f", &[Value::I32(99)]).unwrap()),
        vec![Value::I32(99)]
    );
    let err = store.call(inst, "f", &[Value::I32(100)]).unwrap_err();
    assert!(matches!(err, Error::Trap(Trap::StackExhausted)), "{err:?}");
    assert_eq!(err.to_string(), "call stack exhausted");
}

#[test]
fn unbounded_recursion_exhausts_the_default_stack() {
    let (_, mut store, inst) = setup(
        Config::default(),
        r#"(module (func $f (export "f") (call $f)))"#,
    );
    let err = store.call(inst, "f", &[]).unwrap_err();
    assert!(matches!(err, Error::Trap(Trap::StackExhausted)));
}

#[test]
fn value_stack_limit_is_a_clean_trap() {
    let config = limited(Limits {
        max_value_cells: 64,
        ..Limits::default()
    });
    let text = r#"(module (func $f (export "f") (param i32) (local i64 i64 i64 i64 i64 i64)
        (if (local.get 0) (then (call $f (i32.sub (local.get 0) (i32.const 1)))))))"#;
    let (_, mut store, inst) = setup(config, text);
    let err = store.call(inst, "f", &[Value::I32(50)]).unwrap_err();
    assert!(matches!(err, Error::Trap(Trap::StackExhausted)));
}

#[test]
fn memory_grow_past_the_page_limit_returns_minus_one() {
    let config = limited(Limits {
        max_memory_pages: 4,
        ..Limits::default()
    });
    let text = r#"(module (memory 1) (func (export "grow") (param i32) (result i32)
        (memory.grow (local.get 0))))"#;
    let (_, mut store, inst) = setup(config, text);
    let grow =
        |store: &mut Store<()>, n| finished(store.call(inst, "grow", &[Value::I32(n)]).unwrap());
    assert_eq!(grow(&mut store, 3), vec![Value::I32(1)]);
    assert_eq!(grow(&mut store, 1), vec![Value::I32(-1)]);
    assert_eq!(store.memory(inst).unwrap().len(), 4 * 65536);
}

#[test]
fn memory_grow_past_the_page_limit_traps_when_asked() {
    let config = limited(Limits {
        max_memory_pages: 4,
        trap_at_memory_limit: true,
        ..Limits::default()
    });
    let text = r#"(module (memory 1 2) (func (export "grow") (param i32) (result i32)
        (memory.grow (local.get 0))))"#;
    let (_, mut store, inst) = setup(config.clone(), text);
    // Past the memory's own declared maximum (2 pages): still -1, as the spec says.
    let grown = store.call(inst, "grow", &[Value::I32(2)]).unwrap();
    assert_eq!(finished(grown), vec![Value::I32(-1)]);
    // Past the engine's limit: a trap naming the limit; the memory is unchanged.
    let text = r#"(module (memory 1) (func (export "grow") (param i32) (result i32)
        (memory.grow (local.get 0))))"#;
    let (_, mut store, inst) = setup(config, text);
    let err = store.call(inst, "grow", &[Value::I32(4)]).unwrap_err();
    assert!(
        matches!(err, Error::Trap(Trap::MemoryLimitExceeded { pages: 4 })),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "memory limit of 4 pages exceeded");
    assert_eq!(store.memory(inst).unwrap().len(), 65536);
    let grown = store.call(inst, "grow", &[Value::I32(3)]).unwrap();
    assert_eq!(finished(grown), vec![Value::I32(1)]);
}

#[test]
fn memory_above_the_page_limit_fails_instantiation() {
    let engine = Engine::new(limited(Limits {
        max_memory_pages: 4,
        ..Limits::default()
    }));
    let module = Module::new(&engine, &wasm("(module (memory 5))")).unwrap();
    let mut store = Store::new(&engine, ());
    let err = Linker::new().instantiate(&mut store, &module).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Limit {
                what: "memory pages",
                requested: 5,
                limit: 4
            }
        ),
        "{err:?}"
    );
}

#[test]
fn table_grow_past_the_element_limit_returns_minus_one() {
    let config = limited(Limits {
        max_table_elements: 10,
        ..Limits::default()
    });
    let text = r#"(module (table 2 funcref) (func (export "grow") (param i32) (result i32)
        (table.grow (ref.null func) (local.get 0))))"#;
    let (_, mut store, inst) = setup(config, text);
    let out = finished(store.call(inst, "grow", &[Value::I32(8)]).unwrap());
    assert_eq!(out, vec![Value::I32(2)]);
    let out = finished(store.call(inst, "grow", &[Value::I32(1)]).unwrap());
    assert_eq!(out, vec![Value::I32(-1)]);
}
