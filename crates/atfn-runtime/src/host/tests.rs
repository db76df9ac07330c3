use super::*;

fn hosts(entries: &[&str]) -> Vec<String> {
    entries.iter().map(|e| e.to_string()).collect()
}

#[test]
fn repo_entry_allows_the_whole_repo() {
    let allowed = hosts(&["at://did:plc:alice"]);
    assert!(allowed_by(&allowed, "at://did:plc:alice"));
    assert!(allowed_by(
        &allowed,
        "at://did:plc:alice/app.bsky.feed.post/3k"
    ));
}

#[test]
fn entry_stops_at_a_segment_boundary() {
    let allowed = hosts(&["at://did:plc:alice"]);
    assert!(!allowed_by(
        &allowed,
        "at://did:plc:alicex/app.bsky.feed.post/3k"
    ));
    assert!(!allowed_by(&allowed, "at://did:plc:bob"));
}

#[test]
fn collection_entry_allows_only_that_collection() {
    let allowed = hosts(&["at://did:plc:alice/app.bsky.feed.post/"]);
    assert!(allowed_by(
        &allowed,
        "at://did:plc:alice/app.bsky.feed.post"
    ));
    assert!(allowed_by(
        &allowed,
        "at://did:plc:alice/app.bsky.feed.post/3k"
    ));
    assert!(!allowed_by(
        &allowed,
        "at://did:plc:alice/app.bsky.feed.postx/3k"
    ));
    assert!(!allowed_by(&allowed, "at://did:plc:alice"));
}

#[test]
fn bare_did_entry_is_read_as_at_uri() {
    let allowed = hosts(&["did:plc:alice"]);
    assert!(allowed_by(&allowed, "at://did:plc:alice/x.y.z/1"));
    assert!(!allowed_by(&allowed, "did:plc:alice"));
}

#[test]
fn empty_list_or_empty_entry_allows_nothing() {
    assert!(!allowed_by(&[], "at://did:plc:alice"));
    assert!(!allowed_by(&hosts(&["", "at://"]), "at://did:plc:alice"));
}

/// Answers every call from fixed data and records the `limit` it was given.
struct FixedHost {
    last_limit: std::sync::Mutex<Option<u32>>,
}

impl HostApi for FixedHost {
    fn read_record(&self, at_uri: String) -> HostFuture<HostRecord> {
        Box::pin(async move { Err(format!("record not found: {at_uri}")) })
    }
    fn read_blob(&self, _: String, _: Option<String>) -> HostFuture<HostBlob> {
        let blob = HostBlob {
            mime_type: "text/plain".into(),
            bytes: Bytes::from_static(b"hi!"),
        };
        Box::pin(async move { Ok(blob) })
    }
    fn list_collection(
        &self,
        _: String,
        _: String,
        _: Option<String>,
        limit: u32,
    ) -> HostFuture<HostPage> {
        *self.last_limit.lock().unwrap() = Some(limit);
        Box::pin(async {
            Ok(HostPage {
                records: vec![],
                cursor: None,
            })
        })
    }
}

/// Calls `respond` the way an import does: from a thread outside the tokio runtime.
fn respond(
    import: Import,
    request: &str,
    allowed: Option<&[&str]>,
) -> (serde_json::Value, Arc<FixedHost>) {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_time()
        .build()
        .unwrap();
    let api = Arc::new(FixedHost {
        last_limit: Default::default(),
    });
    let context = HostContext {
        api: api.clone(),
        allowed_hosts: allowed.map(hosts),
        deadline: Instant::now() + std::time::Duration::from_secs(60),
        handle: tokio.handle().clone(),
    };
    let response = context
        .respond(import, request.as_bytes())
        .expect("within the deadline");
    (response, api)
}

#[test]
fn read_blob_answers_base64() {
    let (response, _) = respond(
        Import::ReadBlob,
        r#"{"cid":"bafkreia","repo":"did:plc:alice"}"#,
        None,
    );
    assert_eq!(
        response,
        serde_json::json!({"ok": true, "mimeType": "text/plain", "bytesBase64": "aGkh"})
    );
}

#[test]
fn read_blob_checks_the_repo_against_allowed_hosts() {
    let allowed: &[&str] = &["at://did:plc:alice"];
    let (ok, _) = respond(
        Import::ReadBlob,
        r#"{"cid":"bafkreia","repo":"did:plc:alice"}"#,
        Some(allowed),
    );
    assert_eq!(ok["ok"], true);
    let (refused, _) = respond(
        Import::ReadBlob,
        r#"{"cid":"bafkreia","repo":"did:plc:bob"}"#,
        Some(allowed),
    );
    assert_eq!(
        refused,
        serde_json::json!({"ok": false, "error": "forbidden: at://did:plc:bob is not in allowedHosts"})
    );
    let (no_repo, _) = respond(Import::ReadBlob, r#"{"cid":"bafkreia"}"#, Some(allowed));
    assert_eq!(
        no_repo,
        serde_json::json!({"ok": false, "error": "forbidden: blob bafkreia without a repo is not in allowedHosts"})
    );
}

#[test]
fn list_limit_is_clamped_and_defaulted() {
    let list = |limit: &str| {
        let request = format!(r#"{{"repo":"did:plc:alice","collection":"a.b.c"{limit}}}"#);
        let (response, api) = respond(Import::ListCollection, &request, None);
        assert_eq!(
            response,
            serde_json::json!({"ok": true, "records": [], "cursor": null})
        );
        api.last_limit.lock().unwrap().unwrap()
    };
    assert_eq!(list(r#","limit":1000"#), 100);
    assert_eq!(list(r#","limit":0"#), 1);
    assert_eq!(list(""), 50);
}

#[test]
fn bad_request_is_answered_not_trapped() {
    let (response, _) = respond(Import::ReadRecord, r#"{"uri":"at://x"}"#, None);
    assert_eq!(
        response,
        serde_json::json!({"ok": false, "error": "bad request: missing field `atUri` at line 1 column 16"})
    );
}

#[test]
fn host_errors_are_answered() {
    let (response, _) = respond(
        Import::ReadRecord,
        r#"{"atUri":"at://did:plc:alice/a.b.c/1"}"#,
        None,
    );
    assert_eq!(
        response,
        serde_json::json!({"ok": false, "error": "record not found: at://did:plc:alice/a.b.c/1"})
    );
}
