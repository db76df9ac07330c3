//! The WASI preview 1 subset with hand-written guests.

use atfn_interp::wasi::{WasiCtx, add_to_linker};
use atfn_interp::{Engine, Error, Instance, Linker, Module, Store, Trap, Value};

use crate::util::{finished, wasm};

const GUEST: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "hello\n")
  ;; iovec at 0: ptr 100, len 6
  (func (export "hello") (param $fd i32) (result i32)
    (i32.store (i32.const 0) (i32.const 100))
    (i32.store (i32.const 4) (i32.const 6))
    (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
  (func (export "written") (result i32) (i32.load (i32.const 8)))
  (func (export "clock") (result i32) (call $clock (i32.const 1) (i64.const 0) (i32.const 200)))
  (func (export "random") (result i32) (call $random (i32.const 300) (i32.const 32)))
  (func (export "random_oob") (result i32) (call $random (i32.const 65530) (i32.const 32)))
  (func (export "env") (result i32)
    (i32.store (i32.const 400) (i32.const 7))
    (drop (call $env_sizes (i32.const 400) (i32.const 404)))
    (i32.load (i32.const 400)))
  ;; one relative clock subscription of 1 ms at 512, event at 1024, count at 2048
  (func (export "sleep") (result i32)
    (i64.store (i32.const 512) (i64.const 77))
    (i32.store8 (i32.const 520) (i32.const 0))
    (i32.store (i32.const 528) (i32.const 1))
    (i64.store (i32.const 536) (i64.const 1000000))
    (drop (call $poll (i32.const 512) (i32.const 1024) (i32.const 1) (i32.const 2048)))
    (i32.add (i32.load (i32.const 2048)) (i32.wrap_i64 (i64.load (i32.const 1024)))))
  (func (export "exit") (call $exit (i32.const 3))))
"#;

fn setup() -> (Store<WasiCtx>, Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm(GUEST)).unwrap();
    let mut linker = Linker::new();
    add_to_linker(&mut linker);
    let mut store = Store::new(&engine, WasiCtx::default());
    let inst = linker.instantiate(&mut store, &module).unwrap();
    (store, inst)
}

fn call(store: &mut Store<WasiCtx>, inst: Instance, name: &str, args: &[Value]) -> Vec<Value> {
    finished(store.call(inst, name, args).unwrap())
}

#[test]
fn fd_write_goes_to_the_sinks() {
    let (mut store, inst) = setup();
    assert_eq!(
        call(&mut store, inst, "hello", &[Value::I32(1)]),
        vec![Value::I32(0)]
    );
    assert_eq!(call(&mut store, inst, "written", &[]), vec![Value::I32(6)]);
    assert_eq!(
        call(&mut store, inst, "hello", &[Value::I32(2)]),
        vec![Value::I32(0)]
    );
    assert_eq!(store.data().stdout, b"hello\n");
    assert_eq!(store.data().stderr, b"hello\n");
    // Any other descriptor: EBADF (8).
    assert_eq!(
        call(&mut store, inst, "hello", &[Value::I32(3)]),
        vec![Value::I32(8)]
    );
}

#[test]
fn clock_random_and_environment() {
    let (mut store, inst) = setup();
    assert_eq!(call(&mut store, inst, "clock", &[]), vec![Value::I32(0)]);
    assert_eq!(call(&mut store, inst, "random", &[]), vec![Value::I32(0)]);
    let mem = store.memory(inst).unwrap();
    assert!(
        mem[300..332].iter().any(|b| *b != 0),
        "random bytes written"
    );
    // Out of bounds buffer: EFAULT (21).
    assert_eq!(
        call(&mut store, inst, "random_oob", &[]),
        vec![Value::I32(21)]
    );
    assert_eq!(call(&mut store, inst, "env", &[]), vec![Value::I32(0)]);
}

#[test]
fn poll_oneoff_reports_clock_events() {
    let (mut store, inst) = setup();
    // One event, userdata 77.
    assert_eq!(call(&mut store, inst, "sleep", &[]), vec![Value::I32(78)]);
}

#[test]
fn proc_exit_is_an_exit_trap() {
    let (mut store, inst) = setup();
    let err = store.call(inst, "exit", &[]).unwrap_err();
    assert!(matches!(err, Error::Trap(Trap::Exit(3))), "{err:?}");
}
