//! `host-v1`: the lister guest against an in-memory host; allowedHosts; host time limits.

use crate::support::{MapHost, SlowHost, call_with, runtime, spec};
use atfn_examples::LISTER;
use atfn_runtime::{FunctionSpec, Mode};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

const ALICE: &str = "did:plc:alice";

fn host() -> Arc<MapHost> {
    let mut records = BTreeMap::new();
    for rkey in ["a1", "a2", "a3"] {
        records.insert(
            format!("at://{ALICE}/app.bsky.feed.post/{rkey}"),
            json!({"text": rkey}),
        );
    }
    records.insert(
        "at://did:plc:bob/app.bsky.feed.post/b1".into(),
        json!({"text": "bob"}),
    );
    Arc::new(MapHost(records))
}

fn lister(allowed_hosts: Option<&[&str]>) -> FunctionSpec {
    let mut spec = spec("lister", LISTER, Mode::HostV1);
    spec.allowed_hosts = allowed_hosts.map(|h| h.iter().map(|s| s.to_string()).collect());
    spec
}

async fn run(spec: &FunctionSpec, input: Value) -> Value {
    call_with(&runtime(), spec, &input.to_string(), host())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn lists_a_collection() {
    let output = run(
        &lister(None),
        json!({"repo": ALICE, "collection": "app.bsky.feed.post"}),
    )
    .await;
    assert_eq!(
        output,
        json!({
            "ok": true, "count": 3, "collection": "app.bsky.feed.post", "cursor": null,
            "uris": [
                "at://did:plc:alice/app.bsky.feed.post/a1",
                "at://did:plc:alice/app.bsky.feed.post/a2",
                "at://did:plc:alice/app.bsky.feed.post/a3",
            ],
        })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn list_limit_and_cursor_reach_the_host() {
    let input = json!({"repo": ALICE, "collection": "app.bsky.feed.post", "limit": 2});
    let output = run(&lister(None), input).await;
    assert_eq!(output["count"], json!(2));
    assert_eq!(
        output["cursor"],
        json!("at://did:plc:alice/app.bsky.feed.post/a2")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reads_one_record() {
    let output = run(
        &lister(None),
        json!({"read": "at://did:plc:bob/app.bsky.feed.post/b1"}),
    )
    .await;
    assert_eq!(
        output,
        json!({"ok": true, "record": {"text": "bob"}, "cid": "bafyrei38"})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn host_errors_pass_through() {
    let output = run(
        &lister(None),
        json!({"read": "at://did:plc:bob/app.bsky.feed.post/zz"}),
    )
    .await;
    assert_eq!(
        output,
        json!({"ok": false, "error": "record not found: at://did:plc:bob/app.bsky.feed.post/zz"})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn allowed_hosts_permit_reads_inside() {
    let spec = lister(Some(&["at://did:plc:alice"]));
    let output = run(
        &spec,
        json!({"repo": ALICE, "collection": "app.bsky.feed.post"}),
    )
    .await;
    assert_eq!(output["count"], json!(3));
}

#[tokio::test(flavor = "multi_thread")]
async fn allowed_hosts_refuse_reads_outside() {
    let spec = lister(Some(&["at://did:plc:alice"]));
    let output = run(
        &spec,
        json!({"read": "at://did:plc:bob/app.bsky.feed.post/b1"}),
    )
    .await;
    assert_eq!(
        output,
        json!({"ok": false, "error": "forbidden: at://did:plc:bob/app.bsky.feed.post/b1 is not in allowedHosts"})
    );
    let output = run(
        &spec,
        json!({"repo": "did:plc:bob", "collection": "app.bsky.feed.post"}),
    )
    .await;
    assert_eq!(
        output,
        json!({"ok": false, "error": "forbidden: at://did:plc:bob/app.bsky.feed.post is not in allowedHosts"})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn host_time_counts_against_the_deadline() {
    let spec = lister(None);
    let input = json!({"read": "at://did:plc:bob/app.bsky.feed.post/b1"}).to_string();
    let err = call_with(&runtime(), &spec, &input, Arc::new(SlowHost))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "timeout after 100 ms");
}

#[tokio::test(flavor = "multi_thread")]
async fn reads_a_blob() {
    let output = run(
        &lister(None),
        json!({"blob": "bafkreihello", "repo": ALICE}),
    )
    .await;
    assert_eq!(
        output,
        json!({"ok": true, "mimeType": "text/plain", "size": 5, "text": "hello"})
    );
    let output = run(&lister(None), json!({"blob": "bafkreimissing"})).await;
    assert_eq!(
        output,
        json!({"ok": false, "error": "blob not found: bafkreimissing"})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn blob_reads_need_an_allowed_repo() {
    let spec = lister(Some(&["did:plc:alice"]));
    let output = run(&spec, json!({"blob": "bafkreihello", "repo": ALICE})).await;
    assert_eq!(output["text"], json!("hello"));
    let output = run(
        &spec,
        json!({"blob": "bafkreihello", "repo": "did:plc:bob"}),
    )
    .await;
    assert_eq!(
        output,
        json!({"ok": false, "error": "forbidden: at://did:plc:bob is not in allowedHosts"})
    );
}
