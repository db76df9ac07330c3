//! Identity resolution (AT Protocol specs "Handle" and "DID"): handle → DID through DNS TXT
//! `_atproto.<handle>` (hickory) then `https://<handle>/.well-known/atproto-did` (atrium's
//! `AtprotoHandleResolver`); DID → DID document through the PLC directory for did:plc (atrium's
//! `CommonDidResolver`) and through our own did:web fetch, which, unlike atrium's, honours an
//! encoded port (`did:web:host%3Aport`) and uses plain http for loopback hosts. The PDS is the
//! document's `#atproto_pds` service of type `AtprotoPersonalDataServer`.

use std::sync::Arc;
use std::time::Duration;

use atrium_api::did_doc::DidDocument;
use atrium_api::types::string::{Did, Handle};
use atrium_common::resolver::Resolver;
use atrium_identity::did::{CommonDidResolver, CommonDidResolverConfig};
use atrium_identity::handle::{
    AppViewHandleResolver, AppViewHandleResolverConfig, AtprotoHandleResolver,
    AtprotoHandleResolverConfig, DnsTxtResolver,
};
use atrium_xrpc::HttpClient as _;
use atrium_xrpc::http::{Request, StatusCode, header::ACCEPT};
use hickory_resolver::TokioResolver;

use crate::error::RegistryError;
use crate::http::HttpClient;

/// DNS TXT lookups through hickory with the system resolver configuration (falling back to
/// hickory's defaults when `/etc/resolv.conf` is unreadable).
struct HickoryTxt(TokioResolver);

impl DnsTxtResolver for HickoryTxt {
    async fn resolve(
        &self,
        query: &str,
    ) -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync + 'static>> {
        let lookup = self.0.txt_lookup(query).await?;
        Ok(lookup.iter().map(ToString::to_string).collect())
    }
}

/// A hickory resolver whose per-query timeout is `timeout`, with one attempt.
fn hickory(timeout: Duration) -> TokioResolver {
    use hickory_resolver::config::ResolverConfig;
    use hickory_resolver::name_server::TokioConnectionProvider;
    let mut builder = TokioResolver::builder_tokio().unwrap_or_else(|_| {
        TokioResolver::builder_with_config(
            ResolverConfig::default(),
            TokioConnectionProvider::default(),
        )
    });
    builder.options_mut().timeout = timeout;
    builder.options_mut().attempts = 1;
    builder.build()
}

/// How handles are resolved.
enum HandleResolver {
    /// DNS TXT, then HTTPS well-known (the AT Proto handle spec).
    Standard(Box<AtprotoHandleResolver<HickoryTxt, HttpClient>>),
    /// `com.atproto.identity.resolveHandle` on a configured service.
    Service(AppViewHandleResolver<HttpClient>),
}

/// Resolvers for handles and DIDs sharing one HTTP transport.
pub(crate) struct IdentityResolver {
    http: Arc<HttpClient>,
    plc: CommonDidResolver<HttpClient>,
    handles: HandleResolver,
}

impl IdentityResolver {
    /// `handle_service`: resolve handles through this XRPC service instead of DNS and
    /// well-known (see `RegistryConfig::handle_resolver`); `timeout` bounds each DNS query.
    pub(crate) fn new(
        http: Arc<HttpClient>,
        plc_url: &str,
        handle_service: Option<&str>,
        timeout: Duration,
    ) -> Self {
        let handles = match handle_service {
            Some(url) => {
                HandleResolver::Service(AppViewHandleResolver::new(AppViewHandleResolverConfig {
                    service_url: url.trim_end_matches('/').to_owned(),
                    http_client: http.clone(),
                }))
            }
            None => {
                let config = AtprotoHandleResolverConfig {
                    dns_txt_resolver: HickoryTxt(hickory(timeout)),
                    http_client: http.clone(),
                };
                HandleResolver::Standard(Box::new(AtprotoHandleResolver::new(config)))
            }
        };
        Self {
            plc: CommonDidResolver::new(CommonDidResolverConfig {
                plc_directory_url: plc_url.to_owned(),
                http_client: http.clone(),
            }),
            handles,
            http,
        }
    }

    /// Handle → DID. Errors: [`RegistryError::HandleNotFound`] when neither method yields a DID.
    pub(crate) async fn resolve_handle(&self, handle: &Handle) -> Result<Did, RegistryError> {
        let resolved = match &self.handles {
            HandleResolver::Standard(r) => r.resolve(handle).await,
            HandleResolver::Service(r) => r.resolve(handle).await,
        };
        resolved.map_err(|e| {
            tracing::debug!(handle = handle.as_str(), error = %e, "handle resolution failed");
            RegistryError::HandleNotFound {
                handle: handle.to_string(),
            }
        })
    }

