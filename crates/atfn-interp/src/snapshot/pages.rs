//! Memory pages in snapshots: each 64 KiB page is encoded on its own as zero, unchanged
//! (increments only), raw or LZ4, with the XXH3-128 hash of its contents. The same hashes,
//! kept in the store as [`SnapshotBase`], tell an incremental snapshot which pages changed
//! since the previous snapshot without any write barrier in the executor.

use std::sync::OnceLock;

use twox_hash::XxHash3_128;

use super::format::{Reader, SnapshotError, invalid};
use crate::store::PAGE;

/// Page-table tag: the page is all zeros; no hash, no data.
const ZERO: u8 = 0;
/// Page-table tag: hash, then 65,536 bytes of page data.
const RAW: u8 = 1;
/// Page-table tag: hash and `u32` length, then that many bytes of LZ4 block data.
const LZ4: u8 = 2;
/// Page-table tag (increments only): the page equals the base snapshot's page.
const SAME: u8 = 3;

/// Bytes sampled by [`Compression::Adaptive`]: four 512-byte slices spread over the page.
const SAMPLE_SLICE: usize = 512;
/// [`Compression::Adaptive`] compresses a page only if its sample shrinks to at most this
/// fraction (1/4): such pages consist of long matches, which LZ4 encodes and decodes
/// faster than a plain copy of the page would take to write.
const SAMPLE_DIVISOR: usize = 4;

/// How snapshot pages are encoded. All-zero pages always take one byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Compression {
    /// Every non-zero page is stored raw (65,536 bytes): fastest to write and read.
    None,
    /// A page is LZ4-compressed only if a 2 KiB sample of it compresses to at most 1/4,
    /// and kept compressed only if that saves at least 1/4 of the page; other pages are
    /// raw. Near the speed of [`Compression::None`], small for sparse memory.
    #[default]
    Adaptive,
    /// Every non-zero page is LZ4-compressed and kept so if smaller than raw: smallest
    /// output, several times slower on memory with short repetitions.
    Always,
}

/// Page hashes of the last snapshot taken from or restored into a store: the base of the
/// next incremental snapshot.
#[derive(Debug, Clone)]
pub(crate) struct SnapshotBase {
    /// Id of that snapshot.
    pub id: super::SnapshotId,
    /// Per store memory, the XXH3-128 hash of each page's contents.
    pub pages: Vec<Vec<u128>>,
}

/// XXH3-128 of a page of zeros.
fn zero_hash() -> u128 {
    static HASH: OnceLock<u128> = OnceLock::new();
    *HASH.get_or_init(|| XxHash3_128::oneshot(&[0; PAGE]))
}

fn is_zero(page: &[u8]) -> bool {
    // OR-folding fixed-size chunks vectorises; `iter().all` would test byte by byte.
    page.chunks_exact(512)
        .all(|c| c.iter().fold(0, |a, b| a | b) == 0)
}

/// Reusable buffers for one snapshot's page encoding.
pub(crate) struct PageWriter {
    compression: Compression,
    scratch: Vec<u8>,
}

impl PageWriter {
    pub fn new(compression: Compression) -> Self {
        Self {
            compression,
            scratch: vec![0; lz4_flex::block::get_maximum_output_size(PAGE)],
        }
    }

    /// Encodes memory contents `data` (whole pages): page-table entries go to `table`,
    /// page data to `out`. Pages whose hash equals `base`'s entry are written as unchanged
    /// (only when `base` is given, i.e. for an increment). Returns every page's hash.
    pub fn write(
        &mut self,
        data: &[u8],
        base: Option<&[u128]>,
        table: &mut Vec<u8>,
        out: &mut Vec<u8>,
    ) -> Vec<u128> {
        let mut hashes = Vec::with_capacity(data.len() / PAGE);
        for (i, page) in data.chunks_exact(PAGE).enumerate() {
            let zero = is_zero(page);
            let hash = if zero {
                zero_hash()
            } else {
                XxHash3_128::oneshot(page)
            };
            hashes.push(hash);
            if base.and_then(|b| b.get(i)) == Some(&hash) {
                table.push(SAME);
            } else if zero {
                table.push(ZERO);
            } else {
                self.page(page, hash, table, out);
            }
        }
        hashes
    }

    /// Writes one non-zero page as LZ4 if that pays under the compression mode, else raw.
    fn page(&mut self, page: &[u8], hash: u128, table: &mut Vec<u8>, out: &mut Vec<u8>) {
        let keep_below = match self.compression {
            Compression::None => 0,
            Compression::Adaptive => match self.sample_compresses(page) {
                true => PAGE - PAGE / 4,
                false => 0,
            },
            Compression::Always => PAGE,
        };
        if keep_below > 0 {
            let n = lz4_flex::block::compress_into(page, &mut self.scratch)
                .expect("scratch holds the maximum LZ4 output size");
            if n < keep_below {
                table.push(LZ4);
                table.extend_from_slice(&hash.to_le_bytes());
                table.extend_from_slice(&(n as u32).to_le_bytes());
                out.extend_from_slice(&self.scratch[..n]);
                return;
            }
        }
        table.push(RAW);
        table.extend_from_slice(&hash.to_le_bytes());
        out.extend_from_slice(page);
    }

