//! A tiny fake PDS that lies: it serves a did:web document, a function record and blob bytes
//! that do not match what the record's CIDs promise. The registry must refuse them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use atfn_registry::content::{blob_cid, record_cid};
use atfn_registry::{AtUri, RegistryError};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::common::{NSID, bind, client, function_record, serve};

struct Fake {
    did: String,
    url: String,
    record: Value,
    /// What getBlob serves.
    blob: &'static [u8],
    /// getRecord and getBlob requests served.
    record_hits: AtomicUsize,
    blob_hits: AtomicUsize,
}

async fn did_doc(State(fake): State<Arc<Fake>>) -> Json<Value> {
    Json(json!({
        "id": fake.did,
        "service": [{ "id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": fake.url }]
    }))
}

async fn get_record(State(fake): State<Arc<Fake>>, Query(q): Query<Value>) -> Json<Value> {
    fake.record_hits.fetch_add(1, Ordering::SeqCst);
    let rkey = q["rkey"].as_str().unwrap();
    let cid = if rkey == "tampered" {
        // The CID of a different record.
        record_cid(&json!({ "other": true })).unwrap().to_string()
    } else {
        record_cid(&fake.record).unwrap().to_string()
    };
    Json(
        json!({ "uri": format!("at://{}/{NSID}/{rkey}", fake.did), "cid": cid, "value": fake.record }),
    )
}

async fn get_blob(State(fake): State<Arc<Fake>>) -> Response {
    fake.blob_hits.fetch_add(1, Ordering::SeqCst);
    let headers = [("content-type", "application/wasm")];
    (StatusCode::OK, headers, fake.blob.to_vec()).into_response()
}

/// Starts the fake PDS serving "evil bytes" for the record's code; returns its DID.
async fn start_fake() -> (String, tokio::task::JoinHandle<()>) {
    let (fake, server) = start_fake_serving(b"evil bytes").await;
    (fake.did.clone(), server)
}

/// Starts the fake PDS whose record names the blob "real bytes" and whose getBlob serves `blob`.
async fn start_fake_serving(blob: &'static [u8]) -> (Arc<Fake>, tokio::task::JoinHandle<()>) {
    let (listener, addr) = bind(0).await;
    let did = format!("did:web:127.0.0.1%3A{}", addr.port());
    let code = json!({
        "$type": "blob",
        "ref": { "$link": blob_cid(b"real bytes").to_string() },
        "mimeType": "application/wasm",
        "size": 10,
    });
    let fake = Arc::new(Fake {
        did,
        url: format!("http://{addr}"),
        record: function_record("liar", code),
        blob,
        record_hits: AtomicUsize::new(0),
        blob_hits: AtomicUsize::new(0),
    });
    let router = Router::new()
        .route("/.well-known/did.json", get(did_doc))
        .route("/xrpc/com.atproto.repo.getRecord", get(get_record))
        .route("/xrpc/com.atproto.sync.getBlob", get(get_blob))
        .with_state(fake.clone());
    (fake, serve(listener, router))
}

#[tokio::test]
async fn blob_not_matching_cid_err() {
    let (did, server) = start_fake().await;
    let uri: AtUri = format!("at://{did}/{NSID}/liar").parse().unwrap();
    let err = client(std::time::Duration::from_secs(5))
        .load_function(&uri)
        .await
        .unwrap_err();
    assert!(matches!(err, RegistryError::BlobMismatch { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("blob does not match CID {}", blob_cid(b"real bytes"))
    );
    server.abort();
}

#[tokio::test]
async fn record_not_matching_cid_err() {
    let (did, server) = start_fake().await;
    let uri: AtUri = format!("at://{did}/{NSID}/tampered").parse().unwrap();
    let err = client(std::time::Duration::from_secs(5))
        .get_record(&uri)
        .await
        .unwrap_err();
    let claimed = record_cid(&json!({ "other": true })).unwrap();
    assert_eq!(
        err.to_string(),
        format!("record does not match CID {claimed}: {uri}")
    );
    server.abort();
}

#[tokio::test]
async fn unknown_did_web_err() {
    // A server with no routes answers 404 for /.well-known/did.json.
    let (listener, addr) = bind(0).await;
    let server = serve(listener, Router::new());
    let did = format!("did:web:127.0.0.1%3A{}", addr.port());
    let err = client(std::time::Duration::from_secs(5))
        .resolve_pds(&did.parse().unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), format!("unknown DID {did}"));
    server.abort();
}

#[tokio::test]
async fn did_document_id_mismatch_err() {
    let (did, server) = start_fake().await;
    // Same host and port, spelled differently: the document names the other DID.
    let alias = did.replace("127.0.0.1", "localhost");
    let err = client(std::time::Duration::from_secs(5))
        .resolve_pds(&alias.parse().unwrap())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("could not resolve DID {alias}: document id is {did}")
    );
    server.abort();
}

