//! The Boa JavaScript guest ([`atfn_examples::JS`]) on `atfn-interp` with its WASI subset
//! (issue 3, "Real input"): exact outputs for a set of scripts, and a long computation
//! suspended by fuel, snapshotted, restored in a new OS process and finished there.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use atfn_interp::wasi::{WasiCtx, add_to_linker};
use atfn_interp::{Config, Engine, Instance, Linker, Module, Outcome, Store, SuspendReason, Value};
use serde_json::{Value as Json, json};

/// The WASI preview 1 functions issue 3 (point 8) lets a guest import.
const ALLOWED_WASI: &[&str] = &[
    "fd_write",
    "clock_time_get",
    "random_get",
    "environ_get",
    "environ_sizes_get",
    "poll_oneoff",
    "sched_yield",
    "proc_exit",
];

/// A computation of a few seconds on the interpreter: naive recursive Fibonacci.
const LONG: &str = "function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); } fib(21)";
/// `fib(21)`.
const LONG_ANSWER: i64 = 10946;

/// The test child's environment: where to read the snapshot and write the output JSON.
const SNAPSHOT_VAR: &str = "ATFN_JS_SNAPSHOT";
const OUTPUT_VAR: &str = "ATFN_JS_OUTPUT";

/// An engine with fuel metering, so every test and the child restore the same way.
fn engine() -> Engine {
    Engine::new(Config {
        consume_fuel: true,
        ..Config::default()
    })
}

fn linker() -> Linker<WasiCtx> {
    let mut linker = Linker::new();
    add_to_linker(&mut linker);
    linker
}

fn module(engine: &Engine) -> Module {
    Module::new(engine, atfn_examples::JS).expect("the JS guest translates")
}

/// A store with unlimited fuel and `input` written through the guest's `alloc`; returns it
/// with the instance and the `run` arguments.
fn prepare(
    engine: &Engine,
    module: &Module,
    input: &[u8],
) -> (Store<WasiCtx>, Instance, [Value; 2]) {
    let mut store = Store::new(engine, WasiCtx::default());
    store.set_fuel(u64::MAX);
    let instance = linker().instantiate(&mut store, module).expect("instance");
    let len = i32::try_from(input.len()).unwrap();
    let ptr = match finished(store.call(instance, "alloc", &[Value::I32(len)]))[..] {
        [Value::I32(ptr)] => ptr,
        ref other => panic!("alloc returned {other:?}"),
    };
    store.memory_mut(instance).unwrap()[ptr as u32 as usize..][..input.len()]
        .copy_from_slice(input);
    (store, instance, [Value::I32(ptr), Value::I32(len)])
}

/// The input `{"source": source}`.
fn input(source: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({ "source": source })).unwrap()
}

fn finished(outcome: Result<Outcome, atfn_interp::Error>) -> Vec<Value> {
    match outcome.expect("no trap") {
        Outcome::Finished(values) => values,
        Outcome::Suspended(reason) => panic!("unexpected suspension: {reason}"),
    }
}

/// The output JSON that `run`'s packed `(ptr << 32) | len` result points at.
fn output(store: &Store<WasiCtx>, instance: Instance, results: &[Value]) -> Json {
    let [Value::I64(packed)] = results else {
        panic!("run returned {results:?}");
    };
    let (ptr, len) = ((*packed as u64 >> 32) as usize, *packed as u32 as usize);
    let memory = store.memory(instance).unwrap();
    serde_json::from_slice(&memory[ptr..ptr + len]).expect("output is JSON")
}

/// Runs `run` on `input` to completion; returns the output and the fuel `run` consumed.
fn run(engine: &Engine, module: &Module, input: &[u8]) -> (Json, u64) {
    let (mut store, instance, args) = prepare(engine, module, input);
    let results = finished(store.call(instance, "run", &args));
    (output(&store, instance, &results), u64::MAX - store.fuel())
}

/// Evaluates `source`; see [`run`].
fn eval(engine: &Engine, module: &Module, source: &str) -> (Json, u64) {
    run(engine, module, &input(source))
}

#[test]
fn imports_only_the_allowed_wasi_functions() {
    let engine = engine();
    let module = module(&engine);
    let imports: Vec<_> = module
        .imports()
        .iter()
        .map(|i| (i.module.as_str(), i.name.as_str()))
        .collect();
    assert!(!imports.is_empty());
    for (module, name) in imports {
        assert_eq!(module, "wasi_snapshot_preview1", "{name}");
        assert!(ALLOWED_WASI.contains(&name), "imports {name}");
    }
    let exports: Vec<_> = module.exports().map(|(name, _)| name).collect();
    for name in ["memory", "alloc", "dealloc", "run"] {
        assert!(exports.contains(&name), "exports {name}: {exports:?}");
    }
}

