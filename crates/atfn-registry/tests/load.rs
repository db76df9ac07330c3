//! Publish to the embedded registry, then resolve and load through `Registry`.

use std::time::Duration;

use atfn_registry::content::blob_cid;
use atfn_registry::{AtUri, Registry, RegistryConfig, RegistryError};
use serde_json::json;

use crate::common::{HANDLE, NSID, client, function_record, start};

const HOUR: Duration = Duration::from_secs(3600);

#[tokio::test]
async fn publish_resolve_and_load_function() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(&dir.path().join("reg.db"), 0).await;
    let token = node.login().await;
    let code = b"\0asm\x01\0\0\0";
    let put = node.publish(&token, "hello", "hello", code).await;
    let uri: AtUri = format!("at://{}/{NSID}/hello", node.did()).parse().unwrap();
    assert_eq!(put["uri"], uri.to_string());

    let registry = client(HOUR);
    let did = registry.resolve_did(node.did()).await.unwrap();
    assert_eq!(registry.resolve_pds(&did).await.unwrap(), node.url);

    let function = registry.load_function(&uri).await.unwrap();
    assert_eq!(function.uri, uri);
    assert_eq!(function.record_cid, put["cid"].as_str().unwrap());
    assert_eq!(function.record.name, "hello");
    assert_eq!(function.record.max_memory_mb, 32);
    assert_eq!(function.code.bytes.as_ref(), code);
    assert_eq!(function.code.cid, blob_cid(code).to_string());
    assert_eq!(function.code.mime_type.as_deref(), Some("application/wasm"));

    let page = registry
        .list_records(node.did(), NSID, None, 10)
        .await
        .unwrap();
    assert_eq!(page.records.len(), 1);
    assert_eq!(page.records[0].uri, uri.to_string());
    assert_eq!(page.records[0].cid, function.record_cid);
}

#[tokio::test]
async fn list_records_pages_with_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(&dir.path().join("reg.db"), 0).await;
    let token = node.login().await;
    for rkey in ["a", "b", "c"] {
        node.put(&token, "at.functions.note", rkey, json!({ "text": rkey }))
            .await;
    }
    let registry = client(HOUR);
    let first = registry
        .list_records(node.did(), "at.functions.note", None, 2)
        .await
        .unwrap();
    let rkeys: Vec<_> = first
        .records
        .iter()
        .map(|r| r.value["text"].clone())
        .collect();
    assert_eq!(rkeys, [json!("c"), json!("b")]);
    let cursor = first.cursor.expect("a full page has a cursor");
    let rest = registry
        .list_records(node.did(), "at.functions.note", Some(&cursor), 2)
        .await
        .unwrap();
    assert_eq!(rest.records.len(), 1);
    assert_eq!(
        rest.records[0].value,
        json!({ "$type": "at.functions.note", "text": "a" })
    );
    assert_eq!(rest.cursor, None);
}

#[tokio::test]
async fn record_not_found_err() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(&dir.path().join("reg.db"), 0).await;
    let uri: AtUri = format!("at://{}/{NSID}/missing", node.did())
        .parse()
        .unwrap();
    let err = client(HOUR).load_function(&uri).await.unwrap_err();
    assert!(
        matches!(err, RegistryError::RecordNotFound { .. }),
        "{err:?}"
    );
    assert_eq!(err.to_string(), format!("record not found: {uri}"));
}

#[tokio::test]
async fn wrong_collection_err() {
    let uri: AtUri = "at://did:web:127.0.0.1%3A1/app.bsky.feed.post/x"
        .parse()
        .unwrap();
    let err = client(HOUR).load_function(&uri).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "wrong collection: expected at.functions.metadata, got app.bsky.feed.post"
    );
    assert!(err.is_client_error());
}

#[tokio::test]
async fn not_a_record_uri_err() {
    let uri: AtUri = "at://did:web:127.0.0.1%3A1".parse().unwrap();
    let err = client(HOUR).get_record(&uri).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "at-uri must name a record (at://<authority>/<collection>/<rkey>): at://did:web:127.0.0.1%3A1"
    );
}

#[tokio::test]
async fn invalid_record_err() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(&dir.path().join("reg.db"), 0).await;
    let token = node.login().await;
    let blob = node.upload(&token, b"\0asm", "application/wasm").await;
    let mut record = function_record("big", blob);
    record["maxMemoryMb"] = json!(999);
    node.put(&token, NSID, "big", record).await;
    let uri: AtUri = format!("at://{}/{NSID}/big", node.did()).parse().unwrap();
    let err = client(HOUR).load_function(&uri).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("invalid function record {uri}: maxMemoryMb must be at most 256")
    );
}

#[tokio::test]
async fn blob_not_found_err() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(&dir.path().join("reg.db"), 0).await;
    let token = node.login().await;
    let missing = blob_cid(b"never uploaded").to_string();
    let code = json!({ "$type": "blob", "ref": { "$link": missing }, "mimeType": "application/wasm", "size": 14 });
    node.put(&token, NSID, "ghost", function_record("ghost", code))
        .await;
    let uri: AtUri = format!("at://{}/{NSID}/ghost", node.did()).parse().unwrap();
    let err = client(HOUR).load_function(&uri).await.unwrap_err();
    assert_eq!(err.to_string(), format!("blob not found: {missing}"));
}

