//! The `host-v1` imports (module `host`; design.md §1.2): the [`HostApi`] the embedder provides,
//! the JSON request/response formats, the `allowedHosts` rule, the one import body both engines
//! call ([`host_call`]) and the wasmtime [`Linker`].
//!
//! Every import goes through one path ([`HostContext::respond`]): read the request from guest
//! memory, parse it, check `allowedHosts`, await the [`HostApi`] future within the call's
//! remaining time, serialize the response, and write it into the guest through its own `alloc`.
//! A host-side failure (not found, forbidden, bad request) is a response `{ok:false, error}` the
//! guest sees; running out of time stops the guest with [`crate::RunError::Timeout`]; a guest
//! that passes a request outside its memory gets [`crate::RunError::HostCall`].

use crate::invoke::StoreData;
use base64::Engine as _;
use bytes::Bytes;
use futures_core::future::BoxFuture;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use std::sync::Arc;
use std::time::Instant;
use tokio::runtime::Handle;
use wasmtime::{Caller, Engine, Linker};

/// The future a [`HostApi`] method returns; `Err` carries the message the guest will see.
pub type HostFuture<T> = BoxFuture<'static, Result<T, String>>;

/// Read-only AT Protocol access behind the `host-v1` imports; the server implements it over the
/// registry. Methods return boxed futures (no `async fn` in the trait, so it stays object-safe).
/// `Err(message)` is passed to the guest verbatim as `{ok:false, error: message}`.
/// The runtime has already applied `allowedHosts` when a method is called.
pub trait HostApi: Send + Sync + 'static {
    /// One record by AT URI (`at://<repo>/<collection>/<rkey>`).
    fn read_record(&self, at_uri: String) -> HostFuture<HostRecord>;
    /// One blob by CID; `repo` (DID) is where it lives, when the guest said so.
    fn read_blob(&self, cid: String, repo: Option<String>) -> HostFuture<HostBlob>;
    /// One page of a collection; `limit` is already clamped to 1..=100.
    fn list_collection(
        &self,
        repo: String,
        collection: String,
        cursor: Option<String>,
        limit: u32,
    ) -> HostFuture<HostPage>;
}

/// A record as the host returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HostRecord {
    /// Its AT URI; required in [`HostPage::records`], optional for `read_record`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Its CID (CIDv1, DAG-CBOR, base32 `bafyrei…`).
    pub cid: String,
    /// The record value as JSON (`$type` included).
    pub value: serde_json::Value,
}

/// A blob as the host returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostBlob {
    /// MIME type, e.g. `image/png`.
    pub mime_type: String,
    /// The bytes (sent to the guest as standard base64, RFC 4648 §4).
    pub bytes: Bytes,
}

/// One page of `list_collection`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HostPage {
    /// The records, each with `uri` set.
    pub records: Vec<HostRecord>,
    /// Cursor of the next page; `None` on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// A [`HostApi`] that refuses every read with `host imports are not available`; for `pure-v1`
/// callers, which never reach it.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHost;

const NO_HOST: &str = "host imports are not available";

impl HostApi for NoHost {
    fn read_record(&self, _: String) -> HostFuture<HostRecord> {
        Box::pin(async { Err(NO_HOST.to_owned()) })
    }
    fn read_blob(&self, _: String, _: Option<String>) -> HostFuture<HostBlob> {
        Box::pin(async { Err(NO_HOST.to_owned()) })
    }
    fn list_collection(
        &self,
        _: String,
        _: String,
        _: Option<String>,
        _: u32,
    ) -> HostFuture<HostPage> {
        Box::pin(async { Err(NO_HOST.to_owned()) })
    }
}