#[test]
fn evaluates_scripts_with_exact_outputs() {
    let engine = engine();
    let module = module(&engine);
    let cases = [
        ("1 + 2 * 3", json!({ "ok": true, "value": 7 })),
        (
            "0.1 + 0.2",
            json!({ "ok": true, "value": 0.30000000000000004 }),
        ),
        (
            "'ab'.repeat(3) + '!'",
            json!({ "ok": true, "value": "ababab!" }),
        ),
        (
            "JSON.stringify({ a: [1, 2, { b: null }], c: 'x' })",
            json!({ "ok": true, "value": "{\"a\":[1,2,{\"b\":null}],\"c\":\"x\"}" }),
        ),
        (
            "({ a: 1, b: [true, null, 'z'] })",
            json!({ "ok": true, "value": { "a": 1, "b": [true, null, "z"] } }),
        ),
        (
            "[3, 1, 2].sort().map(x => x * 10)",
            json!({ "ok": true, "value": [10, 20, 30] }),
        ),
        ("undefined", json!({ "ok": true })),
        (
            "throw new Error('boom')",
            json!({ "ok": false, "error": "uncaught Error: boom" }),
        ),
        ("throw 42", json!({ "ok": false, "error": "uncaught 42" })),
        (
            "null.x",
            json!({ "ok": false, "error": "uncaught TypeError: cannot convert 'null' or 'undefined' to object" }),
        ),
        (
            "let = ;",
            json!({ "ok": false, "error": "uncaught SyntaxError: unexpected token ';', primary expression at line 1, col 7" }),
        ),
        (
            "10n",
            json!({ "ok": false, "error": "result is not JSON: TypeError: cannot convert bigint to JSON" }),
        ),
    ];
    for (source, expected) in cases {
        assert_eq!(eval(&engine, &module, source).0, expected, "{source}");
    }
}

#[test]
fn input_without_source_is_an_error() {
    let engine = engine();
    let module = module(&engine);
    assert_eq!(
        run(&engine, &module, br#"{"src":"1"}"#).0,
        json!({ "ok": false, "error": "invalid input: missing field `source` at line 1 column 11" })
    );
}

/// Suspends [`LONG`] half-way through its JavaScript work by fuel, snapshots, and has a new
/// OS process (this test binary again) restore the snapshot and finish: its output equals
/// an uninterrupted run's and the known answer.
#[test]
fn long_script_suspended_and_finished_in_another_process() {
    let engine = engine();
    let module = module(&engine);
    let started = Instant::now();
    let (expected, long_fuel) = eval(&engine, &module, LONG);
    eprintln!("uninterrupted: {long_fuel} fuel in {:?}", started.elapsed());
    assert_eq!(expected, json!({ "ok": true, "value": LONG_ANSWER }));
    // Fuel of creating the realm and evaluating a trivial script: past it, `run` is inside
    // the long script.
    let started = Instant::now();
    let (_, setup_fuel) = eval(&engine, &module, "0");
    eprintln!(
        "trivial script: {setup_fuel} fuel in {:?}",
        started.elapsed()
    );
    assert!(long_fuel > 2 * setup_fuel, "{long_fuel} vs {setup_fuel}");
    let stop_at = setup_fuel + (long_fuel - setup_fuel) / 2;

    let (mut store, instance, args) = prepare(&engine, &module, &input(LONG));
    store.set_fuel(stop_at);
    let outcome = store.call(instance, "run", &args).unwrap();
    assert_eq!(outcome, Outcome::Suspended(SuspendReason::FuelExhausted));
    let dir = tempfile::tempdir().unwrap();
    let (snapshot, out) = (dir.path().join("js.snap"), dir.path().join("out.json"));
    let bytes = store.snapshot().unwrap();
    eprintln!("snapshot: {} bytes", bytes.len());
    std::fs::write(&snapshot, bytes).unwrap();
    drop(store);

    let child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "js::child_resumes_snapshot",
            "--ignored",
            "--nocapture",
        ])
        .env(SNAPSHOT_VAR, &snapshot)
        .env(OUTPUT_VAR, &out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&child.stdout);
    let stderr = String::from_utf8_lossy(&child.stderr);
    assert!(child.status.success(), "child failed: {stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "child did not run: {stdout}");
    let (output, resumed_fuel) = read_child_output(&out);
    assert_eq!(output, expected);
    // The child did a real share of the script's work (about half).
    assert!(
        resumed_fuel >= (long_fuel - setup_fuel) / 4,
        "{resumed_fuel} of {long_fuel}"
    );
}

/// Run by `long_script_suspended_and_finished_in_another_process` in a child process:
/// restores the snapshot with a fresh engine and module, resumes with unlimited fuel and
/// writes `{"output": <run's output>, "fuel": <fuel the resumed part consumed>}`.
#[test]
#[ignore = "run as a child process by long_script_suspended_and_finished_in_another_process"]
fn child_resumes_snapshot() {
    let bytes = std::fs::read(std::env::var_os(SNAPSHOT_VAR).expect(SNAPSHOT_VAR)).unwrap();
    let engine = engine();
    let module = module(&engine);
    let (mut store, instance) =
        Store::restore(&engine, WasiCtx::default(), &linker(), &module, &bytes).unwrap();
    assert!(store.is_suspended());
    store.set_fuel(u64::MAX);
    let results = finished(store.resume(&[]));
    let report = json!({
        "output": output(&store, instance, &results),
        "fuel": u64::MAX - store.fuel(),
    });
    let path = std::env::var_os(OUTPUT_VAR).expect(OUTPUT_VAR);
    std::fs::write(path, report.to_string()).unwrap();
}

fn read_child_output(path: &Path) -> (Json, u64) {
    let report: Json = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    (report["output"].clone(), report["fuel"].as_u64().unwrap())
}
