//! Unit tests of page encoding and decoding: round trips under each compression mode,
//! unchanged pages, and every malformed page-table entry with its precise error.

use super::format::{Reader, SnapshotError, invalid};
use super::pages::{self, Compression, PageTable, PageWriter};
use crate::store::PAGE;

/// Three pages: sparse, xorshift noise, all zero.
fn memory() -> Vec<u8> {
    let mut data = vec![0; 3 * PAGE];
    data[100] = 7;
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for b in &mut data[PAGE..2 * PAGE] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    data
}

/// Encodes `data` (relative to `base`), returning (page table, page data, hashes).
fn encode(data: &[u8], base: Option<&[u128]>, c: Compression) -> (Vec<u8>, Vec<u8>, Vec<u128>) {
    let (mut table, mut out) = (Vec::new(), Vec::new());
    let hashes = PageWriter::new(c).write(data, base, &mut table, &mut out);
    (table, out, hashes)
}

/// Decodes `pages` pages into a memory holding `prior` (`zeroed`: known to be all
/// zeros), as an increment when `base` is given.
fn decode_into(
    table: &[u8],
    out: &[u8],
    prior: &[u8],
    pages: usize,
    zeroed: bool,
    base: Option<&[u128]>,
) -> Result<(Vec<u8>, Vec<u128>), SnapshotError> {
    let mut data = prior.to_vec();
    let table = PageTable::parse(&mut Reader::new(table), pages as u32)?;
    let hashes = pages::read(0, &table, &mut Reader::new(out), &mut data, zeroed, base)?;
    Ok((data, hashes))
}

/// Decodes as many pages as `prior` holds, over its contents.
fn decode(
    table: &[u8],
    out: &[u8],
    prior: &[u8],
    base: Option<&[u128]>,
) -> Result<(Vec<u8>, Vec<u128>), SnapshotError> {
    decode_into(table, out, prior, prior.len() / PAGE, false, base)
}

#[test]
fn every_mode_round_trips_and_elides_zero_pages() {
    let data = memory();
    // Decoded over other contents: zero pages must be cleared.
    let prior = vec![0x11; data.len()];
    for c in [
        Compression::None,
        Compression::Adaptive,
        Compression::Always,
    ] {
        let (table, out, hashes) = encode(&data, None, c);
        assert_eq!(table[0], if c == Compression::None { 1 } else { 2 });
        assert_eq!(table[table.len() - 1], 0, "zero page is one tag byte");
        let (decoded, read_hashes) = decode(&table, &out, &prior, None).unwrap();
        assert_eq!(decoded, data);
        assert_eq!(read_hashes, hashes);
        // As a full restore does: appended to an empty memory, or into a zeroed one.
        for (prior, zeroed) in [(vec![], false), (vec![0; data.len()], true)] {
            let (decoded, read_hashes) =
                decode_into(&table, &out, &prior, 3, zeroed, None).unwrap();
            assert_eq!(decoded, data);
            assert_eq!(read_hashes, hashes);
        }
    }
}

#[test]
fn an_increment_appends_pages_past_its_base() {
    let data = memory();
    let (_, _, base) = encode(&data[..2 * PAGE], None, Compression::None);
    let mut grown = data.clone();
    grown[2 * PAGE] = 9;
    let (table, out, hashes) = encode(&grown, Some(&base), Compression::Adaptive);
    assert_eq!((table[0], table[1]), (3, 3));
    let (decoded, read_hashes) =
        decode_into(&table, &out, &data[..2 * PAGE], 3, false, Some(&base)).unwrap();
    assert_eq!(decoded, grown);
    assert_eq!(read_hashes, hashes);
    // An unchanged page past the base's pages is refused.
    let err = decode_into(&[3, 3, 3], &[], &data[..2 * PAGE], 3, false, Some(&base));
    assert_eq!(
        err.unwrap_err(),
        invalid("unchanged page without a base page", 2)
    );
}

#[test]
fn mostly_zero_means_a_quarter_of_the_pages_or_more() {
    let mut data = vec![1; 5 * PAGE];
    data[..PAGE].fill(0);
    for (pages, expected) in [(4, true), (5, false)] {
        let (table, _, _) = encode(&data[..pages * PAGE], None, Compression::None);
        let table = PageTable::parse(&mut Reader::new(&table), pages as u32).unwrap();
        assert_eq!(table.mostly_zero(), expected, "{pages} pages");
    }
}

#[test]
fn unchanged_pages_carry_no_data() {
    let data = memory();
    let (_, _, base) = encode(&data, None, Compression::None);
    let mut changed = data.clone();
    changed[2 * PAGE + 5] = 1;
    let (table, out, hashes) = encode(&changed, Some(&base), Compression::None);
    assert_eq!((table[0], table[1], table[2]), (3, 3, 1));
    assert_eq!(out.len(), PAGE);
    let (decoded, read_hashes) = decode(&table, &out, &data, Some(&base)).unwrap();
    assert_eq!(decoded, changed);
    assert_eq!(read_hashes, hashes);
}

#[test]
fn malformed_page_tables_are_refused() {
    let one = vec![0; PAGE];
    let cases: [(&[u8], &[u8], SnapshotError); 5] = [
        (&[9], &[], invalid("page tag", 0)),
        (&[3], &[], invalid("unchanged page without a base page", 0)),
        (&[1, 0], &[], SnapshotError::Truncated("page table")),
        (&[], &[], SnapshotError::Truncated("page table")),
        (&[1; 17], &[0; 10], SnapshotError::Truncated("page data")),
    ];
    for (table, out, expected) in cases {
        assert_eq!(decode(table, out, &one, None).unwrap_err(), expected);
    }
    // An LZ4 length of a whole page or more, and LZ4 data that does not decode to a page.
    let mut table = vec![2; 17];
    table.extend_from_slice(&(PAGE as u32).to_le_bytes());
    let err = decode(&table, &vec![0; PAGE], &one, None).unwrap_err();
    assert_eq!(err, invalid("LZ4 page data", 0));
    let mut table = vec![2; 17];
    table.extend_from_slice(&4u32.to_le_bytes());
    let err = decode(&table, &[0x10, b'a', 0, 0], &one, None).unwrap_err();
    assert_eq!(err, invalid("LZ4 page data", 0));
    // Raw data whose hash is not the recorded one.
    let (mut table, out, _) = encode(&memory()[PAGE..2 * PAGE], None, Compression::None);
    table[1] ^= 1;
    let err = decode(&table, &out, &one, None).unwrap_err();
    assert_eq!(err, SnapshotError::PageChecksum { memory: 0, page: 0 });
}
