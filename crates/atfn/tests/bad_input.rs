//! Bad input of every kind gets a precise error, and the next request
//! succeeds: the server keeps serving with nothing lost.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::atfn_server::{AtfnServer, cpu_ticks};
use crate::fake_pds::FakePds;

const COLLECTION: &str = "at.functions.metadata";

/// A function record per the lexicon, for a blob `cid` of `size` bytes.
fn record(mode: &str, cid: &str, size: usize) -> Value {
    json!({
        "$type": COLLECTION,
        "name": "test",
        "version": "1.0.0",
        "mode": mode,
        "code": {"$type": "blob", "ref": {"$link": cid}, "mimeType": "application/wasm", "size": size},
        "entrypoint": "run",
        "inputEncoding": "application/json",
        "outputEncoding": "application/json",
    })
}

/// Publishes `bytes` on the fake PDS (served faithfully) as record `rkey`.
fn function(pds: &FakePds, rkey: &str, mode: &str, bytes: &[u8], extra: Value) -> String {
    let cid = atfn_registry::blob_cid(bytes).to_string();
    pds.put_blob(&cid, bytes);
    let mut value = record(mode, &cid, bytes.len());
    value
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    pds.put_record(COLLECTION, rkey, value)
}

struct Fixture {
    server: AtfnServer,
    pds: FakePds,
    echo: String,
}

impl Fixture {
    async fn start() -> Self {
        let pds = FakePds::start().await;
        // The fake PDS doubles as a PLC directory that knows no DID.
        let server = AtfnServer::start(&["--no-embedded", "--plc-url", &pds.url()]);
        let echo = function(&pds, "echo", "pure-v1", atfn_examples::ECHO, json!({}));
        Self { server, pds, echo }
    }

    /// The server still answers a good request after `case`.
    async fn still_serving(&self, case: &str) {
        let body = self.server.run(&self.echo, json!({"after": case})).await;
        assert_eq!(
            body["output"]["echo"],
            json!({"after": case}),
            "after {case}: {body}"
        );
    }

    /// Runs `function` and expects `ok: false` with an error starting with `expected`.
    async fn expect_failure(
        &self,
        case: &str,
        function: &str,
        input: Value,
        expected: &str,
    ) -> Value {
        let body = self.server.run(function, input).await;
        assert_eq!(body["ok"], false, "{case}: {body}");
        let error = body["error"].as_str().unwrap_or_default();
        assert!(
            error.starts_with(expected),
            "{case}: expected error starting with {expected:?}, got {error:?}"
        );
        self.still_serving(case).await;
        body
    }

