//! Every hostile guest fails with its exact error, and the same runtime then still serves a call.

use crate::support::{call, export_index, runtime, spec};
use atfn_examples as ex;
use atfn_runtime::{Mode, Runtime, RuntimeConfig};
use serde_json::json;

/// Runs `wasm` and returns its error message; then checks `runtime` still runs echo.
async fn fails(runtime: &Runtime, name: &str, wasm: &'static [u8]) -> String {
    let err = call(runtime, &spec(name, wasm, Mode::PureV1), "{}")
        .await
        .unwrap_err()
        .to_string();
    let echo = call(runtime, &spec("echo", ex::ECHO, Mode::PureV1), "1")
        .await
        .unwrap();
    assert_eq!(echo["echo"], json!(1), "echo after {name}");
    err
}

#[tokio::test(flavor = "multi_thread")]
async fn infinite_loop_times_out_and_stops() {
    let runtime = runtime();
    assert_eq!(
        fails(&runtime, "loop", ex::INFINITE_LOOP).await,
        "timeout after 100 ms"
    );
    assert_eq!(runtime.stats().running, 0, "no guest is left executing");
}

#[tokio::test(flavor = "multi_thread")]
async fn memory_bomb_hits_the_memory_limit() {
    let runtime = runtime();
    assert_eq!(
        fails(&runtime, "bomb", ex::MEMORY_BOMB).await,
        "memory limit of 32 MiB exceeded"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn deep_recursion_overflows_the_stack() {
    let runtime = runtime();
    assert_eq!(
        fails(&runtime, "recursion", ex::DEEP_RECURSION).await,
        "stack overflow"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_traps_with_its_function() {
    let runtime = runtime();
    let index = export_index(ex::UNREACHABLE, "run");
    assert_eq!(
        fails(&runtime, "unreachable", ex::UNREACHABLE).await,
        format!("trap: unreachable (func {index}: run)")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn output_out_of_bounds() {
    let runtime = runtime();
    let err = fails(&runtime, "oob", ex::OUTPUT_OUT_OF_BOUNDS).await;
    let memory: usize = err
        .strip_prefix("output out of bounds: 4096 bytes at 4294967040, memory is ")
        .and_then(|rest| rest.strip_suffix(" bytes"))
        .unwrap_or_else(|| panic!("unexpected error: {err}"))
        .parse()
        .unwrap();
    assert_eq!(memory % 65536, 0, "memory size is whole 64 KiB pages");
}

#[tokio::test(flavor = "multi_thread")]
async fn non_utf8_output() {
    let runtime = runtime();
    assert_eq!(
        fails(&runtime, "utf8", ex::NON_UTF8_OUTPUT).await,
        "output is not UTF-8: invalid utf-8 sequence of 1 bytes from index 1"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn non_json_output() {
    let runtime = runtime();
    assert_eq!(
        fails(&runtime, "json", ex::NON_JSON_OUTPUT).await,
        "output is not JSON: expected value at line 1 column 1"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_output() {
    let runtime = runtime();
    assert_eq!(
        fails(&runtime, "oversized", ex::OVERSIZED_OUTPUT).await,
        "output too large: 2097152 bytes (limit 1048576 bytes)"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_run_export() {
    let runtime = runtime();
    assert_eq!(
        fails(&runtime, "norun", ex::MISSING_RUN).await,
        "missing export: run"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn limits_come_from_the_spec() {
    let runtime = runtime();
    let mut bomb = spec("bomb", ex::MEMORY_BOMB, Mode::PureV1);
    bomb.limits.max_memory_mb = 8;
    let err = call(&runtime, &bomb, "{}").await.unwrap_err();
    assert_eq!(err.to_string(), "memory limit of 8 MiB exceeded");
    let mut spin = spec("loop", ex::INFINITE_LOOP, Mode::PureV1);
    spin.limits.max_duration_ms = 30;
    let err = call(&runtime, &spin, "{}").await.unwrap_err();
    assert_eq!(err.to_string(), "timeout after 30 ms");
}

#[tokio::test(flavor = "multi_thread")]
async fn pool_exhaustion_is_busy() {
    let runtime = Runtime::new(RuntimeConfig {
        max_instances: 1,
        ..RuntimeConfig::default()
    })
    .unwrap();
    let echo = spec("echo", ex::ECHO, Mode::PureV1);
    call(&runtime, &echo, "0").await.unwrap(); // compiled and cached before the race below
    let mut spin = spec("loop", ex::INFINITE_LOOP, Mode::PureV1);
    spin.limits.max_duration_ms = 2000;
    let looping = {
        let runtime = runtime.clone();
        tokio::spawn(async move { call(&runtime, &spin, "{}").await })
    };
    while runtime.stats().running == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let err = call(&runtime, &echo, "1").await.unwrap_err();
    assert_eq!(err.to_string(), "too many concurrent invocations (limit 1)");
    assert_eq!(
        looping.await.unwrap().unwrap_err().to_string(),
        "timeout after 2000 ms"
    );
    call(&runtime, &echo, "2")
        .await
        .expect("the timed-out instance freed its slot");
}

#[tokio::test(flavor = "multi_thread")]
async fn host_request_outside_memory_fails_the_call() {
    let runtime = runtime();
    let bad = spec("badrequest", ex::HOST_BAD_REQUEST, Mode::HostV1);
    let err = call(&runtime, &bad, "{}").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "host call host_read_record failed: request of 10 bytes at 4294901760 is outside memory"
    );
}
