//! Snapshots: the complete state of a suspended store as versioned little-endian bytes
//! (format in `docs/snapshot-format.md`), and restoring them into a fresh store.

mod format;

pub use format::SnapshotError;
