//! Error types of the registry: at-uri syntax ([`AtUriError`]), `at.functions.metadata`
//! validation ([`LexiconError`]), resolution and fetching ([`RegistryError`]) and the embedded
//! registry's storage ([`EmbeddedError`]). Display strings are precise and safe to show to
//! clients: the server copies them into XRPC error messages.

/// Why a string is not a valid `at://` URI (AT Protocol spec, "AT URI Scheme", restricted
/// syntax: `at://<did-or-handle>[/<nsid>[/<rkey>]]`, no query, no fragment).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AtUriError {
    /// The string does not start with `at://`.
    #[error("not an at:// URI: {uri:?}")]
    NotAtUri {
        /// The input.
        uri: String,
    },
    /// The URI is longer than 8 KiB (spec limit).
    #[error("at-uri is longer than 8192 bytes")]
    TooLong,
    /// The authority is neither a DID nor a handle.
    #[error("invalid authority in {uri}: {authority:?} is neither a DID nor a handle")]
    BadAuthority {
        /// The input.
        uri: String,
        /// The authority part.
        authority: String,
    },
    /// The collection segment is not a valid NSID.
    #[error("invalid collection NSID in {uri}: {nsid:?}")]
    BadCollection {
        /// The input.
        uri: String,
        /// The collection segment.
        nsid: String,
    },
    /// The record key segment is not a valid record key.
    #[error("invalid record key in {uri}: {rkey:?}")]
    BadRecordKey {
        /// The input.
        uri: String,
        /// The rkey segment.
        rkey: String,
    },
    /// More than three path segments, or an empty segment (such as a trailing `/`).
    #[error("unexpected path segments in {uri}: expected at://<authority>[/<collection>[/<rkey>]]")]
    ExtraSegments {
        /// The input.
        uri: String,
    },
    /// The URI has a `?query` or `#fragment`, which record references may not carry.
    #[error("query or fragment not allowed in {uri}")]
    QueryOrFragment {
        /// The input.
        uri: String,
    },
}

/// Why a record value violates the `at.functions.metadata` lexicon
/// (`lexicons/at.functions.metadata.json`). `field` is the record's JSON property name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LexiconError {
    /// The record value is not a JSON object.
    #[error("record must be a JSON object")]
    NotObject,
    /// A required property is absent.
    #[error("missing required field {field}")]
    Missing {
        /// The property.
        field: &'static str,
    },
    /// A property has the wrong JSON type.
    #[error("{field} must be {expected}")]
    WrongType {
        /// The property.
        field: &'static str,
        /// What the lexicon expects, e.g. "a string".
        expected: &'static str,
    },
    /// A string is longer than its `maxLength`, counted in UTF-8 bytes (Lexicon spec, string).
    #[error("{field} must be at most {max} bytes, got {len}")]
    TooLong {
        /// The property.
        field: &'static str,
        /// `maxLength` from the lexicon.
        max: usize,
        /// Actual length in UTF-8 bytes.
        len: usize,
    },
    /// A string differs from its `const` value.
    #[error("{field} must be {expected:?}, got {got:?}")]
    NotConst {
        /// The property.
        field: &'static str,
        /// The `const` value.
        expected: &'static str,
        /// What the record holds.
        got: String,
    },
    /// An integer is below its `minimum`.
    #[error("{field} must be at least {min}")]
    TooSmall {
        /// The property.
        field: &'static str,
        /// `minimum` from the lexicon.
        min: i64,
    },
    /// An integer is above its `maximum`.
    #[error("{field} must be at most {max}")]
    TooLarge {
        /// The property.
        field: &'static str,
        /// `maximum` from the lexicon.
        max: i64,
    },
    /// A blob property is not `{"$type":"blob","ref":{"$link":<CID>},"mimeType","size"}`.
    #[error("{field} is not a valid blob reference: {reason}")]
    BadBlob {
        /// The property.
        field: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// A blob's `mimeType` is not in the lexicon's `accept` list.
    #[error("{field} must have mimeType application/wasm, got {got:?}")]
    BlobNotAccepted {
        /// The property.
        field: &'static str,
        /// The blob's declared MIME type.
        got: String,
    },
    /// `inputSchema` or `outputSchema` does not compile as a JSON Schema.
    #[error("{field} is not a valid JSON Schema: {reason}")]
    BadSchema {
        /// The property.
        field: &'static str,
        /// The compiler's message.
        reason: String,
    },
}

/// Why a JSON value has no DAG-CBOR form in the AT Proto data model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DataModelError {
    /// Floats are not part of the AT Proto data model.
    #[error("floating-point numbers are not allowed in records")]
    Float,
    /// `{"$link": …}` does not hold a parsable CID.
    #[error("invalid $link CID {0:?}")]
    Link(String),
    /// `{"$bytes": …}` does not hold base64.
    #[error("invalid $bytes base64")]
    Bytes,
}

