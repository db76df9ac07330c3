//! Writing snapshots (layout in `docs/snapshot-format.md`).

use super::format::{CODE_VERSION, FORMAT_VERSION, MAGIC, SnapshotError};
use crate::store::{Store, SuspendReason, Suspension};

/// Little-endian byte sink.
struct Writer(Vec<u8>);

impl Writer {
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
    /// Serialises the store's complete state: memories (LZ4-compressed), tables, globals,
    /// segment state, value and frame stacks, the pending suspension and fuel.
    ///
    /// Errors: [`SnapshotError::NotSnapshottable`] inside a host call (state mid-call) or
    /// if the store does not hold exactly one instance.
    pub fn snapshot(&self) -> Result<Vec<u8>, SnapshotError> {
        let s = &self.inner;
        if s.host_depth > 0 {
            return Err(SnapshotError::NotSnapshottable("inside a host call"));
        }
        let [inst] = s.instances.as_slice() else {
            return Err(SnapshotError::NotSnapshottable(
                "store must hold exactly one instance",
            ));
        };
        let mut w = Writer(Vec::new());
        w.0.extend_from_slice(MAGIC);
        w.u32(FORMAT_VERSION);
        w.u32(CODE_VERSION);
        w.0.extend_from_slice(&inst.module.inner.hash);
        w.u32(s.funcs.len() as u32);
        w.u32(s.memories.len() as u32);
        for m in &s.memories {
            w.u32(m.pages());
            w.max(m.max);
            let compressed = lz4_flex::block::compress(&m.data);
            w.u32(compressed.len() as u32);
            w.0.extend_from_slice(&compressed);
        }
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
        let checksum = blake3::hash(&w.0);
        w.0.extend_from_slice(checksum.as_bytes());
        Ok(w.0)
    }
}
