//! The test network works, and `atfn publish`'s client publishes to it: an
//! account on the official PDS, a blob and a record written and read back,
//! the account's DID resolved on the local PLC directory; then
//! `atfn::publish::publish` against the same PDS, checked with getRecord and
//! getBlob, and its errors for bad credentials and an oversized module.
//! A module of the crate's integration binary (`tests/main.rs`: `mod pds_smoke;`).

use serde_json::{Value, json};

use crate::support::assert_text_eq;
use crate::support::pds::LocalNetwork;

const COLLECTION: &str = "at.functions.metadata";

/// Pretty JSON, for "expected / got" comparisons.
fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn network_round_trip() {
    let net = LocalNetwork::start();
    assert!(
        net.pds_url.starts_with("http://localhost:"),
        "{}",
        net.pds_url
    );
    assert!(
        net.plc_url.starts_with("http://127.0.0.1:"),
        "{}",
        net.plc_url
    );

    let alice = net.create_account("alice.test", "alice-pass").await;
    assert!(alice.did.starts_with("did:plc:"), "{}", alice.did);
    assert_eq!(alice.handle, "alice.test");

    let module = b"\0asm\x01\0\0\0".to_vec();
    let blob = net
        .upload_blob(&alice, module.clone(), "application/wasm")
        .await;
    let cid = blob["ref"]["$link"]
        .as_str()
        .expect("blob ref has a $link")
        .to_owned();
    assert!(cid.starts_with("bafkrei"), "a raw-codec CIDv1: {cid}");
    assert_text_eq(
        &pretty(
            &json!({"$type": "blob", "ref": {"$link": cid}, "mimeType": "application/wasm", "size": 8}),
        ),
        &pretty(&blob),
    );

    let record = json!({
        "$type": COLLECTION, "name": "echo", "version": "1.0.0", "mode": "pure-v1", "code": blob,
        "entrypoint": "run", "inputEncoding": "application/json", "outputEncoding": "application/json",
    });
    let put = net.put_record(&alice, COLLECTION, "echo", &record).await;
    let uri = format!("at://{}/{COLLECTION}/echo", alice.did);
    assert_eq!(put["uri"], uri.as_str());

    let got = net.get_record(&alice.did, COLLECTION, "echo").await;
    assert_eq!(got["uri"], uri.as_str());
    assert_eq!(got["cid"], put["cid"]);
    assert_text_eq(&pretty(&record), &pretty(&got["value"]));
    assert_eq!(net.get_blob(&alice.did, &cid).await, module);

    let doc = net.resolve_did(&alice.did).await;
    assert_eq!(doc["id"], alice.did.as_str());
    let services = doc["service"]
        .as_array()
        .expect("DID document has services");
    let pds = services
        .iter()
        .find(|s| s["id"] == "#atproto_pds")
        .expect("an #atproto_pds service");
    assert_eq!(pds["serviceEndpoint"], net.pds_url.as_str());
    assert_eq!(doc["alsoKnownAs"], json!(["at://alice.test"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn publish_to_official_pds() {
    use atfn::publish::{PublishArgs, publish};

    let net = LocalNetwork::start();
    let bob = net.create_account("bob.test", "bob-pass").await;
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("echo.wasm");
    let module = b"\0asm\x01\0\0\0".to_vec();
    std::fs::write(&wasm, &module).unwrap();
    let schema = dir.path().join("input.json");
    std::fs::write(&schema, r#"{"type": "object"}"#).unwrap();

    let mut args = PublishArgs::for_file(
        wasm.clone(),
        "My Echo",
        "pure-v1",
        &net.pds_url,
        &bob.handle,
        &bob.password,
    );
    args.description = Some("returns its input".into());
    args.input_schema = Some(schema);
    args.max_duration_ms = Some(250);
    let published = publish(&args, false).await.expect("publish");
    assert_eq!(
        published.uri,
        format!("at://{}/{COLLECTION}/my-echo", bob.did)
    );

    let got = net.get_record(&bob.did, COLLECTION, "my-echo").await;
    assert_eq!(got["cid"], published.cid.as_str());
    let code = &got["value"]["code"];
    let blob_cid = code["ref"]["$link"].as_str().expect("code is a blob ref");
    assert_text_eq(
        &pretty(&json!({
            "$type": COLLECTION,
            "name": "My Echo",
            "version": "1.0.0",
            "mode": "pure-v1",
            "code": {"$type": "blob", "ref": {"$link": blob_cid}, "mimeType": "application/wasm", "size": module.len()},
            "entrypoint": "run",
            "inputEncoding": "application/json",
            "outputEncoding": "application/json",
            "description": "returns its input",
            "inputSchema": {"type": "object"},
            "maxDurationMs": 250,
        })),
        &pretty(&got["value"]),
    );
    assert_eq!(net.get_blob(&bob.did, blob_cid).await, module);

    // Publishing again replaces the record in place: same URI, new CID.
    args.version = "1.0.1".into();
    let again = publish(&args, false).await.expect("publish again");
    assert_eq!(again.uri, published.uri);
    assert_ne!(again.cid, published.cid);

    let mut wrong = args.clone();
    wrong.password = "not-bobs".into();
    assert_eq!(
        publish(&wrong, false).await.unwrap_err().to_string(),
        "com.atproto.server.createSession failed: AuthenticationRequired: Invalid identifier or password"
    );

    // One byte past the PDS's default 5 MiB blob limit.
    std::fs::write(&wasm, vec![0u8; 5 * 1024 * 1024 + 1]).unwrap();
    assert_eq!(
        publish(&args, false).await.unwrap_err().to_string(),
        "com.atproto.repo.uploadBlob failed: PayloadTooLarge: request entity too large"
    );
}
