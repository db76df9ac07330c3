//! The linker: names host functions and store objects for import resolution, and
//! instantiates modules (WebAssembly 2.0 §4.5.4: resolve and type-check imports, allocate,
//! run active element then data segments, then the start function).

use std::collections::HashMap;
use std::sync::Arc;

use crate::Outcome;
use crate::error::{Error, LinkError, Trap};
use crate::host::{Caller, HostAction, HostFunc};
use crate::instantiate::Contents;
use crate::module::{ExportIndex, GlobalType, ImportKind, MemoryType, Module, TableType};
use crate::store::{FuncEntity, Instance, Store};
use crate::value::{FuncType, Value};

/// An object in a store that can satisfy an import (its store address and kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extern {
    /// A function.
    Func(u32),
    /// A table.
    Table(u32),
    /// A memory.
    Memory(u32),
    /// A global.
    Global(u32),
}

enum Definition<T> {
    Extern(Extern),
    Host(HostFunc<T>),
}

/// Import definitions by `(module, name)`.
pub struct Linker<T> {
    defs: HashMap<(String, String), Definition<T>>,
}

impl<T> Default for Linker<T> {
    fn default() -> Self {
        Self {
            defs: HashMap::new(),
        }
    }
}

impl<T> Linker<T> {
    /// An empty linker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Defines host function `module::name` of type `ty`. Each instantiation allocates it in
    /// the store (in import order, so restoring a snapshot reproduces the same addresses).
    pub fn func(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        f: impl Fn(&mut Caller<'_, T>, &[Value]) -> Result<HostAction, Trap> + Send + Sync + 'static,
    ) -> &mut Self {
        let def = HostFunc {
            ty,
            module: module.into(),
            name: name.into(),
            f: Arc::new(f),
        };
        self.defs
            .insert((module.into(), name.into()), Definition::Host(def));
        self
    }

    /// Defines `module::name` as an existing store object.
    pub fn define(&mut self, module: &str, name: &str, item: Extern) -> &mut Self {
        self.defs
            .insert((module.into(), name.into()), Definition::Extern(item));
        self
    }

    /// Defines every export of `instance` under module name `module` (spec `register`).
    pub fn instance(&mut self, store: &Store<T>, module: &str, instance: Instance) -> &mut Self {
        let exports: Vec<(String, Extern)> = store
            .inner
            .instances
            .get(instance.0 as usize)
            .map(|inst| {
                inst.module
                    .inner
                    .exports
                    .keys()
                    .filter_map(|name| Some((name.clone(), store.export(instance, name)?)))
                    .collect()
            })
            .unwrap_or_default();
        for (name, item) in exports {
            self.define(module, &name, item);
        }
        self
    }

    /// Instantiates `module` in `store`.
    ///
    /// Errors: [`LinkError`] for missing or mistyped imports, [`Error::Limit`] for memories
    /// or tables above the store's limits, [`Error::Trap`] for out-of-bounds segments or a
    /// trapping start function, [`Error::WrongState`] if the start function suspends.
    pub fn instantiate(&self, store: &mut Store<T>, module: &Module) -> Result<Instance, Error> {
        let instance = self.instantiate_no_start(store, module, Contents::Fresh)?;
        let start = module.inner.start;
        if let Some(start) = start {
            let addr = store.inner.instances[instance.0 as usize].funcs[start as usize];
            if let Outcome::Suspended(_) = store.call_func(addr, &[])? {
                store.inner.suspended = None;
                store.inner.stack = Default::default();
                return Err(Error::WrongState("suspended in the start function"));
            }
        }
        Ok(instance)
    }

    /// Resolves imports, allocates the instance (memories' contents as `contents` says) and
    /// applies segments, without running the start function (also used by snapshot
    /// restore).
    pub(crate) fn instantiate_no_start(
        &self,
        store: &mut Store<T>,
        module: &Module,
        contents: Contents,
    ) -> Result<Instance, Error> {
        if !store.engine.same(module.engine()) {
            return Err(Error::WrongState("module from another engine"));
        }
        let mut externs = Vec::with_capacity(module.inner.imports.len());
        for import in &module.inner.imports {
            externs.push(self.resolve(store, module, import)?);
        }
        crate::instantiate::instantiate(store, module, &externs, contents)
    }

    fn resolve(
        &self,
        store: &mut Store<T>,
        module: &Module,
        import: &crate::module::Import,
    ) -> Result<Extern, Error> {
        let key = (import.module.clone(), import.name.clone());
        let incompatible = || LinkError::Incompatible {
            module: import.module.clone(),
            name: import.name.clone(),
        };
        let item = match self.defs.get(&key) {
            None => {
                return Err(LinkError::Unknown {
                    module: import.module.clone(),
                    name: import.name.clone(),
                }
                .into());
            }
            Some(Definition::Extern(e)) => *e,
            Some(Definition::Host(h)) => {
                let ty = store.engine.intern(&h.ty);
                let host = store.host_funcs.len() as u32;
                store.host_funcs.push(h.clone());
                store.inner.funcs.push(FuncEntity::Host { host, ty });
                Extern::Func(store.inner.funcs.len() as u32 - 1)
            }
        };
        let s = &store.inner;
        let ok = match (&import.kind, item) {
            (ImportKind::Func(t), Extern::Func(a)) => {
                s.funcs[a as usize].ty() == module.inner.type_ids[*t as usize]
            }
            (ImportKind::Table(t), Extern::Table(a)) => {
                let actual = &s.tables[a as usize];
                actual.ty == t.elem
                    && limits_match(actual.elems.len() as u64, actual.max, t.min, t.max)
            }
            (ImportKind::Memory(t), Extern::Memory(a)) => {
                let actual = &s.memories[a as usize];
                limits_match(u64::from(actual.pages()), actual.max, t.min, t.max)
            }
            (ImportKind::Global(t), Extern::Global(a)) => s.globals[a as usize].ty == *t,
            _ => false,
        };
        if ok {
            Ok(item)
        } else {
            Err(incompatible().into())
        }
    }
}

/// Import limits subtyping (WebAssembly 2.0 §4.5.3.2): actual size at least the imported
/// minimum; if the import has a maximum, the actual maximum exists and is not larger.
fn limits_match(size: u64, max: Option<u32>, want_min: u32, want_max: Option<u32>) -> bool {
    size >= u64::from(want_min)
        && match want_max {
            None => true,
            Some(w) => max.is_some_and(|m| m <= w),
        }
}

impl<T> Store<T> {
    /// The export `name` of `instance` as a store object.
    pub fn export(&self, instance: Instance, name: &str) -> Option<Extern> {
        let inst = self.inner.instances.get(instance.0 as usize)?;
        Some(match inst.module.inner.exports.get(name)? {
            ExportIndex::Func(i) => Extern::Func(inst.funcs[*i as usize]),
            ExportIndex::Table(i) => Extern::Table(inst.tables[*i as usize]),
            ExportIndex::Memory(i) => Extern::Memory(inst.memories[*i as usize]),
            ExportIndex::Global(i) => Extern::Global(inst.globals[*i as usize]),
        })
    }

    /// Allocates a standalone memory of `ty` (for linking, e.g. the spectest module).
    ///
    /// Errors: [`Error::Limit`] if `ty.min` exceeds [`crate::Limits::max_memory_pages`].
    pub fn new_memory(&mut self, ty: MemoryType) -> Result<Extern, Error> {
        crate::instantiate::alloc_memory(&mut self.inner, ty, Contents::Fresh).map(Extern::Memory)
    }

    /// Allocates a standalone table of `ty` filled with `init`.
    ///
    /// Errors: [`Error::Limit`] if `ty.min` exceeds [`crate::Limits::max_table_elements`].
    pub fn new_table(&mut self, ty: TableType, init: Value) -> Result<Extern, Error> {
        crate::instantiate::alloc_table(&mut self.inner, ty, init.to_cell()).map(Extern::Table)
    }

    /// Allocates a standalone global holding `value`.
    pub fn new_global(&mut self, value: Value, mutable: bool) -> Extern {
        self.inner.globals.push(crate::store::GlobalInst {
            value: value.to_cell(),
            ty: GlobalType {
                ty: value.ty(),
                mutable,
            },
        });
        Extern::Global(self.inner.globals.len() as u32 - 1)
    }
}
