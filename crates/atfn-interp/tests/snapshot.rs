//! Snapshot fidelity (suspend anywhere, restore in a fresh store or another process,
//! finish identically), the committed v2 golden file (and refusal of v1), and hostile
//! inputs. Incremental snapshots are tested in `incremental.rs`.

use std::process::Command;

use atfn_interp::snapshot::SnapshotError;
use atfn_interp::{
    Config, Engine, Error, FuncType, HostAction, Linker, Module, Outcome, Store, SuspendReason,
    ValType, Value,
};

use crate::util::{LOOPS, finished, setup, wasm};

#[path = "shared/reseal.rs"]
mod forge;
pub use forge::{HEADER, reseal};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/snapshot-v2.bin");
const GOLDEN_V1: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/snapshot-v1.bin");

fn fuel_config() -> Config {
    Config {
        consume_fuel: true,
        ..Config::default()
    }
}

/// Result and final memory of `run(n)` without interruption.
fn uninterrupted(n: i32) -> (Vec<Value>, Vec<u8>) {
    let (_, mut store, inst) = setup(Config::default(), LOOPS);
    let out = finished(store.call(inst, "run", &[Value::I32(n)]).unwrap());
    (out, store.memory(inst).unwrap().to_vec())
}

/// Restores `bytes` with a brand-new engine and module, as another process would.
fn restore_fresh(bytes: &[u8]) -> Result<(Store<()>, atfn_interp::Instance), Error> {
    let engine = Engine::new(fuel_config());
    let module = Module::new(&engine, &wasm(LOOPS)).unwrap();
    Store::restore(&engine, (), &Linker::new(), &module, bytes)
}

/// A store suspended by fuel in the middle of `run(n)`.
fn suspended_run(n: i32, fuel: u64) -> Vec<u8> {
    let (_, mut store, inst) = setup(fuel_config(), LOOPS);
    store.set_fuel(fuel);
    let out = store.call(inst, "run", &[Value::I32(n)]).unwrap();
    assert_eq!(out, Outcome::Suspended(SuspendReason::FuelExhausted));
    store.snapshot().unwrap()
}

#[test]
fn suspend_snapshot_restore_everywhere_gives_identical_results() {
    let (expected, expected_memory) = uninterrupted(200);
    let (_, mut store, mut inst) = setup(fuel_config(), LOOPS);
    store.set_fuel(3);
    let mut out = store.call(inst, "run", &[Value::I32(200)]).unwrap();
    let mut restores = 0;
    while let Outcome::Suspended(reason) = out {
        assert_eq!(reason, SuspendReason::FuelExhausted);
        let bytes = store.snapshot().unwrap();
        drop(store);
        (store, inst) = restore_fresh(&bytes).unwrap();
        restores += 1;
        store.set_fuel(3);
        out = store.resume(&[]).unwrap();
    }
    assert!(restores > 100, "only {restores} restores");
    assert_eq!(finished(out), expected);
    assert_eq!(store.memory(inst).unwrap(), &expected_memory[..]);
}

#[test]
fn host_call_suspension_survives_snapshot() {
    let text = r#"(module
        (import "env" "ask" (func $ask (param i32) (result i32)))
        (func (export "run") (result i32)
          (i32.add (i32.const 1) (call $ask (i32.const 41)))))"#;
    let linker = || {
        let mut l = Linker::<()>::new();
        l.func(
            "env",
            "ask",
            FuncType::new([ValType::I32], [ValType::I32]),
            |_, _| Ok(HostAction::Suspend(9)),
        );
        l
    };
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm(text)).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = linker().instantiate(&mut store, &module).unwrap();
    let out = store.call(inst, "run", &[]).unwrap();
    assert!(matches!(
        out,
        Outcome::Suspended(SuspendReason::HostCall { code: 9, .. })
    ));
    let bytes = store.snapshot().unwrap();
    let (mut restored, _) = Store::restore(&engine, (), &linker(), &module, &bytes).unwrap();
    assert!(restored.is_suspended());
    let out = finished(restored.resume(&[Value::I32(41)]).unwrap());
    assert_eq!(out, vec![Value::I32(42)]);
}

#[test]
fn idle_store_snapshot_keeps_memory_and_globals() {
    let (_, mut store, inst) = setup(Config::default(), LOOPS);
    finished(store.call(inst, "run", &[Value::I32(50)]).unwrap());
    let bytes = store.snapshot().unwrap();
    let (mut restored, inst2) = restore_fresh(&bytes).unwrap();
    restored.set_fuel(u64::MAX);
    assert_eq!(restored.memory(inst2), store.memory(inst));
    // The global accumulator continues from the restored value.
    let a = finished(store.call(inst, "run", &[Value::I32(10)]).unwrap());
    let b = finished(restored.call(inst2, "run", &[Value::I32(10)]).unwrap());
    assert_eq!(a, b);
}

#[test]
fn golden_v2_snapshot_still_restores() {
    if std::env::var_os("ATFN_WRITE_GOLDEN").is_some() {
        std::fs::create_dir_all(std::path::Path::new(GOLDEN).parent().unwrap()).unwrap();
        std::fs::write(GOLDEN, suspended_run(100, 50)).unwrap();
    }
    let bytes = std::fs::read(GOLDEN).expect("golden snapshot committed");
    let (mut store, inst) = restore_fresh(&bytes).unwrap();
    store.set_fuel(u64::MAX);
    let out = finished(store.resume(&[]).unwrap());
    let (expected, memory) = uninterrupted(100);
    assert_eq!(out, expected);
    assert_eq!(store.memory(inst).unwrap(), &memory[..]);
}

