//! XRPC errors: the one place where a failure becomes an HTTP response.
//!
//! A *malformed request* (bad JSON, missing fields, an `at-uri` that does not
//! parse) is answered with an XRPC error: a 4xx status and the body
//! `{"error": Name, "message": text}` (AT Protocol, "XRPC" spec, error
//! responses). A function that was looked up and failed is *not* an error
//! here: it is a `200` with `{ok: false, error}` (lexicon `at.functions.run`).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An XRPC error response.
///
/// Serialized as `{"error": <name>, "message": <message>}` with [`status`](Self::status).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum XrpcError {
    /// The request is malformed: unparsable body, a missing or mistyped field,
    /// or an `at-uri` that does not parse. HTTP 400, error `InvalidRequest`.
    #[error("{0}")]
    InvalidRequest(String),
    /// The request body is larger than the server's limit, in bytes.
    /// HTTP 413, error `PayloadTooLarge`.
    #[error("request body is larger than {limit} bytes")]
    PayloadTooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },
    /// The server is at its concurrency limit. HTTP 503, error `Overloaded`.
    #[error("server is at its concurrency limit; retry later")]
    Overloaded,
    /// Nothing is served at this path (outside `/xrpc/`). HTTP 404, error `NotFound`.
    #[error("no such path: {path}")]
    NotFound {
        /// The request path.
        path: String,
    },
    /// No XRPC method of that NSID is served here. HTTP 501,
    /// error `MethodNotImplemented`.
    #[error("method not implemented: {nsid}")]
    MethodNotImplemented {
        /// The NSID from the request path.
        nsid: String,
    },
}

impl XrpcError {
    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::MethodNotImplemented { .. } => StatusCode::NOT_IMPLEMENTED,
        }
    }

    /// The XRPC error name, e.g. `InvalidRequest`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "InvalidRequest",
            Self::PayloadTooLarge { .. } => "PayloadTooLarge",
            Self::Overloaded => "Overloaded",
            Self::NotFound { .. } => "NotFound",
            Self::MethodNotImplemented { .. } => "MethodNotImplemented",
        }
    }
}

impl IntoResponse for XrpcError {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.name(), "message": self.to_string() });
        (self.status(), Json(body)).into_response()
    }
}
