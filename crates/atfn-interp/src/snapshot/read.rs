//! Restoring snapshots: parse, check against the freshly instantiated module, install;
//! increments are applied on top of their base. Every count, index and shape is checked
//! before use; bad input yields [`SnapshotError`], never a panic.

use super::envelope::{self, Envelope, SnapshotId, SnapshotKind};
use super::format::{Reader, SnapshotError, hex, invalid};
use super::pages::{self, PageTable, SnapshotBase};
use crate::code::{Instr, Op};
use crate::engine::Engine;
use crate::error::Error;
use crate::instantiate::Contents;
use crate::linker::Linker;
use crate::module::Module;
use crate::stack::{Frame, reserve};
use crate::store::{FuncEntity, Instance, PAGE, Store, StoreInner, SuspendReason, Suspension};
use crate::value::ValType;

impl<T> Store<T> {
    /// Restores a full snapshot taken by [`Store::snapshot`] into a new store holding
    /// `data`. `module` and `linker` must be the ones the snapshotted instance was created
    /// with (same module bytes; same host function names and types). The start function
    /// is not run again. Continue a suspended call with [`Store::resume`]. The snapshot
    /// becomes the new store's base for [`Store::snapshot_incremental`].
    ///
    /// Errors: [`Error::Snapshot`] with [`SnapshotError`] for bad magic, versions, module
    /// hash, checksum, page checksums, an increment ([`SnapshotError::WrongKind`]),
    /// truncation, trailing bytes, or any value inconsistent with the module, limits or
    /// code; plus instantiation errors from the linker.
    pub fn restore(
        engine: &Engine,
        data: T,
        linker: &Linker<T>,
        module: &Module,
        bytes: &[u8],
    ) -> Result<(Self, Instance), Error> {
        Self::restore_incremental(engine, data, linker, module, bytes, &[])
    }

    /// Restores the full snapshot `base` and then applies `increments` in order, each an
    /// increment ([`Store::snapshot_incremental`]) whose base is the snapshot before it in
    /// the chain: the result is the state at the last increment. Non-memory state comes
    /// from the last increment; each memory page from the latest snapshot that wrote it.
    /// The last snapshot becomes the new store's base for further increments. All
    /// envelopes (checksums, versions, module hash, kinds, chain of ids) are checked
    /// before anything is instantiated.
    ///
    /// Errors: as [`Store::restore`], plus [`SnapshotError::WrongKind`] if `base` is an
    /// increment or an increment is a full snapshot, and [`SnapshotError::BaseMismatch`]
    /// if an increment's recorded base is not the id of the snapshot before it.
    pub fn restore_incremental(
        engine: &Engine,
        data: T,
        linker: &Linker<T>,
        module: &Module,
        base: &[u8],
        increments: &[&[u8]],
    ) -> Result<(Self, Instance), Error> {
        let mut chain = Vec::with_capacity(1 + increments.len());
        chain.push(open_for(base, module, SnapshotKind::Full)?);
        for bytes in increments {
            let env = open_for(bytes, module, SnapshotKind::Incremental)?;
            let previous = chain.last().expect("base pushed first").info.id;
            check_base(previous, env.info.base)?;
            chain.push(env);
        }
        let mut store = Store::new(engine, data);
        // Memories are left empty by instantiation: `read_memories` allocates each once at
        // the snapshot's size and writes every page of it once.
        let instance = linker.instantiate_no_start(&mut store, module, Contents::FromSnapshot)?;
        for env in &chain {
            let mut r = Reader::new(env.state);
            let mut pages = Reader::new(env.pages);
            read_state(&mut store, &mut r, &mut pages, env.info.id, env.info.kind)?;
            if !r.is_empty() || !pages.is_empty() {
                return Err(SnapshotError::TrailingBytes.into());
            }
        }
        Ok((store, instance))
    }
}

/// Opens `bytes` and checks that it is a snapshot of `module` of the given kind.
fn open_for<'a>(
    bytes: &'a [u8],
    module: &Module,
    kind: SnapshotKind,
) -> Result<Envelope<'a>, SnapshotError> {
    let env = envelope::open(bytes)?;
    if env.info.module_hash != module.hash() {
        return Err(SnapshotError::ModuleMismatch {
            expected: hex(&module.hash()),
            found: hex(&env.info.module_hash),
        });
    }
    if env.info.kind != kind {
        return Err(SnapshotError::WrongKind {
            expected: kind,
            found: env.info.kind,
        });
    }
    Ok(env)
}