/// Errors of [`crate::Registry`]: resolution, fetching and verification. `Clone`, because a
/// failed fetch is shared by every caller that waited on it.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// The configuration cannot be used (for example an unparsable PLC URL).
    #[error("invalid registry configuration: {0}")]
    Config(String),
    /// An at-uri did not parse.
    #[error("invalid at-uri: {0}")]
    AtUri(#[from] AtUriError),
    /// The at-uri lacks a collection or record key where a record is required.
    #[error("at-uri must name a record (at://<authority>/<collection>/<rkey>): {uri}")]
    NotARecordUri {
        /// The at-uri.
        uri: String,
    },
    /// The string is neither a DID nor a handle.
    #[error("invalid DID or handle: {authority:?}")]
    BadAuthority {
        /// The input.
        authority: String,
    },
    /// Neither DNS TXT `_atproto.<handle>` nor `https://<handle>/.well-known/atproto-did` gave a DID.
    #[error("could not resolve handle {handle}")]
    HandleNotFound {
        /// The handle.
        handle: String,
    },
    /// The DID method is neither `plc` nor `web`.
    #[error("unsupported DID method: {did}")]
    UnsupportedDidMethod {
        /// The DID.
        did: String,
    },
    /// The PLC directory or did:web host has no document for this DID.
    #[error("unknown DID {did}")]
    UnknownDid {
        /// The DID.
        did: String,
    },
    /// The DID document could not be fetched or parsed.
    #[error("could not resolve DID {did}: {reason}")]
    DidResolution {
        /// The DID.
        did: String,
        /// The cause.
        reason: String,
    },
    /// The DID document has no `#atproto_pds` service of type `AtprotoPersonalDataServer`.
    #[error("DID {did} has no #atproto_pds service endpoint")]
    NoPds {
        /// The DID.
        did: String,
    },
    /// `com.atproto.repo.getRecord` answered `RecordNotFound`.
    #[error("record not found: {uri}")]
    RecordNotFound {
        /// The at-uri.
        uri: String,
    },
    /// The PDS does not host this repo (`RepoNotFound`).
    #[error("repo not found: {repo}")]
    RepoNotFound {
        /// The DID or handle.
        repo: String,
    },
    /// The record's returned CID does not match the DAG-CBOR encoding of its value.
    #[error("record does not match CID {cid}: {uri}")]
    RecordMismatch {
        /// The at-uri.
        uri: String,
        /// The CID the PDS claimed.
        cid: String,
    },
    /// The at-uri's collection is not the one required.
    #[error("wrong collection: expected {expected}, got {got}")]
    WrongCollection {
        /// The required NSID.
        expected: &'static str,
        /// The URI's collection.
        got: String,
    },
    /// The record violates the `at.functions.metadata` lexicon.
    #[error("invalid function record {uri}: {source}")]
    InvalidRecord {
        /// The at-uri.
        uri: String,
        /// The violated constraint.
        source: LexiconError,
    },
    /// `com.atproto.sync.getBlob` answered "Blob not found" (or 404).
    #[error("blob not found: {cid}")]
    BlobNotFound {
        /// The blob CID.
        cid: String,
    },
    /// The blob's sha2-256 differs from the digest in its CID.
    #[error("blob does not match CID {cid}")]
    BlobMismatch {
        /// The blob CID.
        cid: String,
    },
    /// The blob is larger than `RegistryConfig::max_blob_bytes`.
    #[error("blob {cid} is larger than {limit} bytes")]
    BlobTooLarge {
        /// The blob CID.
        cid: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// The string is not a CID this registry accepts (blobs: CIDv1, raw 0x55, sha2-256).
    #[error("invalid blob CID {cid}: {reason}")]
    InvalidCid {
        /// The input.
        cid: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The PDS answered an XRPC error not covered above.
    #[error("PDS error on {nsid} ({status}): {error}{}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Pds {
        /// The XRPC method.
        nsid: &'static str,
        /// HTTP status code.
        status: u16,
        /// The XRPC error name, or "unknown".
        error: String,
        /// The XRPC error message, if any.
        message: Option<String>,
    },
    /// The network request failed (connection, timeout, TLS).
    #[error("request to {url} failed: {reason}")]
    Http {
        /// The URL or XRPC base.
        url: String,
        /// The cause.
        reason: String,
    },
    /// The PDS answered with a body that does not have the lexicon's shape.
    #[error("invalid response from {nsid}: {reason}")]
    InvalidResponse {
        /// The XRPC method.
        nsid: &'static str,
        /// What is wrong.
        reason: String,
    },
}

impl RegistryError {
    /// True when the caller's input is malformed, independent of any network state: a bad
    /// at-uri, DID, handle or blob CID, an at-uri without a record, or the wrong collection.
    /// An XRPC server answers these with 400 `InvalidRequest`.
    pub fn is_client_error(&self) -> bool {
        matches!(
            self,
            Self::AtUri(_)
                | Self::NotARecordUri { .. }
                | Self::BadAuthority { .. }
                | Self::WrongCollection { .. }
                | Self::InvalidCid { .. }
                | Self::UnsupportedDidMethod { .. }
        )
    }

    /// True when something the caller named does not exist: handle, DID, PDS service, repo,
    /// record or blob.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            Self::HandleNotFound { .. }
                | Self::UnknownDid { .. }
                | Self::NoPds { .. }
                | Self::RepoNotFound { .. }
                | Self::RecordNotFound { .. }
                | Self::BlobNotFound { .. }
        )
    }
}

/// Errors of the embedded registry ([`crate::embedded::EmbeddedRegistry`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmbeddedError {
    /// `public_url` is not `http(s)://host[:port]` without a path.
    #[error("invalid public URL {url:?}: {reason}")]
    PublicUrl {
        /// The input.
        url: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The handle is not a valid AT Proto handle.
    #[error("invalid handle {handle:?}")]
    BadHandle {
        /// The input.
        handle: String,
    },
    /// SQLite failed.
    #[error("embedded registry database: {0}")]
    Database(#[from] sqlx::Error),
    /// Schema migration failed.
    #[error("embedded registry migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}
