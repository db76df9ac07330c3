//! Settings of the [`crate::Registry`] client: where did:plc documents come from, how long
//! records and DID documents are cached, network timeouts and size limits.

use std::time::Duration;

/// Longest accepted cache TTL: 365 days.
pub const MAX_TTL: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// Configuration of a [`crate::Registry`]. Build with `RegistryConfig::default()` and override
/// fields as needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryConfig {
    /// Base URL of the PLC directory that serves did:plc documents at `{plc_url}/{did}`.
    /// Default `https://plc.directory`. A local `@did-plc/server` on loopback works too.
    pub plc_url: String,
    /// Resolve handles with `com.atproto.identity.resolveHandle` on this XRPC service (for
    /// example a local PDS or the embedded registry, whose `*.test` handles have no DNS)
    /// instead of DNS TXT and `https://<handle>/.well-known/atproto-did`. Default `None`.
    pub handle_resolver: Option<String>,
    /// How long a fetched record stays cached, by at-uri. Default 5 s. Zero disables caching;
    /// at most [`MAX_TTL`].
    pub record_ttl: Duration,
    /// How long a resolved handle → DID and DID → PDS endpoint stay cached. Default 60 s; at
    /// most [`MAX_TTL`].
    pub identity_ttl: Duration,
    /// Timeout of each HTTP request (connect to end of body) and of each DNS TXT query.
    /// Default 10 s.
    pub http_timeout: Duration,
    /// Largest blob accepted from `com.atproto.sync.getBlob`, in bytes. Default 16 MiB. A larger
    /// blob fails with [`crate::RegistryError::BlobTooLarge`]. (JSON responses are bounded
    /// separately, at 8 MiB.)
    pub max_blob_bytes: u64,
    /// Total size of verified blobs kept in memory, by CID, in bytes. Default 256 MiB.
    /// Zero disables the blob cache.
    pub blob_cache_bytes: u64,
    /// Largest number of records kept in the record cache. Default 10,000.
    pub record_cache_entries: u64,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        Self {
            plc_url: "https://plc.directory".to_owned(),
            handle_resolver: None,
            record_ttl: Duration::from_secs(5),
            identity_ttl: Duration::from_secs(60),
            http_timeout: Duration::from_secs(10),
            max_blob_bytes: 16 * 1024 * 1024,
            blob_cache_bytes: 256 * 1024 * 1024,
            record_cache_entries: 10_000,
        }
    }
}
