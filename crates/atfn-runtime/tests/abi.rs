//! The ptr/len JSON ABI with well-behaved guests, and bad input/modules.

use crate::support::{call, first_import, runtime, spec};
use atfn_examples::{ECHO, LISTER};
use atfn_runtime::{Mode, NoHost, RunError, Runtime, RuntimeConfig};
use serde_json::json;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread")]
async fn echo_round_trip() {
    let runtime = runtime();
    let echo = spec("echo", ECHO, Mode::PureV1);
    let output = call(&runtime, &echo, r#"{"hello":"world","n":[1,2.5,null]}"#)
        .await
        .unwrap();
    assert_eq!(
        output,
        json!({"ok": true, "echo": {"hello": "world", "n": [1, 2.5, null]}, "mode": "pure-v1"})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn echo_runs_in_host_v1_too() {
    let runtime = runtime();
    let echo = spec("echo", ECHO, Mode::HostV1);
    assert_eq!(call(&runtime, &echo, "7").await.unwrap()["echo"], json!(7));
}

#[tokio::test(flavor = "multi_thread")]
async fn input_too_large() {
    let runtime = Runtime::new(RuntimeConfig {
        max_input_bytes: 8,
        max_instances: 2,
        ..Default::default()
    })
    .unwrap();
    let echo = spec("echo", ECHO, Mode::PureV1);
    let err = call(&runtime, &echo, r#""123456789""#).await.unwrap_err();
    assert_eq!(err.to_string(), "input too large: 11 bytes (limit 8 bytes)");
}

#[tokio::test(flavor = "multi_thread")]
async fn input_not_json() {
    let runtime = runtime();
    let echo = spec("echo", ECHO, Mode::PureV1);
    let err = runtime
        .invoke(&echo, b"{nope", Arc::new(NoHost))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "input is not JSON: key must be a string at line 1 column 2"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_wasm_is_invalid_module() {
    let runtime = runtime();
    let garbage = spec("garbage", b"\0asm\x01\0\0\0\x01\x04", Mode::PureV1);
    let err = call(&runtime, &garbage, "{}").await.unwrap_err();
    assert!(
        matches!(err, RunError::InvalidModule { ref code_cid, .. } if code_cid == "bafktestgarbage")
    );
    assert_eq!(
        err.to_string(),
        "invalid module: failed to parse WebAssembly module: unexpected end-of-file (at offset 0xa)"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn host_imports_are_refused_in_pure_v1() {
    let runtime = runtime();
    let lister = spec("lister", LISTER, Mode::PureV1);
    let err = call(&runtime, &lister, "{}").await.unwrap_err();
    let import = first_import(LISTER);
    let expected =
        format!("invalid module: unknown import: `{import}` has not been defined (mode pure-v1)");
    assert_eq!(err.to_string(), expected);
}
