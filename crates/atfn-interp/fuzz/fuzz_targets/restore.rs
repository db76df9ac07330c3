//! Fuzz target: snapshots of a fixed loop-heavy module restored and, when accepted, resumed
//! under fuel. Must never panic. An input whose first byte is even is restored as it is
//! (envelope checks: magic, versions, checksum); otherwise the rest of the input is a list
//! of edits (`u16` little-endian offset, `u8` xor mask) applied to a valid snapshot taken
//! in the middle of `run`, whose checksum is then recomputed, so that the state parser,
//! the limit checks and the frame checks see the forgeries.
//!
//! `cargo +nightly fuzz run restore -- -max_total_time=60` (from `crates/atfn-interp`), or
//! `scripts/fuzz-smoke`.

#![no_main]

use std::sync::OnceLock;

use atfn_interp::{Config, Engine, Linker, Module, Outcome, Store, Value};
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

#[path = "../../tests/shared/reseal.rs"]
mod forge;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::new(Config {
            consume_fuel: true,
            ..Config::default()
        })
    })
}

fn module() -> &'static Module {
    static MODULE_: OnceLock<Module> = OnceLock::new();
    MODULE_.get_or_init(|| {
        let bytes = wat::parse_str(MODULE).expect("fixed module parses");
        Module::new(engine(), &bytes).expect("fixed module is valid")
    })
}

/// A snapshot of `run(100)` suspended by fuel after 25 safe points.
fn valid_snapshot() -> &'static [u8] {
    static SNAPSHOT: OnceLock<Vec<u8>> = OnceLock::new();
    SNAPSHOT.get_or_init(|| {
        let mut store = Store::new(engine(), ());
        let instance = Linker::new().instantiate(&mut store, module()).unwrap();
        store.set_fuel(25);
        let out = store.call(instance, "run", &[Value::I32(100)]).unwrap();
        assert!(matches!(out, Outcome::Suspended(_)), "fuel stops run(100)");
        store.snapshot().unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let forged;
    let bytes = match data.split_first() {
        Some((mode, edits)) if mode % 2 == 1 => {
            let mut snapshot = valid_snapshot().to_vec();
            for edit in edits.chunks_exact(3) {
                let at = usize::from(u16::from_le_bytes([edit[0], edit[1]])) % snapshot.len();
                snapshot[at] ^= edit[2];
            }
            forged = forge::reseal(snapshot);
            &forged[..]
        }
        _ => data,
    };
    if let Ok((mut store, _)) = Store::restore(engine(), (), &Linker::new(), module(), bytes) {
        store.set_fuel(10_000);
        let _ = store.resume(&[]);
    }
});
