//! Incremental snapshots: round trips of base plus increments, chains, increments of a
//! restored store, refusal of wrong bases and kinds, zero pages, pages written back to
//! their old contents, compression modes, and hostile increments.

use atfn_interp::snapshot::{Compression, SnapshotError, SnapshotKind, SnapshotOptions, inspect};
use atfn_interp::{Config, Engine, Error, Instance, Linker, Module, Outcome, Store, Value};

use crate::snapshot::reseal;
use crate::util::{LOOPS, finished, setup, wasm};

/// Four pages (growable to 16); `fill(page, seed)` writes byte `i * seed` at offset `i`
/// of the page and counts calls in the exported global `fills`.
const PAGES: &str = r#"
(module
  (memory (export "memory") 4 16)
  (global $fills (export "fills") (mut i32) (i32.const 0))
  (func (export "fill") (param $p i32) (param $seed i32)
    (local $i i32) (local $base i32)
    (local.set $base (i32.mul (local.get $p) (i32.const 65536)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.const 65536)))
        (i32.store8 (i32.add (local.get $base) (local.get $i))
                    (i32.mul (local.get $i) (local.get $seed)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (global.set $fills (i32.add (global.get $fills) (i32.const 1))))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
"#;

fn pages_store() -> (Engine, Module, Store<()>, Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm(PAGES)).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new().instantiate(&mut store, &module).unwrap();
    (engine, module, store, inst)
}

fn fill(store: &mut Store<()>, inst: Instance, page: i32, seed: i32) {
    finished(
        store
            .call(inst, "fill", &[Value::I32(page), Value::I32(seed)])
            .unwrap(),
    );
}

/// Restores `base` plus `increments` into a fresh store of the `PAGES` module.
fn restore_chain(base: &[u8], increments: &[&[u8]]) -> Result<(Store<()>, Instance), Error> {
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm(PAGES)).unwrap();
    Store::restore_incremental(&engine, (), &Linker::new(), &module, base, increments)
}

fn chain_err(base: &[u8], increments: &[&[u8]]) -> SnapshotError {
    match restore_chain(base, increments) {
        Err(Error::Snapshot(e)) => e,
        Err(other) => panic!("unexpected error {other:?}"),
        Ok(_) => panic!("chain accepted"),
    }
}

/// Asserts that `restored` has the same memory and global as `store`, and that both give
/// the same memory after one more identical call.
fn assert_same(store: &mut Store<()>, inst: Instance, restored: &mut Store<()>, rinst: Instance) {
    assert_eq!(restored.memory(rinst), store.memory(inst));
    assert_eq!(restored.global(rinst, "fills"), store.global(inst, "fills"));
    fill(store, inst, 0, 77);
    fill(restored, rinst, 0, 77);
    assert_eq!(restored.memory(rinst), store.memory(inst));
}

#[test]
fn increment_holds_only_changed_pages_and_round_trips() {
    let (_, _, mut store, inst) = pages_store();
    fill(&mut store, inst, 0, 3);
    fill(&mut store, inst, 1, 5);
    let base = store.snapshot().unwrap();
    fill(&mut store, inst, 1, 7);
    fill(&mut store, inst, 3, 9);
    let inc = store.snapshot_incremental().unwrap();

    let (b, i) = (inspect(&base).unwrap(), inspect(&inc).unwrap());
    assert_eq!((b.kind, b.base), (SnapshotKind::Full, None));
    assert_eq!((i.kind, i.base), (SnapshotKind::Incremental, Some(b.id)));
    assert_eq!(store.snapshot_id(), Some(i.id));
    // Pages 1 and 3 changed; the byte patterns are periodic, so they may be LZ4.
    assert!(i.page_bytes > 0 && i.page_bytes <= 2 * 65536, "{i:?}");

    let (mut restored, rinst) = restore_chain(&base, &[&inc]).unwrap();
    assert_eq!(restored.snapshot_id(), Some(i.id));
    assert_same(&mut store, inst, &mut restored, rinst);
}

