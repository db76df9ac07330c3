//! Snapshot format constants, the byte cursor used to read them, and errors. The format
//! itself is specified in `docs/snapshot-format.md`.

/// First eight bytes of every snapshot.
pub(crate) const MAGIC: &[u8; 8] = b"ATFNSNAP";
/// Version of the byte layout. Version 2 (per-page memory encoding, incremental
/// snapshots, XXH3-128 checksum) replaced version 1, which is refused.
pub const FORMAT_VERSION: u32 = 2;
/// Version of the internal code (`pc` values index it); bumped whenever translation changes
/// what a `pc` means (2: register-style code with frame constants).
pub const CODE_VERSION: u32 = 2;

/// Why taking or restoring a snapshot failed. Restoring never panics on bad input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The input does not start with `ATFNSNAP`.
    #[error("not a snapshot (bad magic)")]
    BadMagic,
    /// The snapshot's format or code version is not the one this engine writes.
    #[error("unsupported snapshot {what} version {found}, expected {expected}")]
    Version {
        /// `format` or `code`.
        what: &'static str,
        /// Version in the snapshot.
        found: u32,
        /// Version this engine supports.
        expected: u32,
    },
    /// The snapshot was taken from a module with another content hash.
    #[error("snapshot is for module {found}, not {expected}")]
    ModuleMismatch {
        /// Hex BLAKE3 hash of the module given to restore.
        expected: String,
        /// Hex BLAKE3 hash recorded in the snapshot.
        found: String,
    },
    /// The checksum over the snapshot's header and state does not match (corruption).
    #[error("snapshot checksum mismatch")]
    Checksum,
    /// A memory page decoded to contents whose XXH3-128 hash differs from the hash the
    /// snapshot records for it (corrupted page data).
    #[error("snapshot page {page} of memory {memory} does not match its checksum")]
    PageChecksum {
        /// Store index of the memory.
        memory: u32,
        /// Page index (64 KiB pages) within that memory.
        page: u32,
    },
    /// A full snapshot was given where an increment was expected, or the reverse.
    #[error("expected a {expected} snapshot, found a {found} one")]
    WrongKind {
        /// Kind the caller's position requires.
        expected: super::SnapshotKind,
        /// Kind recorded in the snapshot.
        found: super::SnapshotKind,
    },
    /// An incremental snapshot was applied on top of a snapshot other than its base.
    #[error("increment is based on snapshot {found}, not on {expected}")]
    BaseMismatch {
        /// Hex id of the snapshot it was applied to.
        expected: String,
        /// Hex id of the base recorded in the increment.
        found: String,
    },
    /// An incremental snapshot was requested but this store has no base: no snapshot was
    /// taken from or restored into it yet.
    #[error("no base snapshot for an incremental snapshot")]
    NoBase,
    /// The input ended inside the named part.
    #[error("snapshot truncated in {0}")]
    Truncated(&'static str),
    /// Bytes follow the checksum.
    #[error("trailing bytes after snapshot")]
    TrailingBytes,
    /// A value is out of range or inconsistent with the module or the code.
    #[error("invalid snapshot: {what} (at index {index})")]
    Invalid {
        /// Which field is wrong.
        what: &'static str,
        /// Index of the offending item (frame, memory, table, ...).
        index: u64,
    },
    /// The store cannot be snapshotted now.
    #[error("cannot snapshot: {0}")]
    NotSnapshottable(&'static str),
}

/// Shorthand for [`SnapshotError::Invalid`].
pub(crate) fn invalid(what: &'static str, index: impl TryInto<u64>) -> SnapshotError {
    SnapshotError::Invalid {
        what,
        index: index.try_into().unwrap_or(u64::MAX),
    }
}

/// Little-endian reader over snapshot bytes; every read names the part it reads so
/// truncation errors say where.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    pub fn take(&mut self, n: usize, part: &'static str) -> Result<&'a [u8], SnapshotError> {
        if n > self.bytes.len() {
            return Err(SnapshotError::Truncated(part));
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    pub fn u8(&mut self, part: &'static str) -> Result<u8, SnapshotError> {
        Ok(self.take(1, part)?[0])
    }

    pub fn u32(&mut self, part: &'static str) -> Result<u32, SnapshotError> {
        let mut b = [0; 4];
        b.copy_from_slice(self.take(4, part)?);
        Ok(u32::from_le_bytes(b))
    }

    pub fn u64(&mut self, part: &'static str) -> Result<u64, SnapshotError> {
        let mut b = [0; 8];
        b.copy_from_slice(self.take(8, part)?);
        Ok(u64::from_le_bytes(b))
    }

    /// A 16-byte little-endian XXH3-128 hash.
    pub fn u128(&mut self, part: &'static str) -> Result<u128, SnapshotError> {
        let mut b = [0; 16];
        b.copy_from_slice(self.take(16, part)?);
        Ok(u128::from_le_bytes(b))
    }

    /// A `u32` count of items at least `item_size` bytes each, checked against the
    /// remaining input so forged counts cannot cause huge allocations.
    pub fn count(&mut self, item_size: usize, part: &'static str) -> Result<usize, SnapshotError> {
        let n = self.u32(part)? as usize;
        if n.saturating_mul(item_size) > self.bytes.len() {
            return Err(SnapshotError::Truncated(part));
        }
        Ok(n)
    }

    /// Fails with [`SnapshotError::Truncated`] unless at least `n` bytes remain.
    pub fn ensure(&self, n: usize, part: &'static str) -> Result<(), SnapshotError> {
        if n > self.bytes.len() {
            return Err(SnapshotError::Truncated(part));
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// Hex rendering of a hash for error messages.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
