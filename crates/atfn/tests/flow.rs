//! The main job end to end, run against any PDS: publish `echo` and `lister`
//! with `atfn publish`, invoke them over HTTP through `atfn serve`, see an
//! updated record after the record TTL, and see `allowedHosts` refuse reads.

use serde_json::{Value, json};

use crate::atfn_server::{AtfnServer, publish, wasm_file};

/// Where functions are published: a PDS and an account on it.
pub struct Author {
    /// Base URL of the PDS (official or embedded).
    pub pds: String,
    /// Handle or DID for createSession.
    pub identifier: String,
    /// Account password.
    pub password: String,
    /// The account's DID.
    pub did: String,
}

/// The record TTL the servers under test are started with, in ms.
pub const RECORD_TTL_MS: u64 = 300;

/// Publishes with `atfn publish`; returns the at:// URI.
fn publish_example(
    author: &Author,
    dir: &std::path::Path,
    name: &str,
    mode: &str,
    bytes: &[u8],
    extra: &[&str],
) -> String {
    let wasm = wasm_file(dir, name, bytes);
    let mut args = vec![
        "--name",
        name,
        "--version",
        "1.0.0",
        "--mode",
        mode,
        "--rkey",
        name,
    ];
    args.extend_from_slice(extra);
    publish(
        &author.pds,
        &author.identifier,
        &author.password,
        &wasm,
        &args,
    )
}

pub async fn run_flow(server: &AtfnServer, author: &Author) {
    let dir = tempfile::tempdir().unwrap();
    let collection = "at.functions.metadata";

    // echo: pure-v1
    let echo = publish_example(
        author,
        dir.path(),
        "echo",
        "pure-v1",
        atfn_examples::ECHO,
        &[],
    );
    assert_eq!(echo, format!("at://{}/{collection}/echo", author.did));
    let first = server.run(&echo, json!({"hello": "world"})).await;
    assert_eq!(first["ok"], true, "{first}");
    assert_eq!(
        first["output"],
        json!({"ok": true, "echo": {"hello": "world"}, "mode": "pure-v1"})
    );
    let first_cid = first["functionCid"].as_str().unwrap().to_owned();
    assert!(first_cid.starts_with("bafyrei"), "{first_cid}");
    assert!(first["durationMs"].is_u64(), "{first}");

    // lister: host-v1 sees the records the test wrote (the two function records)
    let lister = publish_example(
        author,
        dir.path(),
        "lister",
        "host-v1",
        atfn_examples::LISTER,
        &[],
    );
    let listed = server
        .run(
            &lister,
            json!({"repo": author.did, "collection": collection}),
        )
        .await;
    assert_eq!(listed["ok"], true, "{listed}");
    let output = &listed["output"];
    assert_eq!(output["collection"], collection);
    assert_eq!(output["count"], 2, "{output}");
    let uris: Vec<&str> = output["uris"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    assert!(
        uris.contains(&echo.as_str()) && uris.contains(&lister.as_str()),
        "{uris:?}"
    );

    // an updated record is served once the TTL has passed
    publish_example(
        author,
        dir.path(),
        "echo",
        "pure-v1",
        atfn_examples::ECHO,
        &["--description", "updated"],
    );
    tokio::time::sleep(std::time::Duration::from_millis(RECORD_TTL_MS + 200)).await;
    let updated = server.run(&echo, json!(1)).await;
    assert_eq!(updated["ok"], true, "{updated}");
    assert_ne!(
        updated["functionCid"],
        Value::String(first_cid),
        "record was not refetched after the TTL"
    );

    // allowedHosts: the guarded lister may read its own function records, nothing else
    let allowed = format!("at://{}/{collection}", author.did);
    let guarded = publish_example(
        author,
        dir.path(),
        "guarded",
        "host-v1",
        atfn_examples::LISTER,
        &["--allowed-host", &allowed],
    );
    let inside = server.run(&guarded, json!({"read": echo})).await;
    assert_eq!(inside["ok"], true, "{inside}");
    assert_eq!(inside["output"]["record"]["name"], "echo", "{inside}");
    let outside = format!("at://{}/app.bsky.feed.post/abc", author.did);
    let refused = server.run(&guarded, json!({"read": outside})).await;
    assert_eq!(refused["ok"], false, "{refused}");
    let error = refused["error"].as_str().unwrap();
    assert!(error.starts_with("forbidden: "), "{error}");
    let listing = server
        .run(
            &guarded,
            json!({"repo": author.did, "collection": "app.bsky.feed.post"}),
        )
        .await;
    assert!(
        listing["error"]
            .as_str()
            .unwrap_or_default()
            .starts_with("forbidden: "),
        "{listing}"
    );
}