    /// Posts `body` raw and expects an XRPC error.
    async fn expect_xrpc_error(
        &self,
        case: &str,
        body: reqwest::Body,
        status: u16,
        name: &str,
        message: &str,
    ) {
        let response = reqwest::Client::new()
            .post(format!("{}/xrpc/at.functions.run", self.server.url))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{case}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"], name, "{case}: {error}");
        let got = error["message"].as_str().unwrap_or_default();
        assert!(
            got.contains(message),
            "{case}: expected message containing {message:?}, got {got:?}"
        );
        self.still_serving(case).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_requests_get_xrpc_errors() {
    let f = Fixture::start().await;
    f.expect_xrpc_error(
        "malformed body",
        "{not json".into(),
        400,
        "InvalidRequest",
        "Failed to parse the request body as JSON",
    )
    .await;
    f.expect_xrpc_error(
        "missing input",
        json!({"function": f.echo}).to_string().into(),
        400,
        "InvalidRequest",
        "missing field `input`",
    )
    .await;
    f.expect_xrpc_error(
        "missing function",
        json!({"input": 1}).to_string().into(),
        400,
        "InvalidRequest",
        "missing field `function`",
    )
    .await;
    f.expect_xrpc_error(
        "non-at URI",
        json!({"function": "https://example.com/x", "input": 1})
            .to_string()
            .into(),
        400,
        "InvalidRequest",
        "invalid function at-uri",
    )
    .await;
    let oversized = format!(
        "{{\"function\":\"{}\",\"input\":\"{}\"}}",
        f.echo,
        "x".repeat(2 << 20)
    );
    f.expect_xrpc_error(
        "oversized body",
        oversized.into(),
        413,
        "PayloadTooLarge",
        "request body is larger than",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unresolvable_functions_fail_precisely() {
    let f = Fixture::start().await;
    let did = f.pds.did().to_owned();
    f.expect_failure(
        "unknown DID",
        "at://did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/at.functions.metadata/x",
        json!(1),
        "unknown DID",
    )
    .await;
    f.expect_failure(
        "record not found",
        &format!("at://{did}/{COLLECTION}/missing"),
        json!(1),
        "record not found",
    )
    .await;
    f.expect_failure(
        "wrong collection",
        &format!("at://{did}/app.bsky.feed.post/x"),
        json!(1),
        "wrong collection",
    )
    .await;
    let too_big = function(
        &f.pds,
        "toobig",
        "pure-v1",
        atfn_examples::ECHO,
        json!({"maxMemoryMb": 1000}),
    );
    f.expect_failure(
        "maxMemoryMb 1000",
        &too_big,
        json!(1),
        "invalid function record",
    )
    .await;
    let main = function(
        &f.pds,
        "main",
        "pure-v1",
        atfn_examples::ECHO,
        json!({"entrypoint": "main"}),
    );
    f.expect_failure(
        "entrypoint main",
        &main,
        json!(1),
        "invalid function record",
    )
    .await;
    let unknown_mode = function(&f.pds, "mode", "quantum-v9", atfn_examples::ECHO, json!({}));
    f.expect_failure(
        "unknown mode",
        &unknown_mode,
        json!(1),
        "mode quantum-v9 is not supported",
    )
    .await;

    let missing_cid = atfn_registry::blob_cid(b"never uploaded").to_string();
    let missing = f
        .pds
        .put_record(COLLECTION, "noblob", record("pure-v1", &missing_cid, 14));
    f.expect_failure("missing blob", &missing, json!(1), "blob not found")
        .await;

    // The record claims one module; the PDS serves another (one this node
    // never fetched, so no cache can mask the swap).
    let claimed = atfn_registry::blob_cid(atfn_examples::UNREACHABLE).to_string();
    f.pds.put_blob(&claimed, atfn_examples::ECHO);
    let forged = f.pds.put_record(
        COLLECTION,
        "forged",
        record("pure-v1", &claimed, atfn_examples::ECHO.len()),
    );
    f.expect_failure(
        "blob not matching CID",
        &forged,
        json!(1),
        "blob does not match CID",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_modules_and_schemas_fail_precisely() {
    let f = Fixture::start().await;
    let garbage = function(
        &f.pds,
        "garbage",
        "pure-v1",
        b"\0asm\x01\0\0\0garbage",
        json!({}),
    );
    f.expect_failure("malformed wasm", &garbage, json!(1), "invalid module")
        .await;
    let no_run = function(
        &f.pds,
        "norun",
        "pure-v1",
        atfn_examples::MISSING_RUN,
        json!({}),
    );
    f.expect_failure("missing exports", &no_run, json!(1), "missing export")
        .await;
    let schema = json!({"inputSchema": {"type": "object", "required": ["name"]}});
    let typed = function(&f.pds, "typed", "pure-v1", atfn_examples::ECHO, schema);
    f.expect_failure(
        "input failing inputSchema",
        &typed,
        json!({"nom": 1}),
        "input does not match inputSchema",
    )
    .await;
    assert_eq!(f.server.run(&typed, json!({"name": "x"})).await["ok"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_guests_are_stopped_by_the_engine() {
    let f = Fixture::start().await;
    let cases: &[(&str, &[u8], &str)] = &[
        (
            "memory bomb",
            atfn_examples::MEMORY_BOMB,
            "memory limit of 32 MiB exceeded",
        ),
        (
            "stack overflow",
            atfn_examples::DEEP_RECURSION,
            "stack overflow",
        ),
        ("trap", atfn_examples::UNREACHABLE, "trap: unreachable"),
        (
            "output out of bounds",
            atfn_examples::OUTPUT_OUT_OF_BOUNDS,
            "output out of bounds",
        ),
        (
            "non-UTF-8 output",
            atfn_examples::NON_UTF8_OUTPUT,
            "output is not UTF-8",
        ),
        (
            "non-JSON output",
            atfn_examples::NON_JSON_OUTPUT,
            "output is not JSON",
        ),
        (
            "oversized output",
            atfn_examples::OVERSIZED_OUTPUT,
            "output too large",
        ),
    ];
    for (i, (case, bytes, expected)) in cases.iter().enumerate() {
        let uri = function(&f.pds, &format!("hostile{i}"), "pure-v1", bytes, json!({}));
        f.expect_failure(case, &uri, json!(1), expected).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn infinite_loop_costs_its_caller_the_deadline_only() {
    let f = Fixture::start().await;
    let looping = function(
        &f.pds,
        "loop",
        "pure-v1",
        atfn_examples::INFINITE_LOOP,
        json!({}),
    );
    f.still_serving("warm-up").await;
    let started = Instant::now();
    let body = f
        .expect_failure("infinite loop", &looping, json!(1), "timeout after 100 ms")
        .await;
    // The call returns instead of hanging; the bound is loose because this machine is
    // shared (the deadline itself is what the error above states, and the flat CPU time
    // below shows the guest really stopped).
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}: {body}",
        started.elapsed()
    );
    // The guest stopped executing: the server's CPU time does not keep growing.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = cpu_ticks(f.server.pid());
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let after = cpu_ticks(f.server.pid());
    // A spinning guest would burn ~100 ticks per second; an idle server a few.
    assert!(
        after - before < 20,
        "server used {} ticks while idle",
        after - before
    );
}
