//! The snapshot-fidelity check shared by atfn-interp (spec modules) and atfn-runtime
//! (example guests; it includes this file with `#[path]`): a call runs once without
//! interruption, then again from the same starting state in fuel slices, with the store
//! snapshotted, dropped and restored into a fresh store at every stop. Every sliced run
//! must end with the same outcome and a byte-identical snapshot (memories, tables, globals,
//! segments, stacks) as the uninterrupted one.

use atfn_interp::{Error, Instance, Linker, Module, Outcome, Store, SuspendReason, Value};

/// What a fresh store is made from: the module (its engine meters fuel), the linker the
/// snapshotted instance was created with, and the store data.
pub struct Restorer<'a, T> {
    pub module: &'a Module,
    pub linker: &'a Linker<T>,
    pub data: &'a dyn Fn() -> T,
}

/// An export call: name and arguments.
pub type Call<'a> = (&'a str, &'a [Value]);

/// How a sliced run ended.
pub struct Sliced<T> {
    pub store: Store<T>,
    pub outcome: Result<Outcome, Error>,
    /// Fresh stores the call ran in (one per slice, plus retries).
    pub restores: u64,
    /// Slices retried with more fuel after failing with their fuel at zero.
    pub retries: u64,
}

/// `(first slice, later slices)` fuel schedules for a call that spends `spent` fuel
/// uninterrupted: every safe point when there are few, else about 24 stops at two
/// different phases, plus a stop just before the last safe point.
pub fn schedules(spent: u64) -> Vec<(u64, u64)> {
    match spent {
        0 => Vec::new(),
        1..=48 => vec![(1, 1)],
        _ => {
            let slice = spent.div_ceil(24);
            vec![(1, slice), (slice / 2 + 1, slice + 1), (spent - 1, 1)]
        }
    }
}

/// Zeroes the fuel (the one field that differs between an uninterrupted and a sliced
/// run) and snapshots the idle store.
pub fn final_state<T>(store: &mut Store<T>) -> Vec<u8> {
    store.set_fuel(0);
    store.snapshot().expect("an idle store snapshots")
}

impl<T> Restorer<'_, T> {
    /// Restores `bytes` into a fresh store.
    pub fn restore(&self, bytes: &[u8]) -> (Store<T>, Instance) {
        Store::restore(
            self.module.engine(),
            (self.data)(),
            self.linker,
            self.module,
            bytes,
        )
        .expect("own snapshot restores")
    }

    /// From the idle snapshot `start`, calls `call` with `total` fuel handed out in slices
    /// (`first`, then `slice` at a time). At every fuel stop before `total` is spent the
    /// store is snapshotted, dropped, and the snapshot restored into a fresh store that
    /// resumes. Fuel running out inside a re-entrant call (a host function calling an
    /// export cannot suspend: [`Error::SuspendInReentrantCall`], which the host function
    /// may turn into a trap) is not a safe point of the outer call, so a slice that fails
    /// with its fuel at zero is retried from its snapshot with one more slice of fuel (a
    /// trap that does not depend on fuel simply happens again).
    pub fn sliced(
        &self,
        start: &[u8],
        call: Call<'_>,
        total: u64,
        first: u64,
        slice: u64,
    ) -> Sliced<T> {
        let (mut bytes, mut resumed, mut left) = (start.to_vec(), false, total);
        let mut budget = first.min(left);
        let (mut restores, mut retries) = (0, 0);
        loop {
            let (mut store, instance) = self.restore(&bytes);
            restores += 1;
            store.set_fuel(budget);
            let outcome = if resumed {
                store.resume(&[])
            } else {
                store.call(instance, call.0, call.1)
            };
            match outcome {
                Ok(Outcome::Suspended(SuspendReason::FuelExhausted)) if budget < left => {
                    left -= budget;
                    bytes = store.snapshot().expect("a suspended store snapshots");
                    resumed = true;
                    budget = slice.min(left);
                }
                Err(_) if store.fuel() == 0 && budget < left => {
                    budget = (budget + slice).min(left);
                    retries += 1;
                }
                outcome => {
                    return Sliced {
                        store,
                        outcome,
                        restores,
                        retries,
                    };
                }
            }
        }
    }

    /// Calls `call` in `reference` with `total` fuel without interruption, then from
    /// `start` (the idle snapshot of `reference` just before) in slices for every schedule
    /// of [`schedules`], and asserts that each sliced run ends with the same outcome and
    /// the same final state. `what` names the call in failure messages. Returns the
    /// uninterrupted outcome, the final state (see [`final_state`]; a valid `start` for
    /// the next call) and the number of fresh stores the sliced runs used.
    pub fn check(
        &self,
        what: &str,
        reference: &mut Store<T>,
        instance: Instance,
        start: &[u8],
        call: Call<'_>,
        total: u64,
    ) -> (Result<Outcome, Error>, Vec<u8>, u64) {
        reference.set_fuel(total);
        let expected = reference.call(instance, call.0, call.1);
        let spent = total - reference.fuel();
        let end = final_state(reference);
        let expected_text = format!("{expected:?}");
        let mut restores = 0;
        for (first, slice) in schedules(spent) {
            let mut run = self.sliced(start, call, total, first, slice);
            let how = format!(
                "{what}: slices of {first} then {slice} fuel, {} retried",
                run.retries
            );
            assert_eq!(format!("{:?}", run.outcome), expected_text, "{how}");
            assert!(
                final_state(&mut run.store) == end,
                "{how}: final state differs"
            );
            restores += run.restores;
        }
        (expected, end, restores)
    }
}
