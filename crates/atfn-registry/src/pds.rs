//! The three PDS calls the registry makes, with their failures mapped to [`RegistryError`]:
//! `com.atproto.repo.getRecord` and `listRecords` through atrium's `send_xrpc` (every record's
//! CID recomputed from its value and compared with the CID the PDS claimed), and
//! `com.atproto.sync.getBlob` through the transport directly, since `send_xrpc` would parse a
//! JSON-typed blob instead of returning its bytes (sha2-256 checked against the CID).
//! Error names follow the official PDS: `RecordNotFound`, `RepoNotFound`, and
//! `InvalidRequest` "Blob not found" (all status 400).

use std::error::Error as StdError;

use atrium_api::types::string::{Did, Nsid, RecordKey};
use atrium_xrpc::error::{Error as XrpcError, ErrorResponseBody, XrpcErrorKind};
use atrium_xrpc::http::{Method, Request, Response, header::CONTENT_TYPE};
use atrium_xrpc::{OutputDataOrBytes, XrpcClient, XrpcRequest};
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::content::{RAW_CODEC, SHA2_256, cid_matches, record_cid};
use crate::error::RegistryError;
use crate::http::{HttpClient, is_body_too_large};
use crate::registry::{Blob, Record, RecordPage};

const GET_RECORD: &str = "com.atproto.repo.getRecord";
const LIST_RECORDS: &str = "com.atproto.repo.listRecords";
const GET_BLOB: &str = "com.atproto.sync.getBlob";

/// A PDS: the shared transport plus its base URL (no trailing slash).
pub(crate) struct Pds<'a> {
    pub(crate) http: &'a HttpClient,
    pub(crate) base: &'a str,
}

impl atrium_xrpc::HttpClient for Pds<'_> {
    async fn send_http(
        &self,
        request: Request<Vec<u8>>,
    ) -> Result<Response<Vec<u8>>, Box<dyn StdError + Send + Sync + 'static>> {
        atrium_xrpc::HttpClient::send_http(self.http, request).await
    }
}

impl XrpcClient for Pds<'_> {
    fn base_uri(&self) -> String {
        self.base.to_owned()
    }
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

impl Pds<'_> {
    /// `getRecord` of `at://did/collection/rkey`, CID-verified.
    pub(crate) async fn get_record(
        &self,
        did: &Did,
        collection: &Nsid,
        rkey: &RecordKey,
    ) -> Result<Record, RegistryError> {
        let uri = format!(
            "at://{}/{}/{}",
            did.as_str(),
            collection.as_str(),
            rkey.as_str()
        );
        let params = GetRecordParams {
            repo: did.as_str(),
            collection,
            rkey,
        };
        let out: GetRecordOutput = self.query(GET_RECORD, params).await.map_err(|e| match e {
            XrpcFailure::Named(_, name, _) if name == "RecordNotFound" => {
                RegistryError::RecordNotFound { uri: uri.clone() }
            }
            other => other.into_error(GET_RECORD, self.base, did.as_str()),
        })?;
        verified_record(GET_RECORD, uri, out.cid, out.value)
    }

    /// `listRecords`, every record CID-verified.
    pub(crate) async fn list_records(
        &self,
        did: &Did,
        collection: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<RecordPage, RegistryError> {
        let params = ListRecordsParams {
            repo: did.as_str(),
            collection,
            limit,
            cursor,
        };
        let out: ListRecordsOutput = self
            .query(LIST_RECORDS, params)
            .await
            .map_err(|e| e.into_error(LIST_RECORDS, self.base, did.as_str()))?;
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

    /// `sync.getBlob` of `cid` (already checked by [`parse_blob_cid`]), at most `max_bytes`,
    /// sha2-256-verified.
    pub(crate) async fn get_blob(
        &self,
        did: &Did,
        cid: &cid::Cid,
        max_bytes: u64,
    ) -> Result<Blob, RegistryError> {
        let cid_str = cid.to_string();
        let http_err = |reason: String| RegistryError::Http {
            url: self.base.to_owned(),
            reason,
        };
        let url = reqwest::Url::parse_with_params(
            &format!("{}/xrpc/{GET_BLOB}", self.base),
            [("did", did.as_str()), ("cid", &cid_str)],
        )
        .map_err(|e| http_err(e.to_string()))?;
        let request = Request::builder()
            .method(Method::GET)
            .uri(url.as_str())
            .body(Vec::new())
            .map_err(|e| http_err(e.to_string()))?;
        let response = self.http.fetch(request, max_bytes).await.map_err(|e| {
            if is_body_too_large(e.as_ref()) {
                RegistryError::BlobTooLarge {
                    cid: cid_str.clone(),
                    limit: max_bytes,
                }
            } else {
                http_err(e.to_string())
            }
        })?;
        if !response.status().is_success() {
            let body = serde_json::from_slice::<ErrorResponseBody>(response.body()).ok();
            return Err(
                match XrpcFailure::from_status(response.status().as_u16(), body) {
                    f if f.is_blob_not_found() => RegistryError::BlobNotFound { cid: cid_str },
                    other => other.into_error(GET_BLOB, self.base, did.as_str()),
                },
            );
        }
        let mime_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = Bytes::from(response.into_body());
        if !cid_matches(cid, &bytes) {
            return Err(RegistryError::BlobMismatch { cid: cid_str });
        }
        Ok(Blob {
            cid: cid_str,
            mime_type,
            bytes,
        })
    }

    /// One JSON XRPC query through atrium's `send_xrpc`.
    async fn query<P, O>(&self, nsid: &'static str, params: P) -> Result<O, XrpcFailure>
    where
        P: Serialize + Send + Sync,
        O: serde::de::DeserializeOwned + Send + Sync,
    {
        let request = XrpcRequest::<P, ()> {
            method: Method::GET,
            nsid: nsid.to_owned(),
            parameters: Some(params),
            input: None,
            encoding: None,
        };
        match self
            .send_xrpc::<P, (), O, ErrorResponseBody>(&request)
            .await
        {
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

/// Parses a blob CID and checks it is CIDv1, raw codec (0x55), sha2-256. Errors:
/// [`RegistryError::InvalidCid`].
pub(crate) fn parse_blob_cid(cid: &str) -> Result<cid::Cid, RegistryError> {
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
    /// Error status, XRPC error name, message.
    Named(u16, String, Option<String>),
    /// Error status without an error name, message.
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

    /// `BlobNotFound`, `InvalidRequest` "Blob not found" (official PDS) or a bare 404.
    fn is_blob_not_found(&self) -> bool {
        match self {
            Self::Named(_, name, message) => {
                name == "BlobNotFound"
                    || (name == "InvalidRequest"
                        && message.as_deref().is_some_and(|m| m.contains("not found")))
            }
            Self::Status(status, _) => *status == 404,
            _ => false,
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
