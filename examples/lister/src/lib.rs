//! `lister` (host-v1): lists a collection, or reads one record, through the host imports.
//!
//! - Input `{"repo": did, "collection": nsid, "limit"?: n, "cursor"?: c}` → output
//!   `{"ok":true,"count":N,"uris":[…],"collection":nsid,"cursor"?:c}`.
//! - Input `{"read": at-uri}` → output `{"ok":true,"record":value,"cid":cid}`.
//! - Input `{"blob": cid, "repo"?: did}` → output `{"ok":true,"mimeType":…,"size":bytes,"text":…}`
//!   (`text` when the bytes are UTF-8).
//!
//! A host refusal (e.g. `forbidden: … is not in allowedHosts`) comes back as
//! `{"ok":false,"error":…}` verbatim.

use atfn_guest::{HostError, host};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(untagged)]
enum Input {
    Read {
        read: String,
    },
    Blob {
        blob: String,
        repo: Option<String>,
    },
    List {
        repo: String,
        collection: String,
        limit: Option<u32>,
        cursor: Option<String>,
    },
}

fn lister(input: Input) -> Result<Value, HostError> {
    match input {
        Input::Read { read } => {
            let record = host::read_record(&read)?;
            Ok(json!({ "ok": true, "record": record.value, "cid": record.cid }))
        }
        Input::Blob { blob, repo } => {
            let blob = host::read_blob(&blob, repo.as_deref())?;
            let text = String::from_utf8(blob.bytes.clone()).ok();
            Ok(json!({
                "ok": true, "mimeType": blob.mime_type, "size": blob.bytes.len(), "text": text,
            }))
        }
        Input::List {
            repo,
            collection,
            limit,
            cursor,
        } => {
            let page = host::list_collection(&repo, &collection, cursor.as_deref(), limit)?;
            let uris: Vec<&str> = page.records.iter().map(|r| r.uri.as_str()).collect();
            Ok(json!({
                "ok": true,
                "count": uris.len(),
                "uris": uris,
                "collection": collection,
                "cursor": page.cursor,
            }))
        }
    }
}

atfn_guest::export_run!(lister);