#[test]
fn chains_with_growth_and_increments_of_a_restored_store() {
    let (_, _, mut store, inst) = pages_store();
    fill(&mut store, inst, 2, 11);
    let s0 = store.snapshot().unwrap();
    finished(store.call(inst, "grow", &[Value::I32(3)]).unwrap());
    fill(&mut store, inst, 5, 13);
    let s1 = store.snapshot_incremental().unwrap();
    fill(&mut store, inst, 2, 17);
    let s2 = store.snapshot_incremental().unwrap();
    let (mut restored, rinst) = restore_chain(&s0, &[&s1, &s2]).unwrap();
    assert_eq!(restored.memory(rinst).unwrap().len(), 7 * 65536);
    assert_eq!(restored.memory(rinst), store.memory(inst));

    // The restored store's base is s2: its own increment continues the chain.
    fill(&mut restored, rinst, 6, 19);
    let s3 = restored.snapshot_incremental().unwrap();
    assert_eq!(inspect(&s3).unwrap().base, Some(inspect(&s2).unwrap().id));
    let (mut again, ainst) = restore_chain(&s0, &[&s1, &s2, &s3]).unwrap();
    assert_same(&mut restored, rinst, &mut again, ainst);
}

#[test]
fn wrong_base_and_wrong_kind_are_refused() {
    let (_, _, mut store, inst) = pages_store();
    let s0 = store.snapshot().unwrap();
    fill(&mut store, inst, 0, 3);
    let s1 = store.snapshot_incremental().unwrap();
    fill(&mut store, inst, 1, 3);
    let s2 = store.snapshot_incremental().unwrap();
    let id = |b: &[u8]| inspect(b).unwrap().id.to_string();

    assert_eq!(
        chain_err(&s0, &[&s2]),
        SnapshotError::BaseMismatch {
            expected: id(&s0),
            found: id(&s1)
        }
    );
    assert_eq!(
        chain_err(&s0, &[&s2, &s1]),
        SnapshotError::BaseMismatch {
            expected: id(&s0),
            found: id(&s1)
        }
    );
    assert_eq!(
        chain_err(&s1, &[]),
        SnapshotError::WrongKind {
            expected: SnapshotKind::Full,
            found: SnapshotKind::Incremental
        }
    );
    assert_eq!(
        chain_err(&s0, &[&s0]),
        SnapshotError::WrongKind {
            expected: SnapshotKind::Incremental,
            found: SnapshotKind::Full
        }
    );

    // Another store of the same module in another state: another id.
    let (_, _, mut other, oinst) = pages_store();
    fill(&mut other, oinst, 2, 5);
    let o0 = other.snapshot().unwrap();
    assert!(matches!(
        chain_err(&o0, &[&s1]),
        SnapshotError::BaseMismatch { .. }
    ));
}

#[test]
fn incremental_without_a_base_is_refused() {
    let (_, _, mut store, _) = pages_store();
    assert_eq!(store.snapshot_incremental(), Err(SnapshotError::NoBase));
    assert_eq!(store.snapshot_id(), None);
}

#[test]
fn zero_pages_cost_one_byte_and_zeroing_a_page_is_recorded() {
    let (_, _, mut store, inst) = pages_store();
    finished(store.call(inst, "grow", &[Value::I32(12)]).unwrap());
    let empty = store.snapshot().unwrap();
    assert_eq!(inspect(&empty).unwrap().page_bytes, 0);
    assert!(empty.len() < 200, "{} bytes", empty.len());

    fill(&mut store, inst, 9, 3);
    let s1 = store.snapshot_incremental().unwrap();
    // Zero page 9 again from the host side: the next increment records a zero page.
    store.memory_mut(inst).unwrap()[9 * 65536..10 * 65536].fill(0);
    let s2 = store.snapshot_incremental().unwrap();
    assert_eq!(inspect(&s2).unwrap().page_bytes, 0);
    let (restored, rinst) = restore_chain(&empty, &[&s1, &s2]).unwrap();
    assert_eq!(restored.memory(rinst), store.memory(inst));
    assert!(restored.memory(rinst).unwrap().iter().all(|b| *b == 0));
}

