//! Writing full and incremental snapshots (layout in `docs/snapshot-format.md`).

use super::envelope::{self, SnapshotId};
use super::format::SnapshotError;
use super::pages::{Compression, PageWriter, SnapshotBase};
use crate::store::{PAGE, Store, SuspendReason, Suspension};

/// Options for [`Store::snapshot_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SnapshotOptions {
    /// Write an increment: only the memory pages whose contents changed since the store's
    /// previous snapshot (taken or restored), plus all other state. Default `false` (a
    /// full snapshot).
    pub incremental: bool,
    /// How memory pages are encoded. Default [`Compression::Adaptive`].
    pub compression: Compression,
}

/// Little-endian byte sink.
struct Writer<'a>(&'a mut Vec<u8>);

impl Writer<'_> {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn max(&mut self, max: Option<u32>) {
        self.u8(u8::from(max.is_some()));
        self.u32(max.unwrap_or(0));
    }
    fn cells(&mut self, cells: &[u64]) {
        self.u32(cells.len() as u32);
        for c in cells {
            self.u64(*c);
        }
    }
}

/// Snapshot code of a safe-point reason.
pub(crate) fn reason_code(reason: &SuspendReason) -> u8 {
    match reason {
        SuspendReason::Deadline => 1,
        SuspendReason::SuspendRequested => 2,
        SuspendReason::FuelExhausted => 3,
        SuspendReason::HostCall { .. } => 0,
    }
}

impl<T> Store<T> {
    /// Serialises the store's complete state as a full snapshot: memories (per 64 KiB
    /// page: zero pages as one byte, others raw or LZ4 under [`Compression::Adaptive`]),
    /// tables, globals, segment state, value and frame stacks, the pending suspension and
    /// fuel. The snapshot becomes the base of the next [`Store::snapshot_incremental`].
    ///
    /// Errors: [`SnapshotError::NotSnapshottable`] inside a host call (state mid-call) or
    /// if the store does not hold exactly one instance.
    pub fn snapshot(&mut self) -> Result<Vec<u8>, SnapshotError> {
        let mut out = Vec::new();
        self.snapshot_with(SnapshotOptions::default(), &mut out)?;
        Ok(out)
    }

    /// Serialises an increment: like [`Store::snapshot`], but memory pages whose contents
    /// equal those of the store's previous snapshot (the last one taken from or restored
    /// into this store) are recorded as unchanged and carry no data. Restore it on top of
    /// that previous snapshot with [`Store::restore_incremental`]. It becomes the base of
    /// the next increment. Changed pages are found by comparing each page's XXH3-128 hash
    /// with the hash recorded at the previous snapshot (no write tracking).
    ///
    /// Errors: [`SnapshotError::NoBase`] if no snapshot was taken from or restored into
    /// this store; otherwise as [`Store::snapshot`].
    pub fn snapshot_incremental(&mut self) -> Result<Vec<u8>, SnapshotError> {
        let mut out = Vec::new();
        let options = SnapshotOptions {
            incremental: true,
            ..SnapshotOptions::default()
        };
        self.snapshot_with(options, &mut out)?;
        Ok(out)
    }

    /// Id of the store's previous snapshot (taken or restored), the base of the next
    /// increment; `None` before the first.
    pub fn snapshot_id(&self) -> Option<SnapshotId> {
        self.inner.snapshot_base.as_ref().map(|b| b.id)
    }

    /// Writes a full or incremental snapshot (see `options`) into `out`, replacing its
    /// contents but reusing its allocation (saves page faults when snapshotting often),
    /// and returns the snapshot's id. `out` is left empty on error.
    ///
    /// Errors: as [`Store::snapshot`] and [`Store::snapshot_incremental`].
    pub fn snapshot_with(
        &mut self,
        options: SnapshotOptions,
        out: &mut Vec<u8>,
    ) -> Result<SnapshotId, SnapshotError> {
        out.clear();
        let s = &self.inner;
        if s.host_depth > 0 {
            return Err(SnapshotError::NotSnapshottable("inside a host call"));
        }
        let [inst] = s.instances.as_slice() else {
            return Err(SnapshotError::NotSnapshottable(
                "store must hold exactly one instance",
            ));
        };
        let base = match (options.incremental, &s.snapshot_base) {
            (false, _) => None,
            (true, Some(base)) => Some(base),
            (true, None) => return Err(SnapshotError::NoBase),
        };
        // Room for every page raw (up to 21 page-table bytes each) plus the state: one
        // allocation, no regrowth (untouched capacity costs address space only).
        let memory: usize = s.memories.iter().map(|m| m.data.len()).sum();
        let cells = s.stack.values.sp + s.tables.iter().map(|t| t.elems.len()).sum::<usize>();
        out.reserve(memory + memory / PAGE * 21 + cells * 8 + s.globals.len() * 10 + 4096);
        envelope::begin(out, &inst.module.inner.hash, base.map(|b| b.id));
        // Page data goes straight to `out`; the page tables belong to the state section
        // after it.
        let mut pages = PageWriter::new(options.compression);
        let mut tables = Vec::new();
        let mut hashes = Vec::with_capacity(s.memories.len());
        for (i, m) in s.memories.iter().enumerate() {
            let base = base.and_then(|b| b.pages.get(i)).map(Vec::as_slice);
            tables.extend_from_slice(&m.pages().to_le_bytes());
            tables.push(u8::from(m.max.is_some()));
            tables.extend_from_slice(&m.max.unwrap_or(0).to_le_bytes());
            hashes.push(pages.write(&m.data, base, &mut tables, out));
        }
        let state_start = out.len();
        let mut w = Writer(out);
        w.u32(s.funcs.len() as u32);
        w.u32(s.memories.len() as u32);
        w.0.extend_from_slice(&tables);
        w.u32(s.tables.len() as u32);
        for t in &s.tables {
            w.u8(t.ty.code());
            w.max(t.max);
            w.cells(&t.elems);
        }
        w.u32(s.globals.len() as u32);
        for g in &s.globals {
            w.u8(g.ty.ty.code());
            w.u8(u8::from(g.ty.mutable));
            w.u64(g.value);
        }
        w.u32(inst.elems.len() as u32);
        for e in &inst.elems {
            w.cells(e);
        }
        w.u32(inst.data_dropped.len() as u32);
        for d in &inst.data_dropped {
            w.u8(u8::from(*d));
        }
        let values = &s.stack.values;
        w.cells(&values.cells[..values.sp]);
        w.u32(s.stack.frames.frames.len() as u32);
        for f in &s.stack.frames.frames {
            w.u32(f.func);
            w.u32(f.pc);
            w.u32(f.base);
        }
        match &s.suspended {
            None => w.u8(0),
            Some(Suspension::SafePoint(reason)) => {
                w.u8(1);
                w.u8(reason_code(reason));
            }
            Some(Suspension::Host { func, reason }) => {
                w.u8(2);
                w.u32(*func);
                let code = match reason {
                    SuspendReason::HostCall { code, .. } => *code,
                    _ => 0,
                };
                w.u32(code);
            }
        }
        w.u32(s.call_results.len() as u32);
        for t in &s.call_results {
            w.u8(t.code());
        }
        w.u64(s.fuel);
        let id = envelope::seal(out, state_start);
        self.inner.snapshot_base = Some(SnapshotBase { id, pages: hashes });
        Ok(id)
    }
}
