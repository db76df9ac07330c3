//! Warm-call cost of `Runtime::invoke` against bare wasmtime with the same engine configuration,
//! on the `echo` example. Prints mean µs per call; no assertions.
//!
//! Run: `cargo bench -p atfn-runtime --bench invoke` (release build; `ITERATIONS` env, default 2000).

use atfn_runtime::{FunctionSpec, Limits, Mode, NoHost, Runtime, RuntimeConfig, engine_config};
use bytes::Bytes;
use std::sync::Arc;
use std::time::Instant;
use wasmtime::{Engine, Linker, Module, Store};

const INPUT: &[u8] = br#"{"hello":"world"}"#;

fn main() {
    let iterations: u32 = std::env::var("ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let config = RuntimeConfig::default();

    let runtime = Runtime::new(config.clone()).unwrap();
    let spec = FunctionSpec {
        code_cid: "bafkbenchecho".into(),
        wasm: Bytes::from_static(atfn_examples::ECHO),
        mode: Mode::PureV1,
        limits: Limits::default(),
        allowed_hosts: None,
    };
    let host = Arc::new(NoHost);
    let invoke = || {
        tokio
            .block_on(runtime.invoke(&spec, INPUT, host.clone()))
            .unwrap()
    };
    invoke();
    report(
        "atfn Runtime::invoke (pure-v1 in place, all checks)",
        iterations,
        invoke,
    );

    let engine = Engine::new(&engine_config(&config)).unwrap();
    let module = Module::new(&engine, atfn_examples::ECHO).unwrap();
    let pre = Linker::<()>::new(&engine).instantiate_pre(&module).unwrap();
    let bare = || {
        let mut store = Store::new(&engine, ());
        store.set_epoch_deadline(u64::MAX / 2);
        let instance = pre.instantiate(&mut store).unwrap();
        let memory = instance.get_memory(&mut store, "memory").unwrap();
        let alloc = instance
            .get_typed_func::<i32, i32>(&mut store, "alloc")
            .unwrap();
        let run = instance
            .get_typed_func::<(i32, i32), i64>(&mut store, "run")
            .unwrap();
        let ptr = alloc.call(&mut store, INPUT.len() as i32).unwrap();
        memory.write(&mut store, ptr as usize, INPUT).unwrap();
        let packed = run.call(&mut store, (ptr, INPUT.len() as i32)).unwrap() as u64;
        let (at, len) = ((packed >> 32) as usize, packed as u32 as usize);
        memory.data(&store)[at..at + len].to_vec()
    };
    report(
        "bare wasmtime, same engine config, same thread",
        iterations,
        bare,
    );
}

fn report<T>(name: &str, iterations: u32, mut f: impl FnMut() -> T) {
    let start = Instant::now();
    for _ in 0..iterations {
        std::hint::black_box(f());
    }
    let micros = start.elapsed().as_secs_f64() * 1e6 / f64::from(iterations);
    println!("{name}: {micros:.1} µs/call over {iterations} calls");
}
