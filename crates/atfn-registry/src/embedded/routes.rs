//! HTTP handlers of the embedded registry: the did:web document and the XRPC methods listed on
//! [`super::EmbeddedRegistry::router`], with the official PDS's JSON shapes and error names.

use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::{Value, json};

use super::store::{TokenKind, random_bytes};
use super::{Inner, MAX_UPLOAD_BYTES};
use crate::content::{blob_cid, record_cid};
use crate::error::EmbeddedError;

type AppState = State<Arc<Inner>>;

/// An XRPC error response: status and `{"error": name, "message": text}`.
pub(crate) struct XrpcError {
    status: StatusCode,
    error: &'static str,
    message: String,
}

impl XrpcError {
    fn invalid(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error: "InvalidRequest",
            message: message.into(),
        }
    }

    fn named(error: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            message: message.into(),
        }
    }
}

impl IntoResponse for XrpcError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({ "error": self.error, "message": self.message })),
        )
            .into_response()
    }
}

impl From<EmbeddedError> for XrpcError {
    fn from(err: EmbeddedError) -> Self {
        tracing::error!(error = %err, "embedded registry storage failed");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error: "InternalServerError",
            message: "Internal Server Error".to_owned(),
        }
    }
}

impl From<JsonRejection> for XrpcError {
    fn from(rejection: JsonRejection) -> Self {
        Self::invalid(rejection.body_text())
    }
}

impl From<QueryRejection> for XrpcError {
    fn from(rejection: QueryRejection) -> Self {
        Self::invalid(rejection.body_text())
    }
}

type XrpcResult = Result<Response, XrpcError>;

pub(super) fn router(state: Arc<Inner>) -> Router {
    Router::new()
        .route("/.well-known/did.json", get(did_document))
        .route("/.well-known/atproto-did", get(atproto_did))
        .route(
            "/xrpc/com.atproto.server.createSession",
            post(create_session),
        )
        .route(
            "/xrpc/com.atproto.repo.uploadBlob",
            post(upload_blob).layer(DefaultBodyLimit::disable()),
        )
        .route("/xrpc/com.atproto.repo.putRecord", post(put_record))
        .route("/xrpc/com.atproto.repo.deleteRecord", post(delete_record))
        .route("/xrpc/com.atproto.repo.getRecord", get(get_record))
        .route("/xrpc/com.atproto.repo.listRecords", get(list_records))
        .route("/xrpc/com.atproto.repo.describeRepo", get(describe_repo))
        .route(
            "/xrpc/com.atproto.identity.resolveHandle",
            get(resolve_handle),
        )
        .route("/xrpc/com.atproto.sync.getBlob", get(get_blob))
        .with_state(state)
}

impl Inner {
    fn did_doc(&self, handle: Option<&str>) -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/did/v1"],
            "id": self.did,
            "alsoKnownAs": handle.map(|h| vec![format!("at://{h}")]).unwrap_or_default(),
            "service": [{
                "id": "#atproto_pds",
                "type": "AtprotoPersonalDataServer",
                "serviceEndpoint": self.public_url,
            }],
        })
    }

    /// Checks that `repo` (DID or handle) names this registry's repo.
    async fn check_repo(&self, repo: &str) -> Result<(), XrpcError> {
        let handle = self.store.handle().await?;
        if repo == self.did || handle.is_some_and(|h| h.eq_ignore_ascii_case(repo)) {
            Ok(())
        } else {
            Err(XrpcError::named(
                "RepoNotFound",
                format!("Could not find repo: {repo}"),
            ))
        }
    }

    /// Checks the `Authorization: Bearer <accessJwt>` header.
    async fn check_auth(&self, headers: &HeaderMap) -> Result<(), XrpcError> {
        let unauthorized = |error, message: &str| XrpcError {
            status: StatusCode::UNAUTHORIZED,
            error,
            message: message.to_owned(),
        };
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| unauthorized("AuthMissing", "Authentication Required"))?;
        if self
            .store
            .has_token(token.trim(), TokenKind::Access)
            .await?
        {
            Ok(())
        } else {
            Err(unauthorized("InvalidToken", "Token could not be verified"))
        }
    }
}

async fn did_document(State(state): AppState) -> XrpcResult {
    let handle = state.store.handle().await?;
    Ok(Json(state.did_doc(handle.as_deref())).into_response())
}