/// Whether `allowedHosts` allows reading `uri`.
///
/// Rule: an entry allows the AT URI equal to it and every URI under it at a path-segment
/// boundary. `at://did:plc:x` allows the whole repo; `at://did:plc:x/app.bsky.feed.post` allows
/// that collection; `at://did:plc:x/app.bsky.feed.post/3k` one record. An entry without the
/// `at://` scheme (a bare DID) is read as `at://<entry>`; trailing `/` are ignored. Matching is
/// textual: a handle in the URI does not match a DID entry. What each import checks: the record's
/// `atUri`, `at://<repo>/<collection>` for a listing, `at://<repo>` for a blob (a blob read
/// without `repo` is refused when `allowedHosts` is set).
pub fn allowed_by(allowed_hosts: &[String], uri: &str) -> bool {
    allowed_hosts.iter().any(|entry| {
        let entry = entry.trim_end_matches('/');
        let rest = match entry.strip_prefix("at://") {
            Some(_) => uri.strip_prefix(entry),
            None => uri
                .strip_prefix("at://")
                .and_then(|u| u.strip_prefix(entry)),
        };
        !entry.is_empty() && rest.is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// The three imports.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Import {
    ReadRecord,
    ReadBlob,
    ListCollection,
}

impl Import {
    pub const ALL: [Import; 3] = [Import::ReadRecord, Import::ReadBlob, Import::ListCollection];

    pub fn name(self) -> &'static str {
        match self {
            Import::ReadRecord => "host_read_record",
            Import::ReadBlob => "host_read_blob",
            Import::ListCollection => "host_list_collection",
        }
    }
}

/// The `host` imports bound to [`StoreData::host`], for wasmtime.
pub(crate) fn linker(engine: &Engine) -> Linker<StoreData> {
    let mut linker = Linker::new(engine);
    for import in Import::ALL {
        linker
            .func_wrap(
                "host",
                import.name(),
                move |caller: Caller<'_, StoreData>, ptr: i32, len: i32| {
                    crate::invoke::host_call(caller, import, ptr, len)
                },
            )
            .expect("each import is defined once");
    }
    linker
}

/// Why a host import stopped the guest instead of answering it (a refused or failed read is an
/// answer, `{ok:false}`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum HostError {
    /// The call's deadline passed while a host future was pending.
    #[error("deadline exceeded during a host call")]
    Deadline,
    /// A request the guest could not legally make, or a response that could not be written.
    #[error("host call {import} failed: {reason}")]
    Fault {
        import: &'static str,
        reason: String,
    },
}

impl HostError {
    /// The user-facing error; `duration_ms` is the call's time limit.
    pub fn run_error(&self, duration_ms: u32) -> crate::RunError {
        match self {
            HostError::Deadline => crate::RunError::Timeout { ms: duration_ms },
            HostError::Fault { import, reason } => crate::RunError::HostCall {
                import,
                reason: reason.clone(),
            },
        }
    }
}

/// The calling guest as a host import sees it, whatever the engine: its host context, its
/// memory and its `alloc` export.
pub(crate) trait Guest {
    /// What stops the guest: the engine's error, which a [`HostError`] converts into.
    type Error: From<HostError>;
    /// The call's host context (`None` outside `host-v1`).
    fn context(&self) -> Option<&HostContext>;
    /// The guest's exported `memory`.
    fn memory(&self) -> Option<&[u8]>;
    /// The guest's exported `memory`, mutably.
    fn memory_mut(&mut self) -> Option<&mut [u8]>;
    /// Calls the guest's `alloc(len)` and returns the address.
    fn alloc(&mut self, len: i32) -> Result<i32, Self::Error>;
}

/// The body of every `host` import on every engine: read the request at `ptr`/`len`, respond
/// (see [`HostContext::respond`]), write the response through the guest's `alloc`, return it
/// packed as the ABI's `i64` (`ptr << 32 | len`).
pub(crate) fn host_call<G: Guest>(
    guest: &mut G,
    import: Import,
    ptr: i32,
    len: i32,
) -> Result<i64, G::Error> {
    let fault = |reason: String| HostError::Fault {
        import: import.name(),
        reason,
    };
    let response = {
        let memory = guest
            .memory()
            .ok_or_else(|| fault("no memory export".into()))?;
        let request = (memory.get(ptr as u32 as usize..))
            .and_then(|rest| rest.get(..len as u32 as usize))
            .ok_or_else(|| {
                fault(format!(
                    "request of {} bytes at {} is outside memory",
                    len as u32, ptr as u32
                ))
            })?;
        let context = guest
            .context()
            .ok_or_else(|| fault("no host context".into()))?;
        serde_json::to_vec(&context.respond(import, request)?)
            .map_err(|e| fault(format!("cannot serialize the response: {e}")))?
    };
    let response_len =
        i32::try_from(response.len()).map_err(|_| fault("response over 2 GiB".into()))?;
    let at = guest.alloc(response_len)?;
    let slot = (guest.memory_mut())
        .and_then(|memory| memory.get_mut(at as u32 as usize..))
        .and_then(|rest| rest.get_mut(..response.len()))
        .ok_or_else(|| {
            fault(format!(
                "alloc returned {response_len} bytes at {} outside memory",
                at as u32
            ))
        })?;
    slot.copy_from_slice(&response);
    Ok(((u64::from(at as u32) << 32) | response.len() as u64) as i64)
}

