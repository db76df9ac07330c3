//! The registry client: resolves an at-uri's authority to a DID and its PDS, fetches records
//! (`com.atproto.repo.getRecord`, `listRecords`) and blobs (`com.atproto.sync.getBlob`), and
//! verifies both against their CIDs before anyone sees them. Records are cached by at-uri for
//! `record_ttl`, identities for `identity_ttl`, and verified blobs by CID (content-addressed, so
//! they never go stale) in memory bounded by total bytes. Caches are `moka` sync caches.

use std::sync::Arc;

use atrium_api::types::string::{AtIdentifier, Did};
use atrium_xrpc::error::{Error as XrpcError, ErrorResponseBody, XrpcErrorKind};
use atrium_xrpc::http::{Method, Request};
use atrium_xrpc::{OutputDataOrBytes, XrpcClient as _, XrpcRequest};
use bytes::Bytes;
use moka::sync::Cache;
use serde::{Deserialize, Serialize};

use crate::aturi::AtUri;
use crate::config::{MAX_TTL, RegistryConfig};
use crate::content::{RAW_CODEC, SHA2_256, cid_matches, record_cid};
use crate::error::RegistryError;
use crate::http::{HttpClient, Pds, is_body_too_large};
use crate::identity::{IdentityResolver, pds_endpoint};
use crate::lexicon::{FUNCTION_NSID, FunctionRecord};

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

/// `com.atproto.repo.getRecord` output.
#[derive(Deserialize)]
struct GetRecordOutput {
    cid: Option<String>,
    value: serde_json::Value,
}

/// `com.atproto.repo.listRecords` output.
#[derive(Deserialize)]
struct ListRecordsOutput {
    cursor: Option<String>,
    records: Vec<ListedRecord>,
}

#[derive(Deserialize)]
struct ListedRecord {
    uri: String,
    cid: String,
    value: serde_json::Value,
}

#[derive(Serialize)]
struct GetRecordParams<'a> {
    repo: &'a str,
    collection: &'a str,
    rkey: &'a str,
}

#[derive(Serialize)]
struct ListRecordsParams<'a> {
    repo: &'a str,
    collection: &'a str,
    limit: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<&'a str>,
}