#[test]
fn restore_in_a_separate_process() {
    let path = std::env::temp_dir().join(format!("atfn-interp-{}.snap", std::process::id()));
    std::fs::write(&path, suspended_run(300, 40)).unwrap();
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "snapshot::child_restores_snapshot",
            "--ignored",
            "--nocapture",
        ])
        .env("ATFN_SNAPSHOT_PATH", &path)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "child failed: {stdout}");
    assert!(stdout.contains("1 passed"), "child did not run: {stdout}");
}

/// Run by `restore_in_a_separate_process` in a child process.
#[test]
#[ignore = "run as a child process by restore_in_a_separate_process"]
fn child_restores_snapshot() {
    let path = std::env::var_os("ATFN_SNAPSHOT_PATH").expect("ATFN_SNAPSHOT_PATH");
    let bytes = std::fs::read(path).unwrap();
    let (mut store, _) = restore_fresh(&bytes).unwrap();
    store.set_fuel(u64::MAX);
    let out = finished(store.resume(&[]).unwrap());
    assert_eq!(out, uninterrupted(300).0);
}

#[test]
fn format_v1_snapshot_is_refused() {
    let bytes = std::fs::read(GOLDEN_V1).expect("v1 golden snapshot committed");
    assert_eq!(
        snapshot_err(&bytes),
        SnapshotError::Version {
            what: "format",
            found: 1,
            expected: 2
        }
    );
}

pub fn snapshot_err(bytes: &[u8]) -> SnapshotError {
    match restore_fresh(bytes) {
        Err(Error::Snapshot(e)) => e,
        Err(other) => panic!("unexpected error {other:?}"),
        Ok(_) => panic!("forged snapshot accepted"),
    }
}

#[test]
fn every_truncation_is_an_error() {
    let bytes = suspended_run(20, 5);
    for len in 0..bytes.len() {
        let err = snapshot_err(&bytes[..len]);
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
fn bad_magic_checksum_version_and_module_are_refused() {
    let bytes = suspended_run(20, 5);
    let mut forged = bytes.clone();
    forged[0] = b'X';
    assert_eq!(snapshot_err(&forged), SnapshotError::BadMagic);

    let mut forged = bytes.clone();
    forged[60] ^= 1;
    assert_eq!(snapshot_err(&forged), SnapshotError::Checksum);

    let mut forged = bytes.clone();
    forged[8] = 3;
    assert_eq!(
        snapshot_err(&forged),
        SnapshotError::Version {
            what: "format",
            found: 3,
            expected: 2
        }
    );

    let mut forged = bytes.clone();
    forged[12] ^= 0x40;
    assert!(matches!(
        snapshot_err(&reseal(forged)),
        SnapshotError::Version { what: "code", .. }
    ));

    let mut forged = bytes.clone();
    forged[16] ^= 0xff;
    assert!(matches!(
        snapshot_err(&reseal(forged)),
        SnapshotError::ModuleMismatch { .. }
    ));

    let mut forged = bytes.clone();
    forged.insert(bytes.len() - 16, 0);
    assert_eq!(snapshot_err(&reseal(forged)), SnapshotError::TrailingBytes);
}

#[test]
fn forged_frames_are_refused() {
    let bytes = suspended_run(20, 5);
    // The frame records sit before: suspension (2 bytes), call results (4 + 1), fuel (8),
    // checksum (16). The top frame's pc is at -12 from the end of the frame list.
    let frames_end = bytes.len() - 16 - 8 - 5 - 2;
    for (offset, what) in [(12, "func"), (8, "pc"), (4, "base")] {
        for value in [1u32, 2, 3, 1000, u32::MAX] {
            let mut forged = bytes.clone();
            let at = frames_end - offset;
            let old = u32::from_le_bytes(forged[at..at + 4].try_into().unwrap());
            let new = old.wrapping_add(value);
            forged[at..at + 4].copy_from_slice(&new.to_le_bytes());
            let err = snapshot_err(&reseal(forged));
            assert!(
                matches!(err, SnapshotError::Invalid { .. }),
                "{what} + {value}: {err:?}"
            );
        }
    }
}

#[test]
fn forged_memory_size_is_refused_before_allocating() {
    let bytes = suspended_run(20, 5);
    // The state starts after the header and page data; memory 0's page count follows
    // the function and memory counts.
    let page_bytes = u64::from_le_bytes(bytes[HEADER - 8..HEADER].try_into().unwrap());
    let at = HEADER + page_bytes as usize + 8;
    let mut forged = bytes.clone();
    forged[at..at + 4].copy_from_slice(&16_000u32.to_le_bytes());
    assert_eq!(
        snapshot_err(&reseal(forged)),
        SnapshotError::Truncated("page table")
    );
}

#[test]
fn random_byte_flips_never_panic() {
    let bytes = suspended_run(20, 5);
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..2000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut forged = bytes.clone();
        let at = 48 + (state as usize % (bytes.len() - 64));
        forged[at] ^= (state >> 32) as u8 | 1;
        // Either refused with an error or (if the flip hit plain data) restorable and
        // runnable without panicking.
        if let Ok((mut store, _)) = restore_fresh(&reseal(forged)) {
            store.set_fuel(100_000);
            let _ = store.resume(&[]);
        }
    }
}
