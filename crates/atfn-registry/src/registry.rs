//! The registry client: resolves an at-uri's authority to a DID and its PDS, fetches records
//! (`com.atproto.repo.getRecord`, `listRecords`) and blobs (`com.atproto.sync.getBlob`), and
//! verifies both against their CIDs before anyone sees them (see [`crate::pds`]). Records are
//! cached by at-uri for `record_ttl`, identities for `identity_ttl`, and verified blobs by CID
//! (content-addressed, so they never go stale) in memory bounded by total bytes. The caches are
//! `moka` async caches whose `try_get_with` coalesces concurrent misses: many invocations of a
//! cold function cause one fetch. Failures are not cached.

use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;

use atrium_api::types::string::{AtIdentifier, Did};
use bytes::Bytes;
use moka::future::Cache;
use serde::{Deserialize, Serialize};

use crate::aturi::AtUri;
use crate::config::{MAX_TTL, RegistryConfig};
use crate::error::RegistryError;
use crate::http::HttpClient;
use crate::identity::{IdentityResolver, pds_endpoint};
use crate::lexicon::{FUNCTION_NSID, FunctionRecord};
use crate::pds::{Pds, parse_blob_cid};

/// A verified record: its at-uri (authority as a DID), the CID of its DAG-CBOR encoding and
/// its value in AT Proto JSON form (blob refs as `{"$type":"blob","ref":{"$link":…},…}`).
/// Serializes as `{uri, cid, value}`, the shape of `com.atproto.repo.listRecords#record`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// `at://<did>/<collection>/<rkey>`.
    pub uri: String,
    /// CIDv1 DAG-CBOR sha2-256, `bafyrei…`.
    pub cid: String,
    /// The record value.
    pub value: serde_json::Value,
}

/// A page of `com.atproto.repo.listRecords`: records (every CID verified) and the cursor for
/// the next page, absent at the end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordPage {
    /// The records of this page.
    pub records: Vec<Record>,
    /// Pass to the next call to continue; `None` when there are no more records.
    pub cursor: Option<String>,
}

/// A blob whose sha2-256 matched its CID: the CID (CIDv1 raw, `bafkrei…`), the MIME type the
/// PDS served it with (from `Content-Type`; informational only) and the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    /// CIDv1, raw codec, sha2-256.
    pub cid: String,
    /// `Content-Type` of the getBlob response, if any.
    pub mime_type: Option<String>,
    /// The verified bytes.
    pub bytes: Bytes,
}

/// A function ready to run: its at-uri, the CID of its `at.functions.metadata` record, the
/// validated record, and the verified code blob.
#[derive(Debug, Clone)]
pub struct Function {
    /// The record's at-uri as requested.
    pub uri: AtUri,
    /// CID of the record (CIDv1 DAG-CBOR), reported as `functionCid` by `at.functions.run`.
    pub record_cid: String,
    /// The validated record with defaults applied.
    pub record: FunctionRecord,
    /// The compiled module named by `record.code`, verified against its CID.
    pub code: Blob,
}

struct Inner {
    config: RegistryConfig,
    http: Arc<HttpClient>,
    identity: IdentityResolver,
    handles: Cache<String, Did>,
    pds: Cache<String, String>,
    records: Cache<String, Record>,
    blobs: Cache<String, Blob>,
}

/// The AT Proto client of atfn. Cheap to clone (an `Arc` inside), `Send + Sync`.
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

