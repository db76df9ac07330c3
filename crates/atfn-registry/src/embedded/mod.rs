//! The embedded registry: a tiny PDS inside `atfn serve`, so one binary can publish and run
//! functions with no AT Proto network. It hosts a single repo whose DID is the did:web of its
//! public URL (`http://127.0.0.1:2584` → `did:web:127.0.0.1%3A2584`), keeps records and blobs in
//! SQLite, and speaks the official PDS's wire format for the calls atfn needs (see
//! [`EmbeddedRegistry::router`]). Records are not validated against lexicons on write, as on
//! the official PDS. Clients read it through the ordinary [`crate::Registry`] path: the DID
//! document at `/.well-known/did.json` names this server as the repo's PDS.
//!
//! Differences from the official PDS: no repo commits, MST or signatures (so no
//! `com.atproto.sync.getRecord`/`getRepo`/firehose); session tokens are opaque random strings,
//! not JWTs; blob references in records are not checked against uploaded blobs.

mod routes;
mod store;

use std::path::Path;
use std::sync::Arc;

use atrium_api::types::string::Handle;

pub use crate::error::EmbeddedError;
use store::Store;

/// Largest blob accepted by `com.atproto.repo.uploadBlob`, in bytes: 16 MiB. Larger bodies get
/// 413 `PayloadTooLarge`.
pub const MAX_UPLOAD_BYTES: usize = 16 * 1024 * 1024;

pub(crate) struct Inner {
    store: Store,
    did: String,
    public_url: String,
}

/// A handle on the embedded registry's database and identity. Cheap to clone.
#[derive(Clone)]
pub struct EmbeddedRegistry {
    inner: Arc<Inner>,
}

impl EmbeddedRegistry {
    /// Opens (or creates) the SQLite database at `db_path`, applies migrations, and binds the
    /// registry to `public_url`, the base URL where [`EmbeddedRegistry::router`] will be served:
    /// `http(s)://host[:port]` with no path. Plain `http` is allowed only for loopback hosts
    /// (`localhost`, `127.0.0.1`, `[::1]`), because resolvers fetch other did:web documents
    /// over https. Data survives restarts. Errors: [`EmbeddedError::PublicUrl`],
    /// [`EmbeddedError::Database`], [`EmbeddedError::Migrate`].
    pub async fn open(db_path: &Path, public_url: &str) -> Result<Self, EmbeddedError> {
        let (did, public_url) = did_for_url(public_url)?;
        let store = Store::open(db_path).await?;
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                did,
                public_url,
            }),
        })
    }

    /// The repo's DID: `did:web:<host>` with `%3A<port>` when the URL has an explicit port.
    pub fn did(&self) -> &str {
        &self.inner.did
    }

    /// The public URL given to [`EmbeddedRegistry::open`], without a trailing slash.
    pub fn public_url(&self) -> &str {
        &self.inner.public_url
    }

    /// Creates the repo's account with `handle` and `password`, or, if it exists, sets them
    /// (the embedded registry has exactly one account). Errors: [`EmbeddedError::BadHandle`]
    /// when `handle` fails the AT Proto handle syntax, [`EmbeddedError::Database`].
    pub async fn ensure_account(&self, handle: &str, password: &str) -> Result<(), EmbeddedError> {
        Handle::new(handle.to_owned()).map_err(|_| EmbeddedError::BadHandle {
            handle: handle.to_owned(),
        })?;
        self.inner
            .store
            .upsert_account(&handle.to_ascii_lowercase(), password)
            .await
    }

    /// The axum router to serve at the public URL's root. Routes (request and response shapes
    /// as the official PDS, errors as `{"error", "message"}`, 400 unless noted):
    /// - `GET /.well-known/did.json`: DID document with service `#atproto_pds`.
    /// - `GET /.well-known/atproto-did`: the DID as text.
    /// - `POST /xrpc/com.atproto.server.createSession` `{identifier, password}` →
    ///   `{accessJwt, refreshJwt, handle, did}`; 401 `AuthenticationRequired` on bad credentials.
    /// - `POST /xrpc/com.atproto.repo.uploadBlob` (bearer `accessJwt`; raw body, `Content-Type`
    ///   is the MIME type) → `{blob: {$type: "blob", ref: {$link}, mimeType, size}}`; 413
    ///   `PayloadTooLarge` past [`MAX_UPLOAD_BYTES`].
    /// - `POST /xrpc/com.atproto.repo.putRecord` (bearer) `{repo, collection, rkey, record}` →
    ///   `{uri, cid, validationStatus: "unknown"}`.
    /// - `POST /xrpc/com.atproto.repo.deleteRecord` (bearer) `{repo, collection, rkey}` → `{}`.
    /// - `GET /xrpc/com.atproto.repo.getRecord?repo&collection&rkey` → `{uri, cid, value}`;
    ///   `RecordNotFound`.
    /// - `GET /xrpc/com.atproto.repo.listRecords?repo&collection[&limit][&cursor][&reverse]` →
    ///   `{records, cursor?}`, newest rkey first.
    /// - `GET /xrpc/com.atproto.repo.describeRepo?repo` → `{handle, did, didDoc, collections,
    ///   handleIsCorrect}`.
    /// - `GET /xrpc/com.atproto.identity.resolveHandle?handle` → `{did}`.
    /// - `GET /xrpc/com.atproto.sync.getBlob?did&cid` → the bytes; `InvalidRequest`
    ///   "Blob not found".
    ///
    /// Writes without a valid bearer token get 401 `AuthMissing` / `InvalidToken`; an unknown
    /// `repo`/`did` gets `RepoNotFound`.
    pub fn router(&self) -> axum::Router {
        routes::router(self.inner.clone())
    }
}

/// Derives the did:web of a public URL and normalises the URL. See [`EmbeddedRegistry::open`].
fn did_for_url(public_url: &str) -> Result<(String, String), EmbeddedError> {
    let bad = |reason| EmbeddedError::PublicUrl {
        url: public_url.to_owned(),
        reason,
    };
    let url = reqwest::Url::parse(public_url).map_err(|_| bad("not a URL"))?;
    let host = url.host_str().ok_or(bad("no host"))?.to_owned();
    let loopback = matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]");
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(bad("http is only allowed for loopback hosts; use https")),
        _ => return Err(bad("scheme must be http or https")),
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must have no path, query or fragment"));
    }
    let encoded_host = host
        .replace(':', "%3A")
        .replace('[', "%5B")
        .replace(']', "%5D");
    let did = match url.port() {
        Some(port) => format!("did:web:{encoded_host}%3A{port}"),
        None => format!("did:web:{encoded_host}"),
    };
    Ok((did, public_url.trim_end_matches('/').to_owned()))
}

#[cfg(test)]
mod tests;