/// Per-call state of the host imports.
pub(crate) struct HostContext {
    pub api: Arc<dyn HostApi>,
    pub allowed_hosts: Option<Vec<String>>,
    pub deadline: Instant,
    pub handle: Handle,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReadRecordRequest {
    at_uri: String,
}

#[derive(Deserialize)]
struct ReadBlobRequest {
    cid: String,
    #[serde(default)]
    repo: Option<String>,
}

#[derive(Deserialize)]
struct ListCollectionRequest {
    repo: String,
    collection: String,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
}

/// `limit` when the request has none, as in `com.atproto.repo.listRecords`.
const DEFAULT_LIMIT: u32 = 50;
/// Largest `limit` (design.md §1.2).
const MAX_LIMIT: u32 = 100;

/// `{ok:false, error}`.
fn failure(error: impl Into<String>) -> serde_json::Value {
    serde_json::json!({ "ok": false, "error": error.into() })
}

type Reply = Result<serde_json::Value, HostError>;

impl HostContext {
    /// The JSON response to `request` for `import` (see the module docs). `Err` only when the
    /// call's deadline passed.
    pub fn respond(&self, import: Import, request: &[u8]) -> Reply {
        match import {
            Import::ReadRecord => {
                let req: ReadRecordRequest =
                    match self.admit(request, |r: &ReadRecordRequest| Ok(r.at_uri.clone())) {
                        Ok(req) => req,
                        Err(refusal) => return Ok(refusal),
                    };
                self.answer(
                    self.api.read_record(req.at_uri),
                    |r| serde_json::json!({ "ok": true, "record": r.value, "cid": r.cid }),
                )
            }
            Import::ReadBlob => {
                let req: ReadBlobRequest =
                    match self.admit(request, |r: &ReadBlobRequest| match &r.repo {
                        Some(repo) => Ok(format!("at://{repo}")),
                        None => Err(format!(
                            "forbidden: blob {} without a repo is not in allowedHosts",
                            r.cid
                        )),
                    }) {
                        Ok(req) => req,
                        Err(refusal) => return Ok(refusal),
                    };
                self.answer(self.api.read_blob(req.cid, req.repo), |b| {
                    let bytes = base64::engine::general_purpose::STANDARD.encode(&b.bytes);
                    serde_json::json!({ "ok": true, "mimeType": b.mime_type, "bytesBase64": bytes })
                })
            }
            Import::ListCollection => {
                let req: ListCollectionRequest = match self
                    .admit(request, |r: &ListCollectionRequest| {
                        Ok(format!("at://{}/{}", r.repo, r.collection))
                    }) {
                    Ok(req) => req,
                    Err(refusal) => return Ok(refusal),
                };
                let limit = req.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
                let page = self
                    .api
                    .list_collection(req.repo, req.collection, req.cursor, limit);
                self.answer(
                    page,
                    |p| serde_json::json!({ "ok": true, "records": p.records, "cursor": p.cursor }),
                )
            }
        }
    }

    /// Parses the request and applies `allowedHosts` to the URI `uri_of` names (`Err` from
    /// `uri_of` is a refusal message). `Err` is the `{ok:false}` response to send instead.
    fn admit<T: DeserializeOwned>(
        &self,
        request: &[u8],
        uri_of: impl FnOnce(&T) -> Result<String, String>,
    ) -> Result<T, serde_json::Value> {
        let request: T =
            serde_json::from_slice(request).map_err(|e| failure(format!("bad request: {e}")))?;
        if let Some(allowed) = &self.allowed_hosts {
            let uri = uri_of(&request).map_err(failure)?;
            if !allowed_by(allowed, &uri) {
                return Err(failure(format!("forbidden: {uri} is not in allowedHosts")));
            }
        }
        Ok(request)
    }

    /// Awaits `future` within the remaining time; its `Err(message)` becomes `{ok:false}`.
    fn answer<T>(&self, future: HostFuture<T>, ok: impl FnOnce(T) -> serde_json::Value) -> Reply {
        let remaining = self
            .deadline
            .checked_duration_since(Instant::now())
            .ok_or(HostError::Deadline)?;
        let result = self
            .handle
            .block_on(async move { tokio::time::timeout(remaining, future).await })
            .map_err(|_| HostError::Deadline)?;
        Ok(result.map_or_else(failure, ok))
    }
}

#[cfg(test)]
mod tests;