#[test]
fn page_written_back_to_its_old_contents_is_unchanged() {
    let (_, _, mut store, inst) = pages_store();
    fill(&mut store, inst, 2, 5);
    let s0 = store.snapshot().unwrap();
    fill(&mut store, inst, 2, 9);
    fill(&mut store, inst, 2, 5);
    let s1 = store.snapshot_incremental().unwrap();
    // Same contents as at s0: no page data, only the (changed) global.
    assert_eq!(inspect(&s1).unwrap().page_bytes, 0);
    // Dirty at one increment, written back at the next: both carry the page.
    fill(&mut store, inst, 2, 9);
    let s2 = store.snapshot_incremental().unwrap();
    fill(&mut store, inst, 2, 5);
    let s3 = store.snapshot_incremental().unwrap();
    assert!(inspect(&s2).unwrap().page_bytes > 0);
    assert!(inspect(&s3).unwrap().page_bytes > 0);
    let (mut restored, rinst) = restore_chain(&s0, &[&s1, &s2, &s3]).unwrap();
    assert_same(&mut store, inst, &mut restored, rinst);
}

#[test]
fn every_compression_mode_round_trips() {
    let (_, _, mut store, inst) = pages_store();
    // Page 0: period-256 pattern; page 1: sparse; page 2: xorshift noise; page 3: runs
    // of 8 equal bytes (short matches: compresses to about half).
    fill(&mut store, inst, 0, 3);
    let memory = store.memory_mut(inst).unwrap();
    memory[65536 + 1000] = 1;
    for (i, b) in memory[3 * 65536..].iter_mut().enumerate() {
        *b = (i / 8) as u8;
    }
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for b in &mut memory[2 * 65536..3 * 65536] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    let mut sizes = Vec::new();
    for compression in [
        Compression::None,
        Compression::Adaptive,
        Compression::Always,
    ] {
        let mut out = Vec::new();
        let options = SnapshotOptions {
            incremental: false,
            compression,
        };
        let id = store.snapshot_with(options, &mut out).unwrap();
        assert_eq!(inspect(&out).unwrap().id, id);
        let (restored, rinst) = restore_chain(&out, &[]).unwrap();
        assert_eq!(restored.memory(rinst), store.memory(inst));
        sizes.push(inspect(&out).unwrap().page_bytes);
    }
    // None: four raw pages. Adaptive: pages 0 and 1 compress, 2 and 3 stay raw.
    // Always: page 3 compresses too.
    assert_eq!(sizes[0], 4 * 65536);
    assert!(
        sizes[1] > 2 * 65536 && sizes[1] < 2 * 65536 + 2000,
        "{sizes:?}"
    );
    assert!(sizes[2] < sizes[1] - 65536 / 4, "{sizes:?}");
}

#[test]
fn suspended_run_continues_from_a_chain_of_increments() {
    let config = Config {
        consume_fuel: true,
        ..Config::default()
    };
    let (_, mut store, inst) = setup(config.clone(), LOOPS);
    let (_, mut plain, pinst) = setup(Config::default(), LOOPS);
    let expected = finished(plain.call(pinst, "run", &[Value::I32(300)]).unwrap());
    store.set_fuel(20);
    let mut out = store.call(inst, "run", &[Value::I32(300)]).unwrap();
    let base = store.snapshot().unwrap();
    let mut increments = Vec::new();
    while let Outcome::Suspended(_) = out {
        store.set_fuel(20);
        out = store.resume(&[]).unwrap();
        if let Outcome::Suspended(_) = out {
            increments.push(store.snapshot_incremental().unwrap());
        }
    }
    assert!(increments.len() > 20, "{} increments", increments.len());
    let engine = Engine::new(config);
    let module = Module::new(&engine, &wasm(LOOPS)).unwrap();
    let refs: Vec<&[u8]> = increments.iter().map(Vec::as_slice).collect();
    let (mut restored, rinst) =
        Store::restore_incremental(&engine, (), &Linker::new(), &module, &base, &refs).unwrap();
    restored.set_fuel(u64::MAX);
    assert_eq!(finished(restored.resume(&[]).unwrap()), expected);
    assert_eq!(restored.memory(rinst), plain.memory(pinst));
}

