//! The HTTP transport shared by identity resolution and the PDS client: atrium's
//! [`atrium_xrpc::HttpClient`] implemented over our reqwest 0.13 client (rustls), with a cap on
//! the response body so a hostile server cannot make us buffer unbounded data.

use std::error::Error as StdError;

use atrium_xrpc::http::{Request, Response};

/// The response body exceeded the configured limit; returned boxed from
/// [`atrium_xrpc::HttpClient::send_http`] and recognised by [`is_body_too_large`].
#[derive(Debug, thiserror::Error)]
#[error("response body exceeds {limit} bytes")]
pub(crate) struct BodyTooLarge {
    limit: u64,
}

/// True if a transport error is [`BodyTooLarge`].
pub(crate) fn is_body_too_large(err: &(dyn StdError + Send + Sync + 'static)) -> bool {
    err.downcast_ref::<BodyTooLarge>().is_some()
}

/// Largest JSON response body (DID documents, records, record listings), in bytes: 8 MiB.
/// Blobs have their own limit, `RegistryConfig::max_blob_bytes`.
pub(crate) const MAX_JSON_BYTES: u64 = 8 * 1024 * 1024;

/// The reqwest client.
#[derive(Debug, Clone)]
pub(crate) struct HttpClient {
    client: reqwest::Client,
}

impl HttpClient {
    /// A client with the given per-request timeout.
    pub(crate) fn new(timeout: std::time::Duration) -> reqwest::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("atfn-registry/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { client })
    }

    /// Sends `request` and reads the whole response body, failing with [`BodyTooLarge`] past
    /// `max_body` bytes (checked against `Content-Length` first, then while reading).
    pub(crate) async fn fetch(
        &self,
        request: Request<Vec<u8>>,
        max_body: u64,
    ) -> Result<Response<Vec<u8>>, Box<dyn StdError + Send + Sync + 'static>> {
        let mut response = self
            .client
            .execute(reqwest::Request::try_from(request)?)
            .await?;
        let too_large = || Box::new(BodyTooLarge { limit: max_body });
        if response.content_length().is_some_and(|len| len > max_body) {
            return Err(too_large());
        }
        let mut builder = Response::builder().status(response.status());
        for (name, value) in response.headers() {
            builder = builder.header(name, value);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            if (body.len() + chunk.len()) as u64 > max_body {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(builder.body(body)?)
    }
}

impl atrium_xrpc::HttpClient for HttpClient {
    /// [`HttpClient::fetch`] with [`MAX_JSON_BYTES`]: atrium uses this for JSON calls.
    async fn send_http(
        &self,
        request: Request<Vec<u8>>,
    ) -> Result<Response<Vec<u8>>, Box<dyn StdError + Send + Sync + 'static>> {
        self.fetch(request, MAX_JSON_BYTES).await
    }
}
