//! Typed wrappers over the `host-v1` imports (module `host`; design.md §1.2).
//!
//! Each call serializes a JSON request, passes it to the import as `(ptr, len)`, and parses the
//! JSON response the host wrote into this module's memory through `alloc` (the block is freed
//! after parsing). A response `{"ok":false,"error":e}` becomes [`HostError::Host`]`(e)`.
//! The host may refuse reads outside the function's `allowedHosts` with an error starting with
//! `forbidden: `.

use crate::HostError;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::Value;

/// A record read through the host: its AT URI, its CID (when the host knows it) and its value
/// (the record JSON, `$type` included).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// `at://<repo>/<collection>/<rkey>`.
    pub uri: String,
    /// The record's CID (CIDv1, DAG-CBOR), if the host reported one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cid: Option<String>,
    /// The record value.
    pub value: Value,
}

/// A blob read through the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    /// The blob's MIME type as the host reported it, e.g. `image/png`.
    pub mime_type: String,
    /// The blob's bytes (decoded from the response's standard base64).
    pub bytes: Vec<u8>,
}

/// One page of a collection listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    /// The records of this page, in the host's order.
    pub records: Vec<Record>,
    /// Cursor for the next page; `None` on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Reads one record: `host_read_record` `{atUri}` → `{ok, record?, cid?, error?}`.
///
/// Errors: [`HostError::Host`] with the host's message (not found, forbidden, …).
pub fn read_record(at_uri: &str) -> Result<Record, HostError> {
    #[derive(Deserialize)]
    struct Response {
        record: Value,
        #[serde(default)]
        cid: Option<String>,
    }
    let request = serde_json::json!({ "atUri": at_uri });
    let response: Response = call(Import::ReadRecord, &request)?;
    Ok(Record {
        uri: at_uri.to_owned(),
        cid: response.cid,
        value: response.record,
    })
}

/// Reads one blob by CID: `host_read_blob` `{cid, repo?}` → `{ok, mimeType?, bytesBase64?, error?}`.
///
/// `repo` (a DID) tells the host where the blob lives. Errors: [`HostError::Host`] with the
/// host's message; [`HostError::MalformedResponse`] if `bytesBase64` is not standard base64.
pub fn read_blob(cid: &str, repo: Option<&str>) -> Result<Blob, HostError> {
    use base64::Engine;
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Response {
        mime_type: String,
        bytes_base64: String,
    }
    let request = serde_json::json!({ "cid": cid, "repo": repo });
    let response: Response = call(Import::ReadBlob, &request)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(response.bytes_base64)
        .map_err(|e| HostError::MalformedResponse(format!("bytesBase64: {e}")))?;
    Ok(Blob {
        mime_type: response.mime_type,
        bytes,
    })
}

/// Lists a collection: `host_list_collection` `{repo, collection, cursor?, limit?}` →
/// `{ok, records?: [{uri, cid, value}], cursor?, error?}`. The host clamps `limit` to 100.
///
/// Errors: [`HostError::Host`] with the host's message.
pub fn list_collection(
    repo: &str,
    collection: &str,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<Page, HostError> {
    let request = serde_json::json!({
        "repo": repo, "collection": collection, "cursor": cursor, "limit": limit,
    });
    call(Import::ListCollection, &request)
}

/// The three imports, for [`call`].
#[derive(Clone, Copy)]
enum Import {
    ReadRecord,
    ReadBlob,
    ListCollection,
}

/// Sends `request` to `import` and parses the response: `ok:false` → [`HostError::Host`].
fn call<R: DeserializeOwned>(import: Import, request: &Value) -> Result<R, HostError> {
    let request = serde_json::to_vec(request).expect("a JSON value serializes");
    let response = raw_call(import, &request)?;
    parse_response(&response)
}

/// Parses a host response: `{"ok":true,…}` into `R`, `{"ok":false,"error":e}` into an error.
fn parse_response<R: DeserializeOwned>(response: &[u8]) -> Result<R, HostError> {
    #[derive(Deserialize)]
    struct Status {
        ok: bool,
        #[serde(default)]
        error: Option<String>,
    }
    let malformed = |e: serde_json::Error| HostError::MalformedResponse(e.to_string());
    let status: Status = serde_json::from_slice(response).map_err(malformed)?;
    if !status.ok {
        return Err(HostError::Host(status.error.unwrap_or_default()));
    }
    serde_json::from_slice(response).map_err(malformed)
}

#[cfg(target_arch = "wasm32")]
fn raw_call(import: Import, request: &[u8]) -> Result<Vec<u8>, HostError> {
    #[link(wasm_import_module = "host")]
    unsafe extern "C" {
        fn host_read_record(ptr: i32, len: i32) -> i64;
        fn host_read_blob(ptr: i32, len: i32) -> i64;
        fn host_list_collection(ptr: i32, len: i32) -> i64;
    }
    let (ptr, len) = (request.as_ptr() as usize as i32, request.len() as i32);
    // SAFETY: the imports read `len` bytes at `ptr` and return a block written through `alloc`.
    let packed = unsafe {
        match import {
            Import::ReadRecord => host_read_record(ptr, len),
            Import::ReadBlob => host_read_blob(ptr, len),
            Import::ListCollection => host_list_collection(ptr, len),
        }
    };
    let (ptr, len) = crate::unpack(packed);
    // SAFETY: the host allocated this block through our `alloc(len)` and filled it.
    Ok(unsafe { crate::abi::take(ptr as i32, len as i32) })
}

#[cfg(not(target_arch = "wasm32"))]
fn raw_call(_import: Import, _request: &[u8]) -> Result<Vec<u8>, HostError> {
    Err(HostError::Unavailable)
}

#[cfg(test)]
mod tests;