/// A full snapshot with page 0 written, and an increment on it changing page 1; pages
/// stored raw.
fn sample_increment() -> (Vec<u8>, Vec<u8>) {
    let (_, _, mut store, inst) = pages_store();
    let mut options = SnapshotOptions {
        incremental: false,
        compression: Compression::None,
    };
    fill(&mut store, inst, 0, 3);
    let mut base = Vec::new();
    store.snapshot_with(options, &mut base).unwrap();
    store.memory_mut(inst).unwrap()[65536..2 * 65536].fill(0x5a);
    options.incremental = true;
    let mut inc = Vec::new();
    store.snapshot_with(options, &mut inc).unwrap();
    (base, inc)
}

#[test]
fn every_truncation_of_an_increment_is_an_error() {
    let (base, inc) = sample_increment();
    for len in (0..inc.len()).step_by(97).chain(inc.len() - 100..inc.len()) {
        let err = chain_err(&base, &[&inc[..len]]);
        assert!(
            matches!(
                err,
                SnapshotError::BadMagic | SnapshotError::Truncated(_) | SnapshotError::Checksum
            ),
            "length {len}: {err:?}"
        );
    }
}

#[test]
fn corrupted_page_data_is_refused_by_its_page_checksum() {
    let (base, mut inc) = sample_increment();
    // Raw page data starts right after the 73-byte header.
    inc[73 + 100] ^= 4;
    assert_eq!(
        chain_err(&base, &[&inc]),
        SnapshotError::PageChecksum { memory: 0, page: 1 }
    );
    // A full snapshot is checked the same way.
    let mut full = base.clone();
    full[73 + 5] ^= 1;
    assert_eq!(
        chain_err(&full, &[]),
        SnapshotError::PageChecksum { memory: 0, page: 0 }
    );
}

#[test]
fn corrupted_lz4_page_data_is_refused() {
    let (_, _, mut store, inst) = pages_store();
    fill(&mut store, inst, 0, 3);
    let mut full = store.snapshot().unwrap();
    let info = inspect(&full).unwrap();
    assert!(info.page_bytes < 65536, "page 0 is LZ4: {info:?}");
    // Cut the first LZ4 sequence's literal length: the block no longer decodes to a page.
    full[73] = 0;
    assert_eq!(
        chain_err(&full, &[]),
        SnapshotError::Invalid {
            what: "LZ4 page data",
            index: 0
        }
    );
}

#[test]
fn random_byte_flips_in_increments_never_panic() {
    let (base, inc) = sample_increment();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..300 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut forged = inc.clone();
        let at = 48 + (state as usize % (inc.len() - 64));
        forged[at] ^= (state >> 32) as u8 | 1;
        if let Ok((mut store, inst)) = restore_chain(&base, &[&reseal(forged)]) {
            fill(&mut store, inst, 0, 1);
        }
    }
    // The unforged increment still restores.
    assert!(restore_chain(&base, &[&inc]).is_ok());
}

#[test]
fn forged_envelopes_are_refused() {
    let (base, _) = sample_increment();
    let mut forged = base.clone();
    forged[48] = 2;
    assert_eq!(
        chain_err(&reseal(forged), &[]),
        SnapshotError::Invalid {
            what: "snapshot kind",
            index: 2
        }
    );
    let mut forged = base.clone();
    forged[49] ^= 1;
    assert_eq!(
        chain_err(&reseal(forged), &[]),
        SnapshotError::Invalid {
            what: "base id of a full snapshot",
            index: 0
        }
    );
    let mut forged = base.clone();
    forged[65..73].copy_from_slice(&u64::MAX.to_le_bytes());
    assert_eq!(
        chain_err(&forged, &[]),
        SnapshotError::Truncated("page data")
    );
}
