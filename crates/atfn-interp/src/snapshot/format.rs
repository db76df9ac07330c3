//! Snapshot format constants and errors (see `docs/snapshot-format.md`).

/// Why restoring a snapshot failed. Restoring never panics on bad input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The input ended inside the named section.
    #[error("snapshot truncated in {0}")]
    Truncated(&'static str),
}
