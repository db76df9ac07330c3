//! Both engines, one table: every example guest (echo, lister against the in-memory host, every
//! hostile guest) and every bad-input case runs on wasmtime and on atfn-interp, and the outputs
//! or error messages must be identical — and equal to the expected value of the case.

use crate::support::{MapHost, SlowHost, call_with, export_index, first_import, spec};
use atfn_examples as ex;
use atfn_runtime::{
    EngineKind, FunctionSpec, HostApi, Mode, NoHost, RunError, Runtime, RuntimeConfig, RuntimeStats,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

const ALICE: &str = "did:plc:alice";

fn runtime_on(engine: EngineKind) -> Runtime {
    Runtime::new(RuntimeConfig {
        max_instances: 4,
        max_input_bytes: 100,
        engine,
        ..RuntimeConfig::default()
    })
    .expect("runtime starts")
}

fn map_host() -> Arc<dyn HostApi> {
    let mut records = BTreeMap::new();
    for rkey in ["a1", "a2", "a3"] {
        let uri = format!("at://{ALICE}/app.bsky.feed.post/{rkey}");
        records.insert(uri, json!({"text": rkey}));
    }
    records.insert(
        "at://did:plc:bob/app.bsky.feed.post/b1".into(),
        json!({"text": "bob"}),
    );
    Arc::new(MapHost(records))
}

/// One row of the table.
struct Case {
    name: &'static str,
    spec: FunctionSpec,
    input: String,
    host: Arc<dyn HostApi>,
    expected: Result<Value, String>,
}

/// A case with a 5 s deadline: the interpreter is unoptimised in debug builds and the tests
/// run in parallel, so only the timeout cases keep a short one.
fn case(name: &'static str, wasm: &'static [u8], mode: Mode, input: Value) -> Case {
    let mut spec = spec(name, wasm, mode);
    spec.limits.max_duration_ms = 5000;
    Case {
        name,
        spec,
        input: input.to_string(),
        host: Arc::new(NoHost),
        expected: Err(String::new()),
    }
}

impl Case {
    fn ok(mut self, output: Value) -> Self {
        self.expected = Ok(output);
        self
    }
    fn err(mut self, message: impl Into<String>) -> Self {
        self.expected = Err(message.into());
        self
    }
    fn host(mut self, host: Arc<dyn HostApi>, allowed_hosts: Option<&[&str]>) -> Self {
        self.host = host;
        self.spec.allowed_hosts = allowed_hosts.map(|h| h.iter().map(|s| s.to_string()).collect());
        self
    }
}

fn lister(name: &'static str, input: Value) -> Case {
    case(name, ex::LISTER, Mode::HostV1, input).host(map_host(), None)
}

fn cases() -> Vec<Case> {
    let hostile = |name, wasm| case(name, wasm, Mode::PureV1, json!({}));
    let posts = json!({"repo": ALICE, "collection": "app.bsky.feed.post"});
    let alice_posts: Vec<String> = ["a1", "a2", "a3"]
        .iter()
        .map(|r| format!("at://{ALICE}/app.bsky.feed.post/{r}"))
        .collect();
    let mut bomb8 = hostile("bomb8", ex::MEMORY_BOMB).err("memory limit of 8 MiB exceeded");
    bomb8.spec.limits.max_memory_mb = 8;
    let mut loop100 = hostile("loop", ex::INFINITE_LOOP).err("timeout after 100 ms");
    loop100.spec.limits.max_duration_ms = 100;
    let mut slow_host = lister(
        "slowhost",
        json!({"read": "at://did:plc:bob/app.bsky.feed.post/b1"}),
    )
    .host(Arc::new(SlowHost), None)
    .err("timeout after 100 ms");
    slow_host.spec.limits.max_duration_ms = 100;
    let mut loop30 = hostile("loop30", ex::INFINITE_LOOP).err("timeout after 30 ms");
    loop30.spec.limits.max_duration_ms = 30;
    let mut big_input = case("echobig", ex::ECHO, Mode::PureV1, json!("x".repeat(100)));
    big_input = big_input.err("input too large: 102 bytes (limit 100 bytes)");
    let mut not_json = case("echonotjson", ex::ECHO, Mode::PureV1, json!(null));
    not_json.input = "{nope".into();
    not_json = not_json.err("input is not JSON: key must be a string at line 1 column 2");
    vec![
        case("echo", ex::ECHO, Mode::PureV1, json!({"hello": "world", "n": [1, 2.5, null]}))
            .ok(json!({"ok": true, "echo": {"hello": "world", "n": [1, 2.5, null]}, "mode": "pure-v1"})),
        case("echohost", ex::ECHO, Mode::HostV1, json!(7))
            .ok(json!({"ok": true, "echo": 7, "mode": "pure-v1"})),
        big_input,
        not_json,
        lister("list", posts.clone()).ok(json!({
            "ok": true, "count": 3, "collection": "app.bsky.feed.post", "cursor": null,
            "uris": alice_posts,
        })),
        lister("listpage", json!({"repo": ALICE, "collection": "app.bsky.feed.post", "limit": 2}))
            .ok(json!({
                "ok": true, "count": 2, "collection": "app.bsky.feed.post",
                "cursor": alice_posts[1], "uris": alice_posts[..2],
            })),
        lister("read", json!({"read": "at://did:plc:bob/app.bsky.feed.post/b1"}))
            .ok(json!({"ok": true, "record": {"text": "bob"}, "cid": "bafyrei38"})),
        lister("readmissing", json!({"read": "at://did:plc:bob/app.bsky.feed.post/zz"}))
            .ok(json!({"ok": false, "error": "record not found: at://did:plc:bob/app.bsky.feed.post/zz"})),
        lister("readforbidden", json!({"read": "at://did:plc:bob/app.bsky.feed.post/b1"}))
            .host(map_host(), Some(&["at://did:plc:alice"]))
            .ok(json!({"ok": false, "error": "forbidden: at://did:plc:bob/app.bsky.feed.post/b1 is not in allowedHosts"})),
        lister("blob", json!({"blob": "bafkreihello", "repo": ALICE}))
            .host(map_host(), Some(&["did:plc:alice"]))
            .ok(json!({"ok": true, "mimeType": "text/plain", "size": 5, "text": "hello"})),
        lister("blobforbidden", json!({"blob": "bafkreihello", "repo": "did:plc:bob"}))
            .host(map_host(), Some(&["did:plc:alice"]))
            .ok(json!({"ok": false, "error": "forbidden: at://did:plc:bob is not in allowedHosts"})),
        slow_host,
        case("listerpure", ex::LISTER, Mode::PureV1, json!({})).err(format!(
            "invalid module: unknown import: `{}` has not been defined (mode pure-v1)",
            first_import(ex::LISTER)
        )),
        case("garbage", b"\0asm\x01\0\0\0\x01\x04", Mode::PureV1, json!({})).err(
            "invalid module: failed to parse WebAssembly module: unexpected end-of-file (at offset 0xa)",
        ),
        loop100,
        loop30,
        hostile("bomb", ex::MEMORY_BOMB).err("memory limit of 32 MiB exceeded"),
        bomb8,
        hostile("recursion", ex::DEEP_RECURSION).err("stack overflow"),
        hostile("utf8", ex::NON_UTF8_OUTPUT)
            .err("output is not UTF-8: invalid utf-8 sequence of 1 bytes from index 1"),
        hostile("json", ex::NON_JSON_OUTPUT)
            .err("output is not JSON: expected value at line 1 column 1"),
        hostile("oversized", ex::OVERSIZED_OUTPUT)
            .err("output too large: 2097152 bytes (limit 1048576 bytes)"),
        hostile("norun", ex::MISSING_RUN).err("missing export: run"),
        case("badrequest", ex::HOST_BAD_REQUEST, Mode::HostV1, json!({})).err(
            "host call host_read_record failed: request of 10 bytes at 4294901760 is outside memory",
        ),
    ]
}

async fn outcome(runtime: &Runtime, case: &Case) -> Result<Value, String> {
    call_with(runtime, &case.spec, &case.input, case.host.clone())
        .await
        .map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_case_is_identical_on_both_engines() {
    let wasmtime = runtime_on(EngineKind::Wasmtime);
    let interp = runtime_on(EngineKind::Interp);
    for case in cases() {
        let on_wasmtime = outcome(&wasmtime, &case).await;
        let on_interp = outcome(&interp, &case).await;
        assert_eq!(on_wasmtime, case.expected, "{} on wasmtime", case.name);
        assert_eq!(on_interp, on_wasmtime, "{} on interp", case.name);
    }
    assert_eq!(interp.stats().running, 0, "no guest is left executing");
}

#[tokio::test(flavor = "multi_thread")]
async fn output_out_of_bounds_names_each_memory_size() {
    let oob = spec("oob", ex::OUTPUT_OUT_OF_BOUNDS, Mode::PureV1);
    let mut errors = Vec::new();
    for engine in [EngineKind::Wasmtime, EngineKind::Interp] {
        errors.push(call_with(&runtime_on(engine), &oob, "{}", Arc::new(NoHost)).await);
    }
    let [Err(wasmtime), Err(interp)] = &errors[..] else {
        panic!("both fail: {errors:?}");
    };
    assert!(matches!(
        wasmtime,
        RunError::OutputOutOfBounds {
            ptr: 0xffff_ff00,
            len: 4096,
            ..
        }
    ));
    assert_eq!(interp, wasmtime);
}

/// The one difference: the interpreter does not report the trapping function.
#[tokio::test(flavor = "multi_thread")]
async fn traps_name_their_function_on_wasmtime_only() {
    let unreachable = spec("unreachable", ex::UNREACHABLE, Mode::PureV1);
    let call = |engine| {
        let unreachable = unreachable.clone();
        async move {
            call_with(&runtime_on(engine), &unreachable, "{}", Arc::new(NoHost))
                .await
                .unwrap_err()
                .to_string()
        }
    };
    let index = export_index(ex::UNREACHABLE, "run");
    assert_eq!(
        call(EngineKind::Wasmtime).await,
        format!("trap: unreachable (func {index}: run)")
    );
    assert_eq!(call(EngineKind::Interp).await, "trap: unreachable");
}

#[tokio::test(flavor = "multi_thread")]
async fn interp_modules_are_cached_by_cid() {
    let interp = runtime_on(EngineKind::Interp);
    let echo = spec("echo", ex::ECHO, Mode::PureV1);
    for input in ["1", "2"] {
        call_with(&interp, &echo, input, Arc::new(NoHost))
            .await
            .unwrap();
    }
    assert_eq!(
        interp.stats(),
        RuntimeStats {
            compilations: 1,
            disk_cache_hits: 0,
            memory_cache_hits: 1,
            running: 0
        }
    );
    assert_eq!(interp.engine_kind(), EngineKind::Interp);
    assert!(interp.engine().is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn interp_refuses_calls_past_max_instances() {
    let interp = Runtime::new(RuntimeConfig {
        max_instances: 1,
        engine: EngineKind::Interp,
        ..RuntimeConfig::default()
    })
    .unwrap();
    let echo = spec("echo", ex::ECHO, Mode::PureV1);
    let mut spin = spec("loop", ex::INFINITE_LOOP, Mode::PureV1);
    spin.limits.max_duration_ms = 2000;
    let looping = {
        let interp = interp.clone();
        tokio::spawn(async move { call_with(&interp, &spin, "{}", Arc::new(NoHost)).await })
    };
    while interp.stats().running == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let err = call_with(&interp, &echo, "1", Arc::new(NoHost))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "too many concurrent invocations (limit 1)");
    let err = looping.await.unwrap().unwrap_err();
    assert_eq!(err.to_string(), "timeout after 2000 ms");
    call_with(&interp, &echo, "2", Arc::new(NoHost))
        .await
        .expect("the timed-out call freed its slot");
}
