//! The axum router: `at.functions.run`, health, metrics, and (when present)
//! the embedded registry's `com.atproto.*` methods.

use std::convert::Infallible;
use std::time::Duration;

use atfn_registry::AtUri;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, Uri};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tower::limit::ConcurrencyLimitLayer;
use tower_http::trace::TraceLayer;
use tracing::Instrument;

use crate::error::XrpcError;
use crate::invoke::Invoker;
use crate::metrics;

/// Limits of the HTTP layer.
#[derive(Debug, Clone)]
pub struct HttpLimits {
    /// Largest request body accepted, in bytes. Default 1 MiB + 64 KiB (the
    /// runtime's default input limit plus room for the envelope). Larger
    /// bodies get `413 PayloadTooLarge`.
    pub max_body_bytes: usize,
    /// Most `at.functions.run` requests handled at once; more wait in line.
    /// Default 100. [`Server::bind`](crate::Server::bind) lowers it to the
    /// runtime's `max_instances` (the pooling allocator's size).
    pub max_concurrency: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            max_body_bytes: (1 << 20) + (64 << 10),
            max_concurrency: 100,
        }
    }
}

/// Shared state of the handlers.
#[derive(Clone)]
pub struct AppState {
    /// The invocation path.
    pub invoker: Invoker,
    /// The HTTP limits (the body limit is also quoted in 413 messages).
    pub limits: HttpLimits,
}

/// Request body of `at.functions.run` (lexicon `at.functions.run`, input).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunRequest {
    /// at-uri of the `at.functions.metadata` record.
    function: String,
    /// JSON input for the function.
    input: Value,
}

/// Response body of `at.functions.run` (lexicon `at.functions.run`, output).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RunResponse {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    function_cid: Option<String>,
}

/// The whole HTTP API.
///
/// - `POST /xrpc/at.functions.run` (lexicon `at.functions.run`);
/// - `GET /xrpc/_health` → `{"version": …}`;
/// - `GET /metrics` (Prometheus text format);
/// - every other `/xrpc/<nsid>` → `501 MethodNotImplemented`;
/// - `extra` (e.g. the embedded registry's router) merged in.
pub fn app(state: AppState, extra: Option<Router>) -> Router {
    // Installed now, so that counters recorded before the first scrape count.
    let metrics = metrics::handle();
    let run = post(run_function)
        .layer::<_, Infallible>(ConcurrencyLimitLayer::new(state.limits.max_concurrency))
        .layer(DefaultBodyLimit::max(state.limits.max_body_bytes));
    let router = Router::new()
        .route("/xrpc/at.functions.run", run)
        .route("/xrpc/_health", get(health))
        .route("/metrics", get(move || async move { metrics.render() }))
        .with_state(state);
    let router = match extra {
        Some(extra) => router.merge(extra),
        None => router,
    };
    router.fallback(not_found).layer(TraceLayer::new_for_http())
}

async fn run_function(
    State(state): State<AppState>,
    body: Result<Json<RunRequest>, JsonRejection>,
) -> Result<Json<RunResponse>, XrpcError> {
    let Json(request) = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => XrpcError::PayloadTooLarge {
            limit: state.limits.max_body_bytes,
        },
        _ => XrpcError::InvalidRequest(rejection.body_text()),
    })?;
    let uri: AtUri = request
        .function
        .parse()
        .map_err(|e| XrpcError::InvalidRequest(format!("invalid function at-uri: {e}")))?;
    if uri.rkey().is_none() {
        return Err(XrpcError::InvalidRequest(format!(
            "invalid function at-uri: {uri} does not name a record (at://<authority>/<collection>/<rkey>)"
        )));
    }
    let span = tracing::info_span!("invoke", function = %uri, cid = tracing::field::Empty);
    let invocation = state
        .invoker
        .invoke(&uri, &request.input)
        .instrument(span.clone())
        .await;
    if let Some(cid) = &invocation.function_cid {
        span.record("cid", cid.as_str());
    }
    metrics::record(&invocation);
    let duration_ms = invocation.duration.map(duration_ms);
    let response = match invocation.outcome {
        Ok(output) => RunResponse {
            ok: true,
            output: Some(output),
            error: None,
            duration_ms,
            function_cid: invocation.function_cid,
        },
        Err(error) => {
            span.in_scope(|| tracing::info!(%error, "function failed"));
            let output = match &error {
                crate::InvokeError::Guest { output, .. } => Some(output.clone()),
                _ => None,
            };
            RunResponse {
                ok: false,
                output,
                error: Some(error.to_string()),
                duration_ms,
                function_cid: invocation.function_cid,
            }
        }
    };
    Ok(Json(response))
}

/// Whole milliseconds of wall-clock run time (lexicon `at.functions.run`,
/// `durationMs`); sub-millisecond runs report 0.
fn duration_ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

async fn health() -> Json<Value> {
    Json(json!({ "version": env!("CARGO_PKG_VERSION") }))
}

async fn not_found(uri: Uri) -> XrpcError {
    match uri.path().strip_prefix("/xrpc/") {
        Some(nsid) => XrpcError::MethodNotImplemented {
            nsid: nsid.to_owned(),
        },
        None => XrpcError::NotFound {
            path: uri.path().to_owned(),
        },
    }
}
