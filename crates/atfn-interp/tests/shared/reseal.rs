//! Resealing forged snapshots, shared by the snapshot tests (`tests/snapshot.rs`,
//! `tests/incremental.rs`) and the `restore` fuzz target (`fuzz/fuzz_targets/restore.rs`),
//! which both include this file with `#[path]` (see `docs/decisions/interp.md`, "Test
//! code shared with the fuzz targets"). It follows `docs/snapshot-format.md` on its own
//! rather than calling the engine's checksum code, so it also checks that the format
//! document and the engine agree.

/// Bytes of the format 2 header (magic through page-data length), whose last 8 bytes are
/// the page-data length.
pub const HEADER: usize = 73;

/// Recomputes the trailing checksum (XXH3-128 of header and state; page data excluded,
/// it carries its own page hashes) of a forged snapshot. Returns the bytes unchanged if
/// they are shorter than header and checksum or the forged page-data length runs past
/// the end.
pub fn reseal(mut bytes: Vec<u8>) -> Vec<u8> {
    let Some(n) = bytes.len().checked_sub(16).filter(|n| *n >= HEADER) else {
        return bytes;
    };
    let page_bytes = u64::from_le_bytes(bytes[HEADER - 8..HEADER].try_into().unwrap());
    let Some(page_bytes) = usize::try_from(page_bytes)
        .ok()
        .filter(|p| *p <= n - HEADER)
    else {
        return bytes;
    };
    let mut h = twox_hash::XxHash3_128::new();
    h.write(&bytes[..HEADER]);
    h.write(&bytes[HEADER + page_bytes..n]);
    bytes[n..].copy_from_slice(&h.finish_128().to_le_bytes());
    bytes
}