fn check_base(previous: SnapshotId, base: Option<SnapshotId>) -> Result<(), SnapshotError> {
    match base {
        Some(b) if b == previous => Ok(()),
        _ => Err(SnapshotError::BaseMismatch {
            expected: previous.to_string(),
            found: base.map(|b| b.to_string()).unwrap_or_default(),
        }),
    }
}

fn read_max(r: &mut Reader<'_>, part: &'static str) -> Result<Option<u32>, SnapshotError> {
    let has = r.u8(part)?;
    let max = r.u32(part)?;
    match has {
        0 => Ok(None),
        1 => Ok(Some(max)),
        _ => Err(invalid("maximum flag", 0)),
    }
}

/// Checks a reference cell of type `ty` against the store's function count.
fn check_ref(s: &StoreInner, ty: ValType, cell: u64) -> bool {
    match ty {
        ValType::FuncRef => cell <= s.funcs.len() as u64,
        ValType::ExternRef => cell <= u64::from(u32::MAX) + 1,
        ValType::I32 | ValType::F32 => cell <= u64::from(u32::MAX),
        ValType::I64 | ValType::F64 => true,
    }
}

fn read_cells(r: &mut Reader<'_>, part: &'static str) -> Result<Vec<u64>, SnapshotError> {
    let n = r.count(8, part)?;
    (0..n).map(|_| r.u64(part)).collect()
}

/// Reads and installs one snapshot's state (`r`) and page data (`pages`); `id` becomes
/// the store's snapshot base.
fn read_state<T>(
    store: &mut Store<T>,
    r: &mut Reader<'_>,
    pages: &mut Reader<'_>,
    id: SnapshotId,
    kind: SnapshotKind,
) -> Result<(), SnapshotError> {
    let s = &mut store.inner;
    if r.u32("functions")? as usize != s.funcs.len() {
        return Err(invalid("function count", s.funcs.len()));
    }
    read_memories(s, r, pages, id, kind)?;
    read_tables(s, r)?;
    read_globals(s, r)?;
    read_segments(s, r)?;
    let cells = read_cells(r, "value stack")?;
    let n = r.count(12, "frames")?;
    let mut frames = Vec::with_capacity(n);
    for _ in 0..n {
        let func = r.u32("frames")?;
        let pc = r.u32("frames")?;
        let base = r.u32("frames")?;
        frames.push(Frame { func, pc, base });
    }
    let suspended = match r.u8("suspension")? {
        0 => None,
        1 => Some(Suspension::SafePoint(match r.u8("suspension")? {
            1 => SuspendReason::Deadline,
            2 => SuspendReason::SuspendRequested,
            3 => SuspendReason::FuelExhausted,
            _ => return Err(invalid("suspend reason", 0)),
        })),
        2 => {
            let func = r.u32("suspension")?;
            let code = r.u32("suspension")?;
            let Some(FuncEntity::Host { host, .. }) = s.funcs.get(func as usize) else {
                return Err(invalid("pending host function", func));
            };
            let hf = &store.host_funcs[*host as usize];
            Some(Suspension::Host {
                func,
                reason: SuspendReason::HostCall {
                    module: hf.module.clone(),
                    name: hf.name.clone(),
                    code,
                },
            })
        }
        _ => return Err(invalid("suspension kind", 0)),
    };
    let n = r.count(1, "call results")?;
    let mut call_results = Vec::with_capacity(n);
    for i in 0..n {
        let t = ValType::from_code(r.u8("call results")?).ok_or(invalid("result type", i))?;
        call_results.push(t);
    }
    let fuel = r.u64("fuel")?;
    check_stacks(store, &cells, &frames, suspended.as_ref(), &call_results)?;
    let s = &mut store.inner;
    let max = s.limits.max_value_cells as usize;
    let needed = frame_reservation(s, &frames).max(cells.len() + call_results.len());
    if !reserve(&mut s.stack.values.cells, needed, max) {
        return Err(invalid("value stack exceeds limit", needed));
    }
    s.stack.values.cells[..cells.len()].copy_from_slice(&cells);
    s.stack.values.sp = cells.len();
    s.stack.frames.frames = frames;
    s.suspended = suspended;
    s.call_results = call_results;
    s.fuel = fuel;
    Ok(())
}

