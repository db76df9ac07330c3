//! Allocation of a module instance in a store once its imports are resolved: functions,
//! tables, memories, globals, segments, then active element and data segments
//! (WebAssembly 2.0 §4.5.4). Traps in segment initialisation leave earlier writes in
//! place, as the spec requires. For a snapshot restore ([`Contents::FromSnapshot`]) memories
//! stay empty and data segments are only bounds-checked: the snapshot supplies every page.

use crate::error::{Error, Trap};
use crate::exec::in_bounds;
use crate::linker::Extern;
use crate::module::{ConstExpr, MemoryType, Module, SegmentMode, TableType};
use crate::store::{
    FuncEntity, GlobalInst, Instance, InstanceData, MemoryInst, PAGE, Store, StoreInner, TableInst,
};

/// Where the contents of the memories an instantiation allocates come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Contents {
    /// Zeroed at their minimum size, then active data segments are written: a new
    /// instance (WebAssembly 2.0 §4.5.4).
    Fresh,
    /// Left empty, data segments only bounds-checked: snapshot restore (`snapshot::read`)
    /// allocates each memory once at the snapshot's size and writes every page.
    FromSnapshot,
}

/// Allocates a memory of `ty` in the store, with [`Contents`] `contents`.
///
/// Errors: [`Error::Limit`] if `ty.min` exceeds [`crate::Limits::max_memory_pages`].
pub(crate) fn alloc_memory(
    s: &mut StoreInner,
    ty: MemoryType,
    contents: Contents,
) -> Result<u32, Error> {
    let limit = s.limits.max_memory_pages;
    if ty.min > limit {
        return Err(Error::Limit {
            what: "memory pages",
            requested: u64::from(ty.min),
            limit: u64::from(limit),
        });
    }
    let data = match contents {
        Contents::Fresh => vec![0; ty.min as usize * PAGE],
        Contents::FromSnapshot => Vec::new(),
    };
    s.memories.push(MemoryInst { data, max: ty.max });
    Ok(s.memories.len() as u32 - 1)
}

pub(crate) fn alloc_table(s: &mut StoreInner, ty: TableType, init: u64) -> Result<u32, Error> {
    let limit = s.limits.max_table_elements;
    if ty.min > limit {
        return Err(Error::Limit {
            what: "table elements",
            requested: u64::from(ty.min),
            limit: u64::from(limit),
        });
    }
    s.tables.push(TableInst {
        elems: vec![init; ty.min as usize],
        max: ty.max,
        ty: ty.elem,
    });
    Ok(s.tables.len() as u32 - 1)
}

/// Evaluates a constant expression with the instance's (partial) address maps.
fn eval(s: &StoreInner, inst: &InstanceData, expr: ConstExpr) -> u64 {
    match expr {
        ConstExpr::Cell(c) => c,
        ConstExpr::Global(g) => s.globals[inst.globals[g as usize] as usize].value,
        ConstExpr::RefFunc(f) => u64::from(inst.funcs[f as usize]) + 1,
    }
}

/// Creates the instance of `module` with imports `externs` (already type-checked), its
/// memories' contents as `contents` says.
pub(crate) fn instantiate<T>(
    store: &mut Store<T>,
    module: &Module,
    externs: &[Extern],
    contents: Contents,
) -> Result<Instance, Error> {
    let m = &module.inner;
    let s = &mut store.inner;
    let id = s.instances.len() as u32;
    let mut inst = InstanceData {
        module: module.clone(),
        funcs: Vec::new(),
        tables: Vec::new(),
        memories: Vec::new(),
        globals: Vec::new(),
        elems: Vec::new(),
        data_dropped: vec![false; m.datas.len()],
    };
    for e in externs {
        match *e {
            Extern::Func(a) => inst.funcs.push(a),
            Extern::Table(a) => inst.tables.push(a),
            Extern::Memory(a) => inst.memories.push(a),
            Extern::Global(a) => inst.globals.push(a),
        }
    }
    for (i, code) in m.codes.iter().enumerate() {
        let ty = m.type_ids[m.funcs[m.imported_funcs as usize + i] as usize];
        s.funcs.push(FuncEntity::Wasm {
            instance: id,
            code: code.clone(),
            ty,
        });
        inst.funcs.push(s.funcs.len() as u32 - 1);
    }
    for ty in &m.tables[m.imported_tables as usize..] {
        inst.tables.push(alloc_table(s, *ty, 0)?);
    }
    for ty in &m.memories[m.imported_memories as usize..] {
        inst.memories.push(alloc_memory(s, *ty, contents)?);
    }
    for (ty, init) in m.globals[m.imported_globals as usize..]
        .iter()
        .zip(&m.global_inits)
    {
        let value = eval(s, &inst, *init);
        s.globals.push(GlobalInst { value, ty: *ty });
        inst.globals.push(s.globals.len() as u32 - 1);
    }
    let elems = m
        .elems
        .iter()
        .map(|seg| seg.items.iter().map(|e| eval(s, &inst, *e)).collect())
        .collect();
    inst.elems = elems;
    s.instances.push(inst);
    init_segments(s, id as usize, contents)?;
    Ok(Instance(id))
}

/// Applies active element then data segments of instance `id` and drops them (and
/// declarative element segments). Data segments are only bounds-checked for
/// [`Contents::FromSnapshot`].
fn init_segments(s: &mut StoreInner, id: usize, contents: Contents) -> Result<(), Error> {
    let module = s.instances[id].module.clone();
    for (i, seg) in module.inner.elems.iter().enumerate() {
        match seg.mode {
            SegmentMode::Passive => continue,
            SegmentMode::Declared => {}
            SegmentMode::Active { index, offset } => {
                let inst = &s.instances[id];
                let at = u64::from(eval(s, inst, offset) as u32);
                let items = &inst.elems[i];
                let table = &mut s.tables[inst.tables[index as usize] as usize];
                let d = in_bounds(at, items.len() as u64, table.elems.len())
                    .ok_or(Trap::TableOutOfBounds)?;
                table.elems[d..d + items.len()].copy_from_slice(items);
            }
        }
        s.instances[id].elems[i] = Vec::new();
    }
    for (i, seg) in module.inner.datas.iter().enumerate() {
        let SegmentMode::Active { index, offset } = seg.mode else {
            continue;
        };
        let inst = &s.instances[id];
        let at = u64::from(eval(s, inst, offset) as u32);
        let mem = &mut s.memories[inst.memories[index as usize] as usize];
        // While restoring, memories the instance defines are still empty: check against
        // the size they would have (their declared minimum), write nothing.
        let min = module.inner.memories[index as usize].min as usize * PAGE;
        let len = match contents {
            Contents::Fresh => mem.data.len(),
            Contents::FromSnapshot => mem.data.len().max(min),
        };
        let d = in_bounds(at, seg.bytes.len() as u64, len).ok_or(Trap::MemoryOutOfBounds)?;
        if contents == Contents::Fresh {
            mem.data[d..d + seg.bytes.len()].copy_from_slice(&seg.bytes);
        }
        s.instances[id].data_dropped[i] = true;
    }
    Ok(())
}
