//! Snapshots: the complete state of an idle or suspended store as versioned little-endian
//! bytes (layout in `docs/snapshot-format.md`), and restoring them into a fresh store.
//!
//! Memory is encoded per 64 KiB page (zero pages elided, others raw or LZ4, each with its
//! XXH3-128 hash). An incremental snapshot holds only the pages whose hash changed since
//! the store's previous snapshot, plus all other state, and is restored on top of its base
//! ([`crate::Store::restore_incremental`]). Restore re-instantiates the same module with
//! the same linker (which reproduces every store address deterministically), then replaces
//! all mutable state with the snapshot's after checking each part: versions, module hash,
//! checksums, object counts and limits, reference cells, and that every frame's stack
//! height matches its resume point in the translated code.

mod envelope;
mod format;
mod pages;
mod read;
#[cfg(test)]
mod tests;
mod write;

pub use envelope::{SnapshotId, SnapshotInfo, SnapshotKind, inspect};
pub use format::{CODE_VERSION, FORMAT_VERSION, SnapshotError};
pub use pages::Compression;
pub(crate) use pages::SnapshotBase;
pub use write::SnapshotOptions;
