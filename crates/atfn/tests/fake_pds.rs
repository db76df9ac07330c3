//! A deliberately wrong PDS for failure tests: it serves its own did:web
//! document, records it is given, and blob bytes it is given, which need not
//! match the CIDs the records claim. The real registry client talks to it over
//! loopback exactly as it would to any PDS.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

#[derive(Default)]
struct Content {
    records: HashMap<(String, String), Value>,
    blobs: HashMap<String, Vec<u8>>,
}

#[derive(Clone)]
struct Shared {
    did: String,
    url: String,
    content: Arc<Mutex<Content>>,
}

/// A running fake PDS; stops with the test's tokio runtime.
pub struct FakePds {
    shared: Shared,
}

impl FakePds {
    /// Starts on a free loopback port; its DID is `did:web:127.0.0.1%3A<port>`.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let shared = Shared {
            did: format!("did:web:127.0.0.1%3A{}", addr.port()),
            url: format!("http://{addr}"),
            content: Arc::default(),
        };
        let app = Router::new()
            .route("/.well-known/did.json", get(did_document))
            .route("/xrpc/com.atproto.repo.getRecord", get(get_record))
            .route("/xrpc/com.atproto.sync.getBlob", get(get_blob))
            .with_state(shared.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { shared }
    }

    /// Base URL, `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        self.shared.url.clone()
    }

    /// `did:web:127.0.0.1%3A<port>`.
    pub fn did(&self) -> &str {
        &self.shared.did
    }

    /// Serves `value` as `at://<did>/<collection>/<rkey>`; returns that URI.
    pub fn put_record(&self, collection: &str, rkey: &str, value: Value) -> String {
        let mut content = self.shared.content.lock().unwrap();
        content
            .records
            .insert((collection.to_owned(), rkey.to_owned()), value);
        format!("at://{}/{collection}/{rkey}", self.shared.did)
    }

    /// Serves `bytes` for blob `cid`, whatever their real CID.
    pub fn put_blob(&self, cid: &str, bytes: &[u8]) {
        self.shared
            .content
            .lock()
            .unwrap()
            .blobs
            .insert(cid.to_owned(), bytes.to_vec());
    }
}

async fn did_document(State(shared): State<Shared>) -> Json<Value> {
    Json(json!({
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": shared.did,
        "service": [{
            "id": "#atproto_pds",
            "type": "AtprotoPersonalDataServer",
            "serviceEndpoint": shared.url,
        }],
    }))
}

fn xrpc_error(name: &str, message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": name, "message": message })),
    )
        .into_response()
}

async fn get_record(
    State(shared): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let key = (query["collection"].clone(), query["rkey"].clone());
    match shared.content.lock().unwrap().records.get(&key) {
        Some(value) => Json(json!({
            "uri": format!("at://{}/{}/{}", shared.did, key.0, key.1),
            "cid": atfn_registry::record_cid(value).unwrap().to_string(),
            "value": value,
        }))
        .into_response(),
        None => xrpc_error("RecordNotFound", "Could not locate record"),
    }
}

async fn get_blob(
    State(shared): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    match shared.content.lock().unwrap().blobs.get(&query["cid"]) {
        Some(bytes) => bytes.clone().into_response(),
        None => xrpc_error("InvalidRequest", "Blob not found"),
    }
}
