//! Helpers shared by the integration tests.

use atfn_interp::{Config, Engine, Instance, Linker, Module, Outcome, Store, Value};

/// Compiles WebAssembly text.
pub fn wasm(text: &str) -> Vec<u8> {
    wat::parse_str(text).expect("valid wat")
}

/// Engine, module, store and instance for `text` with an empty linker.
pub fn setup(config: Config, text: &str) -> (Module, Store<()>, Instance) {
    let engine = Engine::new(config);
    let module = Module::new(&engine, &wasm(text)).expect("module");
    let mut store = Store::new(&engine, ());
    let instance = Linker::new()
        .instantiate(&mut store, &module)
        .expect("instance");
    (module, store, instance)
}

/// Unwraps a finished outcome.
pub fn finished(outcome: Outcome) -> Vec<Value> {
    match outcome {
        Outcome::Finished(v) => v,
        Outcome::Suspended(r) => panic!("unexpected suspension: {r}"),
    }
}

/// A loop-heavy module: `run(n)` sums `i*i` for i in 0..n into a global and memory,
/// with nested calls, and returns the sum as i64.
pub const LOOPS: &str = r#"
(module
  (memory (export "memory") 1)
  (global $acc (mut i64) (i64.const 0))
  (func $sq (param i32) (result i64)
    (i64.mul (i64.extend_i32_u (local.get 0)) (i64.extend_i32_u (local.get 0))))
  (func (export "run") (param $n i32) (result i64)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (global.set $acc (i64.add (global.get $acc) (call $sq (local.get $i))))
        (i64.store (i32.mul (i32.and (local.get $i) (i32.const 1023)) (i32.const 8))
                   (global.get $acc))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (global.get $acc))
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2))))))))
"#;