/// Reads every memory's size and page table, decoding page data from `pages` into the
/// memory (for an increment, on top of the base's contents). Records the page hashes as
/// the store's snapshot base `id`.
fn read_memories(
    s: &mut StoreInner,
    r: &mut Reader<'_>,
    pages: &mut Reader<'_>,
    id: SnapshotId,
    kind: SnapshotKind,
) -> Result<(), SnapshotError> {
    if r.u32("memories")? as usize != s.memories.len() {
        return Err(invalid("memory count", s.memories.len()));
    }
    let base = s
        .snapshot_base
        .take()
        .filter(|_| kind == SnapshotKind::Incremental);
    let mut hashes = Vec::with_capacity(s.memories.len());
    let limit = s.limits.max_memory_pages.min(65536);
    let full = kind == SnapshotKind::Full;
    let inst = &s.instances[0];
    for (i, mem) in s.memories.iter_mut().enumerate() {
        let size = r.u32("memories")?;
        let max = read_max(r, "memories")?;
        // A full snapshot restores into the empty memories instantiation left: at least
        // the declared minimum; an increment at least its base's size.
        let min = if full {
            let defined = inst.memories.iter().position(|a| *a as usize == i);
            defined.map_or(0, |k| inst.module.inner.memories[k].min)
        } else {
            mem.pages()
        };
        if max != mem.max || size < min || size > limit || size > mem.max.unwrap_or(u32::MAX) {
            return Err(invalid("memory size or type", i));
        }
        // Every page has at least its tag byte: refuse forged sizes before allocating.
        r.ensure(size as usize, "page table")?;
        let table = PageTable::parse(r, size)?;
        // A full restore allocates the memory once at its final size and decodes into it:
        // zeroed (zero pages are then never touched) when many pages are zero, else
        // uninitialised and filled page by page (every byte written once).
        let zeroed = full && table.mostly_zero();
        if full {
            mem.data = if zeroed {
                vec![0; size as usize * PAGE]
            } else {
                Vec::new()
            };
        }
        let base = base
            .as_ref()
            .and_then(|b| b.pages.get(i))
            .map(Vec::as_slice);
        hashes.push(pages::read(
            i as u32,
            &table,
            pages,
            &mut mem.data,
            zeroed,
            base,
        )?);
    }
    s.snapshot_base = Some(SnapshotBase { id, pages: hashes });
    Ok(())
}

fn read_tables(s: &mut StoreInner, r: &mut Reader<'_>) -> Result<(), SnapshotError> {
    if r.u32("tables")? as usize != s.tables.len() {
        return Err(invalid("table count", s.tables.len()));
    }
    let limit = s.limits.max_table_elements;
    for i in 0..s.tables.len() {
        let code = r.u8("tables")?;
        let max = read_max(r, "tables")?;
        let elems = read_cells(r, "tables")?;
        let t = &s.tables[i];
        let bad = code != t.ty.code()
            || max != t.max
            || elems.len() < t.elems.len()
            || elems.len() as u64 > u64::from(t.max.unwrap_or(u32::MAX).min(limit))
            || elems.iter().any(|c| !check_ref(s, t.ty, *c));
        if bad {
            return Err(invalid("table size, type or element", i));
        }
        s.tables[i].elems = elems;
    }
    Ok(())
}

fn read_globals(s: &mut StoreInner, r: &mut Reader<'_>) -> Result<(), SnapshotError> {
    if r.u32("globals")? as usize != s.globals.len() {
        return Err(invalid("global count", s.globals.len()));
    }
    for i in 0..s.globals.len() {
        let code = r.u8("globals")?;
        let mutable = r.u8("globals")?;
        let value = r.u64("globals")?;
        let ty = s.globals[i].ty;
        if code != ty.ty.code() || mutable != u8::from(ty.mutable) || !check_ref(s, ty.ty, value) {
            return Err(invalid("global type or value", i));
        }
        if !ty.mutable && value != s.globals[i].value {
            return Err(invalid("immutable global changed", i));
        }
        s.globals[i].value = value;
    }
    Ok(())
}

fn read_segments(s: &mut StoreInner, r: &mut Reader<'_>) -> Result<(), SnapshotError> {
    let inst = &mut s.instances[0];
    let module = inst.module.clone();
    if r.u32("element segments")? as usize != inst.elems.len() {
        return Err(invalid("element segment count", inst.elems.len()));
    }
    for (i, seg) in module.inner.elems.iter().enumerate() {
        let cells = read_cells(r, "element segments")?;
        // A segment is either dropped (empty) or exactly as instantiated.
        if !cells.is_empty() && (cells.len() != seg.items.len() || cells != inst.elems[i]) {
            return Err(invalid("element segment", i));
        }
        inst.elems[i] = cells;
    }
    if r.u32("data segments")? as usize != inst.data_dropped.len() {
        return Err(invalid("data segment count", inst.data_dropped.len()));
    }
    for i in 0..inst.data_dropped.len() {
        inst.data_dropped[i] = match r.u8("data segments")? {
            0 => false,
            1 => true,
            _ => return Err(invalid("data segment flag", i)),
        };
    }
    Ok(())
}