async fn atproto_did(State(state): AppState) -> Response {
    state.did.clone().into_response()
}

#[derive(Deserialize)]
struct CreateSessionInput {
    identifier: String,
    password: String,
}

async fn create_session(
    State(state): AppState,
    input: Result<Json<CreateSessionInput>, JsonRejection>,
) -> XrpcResult {
    let Json(input) = input?;
    let handle = state.store.handle().await?;
    let known = input.identifier == state.did
        || handle
            .as_deref()
            .is_some_and(|h| h.eq_ignore_ascii_case(&input.identifier));
    if !known || !state.store.check_password(&input.password).await? {
        return Err(XrpcError {
            status: StatusCode::UNAUTHORIZED,
            error: "AuthenticationRequired",
            message: "Invalid identifier or password".to_owned(),
        });
    }
    let access = URL_SAFE_NO_PAD.encode(random_bytes::<32>());
    let refresh = URL_SAFE_NO_PAD.encode(random_bytes::<32>());
    state.store.add_token(&access, TokenKind::Access).await?;
    state.store.add_token(&refresh, TokenKind::Refresh).await?;
    Ok(Json(json!({
        "accessJwt": access,
        "refreshJwt": refresh,
        "handle": handle,
        "did": state.did,
        "active": true,
    }))
    .into_response())
}

async fn upload_blob(
    State(state): AppState,
    headers: HeaderMap,
    body: axum::body::Body,
) -> XrpcResult {
    state.check_auth(&headers).await?;
    let bytes = axum::body::to_bytes(body, MAX_UPLOAD_BYTES)
        .await
        .map_err(|_| XrpcError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            error: "PayloadTooLarge",
            message: "request entity too large".to_owned(),
        })?;
    let mime_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned();
    let cid = blob_cid(&bytes).to_string();
    state.store.put_blob(&cid, &mime_type, &bytes).await?;
    Ok(Json(json!({
        "blob": {
            "$type": "blob",
            "ref": { "$link": cid },
            "mimeType": mime_type,
            "size": bytes.len(),
        }
    }))
    .into_response())
}

#[derive(Deserialize)]
struct PutRecordInput {
    repo: String,
    collection: String,
    rkey: String,
    record: Value,
}

async fn put_record(
    State(state): AppState,
    headers: HeaderMap,
    input: Result<Json<PutRecordInput>, JsonRejection>,
) -> XrpcResult {
    state.check_auth(&headers).await?;
    let Json(input) = input?;
    state.check_repo(&input.repo).await?;
    let uri = record_uri(&state, &input.collection, &input.rkey)?;
    let Value::Object(mut record) = input.record else {
        return Err(XrpcError::invalid("Input/record must be an object"));
    };
    match record.get("$type") {
        None => {
            record.insert("$type".to_owned(), Value::String(input.collection.clone()));
        }
        Some(Value::String(t)) if *t == input.collection => {}
        Some(t) => {
            return Err(XrpcError::invalid(format!(
                "Invalid $type: expected {}, got {t}",
                input.collection
            )));
        }
    }
    let record = Value::Object(record);
    let cid = record_cid(&record)
        .map_err(|e| XrpcError::invalid(e.to_string()))?
        .to_string();
    state
        .store
        .put_record(&input.collection, &input.rkey, &cid, &record)
        .await?;
    Ok(Json(json!({ "uri": uri, "cid": cid, "validationStatus": "unknown" })).into_response())
}

#[derive(Deserialize)]
struct DeleteRecordInput {
    repo: String,
    collection: String,
    rkey: String,
}

/// Deletes a record; deleting an absent record succeeds, as on the official PDS.
async fn delete_record(
    State(state): AppState,
    headers: HeaderMap,
    input: Result<Json<DeleteRecordInput>, JsonRejection>,
) -> XrpcResult {
    state.check_auth(&headers).await?;
    let Json(input) = input?;
    state.check_repo(&input.repo).await?;
    record_uri(&state, &input.collection, &input.rkey)?;
    state
        .store
        .delete_record(&input.collection, &input.rkey)
        .await?;
    Ok(Json(json!({})).into_response())
}

