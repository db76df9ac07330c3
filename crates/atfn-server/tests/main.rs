//! The HTTP layer of `atfn-server`, driven in-process with `oneshot`: XRPC
//! error shapes for malformed requests, health, and paths nobody serves.
//! (Invocations end to end are tested by the `atfn` crate against real
//! registries.)

use atfn_registry::{Registry, RegistryConfig};
use atfn_runtime::{Runtime, RuntimeConfig};
use atfn_server::{AppState, HttpLimits, Invoker, app};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

fn router(limits: HttpLimits) -> Router {
    let registry = Registry::new(RegistryConfig::default()).unwrap();
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    app(
        AppState {
            invoker: Invoker::new(registry, runtime),
            limits,
        },
        None,
    )
}

async fn send(router: Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = router.oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn run_request(content_type: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut request = Request::post("/xrpc/at.functions.run");
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    request.body(body.into()).unwrap()
}

/// Asserts an XRPC error: status, `error` name, and a `message` containing `fragment`.
fn assert_xrpc(got: (StatusCode, Value), status: StatusCode, name: &str, fragment: &str) {
    let (got_status, body) = got;
    assert_eq!(got_status, status, "{body}");
    assert_eq!(body["error"], name, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains(fragment),
        "message {message:?} lacks {fragment:?}"
    );
}

#[tokio::test]
async fn health_reports_version() {
    let (status, body) = send(
        router(HttpLimits::default()),
        Request::get("/xrpc/_health").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"version": env!("CARGO_PKG_VERSION")}));
}

#[tokio::test]
async fn malformed_json_is_invalid_request() {
    let got = send(
        router(HttpLimits::default()),
        run_request(Some("application/json"), "{"),
    )
    .await;
    assert_xrpc(
        got,
        StatusCode::BAD_REQUEST,
        "InvalidRequest",
        "Failed to parse the request body as JSON",
    );
}

#[tokio::test]
async fn missing_content_type_is_invalid_request() {
    let got = send(router(HttpLimits::default()), run_request(None, "{}")).await;
    assert_xrpc(
        got,
        StatusCode::BAD_REQUEST,
        "InvalidRequest",
        "Content-Type: application/json",
    );
}

#[tokio::test]
async fn unknown_fields_are_invalid_request() {
    let body =
        json!({"function": "at://did:plc:x/at.functions.metadata/a", "input": 1, "extra": 2});
    let got = send(
        router(HttpLimits::default()),
        run_request(Some("application/json"), body.to_string()),
    )
    .await;
    assert_xrpc(
        got,
        StatusCode::BAD_REQUEST,
        "InvalidRequest",
        "unknown field `extra`",
    );
}

#[tokio::test]
async fn at_uri_without_record_is_invalid_request() {
    let body = json!({"function": "at://did:plc:x", "input": 1});
    let got = send(
        router(HttpLimits::default()),
        run_request(Some("application/json"), body.to_string()),
    )
    .await;
    assert_xrpc(
        got,
        StatusCode::BAD_REQUEST,
        "InvalidRequest",
        "invalid function at-uri",
    );
}

#[tokio::test]
async fn oversized_body_is_payload_too_large() {
    let limits = HttpLimits {
        max_body_bytes: 64,
        ..HttpLimits::default()
    };
    let body =
        json!({"function": "at://did:plc:x/at.functions.metadata/a", "input": "x".repeat(100)});
    let got = send(
        router(limits),
        run_request(Some("application/json"), body.to_string()),
    )
    .await;
    assert_xrpc(
        got,
        StatusCode::PAYLOAD_TOO_LARGE,
        "PayloadTooLarge",
        "larger than 64 bytes",
    );
}

#[tokio::test]
async fn unknown_method_is_not_implemented() {
    let request = Request::get("/xrpc/com.example.nothing")
        .body(Body::empty())
        .unwrap();
    let got = send(router(HttpLimits::default()), request).await;
    assert_xrpc(
        got,
        StatusCode::NOT_IMPLEMENTED,
        "MethodNotImplemented",
        "com.example.nothing",
    );
}

#[tokio::test]
async fn other_paths_are_not_found() {
    let request = Request::get("/index.html").body(Body::empty()).unwrap();
    let got = send(router(HttpLimits::default()), request).await;
    assert_xrpc(got, StatusCode::NOT_FOUND, "NotFound", "/index.html");
}