/// Cells the executor expects reserved for `frames` (locals, constants and maximal operand
/// height).
fn frame_reservation(s: &StoreInner, frames: &[Frame]) -> usize {
    frames
        .iter()
        .filter_map(|f| match &s.funcs[f.func as usize] {
            FuncEntity::Wasm { code, .. } => Some(f.base as usize + code.frame_size()),
            FuncEntity::Host { .. } => None,
        })
        .max()
        .unwrap_or(0)
}

/// Checks that the stacks are exactly what the executor could have left at this
/// suspension: every caller frame stopped after a call to the next frame's function with
/// the operand height the code has there, and the top frame at a safe point (or after the
/// pending host call).
fn check_stacks<T>(
    store: &Store<T>,
    cells: &[u64],
    frames: &[Frame],
    suspended: Option<&Suspension>,
    call_results: &[ValType],
) -> Result<(), SnapshotError> {
    let s = &store.inner;
    if frames.len() > s.limits.max_call_depth as usize {
        return Err(invalid("frame count exceeds limit", frames.len()));
    }
    let engine = &store.engine;
    let entry_ty = |func: u32| engine.func_type(s.funcs[func as usize].ty());
    match (suspended, frames.first()) {
        (None, _) if !frames.is_empty() || !cells.is_empty() => {
            return Err(invalid("stacks of an idle store", 0));
        }
        (None, _) => return Ok(()),
        (Some(Suspension::SafePoint(_)), None) => return Err(invalid("missing frames", 0)),
        (Some(Suspension::Host { func, .. }), None) => {
            return if cells.is_empty() && entry_ty(*func).results == call_results {
                Ok(())
            } else {
                Err(invalid("host call results", 0))
            };
        }
        (Some(_), Some(first)) => {
            let ty = s
                .funcs
                .get(first.func as usize)
                .map(|f| engine.func_type(f.ty()));
            if ty.is_none_or(|t| t.results != call_results || first.base != 0) {
                return Err(invalid("entry frame", 0));
            }
        }
    }
    let code_of = |i: usize, f: &Frame| match s.funcs.get(f.func as usize) {
        Some(FuncEntity::Wasm { code, .. }) if (f.pc as usize) < code.instrs.len() => Ok(code),
        _ => Err(invalid("frame function or pc", i)),
    };
    for (i, f) in frames.iter().enumerate() {
        let code = code_of(i, f)?;
        let consts_start = f.base as usize + code.locals as usize;
        let consts = cells.get(consts_start..consts_start + code.consts.len());
        if consts != Some(&code.consts[..]) {
            return Err(invalid("frame constants do not match code", i));
        }
        let locals_end = u64::from(f.base) + u64::from(code.stack_base());
        // The cell just past this frame's operands: the callee's base plus its params,
        // or the stack pointer for the top frame.
        let (end, at, callee) = match frames.get(i + 1) {
            Some(next) => {
                let params = entry_ty(next.func).params.len() as u64;
                (
                    u64::from(next.base) + params,
                    f.pc.checked_sub(1),
                    Some(next.func),
                )
            }
            None => match suspended {
                Some(Suspension::Host { func, .. }) => {
                    let params = entry_ty(*func).params.len() as u64;
                    (
                        cells.len() as u64 + params,
                        f.pc.checked_sub(1),
                        Some(*func),
                    )
                }
                _ => (cells.len() as u64, Some(f.pc), None),
            },
        };
        let at = at.ok_or(invalid("resume point", i))? as usize;
        let instr = code.instrs[at];
        let instance = &s.instances[0];
        let Instr { op, a, .. } = instr;
        let shape_ok = match (callee, op) {
            (Some(c), Op::Call) => instance.funcs.get(a as usize) == Some(&c),
            (Some(c), Op::CallIndirect) => s.funcs[c as usize].ty() == a,
            (None, Op::BrTable | Op::Call | Op::CallIndirect) => true,
            // A branch is a safe point when it goes backward.
            (None, op) => op.is_branch() && instr.branches_back(),
            _ => false,
        };
        // A call_indirect popped its table index before the callee's frame was made.
        let popped = u64::from(callee.is_some() && op == Op::CallIndirect);
        let height = u64::from(code.heights[at]).checked_sub(popped);
        let height = height.ok_or(invalid("resume point", i))?;
        if !shape_ok || end < locals_end || end - locals_end != height {
            return Err(invalid("frame stack shape does not match code", i));
        }
    }
    Ok(())
}
