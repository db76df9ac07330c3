//! Helpers: start an embedded registry on 127.0.0.1, publish through its XRPC API.

use std::net::SocketAddr;
use std::path::Path;

use atfn_registry::{EmbeddedRegistry, Registry, RegistryConfig};
use serde_json::{Value, json};
use tokio::net::TcpListener;

pub const HANDLE: &str = "alice.test";
pub const PASSWORD: &str = "hunter2";
pub const NSID: &str = "at.functions.metadata";

/// A running embedded registry.
pub struct Node {
    pub registry: EmbeddedRegistry,
    pub url: String,
    pub http: reqwest::Client,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(server) = &self.server {
            server.abort();
        }
    }
}

/// Serves `router` on `listener` in a background task.
pub fn serve(listener: TcpListener, router: axum::Router) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() })
}

/// Binds 127.0.0.1 on `port` (0: any free port).
pub async fn bind(port: u16) -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

/// Opens the embedded registry at `db` and serves it on `port` (0: any free port), with the
/// account `alice.test` / `hunter2`.
pub async fn start(db: &Path, port: u16) -> Node {
    let (listener, addr) = bind(port).await;
    let url = format!("http://{addr}");
    let registry = EmbeddedRegistry::open(db, &url).await.unwrap();
    registry.ensure_account(HANDLE, PASSWORD).await.unwrap();
    let server = serve(listener, registry.router());
    Node {
        registry,
        url,
        http: reqwest::Client::new(),
        server: Some(server),
    }
}

/// A registry client with the given record TTL.
pub fn client(record_ttl: std::time::Duration) -> Registry {
    Registry::new(RegistryConfig {
        record_ttl,
        ..RegistryConfig::default()
    })
    .unwrap()
}

impl Node {
    /// Stops the server and waits until its listener is closed.
    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
            let _ = server.await;
        }
    }

    pub fn did(&self) -> &str {
        self.registry.did()
    }

    pub fn xrpc(&self, nsid: &str) -> String {
        format!("{}/xrpc/{nsid}", self.url)
    }

    /// `createSession` → accessJwt.
    pub async fn login(&self) -> String {
        let res = self
            .http
            .post(self.xrpc("com.atproto.server.createSession"))
            .json(&json!({ "identifier": HANDLE, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["did"], self.did());
        assert_eq!(body["handle"], HANDLE);
        body["accessJwt"].as_str().unwrap().to_owned()
    }

    /// `uploadBlob` → the blob ref object.
    pub async fn upload(&self, token: &str, bytes: &[u8], mime: &str) -> Value {
        let res = self
            .http
            .post(self.xrpc("com.atproto.repo.uploadBlob"))
            .bearer_auth(token)
            .header("content-type", mime)
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.unwrap();
        body["blob"].clone()
    }

    /// `putRecord` → `{uri, cid, …}`.
    pub async fn put(&self, token: &str, collection: &str, rkey: &str, record: Value) -> Value {
        let res = self
            .http
            .post(self.xrpc("com.atproto.repo.putRecord"))
            .bearer_auth(token)
            .json(&json!({ "repo": self.did(), "collection": collection, "rkey": rkey, "record": record }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        res.json().await.unwrap()
    }

    /// Uploads `code` and puts a valid function record named `name` at `rkey`.
    pub async fn publish(&self, token: &str, rkey: &str, name: &str, code: &[u8]) -> Value {
        let blob = self.upload(token, code, "application/wasm").await;
        self.put(token, NSID, rkey, function_record(name, blob))
            .await
    }
}

/// A valid `at.functions.metadata` record.
pub fn function_record(name: &str, code: Value) -> Value {
    json!({
        "$type": NSID,
        "name": name,
        "version": "1.0.0",
        "mode": "pure-v1",
        "code": code,
        "entrypoint": "run",
        "inputEncoding": "application/json",
        "outputEncoding": "application/json",
        "updatedAt": "2026-11-23T22:00:00.000Z",
    })
}