/// A fake PLC directory serving one DID document in the legacy form of
/// `@did-plc/server@0.0.1`, whose PDS is `pds_url`.
async fn start_plc(did: &'static str, pds_url: String) -> (String, tokio::task::JoinHandle<()>) {
    async fn doc(
        State((did, pds)): State<(&'static str, String)>,
        axum::extract::Path(asked): axum::extract::Path<String>,
    ) -> Response {
        if asked != did {
            return (
                StatusCode::NOT_FOUND,
                Json(json!({ "message": format!("DID not registered: {asked}") })),
            )
                .into_response();
        }
        Json(json!({
            "@context": ["https://www.w3.org/ns/did/v1"],
            "id": did,
            "alsoKnownAs": ["at://alice.test"],
            "verificationMethod": [{
                "id": "#atproto",
                "type": "EcdsaSecp256k1VerificationKey2019",
                "controller": did,
                "publicKeyMultibase": "zQYEBzXeuTM9UR3rfvNag6L3RNAs5pQZyYPsomTsgQhsxLdEgCrPTLgFna8yqCnxPpNT7DBk6Ym3dgPKNu86vt9GR"
            }],
            "service": [{ "id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": pds }]
        }))
        .into_response()
    }
    let (listener, addr) = bind(0).await;
    let router = Router::new()
        .route("/{did}", get(doc))
        .with_state((did, pds_url));
    (format!("http://{addr}"), serve(listener, router))
}

#[tokio::test]
async fn did_plc_through_configured_directory() {
    const DID: &str = "did:plc:ewvi7nxzyoun6zhxrhs64oiz";
    let dir = tempfile::tempdir().unwrap();
    let node = crate::common::start(&dir.path().join("reg.db"), 0).await;
    let (plc_url, plc) = start_plc(DID, node.url.clone()).await;
    let registry = atfn_registry::Registry::new(atfn_registry::RegistryConfig {
        plc_url,
        ..atfn_registry::RegistryConfig::default()
    })
    .unwrap();
    assert_eq!(
        registry.resolve_pds(&DID.parse().unwrap()).await.unwrap(),
        node.url
    );

    // The embedded registry does not host this DID's repo.
    let uri: AtUri = format!("at://{DID}/{NSID}/x").parse().unwrap();
    let err = registry.get_record(&uri).await.unwrap_err();
    assert_eq!(err.to_string(), format!("repo not found: {DID}"));

    let unknown = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";
    let err = registry
        .resolve_pds(&unknown.parse().unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), format!("unknown DID {unknown}"));
    plc.abort();
}

#[tokio::test]
async fn blob_too_large_err() {
    let (did, server) = start_fake().await;
    // The fake serves 10 bytes; the DID document and record are not bound by this limit.
    let registry = atfn_registry::Registry::new(atfn_registry::RegistryConfig {
        max_blob_bytes: 9,
        ..atfn_registry::RegistryConfig::default()
    })
    .unwrap();
    let uri: AtUri = format!("at://{did}/{NSID}/liar").parse().unwrap();
    let err = registry.load_function(&uri).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("blob {} is larger than 9 bytes", blob_cid(b"real bytes"))
    );
    server.abort();
}

#[tokio::test]
async fn unreachable_pds_err() {
    // Port 1 on loopback has no listener: the DID document cannot be fetched.
    let did = "did:web:127.0.0.1%3A1";
    let err = client(std::time::Duration::from_secs(5))
        .resolve_pds(&did.parse().unwrap())
        .await
        .unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "could not resolve DID {did}: http://127.0.0.1:1/.well-known/did.json: "
        )),
        "{err}"
    );
}

#[tokio::test]
async fn concurrent_cold_loads_fetch_once() {
    let (fake, server) = start_fake_serving(b"real bytes").await;
    let registry = client(std::time::Duration::from_secs(3600));
    let uri: AtUri = format!("at://{}/{NSID}/same", fake.did).parse().unwrap();
    let mut loads = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let (registry, uri) = (registry.clone(), uri.clone());
        loads.spawn(async move { registry.load_function(&uri).await });
    }
    for function in loads.join_all().await {
        assert_eq!(function.unwrap().code.bytes.as_ref(), b"real bytes");
    }
    assert_eq!(fake.record_hits.load(Ordering::SeqCst), 1);
    assert_eq!(fake.blob_hits.load(Ordering::SeqCst), 1);
    server.abort();
}