const GET_RECORD: &str = "com.atproto.repo.getRecord";
const LIST_RECORDS: &str = "com.atproto.repo.listRecords";
const GET_BLOB: &str = "com.atproto.sync.getBlob";

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
        let plc_url = config.plc_url.trim_end_matches('/');
        let identity = IdentityResolver::new(
            http.clone(),
            plc_url,
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
    /// `_atproto.<handle>`, then `https://<handle>/.well-known/atproto-did`. Cached for
    /// `identity_ttl`. Errors: [`RegistryError::BadAuthority`],
    /// [`RegistryError::HandleNotFound`].
    pub async fn resolve_did(&self, authority: &str) -> Result<Did, RegistryError> {
        let id = authority
            .parse::<AtIdentifier>()
            .map_err(|_| RegistryError::BadAuthority {
                authority: authority.to_owned(),
            })?;
        self.resolve_identifier(&id).await
    }

    async fn resolve_identifier(&self, id: &AtIdentifier) -> Result<Did, RegistryError> {
        let handle = match id {
            AtIdentifier::Did(did) => return Ok(did.clone()),
            AtIdentifier::Handle(handle) => handle,
        };
        let key = handle.as_str().to_ascii_lowercase();
        if let Some(did) = self.inner.handles.get(&key) {
            return Ok(did);
        }
        let did = self.inner.identity.resolve_handle(handle).await?;
        self.inner.handles.insert(key, did.clone());
        Ok(did)
    }

    /// The PDS endpoint of a DID (`http(s)://host[:port]`, no trailing slash): the
    /// `#atproto_pds` service of its DID document, fetched from `{plc_url}/{did}` for did:plc
    /// or `/.well-known/did.json` for did:web. Cached for `identity_ttl`. Errors:
    /// [`RegistryError::UnknownDid`], [`RegistryError::UnsupportedDidMethod`],
    /// [`RegistryError::DidResolution`], [`RegistryError::NoPds`].
    pub async fn resolve_pds(&self, did: &Did) -> Result<String, RegistryError> {
        if let Some(endpoint) = self.inner.pds.get(did.as_str()) {
            return Ok(endpoint);
        }
        let doc = self.inner.identity.resolve_did_doc(did).await?;
        let endpoint = pds_endpoint(did, &doc)?;
        self.inner.pds.insert(did.to_string(), endpoint.clone());
        Ok(endpoint)
    }

    /// Fetches a record with `com.atproto.repo.getRecord` from its repo's PDS and checks that
    /// the CID of its DAG-CBOR encoding equals the CID the PDS returned. Cached by at-uri for
    /// `record_ttl`. Errors: [`RegistryError::NotARecordUri`] without collection and rkey,
    /// resolution errors, [`RegistryError::RecordNotFound`], [`RegistryError::RepoNotFound`],
    /// [`RegistryError::RecordMismatch`], [`RegistryError::Pds`], [`RegistryError::Http`].
    pub async fn get_record(&self, uri: &AtUri) -> Result<Record, RegistryError> {
        let (Some(collection), Some(rkey)) = (uri.collection(), uri.rkey()) else {
            return Err(RegistryError::NotARecordUri {
                uri: uri.to_string(),
            });
        };
        let key = uri.to_string();
        if let Some(record) = self.inner.records.get(&key) {
            return Ok(record);
        }
        let did = self.resolve_identifier(uri.authority()).await?;
        let base = self.resolve_pds(&did).await?;
        let params = GetRecordParams {
            repo: did.as_str(),
            collection,
            rkey,
        };
        let out: GetRecordOutput = self
            .xrpc_get(&base, GET_RECORD, params)
            .await
            .map_err(|e| match e {
                XrpcFailure::Named(_, name, _) if name == "RecordNotFound" => {
                    RegistryError::RecordNotFound { uri: key.clone() }
                }
                other => other.into_error(GET_RECORD, &base, did.as_str()),
            })?;
        let record_uri = format!(
            "at://{}/{}/{}",
            did.as_str(),
            collection.as_str(),
            rkey.as_str()
        );
        let record = verified_record(GET_RECORD, record_uri, out.cid, out.value)?;
        self.inner.records.insert(key, record.clone());
        Ok(record)
    }

    /// Drops the cached record of `uri` (as written, e.g. with a handle or a DID authority), so
    /// the next [`Registry::get_record`] or [`Registry::load_function`] fetches it again. Use
    /// after publishing an update through this node.
    pub fn invalidate_record(&self, uri: &AtUri) {
        self.inner.records.invalidate(&uri.to_string());
    }

    /// Lists records of `collection` in `repo` (DID or handle) with
    /// `com.atproto.repo.listRecords`, `limit` clamped to 1..=100, verifying every record's CID.
    /// Not cached. Errors: resolution errors, [`RegistryError::RepoNotFound`],
    /// [`RegistryError::RecordMismatch`], [`RegistryError::Pds`], [`RegistryError::Http`].
    pub async fn list_records(
        &self,
        repo: &str,
        collection: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<RecordPage, RegistryError> {
        let did = self.resolve_did(repo).await?;
        let base = self.resolve_pds(&did).await?;
        let params = ListRecordsParams {
            repo: did.as_str(),
            collection,
            limit: limit.clamp(1, 100),
            cursor,
        };
        let out: ListRecordsOutput = self
            .xrpc_get(&base, LIST_RECORDS, params)
            .await
            .map_err(|e| e.into_error(LIST_RECORDS, &base, did.as_str()))?;
        let records = out
            .records
            .into_iter()
            .map(|r| verified_record(LIST_RECORDS, r.uri, Some(r.cid), r.value))
            .collect::<Result<_, _>>()?;
        Ok(RecordPage {
            records,
            cursor: out.cursor,
        })
    }

    /// Fetches a blob with `com.atproto.sync.getBlob` from the PDS of `did` (a DID or handle)
    /// and returns it only if sha2-256 of the bytes matches `cid`. Cached by CID. Errors:
    /// [`RegistryError::InvalidCid`] unless `cid` is CIDv1 raw (0x55) sha2-256,
    /// [`RegistryError::BlobNotFound`], [`RegistryError::BlobMismatch`],
    /// [`RegistryError::BlobTooLarge`] past `max_blob_bytes`, resolution and transport errors.
    pub async fn get_blob(&self, did: &str, cid: &str) -> Result<Blob, RegistryError> {
        let parsed = parse_blob_cid(cid)?;
        let cid = parsed.to_string();
        if let Some(blob) = self.inner.blobs.get(&cid) {
            return Ok(blob);
        }
        let did = self.resolve_did(did).await?;
        let base = self.resolve_pds(&did).await?;
        let url = reqwest::Url::parse_with_params(
            &format!("{base}/xrpc/{GET_BLOB}"),
            [("did", did.as_str()), ("cid", &cid)],
        )
        .map_err(|e| RegistryError::Http {
            url: base.clone(),
            reason: e.to_string(),
        })?;
        let request = Request::builder()
            .method(Method::GET)
            .uri(url.as_str())
            .body(Vec::new())
            .map_err(|e| RegistryError::Http {
                url: base.clone(),
                reason: e.to_string(),
            })?;
        let response = self
            .inner
            .http
            .fetch(request, self.inner.config.max_blob_bytes)
            .await
            .map_err(|e| {
                if is_body_too_large(e.as_ref()) {
                    RegistryError::BlobTooLarge {
                        cid: cid.clone(),
                        limit: self.inner.config.max_blob_bytes,
                    }
                } else {
                    RegistryError::Http {
                        url: base.clone(),
                        reason: e.to_string(),
                    }
                }
            })?;
        if !response.status().is_success() {
            let body = serde_json::from_slice::<ErrorResponseBody>(response.body()).ok();
            let failure = XrpcFailure::from_status(response.status().as_u16(), body);
            return Err(match failure {
                XrpcFailure::Named(_, ref name, ref message)
                    if name == "BlobNotFound"
                        || (name == "InvalidRequest"
                            && message.as_deref().is_some_and(|m| m.contains("not found"))) =>
                {
                    RegistryError::BlobNotFound { cid }
                }
                XrpcFailure::Status(404, _) => RegistryError::BlobNotFound { cid },
                other => other.into_error(GET_BLOB, &base, did.as_str()),
            });
        }
        let mime_type = response
            .headers()
            .get(atrium_xrpc::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = Bytes::from(response.into_body());
        if !cid_matches(&parsed, &bytes) {
            return Err(RegistryError::BlobMismatch { cid });
        }
        let blob = Blob {
            cid: cid.clone(),
            mime_type,
            bytes,
        };
        self.inner.blobs.insert(cid, blob.clone());
        Ok(blob)
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

    /// One JSON XRPC query through atrium's `send_xrpc` on the PDS at `base`.
    async fn xrpc_get<P, O>(
        &self,
        base: &str,
        nsid: &'static str,
        params: P,
    ) -> Result<O, XrpcFailure>
    where
        P: Serialize + Send + Sync,
        O: serde::de::DeserializeOwned + Send + Sync,
    {
        let pds = Pds {
            http: &self.inner.http,
            base,
        };
        let request = XrpcRequest::<P, ()> {
            method: Method::GET,
            nsid: nsid.to_owned(),
            parameters: Some(params),
            input: None,
            encoding: None,
        };
        match pds.send_xrpc::<P, (), O, ErrorResponseBody>(&request).await {
            Ok(OutputDataOrBytes::Data(out)) => Ok(out),
            Ok(OutputDataOrBytes::Bytes(_)) => Err(XrpcFailure::Invalid(
                "response is not application/json".to_owned(),
            )),
            Err(XrpcError::XrpcResponse(e)) => {
                let body = e.error.map(|kind| match kind {
                    XrpcErrorKind::Custom(b) | XrpcErrorKind::Undefined(b) => b,
                });
                Err(XrpcFailure::from_status(e.status.as_u16(), body))
            }
            Err(XrpcError::SerdeJson(e)) => Err(XrpcFailure::Invalid(e.to_string())),
            Err(e) => Err(XrpcFailure::Transport(e.to_string())),
        }
    }
}

/// A cache of up to 10,000 resolved identities, each kept for `ttl`.
fn identity_cache<V: Clone + Send + Sync + 'static>(ttl: std::time::Duration) -> Cache<String, V> {
    Cache::builder()
        .time_to_live(ttl)
        .max_capacity(10_000)
        .build()
}

/// Checks a record's CID against its value and builds the [`Record`]; when the PDS omitted the
/// CID, the computed one is used.
fn verified_record(
    nsid: &'static str,
    uri: String,
    claimed: Option<String>,
    value: serde_json::Value,
) -> Result<Record, RegistryError> {
    let computed = record_cid(&value).map_err(|e| RegistryError::InvalidResponse {
        nsid,
        reason: e.to_string(),
    })?;
    match claimed {
        Some(cid) if cid.parse::<cid::Cid>().ok() != Some(computed) => {
            Err(RegistryError::RecordMismatch { uri, cid })
        }
        _ => Ok(Record {
            uri,
            cid: computed.to_string(),
            value,
        }),
    }
}

/// Parses a blob CID and checks it is CIDv1, raw codec, sha2-256.
fn parse_blob_cid(cid: &str) -> Result<cid::Cid, RegistryError> {
    let bad = |reason| RegistryError::InvalidCid {
        cid: cid.to_owned(),
        reason,
    };
    let parsed = cid.parse::<cid::Cid>().map_err(|_| bad("not a CID"))?;
    if parsed.version() != cid::Version::V1 || parsed.codec() != RAW_CODEC {
        return Err(bad("blob CIDs must be CIDv1 with the raw codec (0x55)"));
    }
    if parsed.hash().code() != SHA2_256 {
        return Err(bad("blob CIDs must use sha2-256"));
    }
    Ok(parsed)
}

/// An XRPC call that did not produce the expected output.
enum XrpcFailure {
    /// Error status with an XRPC error name (and maybe a message).
    Named(u16, String, Option<String>),
    /// Error status without an error name.
    Status(u16, Option<String>),
    /// The body did not parse.
    Invalid(String),
    /// The request did not complete.
    Transport(String),
}

impl XrpcFailure {
    fn from_status(status: u16, body: Option<ErrorResponseBody>) -> Self {
        match body {
            Some(ErrorResponseBody {
                error: Some(name),
                message,
            }) => Self::Named(status, name, message),
            Some(ErrorResponseBody {
                error: None,
                message,
            }) => Self::Status(status, message),
            None => Self::Status(status, None),
        }
    }

    /// The [`RegistryError`] for failures not handled by the caller.
    fn into_error(self, nsid: &'static str, base: &str, repo: &str) -> RegistryError {
        match self {
            Self::Named(_, name, _) if name == "RepoNotFound" => RegistryError::RepoNotFound {
                repo: repo.to_owned(),
            },
            Self::Named(status, error, message) => RegistryError::Pds {
                nsid,
                status,
                error,
                message,
            },
            Self::Status(status, message) => RegistryError::Pds {
                nsid,
                status,
                error: "unknown".to_owned(),
                message,
            },
            Self::Invalid(reason) => RegistryError::InvalidResponse { nsid, reason },
            Self::Transport(reason) => RegistryError::Http {
                url: base.to_owned(),
                reason,
            },
        }
    }
}