impl Registry {
    /// Builds the client: the HTTP transport (reqwest, rustls, `http_timeout`), the DNS resolver
    /// (system configuration) and empty caches. Errors: [`RegistryError::Config`] when a TTL
    /// exceeds [`MAX_TTL`] or the HTTP client cannot be built.
    pub fn new(config: RegistryConfig) -> Result<Self, RegistryError> {
        if config.record_ttl > MAX_TTL || config.identity_ttl > MAX_TTL {
            return Err(RegistryError::Config(
                "cache TTLs must be at most 365 days".to_owned(),
            ));
        }
        let http = HttpClient::new(config.http_timeout)
            .map_err(|e| RegistryError::Config(e.to_string()))?;
        let http = Arc::new(http);
        let identity = IdentityResolver::new(
            http.clone(),
            config.plc_url.trim_end_matches('/'),
            config.handle_resolver.as_deref(),
            config.http_timeout,
        );
        let inner = Inner {
            handles: identity_cache(config.identity_ttl),
            pds: identity_cache(config.identity_ttl),
            records: Cache::builder()
                .time_to_live(config.record_ttl)
                .max_capacity(config.record_cache_entries)
                .build(),
            blobs: Cache::builder()
                .weigher(|_, b: &Blob| u32::try_from(b.bytes.len()).unwrap_or(u32::MAX))
                .max_capacity(config.blob_cache_bytes)
                .build(),
            http,
            identity,
            config,
        };
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// The configuration this registry was built with.
    pub fn config(&self) -> &RegistryConfig {
        &self.inner.config
    }

    /// Resolves a DID or handle to a DID: a DID is returned as is; a handle goes through DNS TXT
    /// `_atproto.<handle>`, then `https://<handle>/.well-known/atproto-did` (or the configured
    /// `handle_resolver` service). Cached for `identity_ttl`. Errors:
    /// [`RegistryError::BadAuthority`], [`RegistryError::HandleNotFound`].
    pub async fn resolve_did(&self, authority: &str) -> Result<Did, RegistryError> {
        let id = authority
            .parse::<AtIdentifier>()
            .map_err(|_| RegistryError::BadAuthority {
                authority: authority.to_owned(),
            })?;
        self.resolve_identifier(&id).await
    }

    async fn resolve_identifier(&self, id: &AtIdentifier) -> Result<Did, RegistryError> {
        match id {
            AtIdentifier::Did(did) => Ok(did.clone()),
            AtIdentifier::Handle(handle) => {
                let key = handle.as_str().to_ascii_lowercase();
                cached(
                    &self.inner.handles,
                    "handle",
                    key,
                    self.inner.identity.resolve_handle(handle),
                )
                .await
            }
        }
    }

    /// The PDS endpoint of a DID (`http(s)://host[:port]`, no trailing slash): the
    /// `#atproto_pds` service of its DID document, fetched from `{plc_url}/{did}` for did:plc
    /// or `/.well-known/did.json` for did:web. Cached for `identity_ttl`. Errors:
    /// [`RegistryError::UnknownDid`], [`RegistryError::UnsupportedDidMethod`],
    /// [`RegistryError::DidResolution`], [`RegistryError::NoPds`].
    pub async fn resolve_pds(&self, did: &Did) -> Result<String, RegistryError> {
        let fetch = async {
            let doc = self.inner.identity.resolve_did_doc(did).await?;
            pds_endpoint(did, &doc)
        };
        cached(&self.inner.pds, "did", did.to_string(), fetch).await
    }

    /// The PDS of an identifier, with the DID it resolved to.
    async fn locate(&self, id: &AtIdentifier) -> Result<(Did, String), RegistryError> {
        let did = self.resolve_identifier(id).await?;
        let base = self.resolve_pds(&did).await?;
        Ok((did, base))
    }

    fn pds<'a>(&'a self, base: &'a str) -> Pds<'a> {
        Pds {
            http: &self.inner.http,
            base,
        }
    }

    /// Fetches a record with `com.atproto.repo.getRecord` from its repo's PDS and checks that
    /// the CID of its DAG-CBOR encoding equals the CID the PDS returned. Cached by at-uri (as
    /// written) for `record_ttl`. Errors: [`RegistryError::NotARecordUri`] without collection
    /// and rkey, resolution errors, [`RegistryError::RecordNotFound`],
    /// [`RegistryError::RepoNotFound`], [`RegistryError::RecordMismatch`],
    /// [`RegistryError::Pds`], [`RegistryError::Http`].
    pub async fn get_record(&self, uri: &AtUri) -> Result<Record, RegistryError> {
        let (Some(collection), Some(rkey)) = (uri.collection(), uri.rkey()) else {
            return Err(RegistryError::NotARecordUri {
                uri: uri.to_string(),
            });
        };
        let fetch = async {
            let (did, base) = self.locate(uri.authority()).await?;
            self.pds(&base)
                .get_record(&did, collection, rkey)
                .await
                .map_err(|e| match e {
                    // Report the at-uri as the caller wrote it.
                    RegistryError::RecordNotFound { .. } => RegistryError::RecordNotFound {
                        uri: uri.to_string(),
                    },
                    other => other,
                })
        };
        cached(&self.inner.records, "record", uri.to_string(), fetch).await
    }

    /// Drops the cached record of `uri` (as written, e.g. with a handle or a DID authority), so
    /// the next [`Registry::get_record`] or [`Registry::load_function`] fetches it again. Use
    /// after publishing an update through this node.
    pub async fn invalidate_record(&self, uri: &AtUri) {
        self.inner.records.invalidate(&uri.to_string()).await;
    }

    /// Lists records of `collection` in `repo` (DID or handle) with
    /// `com.atproto.repo.listRecords`, `limit` clamped to 1..=100, newest first as the PDS
    /// orders them, verifying every record's CID. Not cached. Errors: resolution errors,
    /// [`RegistryError::RepoNotFound`], [`RegistryError::RecordMismatch`],
    /// [`RegistryError::Pds`], [`RegistryError::Http`].
    pub async fn list_records(
        &self,
        repo: &str,
        collection: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<RecordPage, RegistryError> {
        let did = self.resolve_did(repo).await?;
        let base = self.resolve_pds(&did).await?;
        self.pds(&base)
            .list_records(&did, collection, cursor, limit.clamp(1, 100))
            .await
    }

    /// Fetches a blob with `com.atproto.sync.getBlob` from the PDS of `did` (a DID or handle)
    /// and returns it only if sha2-256 of the bytes matches `cid`. Cached by CID. Errors:
    /// [`RegistryError::InvalidCid`] unless `cid` is CIDv1 raw (0x55) sha2-256,
    /// [`RegistryError::BlobNotFound`], [`RegistryError::BlobMismatch`],
    /// [`RegistryError::BlobTooLarge`] past `max_blob_bytes`, resolution and transport errors.
    pub async fn get_blob(&self, did: &str, cid: &str) -> Result<Blob, RegistryError> {
        let cid = parse_blob_cid(cid)?;
        let fetch = async {
            let did = self.resolve_did(did).await?;
            let base = self.resolve_pds(&did).await?;
            self.pds(&base)
                .get_blob(&did, &cid, self.inner.config.max_blob_bytes)
                .await
        };
        cached(&self.inner.blobs, "blob", cid.to_string(), fetch).await
    }

    /// Loads a function: the at-uri's collection must be `at.functions.metadata`; fetches the
    /// record ([`Registry::get_record`]), validates it ([`FunctionRecord::from_value`]) and
    /// fetches its code blob ([`Registry::get_blob`]). Errors:
    /// [`RegistryError::WrongCollection`], [`RegistryError::InvalidRecord`], and those of
    /// `get_record` and `get_blob`.
    pub async fn load_function(&self, uri: &AtUri) -> Result<Function, RegistryError> {
        match uri.collection() {
            None => {
                return Err(RegistryError::NotARecordUri {
                    uri: uri.to_string(),
                });
            }
            Some(c) if c.as_str() != FUNCTION_NSID => {
                return Err(RegistryError::WrongCollection {
                    expected: FUNCTION_NSID,
                    got: c.to_string(),
                });
            }
            Some(_) => {}
        }
        let record = self.get_record(uri).await?;
        let function = FunctionRecord::from_value(&record.value).map_err(|source| {
            RegistryError::InvalidRecord {
                uri: uri.to_string(),
                source,
            }
        })?;
        let did = self.resolve_identifier(uri.authority()).await?;
        let code = self.get_blob(did.as_str(), &function.code.cid).await?;
        Ok(Function {
            uri: uri.clone(),
            record_cid: record.cid,
            record: function,
            code,
        })
    }
}

/// Returns the cached value of `key`, or runs `fetch` once for all concurrent callers missing
/// the same key and caches its success.
async fn cached<K, V>(
    cache: &Cache<K, V>,
    name: &'static str,
    key: K,
    fetch: impl Future<Output = Result<V, RegistryError>>,
) -> Result<V, RegistryError>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    let entry = cache
        .entry(key)
        .or_try_insert_with(fetch)
        .await
        .map_err(Arc::unwrap_or_clone)?;
    let metric = if entry.is_fresh() {
        "atfn_cache_misses_total"
    } else {
        "atfn_cache_hits_total"
    };
    metrics::counter!(metric, "cache" => name).increment(1);
    Ok(entry.into_value())
}

/// A cache of up to 10,000 resolved identities, each kept for `ttl`.
fn identity_cache<V: Clone + Send + Sync + 'static>(ttl: std::time::Duration) -> Cache<String, V> {
    Cache::builder()
        .time_to_live(ttl)
        .max_capacity(10_000)
        .build()
}