#[tokio::test]
async fn invalid_blob_cid_err() {
    let registry = client(HOUR);
    let record_cid = "bafyreiclp443lavogvhj3d2ob2cxbfuscni2k5jk7bebjzg7khl3esabwq";
    let err = registry
        .get_blob("did:web:127.0.0.1%3A1", record_cid)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("invalid blob CID {record_cid}: blob CIDs must be CIDv1 with the raw codec (0x55)")
    );
    let err = registry
        .get_blob("did:web:127.0.0.1%3A1", "nope")
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "invalid blob CID nope: not a CID");
}

#[tokio::test]
async fn cached_record_until_ttl_then_updated() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(&dir.path().join("reg.db"), 0).await;
    let token = node.login().await;
    node.publish(&token, "f", "v1", b"\0asm one").await;
    let uri: AtUri = format!("at://{}/{NSID}/f", node.did()).parse().unwrap();

    let long = client(HOUR);
    let short = client(Duration::from_millis(100));
    let uncached = client(Duration::ZERO);
    assert_eq!(long.load_function(&uri).await.unwrap().record.name, "v1");
    assert_eq!(
        uncached.load_function(&uri).await.unwrap().record.name,
        "v1"
    );
    assert_eq!(short.load_function(&uri).await.unwrap().record.name, "v1");

    node.publish(&token, "f", "v2", b"\0asm two").await;
    // Within its TTL the record cache still answers with the old record.
    assert_eq!(long.load_function(&uri).await.unwrap().record.name, "v1");
    // A zero TTL disables the record cache.
    assert_eq!(
        uncached.load_function(&uri).await.unwrap().record.name,
        "v2"
    );
    // Invalidation drops the cached record at once.
    long.invalidate_record(&uri).await;
    assert_eq!(long.load_function(&uri).await.unwrap().record.name, "v2");
    // After the TTL the update is visible, with its new code.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let updated = short.load_function(&uri).await.unwrap();
    assert_eq!(updated.record.name, "v2");
    assert_eq!(updated.code.bytes.as_ref(), b"\0asm two");
}

#[tokio::test]
async fn data_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reg.db");
    let node = start(&db, 0).await;
    let port: u16 = node.url.rsplit(':').next().unwrap().parse().unwrap();
    let token = node.login().await;
    let put = node.publish(&token, "keep", "keep", b"\0asm keep").await;
    let did = node.did().to_owned();
    node.stop().await;

    let node = start(&db, port).await;
    assert_eq!(node.did(), did);
    let uri: AtUri = format!("at://{did}/{NSID}/keep").parse().unwrap();
    let function = client(HOUR).load_function(&uri).await.unwrap();
    assert_eq!(function.record_cid, put["cid"].as_str().unwrap());
    assert_eq!(function.code.bytes.as_ref(), b"\0asm keep");
}

#[tokio::test]
async fn handle_uri_through_configured_resolver() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(&dir.path().join("reg.db"), 0).await;
    let token = node.login().await;
    node.publish(&token, "hi", "hi", b"\0asm hi").await;
    let registry = Registry::new(RegistryConfig {
        handle_resolver: Some(node.url.clone()),
        ..RegistryConfig::default()
    })
    .unwrap();
    assert_eq!(
        registry.resolve_did(HANDLE).await.unwrap().as_str(),
        node.did()
    );
    let uri: AtUri = format!("at://{HANDLE}/{NSID}/hi").parse().unwrap();
    let function = registry.load_function(&uri).await.unwrap();
    assert_eq!(function.code.bytes.as_ref(), b"\0asm hi");

    let err = registry.resolve_did("bob.test").await.unwrap_err();
    assert_eq!(err.to_string(), "could not resolve handle bob.test");
    assert!(err.is_not_found());
    let err = registry.resolve_did("not a handle").await.unwrap_err();
    assert_eq!(err.to_string(), "invalid DID or handle: \"not a handle\"");
}

#[test]
fn ttl_too_long_err() {
    let config = RegistryConfig {
        record_ttl: atfn_registry::MAX_TTL * 2,
        ..RegistryConfig::default()
    };
    let err = Registry::new(config)
        .err()
        .expect("a TTL past MAX_TTL is refused");
    assert_eq!(
        err.to_string(),
        "invalid registry configuration: cache TTLs must be at most 365 days"
    );
}

#[test]
fn registry_builds_outside_a_runtime() {
    // Construction spawns nothing: a CLI may build it before entering tokio.
    let registry = Registry::new(RegistryConfig::default()).unwrap();
    assert_eq!(registry.config().plc_url, "https://plc.directory");
}

#[tokio::test]
async fn deleted_record_not_found_after_ttl() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(&dir.path().join("reg.db"), 0).await;
    let token = node.login().await;
    node.publish(&token, "gone", "gone", b"\0asm gone").await;
    let uri: AtUri = format!("at://{}/{NSID}/gone", node.did()).parse().unwrap();
    let registry = client(Duration::ZERO);
    registry.load_function(&uri).await.unwrap();
    let res = node
        .http
        .post(node.xrpc("com.atproto.repo.deleteRecord"))
        .bearer_auth(&token)
        .json(&json!({ "repo": node.did(), "collection": NSID, "rkey": "gone" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let err = registry.load_function(&uri).await.unwrap_err();
    assert_eq!(err.to_string(), format!("record not found: {uri}"));
}