    /// Whether four 512-byte slices at 0, 16, 32 and 48 KiB compress to at most 1/4.
    fn sample_compresses(&mut self, page: &[u8]) -> bool {
        let mut sample = [0; 4 * SAMPLE_SLICE];
        for (k, slice) in sample.chunks_exact_mut(SAMPLE_SLICE).enumerate() {
            let at = k * PAGE / 4;
            slice.copy_from_slice(&page[at..at + SAMPLE_SLICE]);
        }
        let n = lz4_flex::block::compress_into(&sample, &mut self.scratch)
            .expect("scratch holds the maximum LZ4 output size");
        n <= sample.len() / SAMPLE_DIVISOR
    }
}

/// One parsed page-table entry.
#[derive(Clone, Copy)]
enum Entry {
    Zero,
    Same,
    Raw { hash: u128 },
    Lz4 { hash: u128, len: usize },
}

/// A memory's page table, parsed before any page is decoded so that restore knows how
/// many pages are zero when it allocates the memory.
pub(crate) struct PageTable {
    entries: Vec<Entry>,
    zero: usize,
}

impl PageTable {
    /// Parses `pages` entries from `table`.
    ///
    /// Errors: [`SnapshotError::Truncated`], [`SnapshotError::Invalid`] for an unknown tag
    /// or an LZ4 length of a page or more.
    pub fn parse(table: &mut Reader<'_>, pages: u32) -> Result<Self, SnapshotError> {
        let mut entries = Vec::with_capacity(pages as usize);
        for i in 0..pages {
            entries.push(match table.u8("page table")? {
                ZERO => Entry::Zero,
                SAME => Entry::Same,
                RAW => Entry::Raw {
                    hash: table.u128("page table")?,
                },
                LZ4 => {
                    let hash = table.u128("page table")?;
                    let len = table.u32("page table")? as usize;
                    if len >= PAGE {
                        return Err(invalid("LZ4 page data", i));
                    }
                    Entry::Lz4 { hash, len }
                }
                _ => return Err(invalid("page tag", i)),
            });
        }
        let zero = entries.iter().filter(|e| matches!(e, Entry::Zero)).count();
        Ok(Self { entries, zero })
    }

    /// Whether a memory restored from this table alone is better allocated zeroed
    /// (`vec![0; n]`, which the allocator can satisfy with fresh, lazily zeroed pages, so
    /// zero pages are never touched) than filled page by page from an uninitialised
    /// allocation (which writes each byte once but must write the zero pages too): true
    /// when at least a quarter of the pages are zero.
    pub fn mostly_zero(&self) -> bool {
        self.zero * 4 >= self.entries.len()
    }
}

/// Decodes the pages of `table` of store memory `memory`, with page data from `pages`,
/// into `data`: pages inside `data` are overwritten in place (unchanged pages are kept, and
/// zero pages are not written when `zeroed` says `data` holds only zeros), pages beyond
/// its end are appended, so a memory restored from empty is written exactly once. `base`
/// holds the hashes of the pages `data` held before (for an increment; unchanged pages
/// require it). Every decoded page's hash is checked. Returns every page's hash.
///
/// Errors: [`SnapshotError::Truncated`] for missing page data, [`SnapshotError::Invalid`]
/// for an unchanged page without a base page or LZ4 data not decoding to one page,
/// [`SnapshotError::PageChecksum`] for a page not matching its hash.
pub(crate) fn read(
    memory: u32,
    table: &PageTable,
    pages: &mut Reader<'_>,
    data: &mut Vec<u8>,
    zeroed: bool,
    base: Option<&[u128]>,
) -> Result<Vec<u128>, SnapshotError> {
    let mut hashes = Vec::with_capacity(table.entries.len());
    data.reserve_exact((table.entries.len() * PAGE).saturating_sub(data.len()));
    for (i, entry) in table.entries.iter().enumerate() {
        let at = i * PAGE;
        let append = at >= data.len();
        let hash = match *entry {
            Entry::Zero => {
                if append {
                    data.resize(at + PAGE, 0);
                } else if !zeroed && !is_zero(&data[at..at + PAGE]) {
                    // Reading a zero page is cheaper than writing it (and leaves
                    // untouched freshly mapped memory unallocated).
                    data[at..at + PAGE].fill(0);
                }
                zero_hash()
            }
            Entry::Same => *base
                .and_then(|b| b.get(i))
                .filter(|_| !append)
                .ok_or(invalid("unchanged page without a base page", i))?,
            Entry::Raw { hash } => {
                let src = pages.take(PAGE, "page data")?;
                match append {
                    true => data.extend_from_slice(src),
                    false => data[at..at + PAGE].copy_from_slice(src),
                }
                verify(memory, i, &data[at..at + PAGE], hash)?
            }
            Entry::Lz4 { hash, len } => {
                let src = pages.take(len, "page data")?;
                if append {
                    data.resize(at + PAGE, 0);
                }
                let page = &mut data[at..at + PAGE];
                if !matches!(lz4_flex::block::decompress_into(src, page), Ok(PAGE)) {
                    return Err(invalid("LZ4 page data", i));
                }
                verify(memory, i, page, hash)?
            }
        };
        hashes.push(hash);
    }
    Ok(hashes)
}

/// Checks a decoded page against its recorded hash; returns the hash.
fn verify(memory: u32, page: usize, data: &[u8], hash: u128) -> Result<u128, SnapshotError> {
    if XxHash3_128::oneshot(data) != hash {
        return Err(SnapshotError::PageChecksum {
            memory,
            page: page as u32,
        });
    }
    Ok(hash)
}
