//! The snapshot envelope: the fixed header (magic, versions, module hash, kind, base id,
//! page-data length), the trailing XXH3-128 checksum that doubles as the snapshot's id, and
//! [`inspect`], which checks both without restoring. Layout in `docs/snapshot-format.md`.

use twox_hash::XxHash3_128;

use super::format::{CODE_VERSION, FORMAT_VERSION, MAGIC, Reader, SnapshotError, hex, invalid};

/// Bytes of the fixed header: magic, format and code version, module hash, kind, base id,
/// page-data length.
pub(crate) const HEADER: usize = 8 + 4 + 4 + 32 + 1 + 16 + 8;
/// Bytes of the trailing checksum.
const CHECKSUM: usize = 16;

/// Whether a snapshot holds all memory pages or only those changed since its base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SnapshotKind {
    /// Every memory page (all-zero pages as one byte each); restorable on its own.
    Full,
    /// Only pages changed since the base snapshot; restorable on top of that base with
    /// [`crate::Store::restore_incremental`].
    Incremental,
}

impl std::fmt::Display for SnapshotKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Full => "full",
            Self::Incremental => "incremental",
        })
    }
}

/// A snapshot's identity: the XXH3-128 checksum over its header and state (little-endian
/// bytes). The state holds the hash of every page written and an increment holds its
/// base's id, so the id covers the complete memory contents the snapshot restores to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SnapshotId(pub [u8; 16]);

impl SnapshotId {
    pub(crate) fn from_u128(v: u128) -> Self {
        Self(v.to_le_bytes())
    }
}

impl std::fmt::Display for SnapshotId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex(&self.0))
    }
}

/// What [`inspect`] reports about a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SnapshotInfo {
    /// This snapshot's id (its checksum).
    pub id: SnapshotId,
    /// Full or incremental.
    pub kind: SnapshotKind,
    /// For an increment, the id of the snapshot it must be applied on top of.
    pub base: Option<SnapshotId>,
    /// BLAKE3 hash of the module bytes the snapshot was taken from (`Module::hash`).
    pub module_hash: [u8; 32],
    /// Total bytes of encoded page data (raw and LZ4 pages).
    pub page_bytes: u64,
}

/// A checked snapshot split into its parts.
pub(crate) struct Envelope<'a> {
    pub info: SnapshotInfo,
    /// Encoded page data, read in the order of the state's page tables.
    pub pages: &'a [u8],
    /// The state section (memories' page tables, tables, globals, ..., fuel).
    pub state: &'a [u8],
}

/// Checks magic, format version, length, checksum and code version of `bytes` and reports
/// its id, kind, base and module hash, without restoring anything.
///
/// Errors: [`SnapshotError::BadMagic`], [`SnapshotError::Version`] (also for format-1
/// snapshots), [`SnapshotError::Truncated`], [`SnapshotError::Checksum`], and
/// [`SnapshotError::Invalid`] for an unknown kind byte or a full snapshot naming a base.
pub fn inspect(bytes: &[u8]) -> Result<SnapshotInfo, SnapshotError> {
    open(bytes).map(|e| e.info)
}

/// [`inspect`], also returning the page data and the state section.
pub(crate) fn open(bytes: &[u8]) -> Result<Envelope<'_>, SnapshotError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(SnapshotError::BadMagic);
    }
    let mut r = Reader::new(&bytes[MAGIC.len()..]);
    // The format version decides the layout, so it is checked before the checksum.
    check_version(&mut r, "format", FORMAT_VERSION)?;
    if bytes.len() < HEADER + CHECKSUM {
        return Err(SnapshotError::Truncated("header"));
    }
    let (header, rest) = bytes.split_at(HEADER);
    let page_bytes = u64::from_le_bytes(header[HEADER - 8..].try_into().expect("8 bytes"));
    let body = rest.len() - CHECKSUM;
    if page_bytes > body as u64 {
        return Err(SnapshotError::Truncated("page data"));
    }
    let (pages, state) = rest[..body].split_at(page_bytes as usize);
    let sum = u128::from_le_bytes(rest[body..].try_into().expect("16 bytes"));
    if checksum(header, state) != sum {
        return Err(SnapshotError::Checksum);
    }
    check_version(&mut r, "code", CODE_VERSION)?;
    let module_hash: [u8; 32] = r.take(32, "header")?.try_into().expect("32 bytes");
    let kind = r.u8("header")?;
    let base = SnapshotId::from_u128(r.u128("header")?);
    let (kind, base) = match kind {
        0 if base.0 == [0; 16] => (SnapshotKind::Full, None),
        1 => (SnapshotKind::Incremental, Some(base)),
        0 => return Err(invalid("base id of a full snapshot", 0)),
        _ => return Err(invalid("snapshot kind", kind)),
    };
    let info = SnapshotInfo {
        id: SnapshotId::from_u128(sum),
        kind,
        base,
        module_hash,
        page_bytes,
    };
    Ok(Envelope { info, pages, state })
}

fn check_version(
    r: &mut Reader<'_>,
    what: &'static str,
    expected: u32,
) -> Result<(), SnapshotError> {
    let found = r.u32("header")?;
    if found != expected {
        return Err(SnapshotError::Version {
            what,
            found,
            expected,
        });
    }
    Ok(())
}

/// XXH3-128 of the header followed by the state section.
fn checksum(header: &[u8], state: &[u8]) -> u128 {
    let mut h = XxHash3_128::new();
    h.write(header);
    h.write(state);
    h.finish_128()
}

/// Appends the header to the empty `out`; the page-data length is filled in by [`seal`].
pub(crate) fn begin(out: &mut Vec<u8>, module_hash: &[u8; 32], base: Option<SnapshotId>) {
    debug_assert!(out.is_empty());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&CODE_VERSION.to_le_bytes());
    out.extend_from_slice(module_hash);
    out.push(u8::from(base.is_some()));
    out.extend_from_slice(&base.map_or([0; 16], |b| b.0));
    out.extend_from_slice(&0u64.to_le_bytes());
}

/// Completes a snapshot whose state section starts at `state_start`: records the page-data
/// length, appends the checksum and returns it as the snapshot's id.
pub(crate) fn seal(out: &mut Vec<u8>, state_start: usize) -> SnapshotId {
    let page_bytes = (state_start - HEADER) as u64;
    out[HEADER - 8..HEADER].copy_from_slice(&page_bytes.to_le_bytes());
    let sum = checksum(&out[..HEADER], &out[state_start..]);
    out.extend_from_slice(&sum.to_le_bytes());
    SnapshotId::from_u128(sum)
}