    /// DID → DID document. Errors: [`RegistryError::UnknownDid`] on 404/410,
    /// [`RegistryError::UnsupportedDidMethod`], [`RegistryError::DidResolution`] otherwise.
    pub(crate) async fn resolve_did_doc(&self, did: &Did) -> Result<DidDocument, RegistryError> {
        let doc = match did.method() {
            "did:plc" => self.plc.resolve(did).await.map_err(|e| plc_error(did, e))?,
            "did:web" => self.resolve_did_web(did).await?,
            _ => {
                return Err(RegistryError::UnsupportedDidMethod {
                    did: did.to_string(),
                });
            }
        };
        if doc.id != did.as_str() {
            return Err(RegistryError::DidResolution {
                did: did.to_string(),
                reason: format!("document id is {}", doc.id),
            });
        }
        Ok(doc)
    }

    async fn resolve_did_web(&self, did: &Did) -> Result<DidDocument, RegistryError> {
        let url = did_web_url(did)?;
        let failed = |reason: String| RegistryError::DidResolution {
            did: did.to_string(),
            reason,
        };
        let request = Request::builder()
            .uri(&url)
            .header(ACCEPT, "application/did+ld+json,application/json")
            .body(Vec::new())
            .map_err(|e| failed(e.to_string()))?;
        let response = self
            .http
            .send_http(request)
            .await
            .map_err(|e| failed(format!("{url}: {e}")))?;
        match response.status() {
            s if s.is_success() => parse_did_doc(did, response.body()),
            StatusCode::NOT_FOUND | StatusCode::GONE => Err(RegistryError::UnknownDid {
                did: did.to_string(),
            }),
            s => Err(failed(format!("{url} answered {s}"))),
        }
    }
}

/// Maps an atrium PLC resolution error: 404 and 410 (tombstoned) mean the DID is unknown.
fn plc_error(did: &Did, err: atrium_identity::Error) -> RegistryError {
    match err {
        atrium_identity::Error::HttpStatus(StatusCode::NOT_FOUND | StatusCode::GONE) => {
            RegistryError::UnknownDid {
                did: did.to_string(),
            }
        }
        e => RegistryError::DidResolution {
            did: did.to_string(),
            reason: e.to_string(),
        },
    }
}

/// Parses a DID document (W3C DID Core JSON). Only `id` and `service` matter to us; any
/// verification method form is accepted (`Multikey` as served by plc.directory, or the legacy
/// `EcdsaSecp256k1VerificationKey2019` of `@did-plc/server@0.0.1`). Errors:
/// [`RegistryError::DidResolution`] when the body is not a DID document.
pub(crate) fn parse_did_doc(did: &Did, body: &[u8]) -> Result<DidDocument, RegistryError> {
    serde_json::from_slice(body).map_err(|e| RegistryError::DidResolution {
        did: did.to_string(),
        reason: format!("invalid DID document: {e}"),
    })
}

/// The `#atproto_pds` endpoint of a DID document without a trailing slash. Errors:
/// [`RegistryError::NoPds`] when absent or not an http(s) URL.
pub(crate) fn pds_endpoint(did: &Did, doc: &DidDocument) -> Result<String, RegistryError> {
    doc.get_pds_endpoint()
        .map(|e| e.trim_end_matches('/').to_owned())
        .ok_or_else(|| RegistryError::NoPds {
            did: did.to_string(),
        })
}

/// The document URL of a did:web (W3C did:web method, as restricted by AT Proto to bare
/// hostnames with an optional percent-encoded port): `did:web:example.com%3A8080` →
/// `https://example.com:8080/.well-known/did.json`, with `http://` for loopback hosts
/// (`localhost`, `127.0.0.1`, `[::1]`). Errors: [`RegistryError::DidResolution`] for path-based
/// did:web (extra `:` segments) or bad percent-encoding.
pub(crate) fn did_web_url(did: &Did) -> Result<String, RegistryError> {
    let bad = |reason: &str| RegistryError::DidResolution {
        did: did.to_string(),
        reason: reason.to_owned(),
    };
    let id = did
        .as_str()
        .strip_prefix("did:web:")
        .ok_or_else(|| bad("not a did:web"))?;
    if id.contains(':') {
        return Err(bad("did:web with a path is not supported by AT Proto"));
    }
    let authority = percent_encoding::percent_decode_str(id)
        .decode_utf8()
        .map_err(|_| bad("invalid percent-encoding"))?;
    let host = match authority.strip_prefix('[') {
        Some(rest) => rest.split_once(']').map(|(h, _)| h).unwrap_or(rest),
        None => authority.split(':').next().unwrap_or_default(),
    };
    let scheme = if matches!(host, "localhost" | "127.0.0.1" | "::1") {
        "http"
    } else {
        "https"
    };
    Ok(format!("{scheme}://{authority}/.well-known/did.json"))
}

#[cfg(test)]
mod tests;
