//! Host functions: caller memory access, re-entrant calls, traps, suspension and resume.

use atfn_interp::{
    Engine, Error, FuncType, HostAction, Instance, Linker, Module, Outcome, Store, SuspendReason,
    Trap, ValType, Value,
};

use crate::util::{finished, wasm};

/// Guest: `alloc(n)` bumps a heap pointer; `run()` calls `env.sum(ptr, len)` on bytes it
/// wrote, then `env.ask()` and returns `sum * 1000 + ask`.
const GUEST: &str = r#"
(module
  (import "env" "sum" (func $sum (param i32 i32) (result i32)))
  (import "env" "ask" (func $ask (result i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (func (export "alloc") (param i32) (result i32)
    (global.get $heap)
    (global.set $heap (i32.add (global.get $heap) (local.get 0))))
  (func (export "run") (result i32)
    (i32.store8 (i32.const 16) (i32.const 3))
    (i32.store8 (i32.const 17) (i32.const 4))
    (i32.add
      (i32.mul (call $sum (i32.const 16) (i32.const 2)) (i32.const 1000))
      (call $ask))))
"#;

/// Host data: what `ask` does.
#[derive(Clone, Copy)]
enum Ask {
    Return(i32),
    Suspend,
    Trap,
    /// Calls `alloc(8)` re-entrantly and returns the pointer.
    Alloc,
}

fn linker() -> Linker<Ask> {
    let mut linker = Linker::new();
    linker.func(
        "env",
        "sum",
        FuncType::new([ValType::I32, ValType::I32], [ValType::I32]),
        |caller, args| {
            let (Value::I32(ptr), Value::I32(len)) = (args[0], args[1]) else {
                return Err(Trap::Host("bad args".into()));
            };
            let mem = caller.memory().ok_or(Trap::MemoryOutOfBounds)?;
            let bytes = mem
                .get(ptr as usize..(ptr + len) as usize)
                .ok_or(Trap::MemoryOutOfBounds)?;
            let sum: i32 = bytes.iter().map(|b| i32::from(*b)).sum();
            Ok(HostAction::Return(vec![Value::I32(sum)]))
        },
    );
    linker.func(
        "env",
        "ask",
        FuncType::new([], [ValType::I32]),
        |caller, _| match *caller.data() {
            Ask::Return(v) => Ok(HostAction::Return(vec![Value::I32(v)])),
            Ask::Suspend => Ok(HostAction::Suspend(7)),
            Ask::Trap => Err(Trap::Host("boom".into())),
            Ask::Alloc => {
                let out = caller
                    .call("alloc", &[Value::I32(8)])
                    .map_err(|e| Trap::Host(e.to_string()))?;
                Ok(HostAction::Return(out))
            }
        },
    );
    linker
}

fn setup(ask: Ask) -> (Module, Store<Ask>, Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm(GUEST)).unwrap();
    let mut store = Store::new(&engine, ask);
    let instance = linker().instantiate(&mut store, &module).unwrap();
    (module, store, instance)
}

#[test]
fn host_reads_caller_memory() {
    let (_, mut store, inst) = setup(Ask::Return(5));
    let out = finished(store.call(inst, "run", &[]).unwrap());
    assert_eq!(out, vec![Value::I32(7005)]);
}

#[test]
fn host_calls_guest_export_reentrantly() {
    let (_, mut store, inst) = setup(Ask::Alloc);
    let out = finished(store.call(inst, "run", &[]).unwrap());
    assert_eq!(out, vec![Value::I32(7000 + 1024)]);
    let out = finished(store.call(inst, "run", &[]).unwrap());
    assert_eq!(out, vec![Value::I32(7000 + 1032)], "the heap pointer moved");
}

#[test]
fn host_trap_propagates_with_its_message() {
    let (_, mut store, inst) = setup(Ask::Trap);
    let err = store.call(inst, "run", &[]).unwrap_err();
    assert!(
        matches!(err, Error::Trap(Trap::Host(ref m)) if m == "boom"),
        "{err:?}"
    );
}

#[test]
fn host_suspension_resumes_with_results() {
    let (_, mut store, inst) = setup(Ask::Suspend);
    let out = store.call(inst, "run", &[]).unwrap();
    assert_eq!(
        out,
        Outcome::Suspended(SuspendReason::HostCall {
            module: "env".into(),
            name: "ask".into(),
            code: 7,
        })
    );
    assert!(store.is_suspended());
    let err = store.call(inst, "run", &[]).unwrap_err();
    assert!(matches!(err, Error::WrongState(_)));
    let err = store.resume(&[Value::I64(1)]).unwrap_err();
    assert!(matches!(err, Error::TypeMismatch { .. }));
    let out = finished(store.resume(&[Value::I32(42)]).unwrap());
    assert_eq!(out, vec![Value::I32(7042)]);
    assert!(!store.is_suspended());
}

#[test]
fn suspension_inside_reentrant_call_is_an_error() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        &wasm(
            r#"(module
                 (import "env" "outer" (func $outer (result i32)))
                 (import "env" "inner" (func $inner (result i32)))
                 (func (export "inner") (result i32) (call $inner))
                 (func (export "run") (result i32) (call $outer)))"#,
        ),
    )
    .unwrap();
    let mut linker = Linker::<()>::new();
    let ty = FuncType::new([], [ValType::I32]);
    linker.func("env", "inner", ty.clone(), |_, _| {
        Ok(HostAction::Suspend(1))
    });
    linker.func("env", "outer", ty, |caller, _| {
        match caller.call("inner", &[]) {
            Err(Error::SuspendInReentrantCall(_)) => Ok(HostAction::Return(vec![Value::I32(-1)])),
            other => Err(Trap::Host(format!("unexpected {other:?}"))),
        }
    });
    let mut store = Store::new(&engine, ());
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let out = finished(store.call(inst, "run", &[]).unwrap());
    assert_eq!(out, vec![Value::I32(-1)]);
}

#[test]
fn reentrant_call_of_a_reexported_host_function_returns_to_the_caller() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        &wasm(
            r#"(module
                 (import "env" "seven" (func $seven (result i32)))
                 (import "env" "outer" (func $outer (result i32)))
                 (export "seven" (func $seven))
                 (func (export "run") (result i32)
                   (i32.add (call $outer) (i32.const 100))))"#,
        ),
    )
    .unwrap();
    let mut linker = Linker::<()>::new();
    let ty = FuncType::new([], [ValType::I32]);
    linker.func("env", "seven", ty.clone(), |_, _| {
        Ok(HostAction::Return(vec![Value::I32(7)]))
    });
    linker.func("env", "outer", ty, |caller, _| {
        let out = caller
            .call("seven", &[])
            .map_err(|e| Trap::Host(e.to_string()))?;
        match out[..] {
            [Value::I32(v)] => Ok(HostAction::Return(vec![Value::I32(v * 2)])),
            _ => Err(Trap::Host(format!("unexpected {out:?}"))),
        }
    });
    let mut store = Store::new(&engine, ());
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let out = finished(store.call(inst, "run", &[]).unwrap());
    assert_eq!(out, vec![Value::I32(7 * 2 + 100)]);
}
