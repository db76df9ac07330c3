//! Execution-speed comparison of `atfn-interp` with wasmi 2.0 and wasmtime (Cranelift), and
//! snapshot/restore cost of an instance with 16 MiB of touched memory.
//!
//! Run with `cargo bench -p atfn-interp --bench engines`. Each guest (the WAT files in
//! `benches/guests/`, and the Rust serde_json guest `examples/bench/json`, taken as
//! `atfn_examples::BENCH_JSON`) exports `run: [] -> [i64]` and imports nothing; every engine
//! runs the same module bytes, on a fresh instance per repetition, and must return the same
//! value. Only the `run` call is timed: one
//! warm-up, then [`REPS`] repetitions, median reported. Prints Markdown tables.
//! Set `ATFN_BENCH_REPS` to change the repetition count, `ATFN_BENCH=speed` or
//! `ATFN_BENCH=snapshot` to print only one of the two tables, `ATFN_BENCH_GUEST` to run only
//! the guests whose name contains it (e.g. `fib`), `ATFN_BENCH_ENGINE` to run only the
//! engines whose column name contains it and print their times alone (e.g. `fuel off`, to
//! count one engine's instructions under callgrind).

use std::time::{Duration, Instant};

use atfn_interp::snapshot::{Compression, SnapshotOptions};
use atfn_interp::{Config, Engine, Linker, Module, Outcome, Store, Value};

/// Default number of timed repetitions per guest and engine.
const REPS: usize = 5;