/// `at://<did>/<collection>/<rkey>` after checking the NSID and record key syntax.
fn record_uri(state: &Inner, collection: &str, rkey: &str) -> Result<String, XrpcError> {
    atrium_api::types::string::Nsid::new(collection.to_owned())
        .map_err(|_| XrpcError::invalid(format!("Invalid collection: {collection}")))?;
    atrium_api::types::string::RecordKey::new(rkey.to_owned())
        .map_err(|_| XrpcError::invalid(format!("Invalid record key: {rkey}")))?;
    Ok(format!("at://{}/{collection}/{rkey}", state.did))
}

#[derive(Deserialize)]
struct GetRecordParams {
    repo: String,
    collection: String,
    rkey: String,
}

async fn get_record(
    State(state): AppState,
    params: Result<Query<GetRecordParams>, QueryRejection>,
) -> XrpcResult {
    let Query(p) = params?;
    state.check_repo(&p.repo).await?;
    let uri = record_uri(&state, &p.collection, &p.rkey)?;
    let record = state.store.get_record(&p.collection, &p.rkey).await?;
    let record = record.ok_or_else(|| {
        XrpcError::named("RecordNotFound", format!("Could not locate record: {uri}"))
    })?;
    Ok(Json(json!({ "uri": uri, "cid": record.cid, "value": record.value })).into_response())
}

#[derive(Deserialize)]
struct ListRecordsParams {
    repo: String,
    collection: String,
    limit: Option<u32>,
    cursor: Option<String>,
    reverse: Option<bool>,
}

async fn list_records(
    State(state): AppState,
    params: Result<Query<ListRecordsParams>, QueryRejection>,
) -> XrpcResult {
    let Query(p) = params?;
    state.check_repo(&p.repo).await?;
    let limit = p.limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(XrpcError::invalid("limit must be between 1 and 100"));
    }
    let rows = state
        .store
        .list_records(
            &p.collection,
            p.cursor.as_deref(),
            limit,
            p.reverse.unwrap_or(false),
        )
        .await?;
    let cursor = (rows.len() == limit as usize)
        .then(|| rows.last().map(|r| r.rkey.clone()))
        .flatten();
    let records: Vec<Value> = rows
        .into_iter()
        .map(|r| {
            json!({
                "uri": format!("at://{}/{}/{}", state.did, p.collection, r.rkey),
                "cid": r.cid,
                "value": r.value,
            })
        })
        .collect();
    let mut out = json!({ "records": records });
    if let Some(cursor) = cursor {
        out["cursor"] = Value::String(cursor);
    }
    Ok(Json(out).into_response())
}

#[derive(Deserialize)]
struct RepoParams {
    repo: String,
}

async fn describe_repo(
    State(state): AppState,
    params: Result<Query<RepoParams>, QueryRejection>,
) -> XrpcResult {
    let Query(p) = params?;
    state.check_repo(&p.repo).await?;
    let handle = state.store.handle().await?;
    Ok(Json(json!({
        "handle": handle,
        "did": state.did,
        "didDoc": state.did_doc(handle.as_deref()),
        "collections": state.store.collections().await?,
        "handleIsCorrect": true,
    }))
    .into_response())
}

#[derive(Deserialize)]
struct HandleParams {
    handle: String,
}

async fn resolve_handle(
    State(state): AppState,
    params: Result<Query<HandleParams>, QueryRejection>,
) -> XrpcResult {
    let Query(p) = params?;
    let handle = state.store.handle().await?;
    if handle.is_some_and(|h| h.eq_ignore_ascii_case(&p.handle)) {
        Ok(Json(json!({ "did": state.did })).into_response())
    } else {
        Err(XrpcError::invalid("Unable to resolve handle"))
    }
}

#[derive(Deserialize)]
struct GetBlobParams {
    did: String,
    cid: String,
}

async fn get_blob(
    State(state): AppState,
    params: Result<Query<GetBlobParams>, QueryRejection>,
) -> XrpcResult {
    let Query(p) = params?;
    if p.did != state.did {
        return Err(XrpcError::named(
            "RepoNotFound",
            format!("Could not find repo for DID: {}", p.did),
        ));
    }
    let blob = state.store.get_blob(&p.cid).await?;
    let blob = blob.ok_or_else(|| XrpcError::invalid("Blob not found"))?;
    Ok(([(header::CONTENT_TYPE, blob.mime_type)], blob.bytes).into_response())
}
