//! Snapshots: the complete state of an idle or suspended store as versioned little-endian
//! bytes (layout in `docs/snapshot-format.md`), and restoring them into a fresh store.
//!
//! Restore re-instantiates the same module with the same linker (which reproduces every
//! store address deterministically), then replaces all mutable state with the snapshot's
//! after checking each part: versions, module hash, checksum, object counts and limits,
//! reference cells, and that every frame's stack height matches its resume point in the
//! translated code.

mod format;
mod read;
mod write;

pub use format::{CODE_VERSION, FORMAT_VERSION, SnapshotError};