/// Where a bench guest's module comes from.
enum Source {
    /// A WAT file in `benches/guests/`.
    Wat(&'static str),
    /// A module compiled by `atfn-examples` (from Rust in `examples/`).
    Wasm(&'static [u8]),
}

impl Source {
    /// The module's binary bytes; panics if a WAT file does not parse.
    fn bytes(&self) -> Vec<u8> {
        match self {
            Source::Wat(file) => {
                let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/guests/");
                wat::parse_file(format!("{dir}{file}")).expect("guest WAT")
            }
            Source::Wasm(bytes) => bytes.to_vec(),
        }
    }
}

/// Bench guests: name and module source.
const GUESTS: &[(&str, Source)] = &[
    ("fib(27) recursive", Source::Wat("fib.wat")),
    ("sieve 10^6 x4", Source::Wat("sieve.wat")),
    ("sha256 1 MiB", Source::Wat("sha256.wat")),
    ("matmul f64 128^3", Source::Wat("matmul.wat")),
    ("heapsort 10^6 i32", Source::Wat("sort.wat")),
    (
        "serde_json 200 KB round trip",
        Source::Wasm(atfn_examples::BENCH_JSON),
    ),
];

/// One engine under test: runs `run` of a fresh instance of `wasm`, returns result and time.
type Runner = fn(&[u8]) -> (i64, Duration);

fn atfn_run(wasm: &[u8], consume_fuel: bool) -> (i64, Duration) {
    let engine = Engine::new(Config {
        consume_fuel,
        ..Config::default()
    });
    let module = Module::new(&engine, wasm).expect("atfn-interp: module");
    let mut store = Store::new(&engine, ());
    store.set_fuel(u64::MAX);
    let instance = Linker::new()
        .instantiate(&mut store, &module)
        .expect("atfn-interp: instantiate");
    let start = Instant::now();
    let out = store.call(instance, "run", &[]).expect("atfn-interp: run");
    let elapsed = start.elapsed();
    let Outcome::Finished(results) = out else {
        panic!("atfn-interp: unexpected outcome {out:?}");
    };
    let [Value::I64(r)] = results[..] else {
        panic!("atfn-interp: unexpected results {results:?}");
    };
    (r, elapsed)
}

fn atfn_fuel(wasm: &[u8]) -> (i64, Duration) {
    atfn_run(wasm, true)
}

fn atfn_no_fuel(wasm: &[u8]) -> (i64, Duration) {
    atfn_run(wasm, false)
}

fn wasmi_run(wasm: &[u8]) -> (i64, Duration) {
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, wasm).expect("wasmi: module");
    let mut store = wasmi::Store::new(&engine, ());
    let instance = wasmi::Linker::<()>::new(&engine)
        .instantiate_and_start(&mut store, &module)
        .expect("wasmi: instantiate");
    let run = instance
        .get_typed_func::<(), i64>(&store, "run")
        .expect("wasmi: run export");
    let start = Instant::now();
    let r = run.call(&mut store, ()).expect("wasmi: run");
    (r, start.elapsed())
}

fn wasmtime_run(wasm: &[u8]) -> (i64, Duration) {
    let engine = wasmtime::Engine::default();
    let module = wasmtime::Module::new(&engine, wasm).expect("wasmtime: module");
    let mut store = wasmtime::Store::new(&engine, ());
    let instance = wasmtime::Instance::new(&mut store, &module, &[]).expect("wasmtime: inst");
    let run = instance
        .get_typed_func::<(), i64>(&mut store, "run")
        .expect("wasmtime: run export");
    let start = Instant::now();
    let r = run.call(&mut store, ()).expect("wasmtime: run");
    (r, start.elapsed())
}

/// Engines in table order: column title and runner.
const ENGINES: &[(&str, Runner)] = &[
    ("atfn-interp (fuel on)", atfn_fuel),
    ("atfn-interp (fuel off)", atfn_no_fuel),
    ("wasmi 2.0", wasmi_run),
    ("wasmtime 48", wasmtime_run),
];

/// Median time of `reps` runs after one warm-up; panics if results disagree with `expect`.
fn median(run: Runner, wasm: &[u8], reps: usize, expect: &mut Option<i64>) -> Duration {
    let mut times: Vec<Duration> = (0..=reps)
        .map(|_| {
            let (r, t) = run(wasm);
            assert_eq!(
                *expect.get_or_insert(r),
                r,
                "engines disagree on the result"
            );
            t
        })
        .skip(1)
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

fn geomean(xs: &[f64]) -> f64 {
    (xs.iter().map(|x| x.ln()).sum::<f64>() / xs.len() as f64).exp()
}

fn speed_table(reps: usize) {
    if let Ok(engine) = std::env::var("ATFN_BENCH_ENGINE") {
        return engine_times(&engine, reps);
    }
    println!(
        "| guest | {} | fuel on / wasmi | fuel off / wasmi | fuel cost |",
        {
            ENGINES
                .iter()
                .map(|(n, _)| format!("{n} ms"))
                .collect::<Vec<_>>()
                .join(" | ")
        }
    );
    println!("|---|{}---:|---:|---:|", "---:|".repeat(ENGINES.len()));
    let (mut on, mut off, mut cost) = (Vec::new(), Vec::new(), Vec::new());
    let only = std::env::var("ATFN_BENCH_GUEST").unwrap_or_default();
    for (name, source) in GUESTS
        .iter()
        .filter(|(name, _)| name.contains(only.as_str()))
    {
        let wasm = source.bytes();
        let mut expect = None;
        let t: Vec<Duration> = ENGINES
            .iter()
            .map(|(_, run)| median(*run, &wasm, reps, &mut expect))
            .collect();
        let s = |i: usize| t[i].as_secs_f64();
        on.push(s(0) / s(2));
        off.push(s(1) / s(2));
        cost.push(s(0) / s(1));
        println!(
            "| {name} | {} | {:.2} | {:.2} | {:+.1}% |",
            t.iter().map(|d| ms(*d)).collect::<Vec<_>>().join(" | "),
            on.last().unwrap(),
            off.last().unwrap(),
            (cost.last().unwrap() - 1.0) * 100.0
        );
    }
    println!(
        "| **geometric mean** | | | | | **{:.2}** | **{:.2}** | {:+.1}% |",
        geomean(&on),
        geomean(&off),
        (geomean(&cost) - 1.0) * 100.0
    );
}

/// The speed table's times for the engines whose column name contains `engine`, without
/// ratios (they need all engines). Results are not compared across engines.
fn engine_times(engine: &str, reps: usize) {
    let only = std::env::var("ATFN_BENCH_GUEST").unwrap_or_default();
    for (name, source) in GUESTS.iter().filter(|(n, _)| n.contains(only.as_str())) {
        let wasm = source.bytes();
        for (column, run) in ENGINES.iter().filter(|(n, _)| n.contains(engine)) {
            let t = median(*run, &wasm, reps, &mut None);
            println!("| {name} | {column} | {} ms |", ms(t));
        }
    }
}

/// 16 MiB memory (256 pages) with a no-op `run`, for the snapshot table.
const SNAPSHOT_PAGES: usize = 256;

/// Fills `memory` with xorshift noise (`random`) or a byte ramp (each 8-byte word holds
/// its index times 0x0101..01: runs of 8 equal bytes, LZ4 halves it with short matches).
fn fill_memory(memory: &mut [u8], random: bool, seed: u64) {
    let mut x = seed | 1;
    for (i, chunk) in memory.chunks_mut(8).enumerate() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let v = if random {
            x
        } else {
            (i as u64).wrapping_mul(0x0101_0101_0101_0101)
        };
        chunk.copy_from_slice(&v.to_le_bytes());
    }
}

/// Median of the timings (sorted in place).
fn mid(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// One row of the snapshot table: `reps` rounds (after one warm-up) of `round`, which
/// returns (snapshot time, restore time, snapshot bytes).
fn snapshot_row(name: &str, reps: usize, mut round: impl FnMut() -> (Duration, Duration, usize)) {
    let (mut snap, mut rest, mut bytes) = (Vec::new(), Vec::new(), 0);
    for _ in 0..=reps {
        let (s, r, b) = round();
        snap.push(s);
        rest.push(r);
        bytes = b;
    }
    snap.remove(0);
    rest.remove(0);
    println!(
        "| {name} | {} | {} | {bytes} |",
        ms(mid(&mut snap)),
        ms(mid(&mut rest))
    );
}

/// Snapshot and restore of an instance whose 16 MiB memory is fully written: full
/// snapshots of incompressible (xorshift) and compressible (byte ramp) contents under each
/// compression mode, and increments after 1 MiB (16 pages) or nothing was rewritten.
/// Restore times include instantiating the module; an increment's restore time includes
/// restoring its full base first (`Store::restore_incremental`).
fn snapshot_table(reps: usize) {
    let wat =
        format!(r#"(module (memory (export "memory") {SNAPSHOT_PAGES}) (func (export "run")))"#);
    let wasm = wat::parse_str(wat).expect("snapshot guest");
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm).expect("module");
    let new_store = |random: bool| {
        let mut store = Store::new(&engine, ());
        let inst = Linker::new()
            .instantiate(&mut store, &module)
            .expect("inst");
        fill_memory(
            store.memory_mut(inst).expect("memory"),
            random,
            0x9e37_79b9_7f4a_7c15,
        );
        (store, inst)
    };
    let restore = |base: &[u8], incs: &[&[u8]], expect: &[u8]| {
        let start = Instant::now();
        let restored = Store::restore_incremental(&engine, (), &Linker::new(), &module, base, incs);
        let t = start.elapsed();
        let (restored, rinst) = restored.expect("restore");
        assert_eq!(restored.memory(rinst), Some(expect));
        t
    };
    println!("\n| 16 MiB touched memory | snapshot ms | restore ms | snapshot bytes |");
    println!("|---|---:|---:|---:|");
    // Reference: copying 16 MiB into a fresh allocation, which a restore must do too
    // (page faults included); shown in the restore column.
    let (store, inst) = new_store(true);
    snapshot_row("reference: copy into fresh 16 MiB", reps, || {
        let start = Instant::now();
        let copy = store.memory(inst).expect("memory").to_vec();
        let t = start.elapsed();
        assert_eq!(copy.len(), SNAPSHOT_PAGES * 65536);
        (Duration::ZERO, t, 0)
    });
    for (contents, random) in [("random bytes", true), ("byte ramp", false)] {
        for (mode, compression) in [
            ("adaptive (default)", Compression::Adaptive),
            ("none", Compression::None),
            ("always", Compression::Always),
        ] {
            let (mut store, inst) = new_store(random);
            let options = SnapshotOptions {
                incremental: false,
                compression,
            };
            let mut out = Vec::new();
            snapshot_row(&format!("{contents}, full, {mode}"), reps, || {
                let start = Instant::now();
                store.snapshot_with(options, &mut out).expect("snapshot");
                let s = start.elapsed();
                let r = restore(&out, &[], store.memory(inst).expect("memory"));
                (s, r, out.len())
            });
        }
    }
    let (mut store, inst) = new_store(true);
    snapshot_row(
        "random bytes, full, `snapshot()` into a new Vec",
        reps,
        || {
            let start = Instant::now();
            let bytes = store.snapshot().expect("snapshot");
            let s = start.elapsed();
            let r = restore(&bytes, &[], store.memory(inst).expect("memory"));
            (s, r, bytes.len())
        },
    );
    for (dirty, name) in [
        (16, "random bytes, increment after 1 MiB rewritten"),
        (0, "random bytes, increment, nothing rewritten"),
    ] {
        let (mut store, inst) = new_store(true);
        let mut seed = 1;
        snapshot_row(name, reps, || {
            let base = store.snapshot().expect("base snapshot");
            seed += 2;
            let memory = store.memory_mut(inst).expect("memory");
            // Every 16th page, so the dirty pages are spread over the memory.
            for page in (0..dirty).map(|k| k * 16) {
                fill_memory(&mut memory[page * 65536..(page + 1) * 65536], true, seed);
            }
            let start = Instant::now();
            let inc = store.snapshot_incremental().expect("increment");
            let s = start.elapsed();
            let r = restore(&base, &[&inc], store.memory(inst).expect("memory"));
            (s, r, inc.len())
        });
    }
}

fn main() {
    // `cargo bench` passes `--bench`; accept and ignore libtest-style arguments.
    let reps = std::env::var("ATFN_BENCH_REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(REPS);
    // `ATFN_BENCH=speed` or `ATFN_BENCH=snapshot` runs one table only.
    let only = std::env::var("ATFN_BENCH").unwrap_or_default();
    if only != "snapshot" {
        speed_table(reps);
    }
    if only != "speed" {
        snapshot_table(reps);
    }
}
