//! Errors of the typed host calls in [`crate::host`].

/// Why a `host-v1` call gave no result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    /// The host answered `{"ok":false,"error":…}`; the message is passed through verbatim, e.g.
    /// `forbidden: at://did:plc:x/app.bsky.feed.post/1 is not in allowedHosts`.
    #[error("{0}")]
    Host(String),
    /// The host's response was not the documented JSON shape (design.md §1.2).
    #[error("malformed host response: {0}")]
    MalformedResponse(String),
    /// Host imports exist only inside wasm (`target_arch = "wasm32"`).
    #[error("host imports are only available inside wasm")]
    Unavailable,
}
