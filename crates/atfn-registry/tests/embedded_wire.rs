//! The embedded registry's XRPC surface: shapes and error names of the official PDS.

use atfn_registry::content::blob_cid;
use serde_json::{Value, json};

use crate::common::{HANDLE, NSID, Node, start};

async fn error_of(res: reqwest::Response) -> (u16, Value) {
    (res.status().as_u16(), res.json().await.unwrap())
}

async fn node() -> (tempfile::TempDir, Node) {
    let dir = tempfile::tempdir().unwrap();
    let node = start(&dir.path().join("reg.db"), 0).await;
    (dir, node)
}

#[tokio::test]
async fn did_document_names_the_registry_as_pds() {
    let (_dir, node) = node().await;
    let doc: Value = node
        .http
        .get(format!("{}/.well-known/did.json", node.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["id"], node.did());
    assert_eq!(doc["alsoKnownAs"], json!([format!("at://{HANDLE}")]));
    assert_eq!(
        doc["service"],
        json!([{ "id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": node.url }])
    );
}

#[tokio::test]
async fn upload_blob_shape_and_get_blob() {
    let (_dir, node) = node().await;
    let token = node.login().await;
    let blob = node.upload(&token, b"hello", "text/plain").await;
    assert_eq!(
        blob,
        json!({
            "$type": "blob",
            "ref": { "$link": "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq" },
            "mimeType": "text/plain",
            "size": 5
        })
    );
    let res = node
        .http
        .get(node.xrpc("com.atproto.sync.getBlob"))
        .query(&[
            ("did", node.did()),
            ("cid", &blob_cid(b"hello").to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/plain");
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"hello");
}

#[tokio::test]
async fn put_and_get_record_shapes() {
    let (_dir, node) = node().await;
    let token = node.login().await;
    let put = node.put(&token, NSID, "r1", json!({ "name": "x" })).await;
    let uri = format!("at://{}/{NSID}/r1", node.did());
    assert_eq!(put["uri"], uri);
    assert_eq!(put["validationStatus"], "unknown");
    // `$type` is filled in from the collection, as the official PDS does.
    let got: Value = node
        .http
        .get(node.xrpc("com.atproto.repo.getRecord"))
        .query(&[("repo", HANDLE), ("collection", NSID), ("rkey", "r1")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        got,
        json!({ "uri": uri, "cid": put["cid"], "value": { "$type": NSID, "name": "x" } })
    );
}

#[tokio::test]
async fn describe_repo_lists_collections() {
    let (_dir, node) = node().await;
    let token = node.login().await;
    node.put(&token, NSID, "r1", json!({})).await;
    let body: Value = node
        .http
        .get(node.xrpc("com.atproto.repo.describeRepo"))
        .query(&[("repo", node.did())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["handle"], HANDLE);
    assert_eq!(body["collections"], json!([NSID]));
    assert_eq!(body["handleIsCorrect"], true);
}

#[tokio::test]
async fn write_without_token_err() {
    let (_dir, node) = node().await;
    let res = node
        .http
        .post(node.xrpc("com.atproto.repo.uploadBlob"))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_of(res).await,
        (
            401,
            json!({ "error": "AuthMissing", "message": "Authentication Required" })
        )
    );
    let res = node
        .http
        .post(node.xrpc("com.atproto.repo.putRecord"))
        .bearer_auth("forged")
        .json(&json!({ "repo": node.did(), "collection": NSID, "rkey": "x", "record": {} }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_of(res).await,
        (
            401,
            json!({ "error": "InvalidToken", "message": "Token could not be verified" })
        )
    );
}

#[tokio::test]
async fn bad_password_err() {
    let (_dir, node) = node().await;
    let res = node
        .http
        .post(node.xrpc("com.atproto.server.createSession"))
        .json(&json!({ "identifier": HANDLE, "password": "wrong" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_of(res).await,
        (
            401,
            json!({ "error": "AuthenticationRequired", "message": "Invalid identifier or password" })
        )
    );
}

#[tokio::test]
async fn upload_too_large_err() {
    let (_dir, node) = node().await;
    let token = node.login().await;
    let res = node
        .http
        .post(node.xrpc("com.atproto.repo.uploadBlob"))
        .bearer_auth(&token)
        .body(vec![0u8; atfn_registry::embedded::MAX_UPLOAD_BYTES + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_of(res).await,
        (
            413,
            json!({ "error": "PayloadTooLarge", "message": "request entity too large" })
        )
    );
}

#[tokio::test]
async fn read_errors_have_pds_names() {
    let (_dir, node) = node().await;
    let get = |nsid: &str, query: Vec<(&'static str, String)>| {
        node.http.get(node.xrpc(nsid)).query(&query).send()
    };
    let res = get(
        "com.atproto.repo.getRecord",
        vec![
            ("repo", node.did().into()),
            ("collection", NSID.into()),
            ("rkey", "nope".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        error_of(res).await,
        (
            400,
            json!({ "error": "RecordNotFound", "message": format!("Could not locate record: at://{}/{NSID}/nope", node.did()) })
        )
    );
    let res = get(
        "com.atproto.repo.getRecord",
        vec![
            ("repo", "bob.test".into()),
            ("collection", NSID.into()),
            ("rkey", "x".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        error_of(res).await,
        (
            400,
            json!({ "error": "RepoNotFound", "message": "Could not find repo: bob.test" })
        )
    );
    let res = get(
        "com.atproto.sync.getBlob",
        vec![
            ("did", node.did().into()),
            ("cid", blob_cid(b"none").to_string()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        error_of(res).await,
        (
            400,
            json!({ "error": "InvalidRequest", "message": "Blob not found" })
        )
    );
    let res = get(
        "com.atproto.repo.getRecord",
        vec![("repo", node.did().into())],
    )
    .await
    .unwrap();
    let (status, body) = error_of(res).await;
    assert_eq!((status, &body["error"]), (400, &json!("InvalidRequest")));
}

#[tokio::test]
async fn put_record_validation_err() {
    let (_dir, node) = node().await;
    let token = node.login().await;
    let put = |record: Value, rkey: &'static str| {
        node.http
            .post(node.xrpc("com.atproto.repo.putRecord"))
            .bearer_auth(&token)
            .json(
                &json!({ "repo": node.did(), "collection": NSID, "rkey": rkey, "record": record }),
            )
            .send()
    };
    let res = put(json!({ "$type": "app.bsky.feed.post" }), "x")
        .await
        .unwrap();
    assert_eq!(
        error_of(res).await,
        (
            400,
            json!({ "error": "InvalidRequest", "message": "Invalid $type: expected at.functions.metadata, got \"app.bsky.feed.post\"" })
        )
    );
    let res = put(json!({ "n": 0.5 }), "x").await.unwrap();
    assert_eq!(
        error_of(res).await,
        (
            400,
            json!({ "error": "InvalidRequest", "message": "floating-point numbers are not allowed in records" })
        )
    );
    let res = put(json!({}), "..").await.unwrap();
    assert_eq!(
        error_of(res).await,
        (
            400,
            json!({ "error": "InvalidRequest", "message": "Invalid record key: .." })
        )
    );
}
