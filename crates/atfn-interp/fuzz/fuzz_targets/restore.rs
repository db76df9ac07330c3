//! Fuzz target: arbitrary bytes restored as a snapshot of a fixed loop-heavy module, and
//! resumed under fuel when accepted. Must never panic.
//!
//! `cargo +nightly fuzz run restore -- -max_total_time=60` (from `crates/atfn-interp`).

#![no_main]

use std::sync::OnceLock;

use atfn_interp::{Config, Engine, Linker, Module, Store};
use libfuzzer_sys::fuzz_target;

/// `run(n)`: a counting loop with a call and a memory store per iteration.
const MODULE: &str = r#"(module
  (memory 1)
  (func $id (param i32) (result i32) (local.get 0))
  (func (export "run") (param $n i32) (result i32)
    (block $out
      (loop $next
        (br_if $out (i32.eqz (local.get $n)))
        (i32.store (i32.and (i32.mul (local.get $n) (i32.const 4)) (i32.const 4095))
                   (call $id (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n)))"#;

fn module(engine: &Engine) -> Module {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    let bytes = BYTES.get_or_init(|| wat::parse_str(MODULE).expect("fixed module parses"));
    Module::new(engine, bytes).expect("fixed module is valid")
}

fuzz_target!(|data: &[u8]| {
    let engine = Engine::new(Config {
        consume_fuel: true,
        ..Config::default()
    });
    let module = module(&engine);
    if let Ok((mut store, _)) = Store::restore(&engine, (), &Linker::new(), &module, data) {
        store.set_fuel(10_000);
        let _ = store.resume(&[]);
    }
});
