//! The store: every runtime object (functions, memories, tables, globals, instances), the
//! execution stacks and the suspension state, all as plain data addressed by `u32` indices
//! ("addresses", WebAssembly 2.0 §4.2.3), plus the embedder's data `T` and host closures.
//! A snapshot is a serialisation of [`StoreInner`]'s instance state and stacks.

use std::sync::Arc;

use crate::code::FuncCode;
use crate::engine::{Engine, Limits};
use crate::host::HostFunc;
use crate::interrupt::InterruptHandle;
use crate::module::{GlobalType, Module};
use crate::stack::Stack;
use crate::value::{ValType, Value};

/// A function in the store.
#[derive(Debug, Clone)]
pub(crate) enum FuncEntity {
    /// Defined in `instance`'s module.
    Wasm {
        instance: u32,
        code: Arc<FuncCode>,
        /// Engine type id.
        ty: u32,
    },
    /// Host closure `host` of [`Store::host_funcs`].
    Host { host: u32, ty: u32 },
}

impl FuncEntity {
    pub fn ty(&self) -> u32 {
        match self {
            Self::Wasm { ty, .. } | Self::Host { ty, .. } => *ty,
        }
    }
}

/// A linear memory: bytes (length a multiple of 64 KiB) and maximum pages.
#[derive(Debug, Clone)]
pub(crate) struct MemoryInst {
    pub data: Vec<u8>,
    pub max: Option<u32>,
}

/// Size of a WebAssembly page in bytes.
pub(crate) const PAGE: usize = 65536;

impl MemoryInst {
    pub fn pages(&self) -> u32 {
        (self.data.len() / PAGE) as u32
    }
}

/// A table: reference cells (0 = null) and limits.
#[derive(Debug, Clone)]
pub(crate) struct TableInst {
    pub elems: Vec<u64>,
    pub max: Option<u32>,
    pub ty: ValType,
}

/// A global: its cell and type.
#[derive(Debug, Clone)]
pub(crate) struct GlobalInst {
    pub value: u64,
    pub ty: GlobalType,
}

/// An instance: its module and the store addresses of everything it uses, by module index.
#[derive(Debug, Clone)]
pub(crate) struct InstanceData {
    pub module: Module,
    pub funcs: Vec<u32>,
    pub tables: Vec<u32>,
    pub memories: Vec<u32>,
    pub globals: Vec<u32>,
    /// Element segments as reference cells; a dropped segment is empty.
    pub elems: Vec<Vec<u64>>,
    /// Whether each data segment was dropped.
    pub data_dropped: Vec<bool>,
}

/// Why a call stopped before finishing. It can be continued with [`Store::resume`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SuspendReason {
    /// The interrupt handle reported a deadline.
    Deadline,
    /// The interrupt handle asked to suspend (eviction, shutdown, snapshot).
    SuspendRequested,
    /// Fuel ran out at a safe point; add fuel with [`Store::set_fuel`] before resuming.
    FuelExhausted,
    /// A host function asked to suspend; resume with the host function's results.
    HostCall {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
        /// The host function's own request code (meaning defined by the embedder).
        code: u32,
    },
}

impl std::fmt::Display for SuspendReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Deadline => write!(f, "deadline reached"),
            Self::SuspendRequested => write!(f, "suspend requested"),
            Self::FuelExhausted => write!(f, "fuel exhausted"),
            Self::HostCall { module, name, code } => {
                write!(f, "host call {module}::{name} suspended with code {code}")
            }
        }
    }
}

/// What the store is waiting for while a call is suspended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Suspension {
    /// Stopped at a safe point; resume needs no values.
    SafePoint(SuspendReason),
    /// A host call to store function `func` is pending; resume supplies its results.
    Host { func: u32, reason: SuspendReason },
}

/// The plain-data part of a store.
#[derive(Debug, Clone, Default)]
pub(crate) struct StoreInner {
    pub funcs: Vec<FuncEntity>,
    pub memories: Vec<MemoryInst>,
    pub tables: Vec<TableInst>,
    pub globals: Vec<GlobalInst>,
    pub instances: Vec<InstanceData>,
    pub stack: Stack,
    pub suspended: Option<Suspension>,
    /// Result types of the suspended outermost call.
    pub call_results: Vec<ValType>,
    pub limits: Limits,
    /// Remaining fuel when metering is on.
    pub fuel: u64,
    pub consume_fuel: bool,
    /// Number of host calls currently on the Rust stack (re-entrancy depth).
    pub host_depth: u32,
    /// Page hashes and id of the last snapshot taken from or restored into this store:
    /// the base of the next incremental snapshot.
    pub snapshot_base: Option<crate::snapshot::SnapshotBase>,
}

/// Owns all runtime objects, the execution state and the embedder's data `T`.
pub struct Store<T> {
    pub(crate) engine: Engine,
    pub(crate) inner: StoreInner,
    pub(crate) host_funcs: Vec<HostFunc<T>>,
    pub(crate) interrupt: InterruptHandle,
    data: T,
}

/// A handle to an instance in a [`Store`] (its index there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Instance(pub(crate) u32);

impl<T> Store<T> {
    /// Creates an empty store using `engine`'s limits and fuel setting; fuel starts at 0.
    pub fn new(engine: &Engine, data: T) -> Self {
        let inner = StoreInner {
            limits: engine.config().limits,
            consume_fuel: engine.config().consume_fuel,
            ..StoreInner::default()
        };
        Self {
            engine: engine.clone(),
            inner,
            host_funcs: Vec::new(),
            interrupt: InterruptHandle::default(),
            data,
        }
    }

    /// The embedder's data.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The embedder's data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// The engine of this store.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// A handle another thread can use to stop the running call at its next safe point.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        self.interrupt.clone()
    }

    /// Sets the remaining fuel (units: safe points, see [`crate::Config::consume_fuel`]).
    pub fn set_fuel(&mut self, fuel: u64) {
        self.inner.fuel = fuel;
    }

    /// Remaining fuel.
    pub fn fuel(&self) -> u64 {
        self.inner.fuel
    }

    /// Whether a call is suspended (then only [`Store::resume`] and snapshots are allowed).
    pub fn is_suspended(&self) -> bool {
        self.inner.suspended.is_some()
    }

    /// Value of the exported global `name` of `instance`, if there is one.
    pub fn global(&self, instance: Instance, name: &str) -> Option<Value> {
        let inst = self.inner.instances.get(instance.0 as usize)?;
        match inst.module.inner.exports.get(name)? {
            crate::module::ExportIndex::Global(i) => {
                let g = &self.inner.globals[inst.globals[*i as usize] as usize];
                Some(Value::from_cell(g.ty.ty, g.value))
            }
            _ => None,
        }
    }

    /// Contents of memory 0 of `instance`, if it has one.
    pub fn memory(&self, instance: Instance) -> Option<&[u8]> {
        let inst = self.inner.instances.get(instance.0 as usize)?;
        let addr = *inst.memories.first()?;
        Some(&self.inner.memories[addr as usize].data)
    }

    /// Contents of memory 0 of `instance`, mutably, if it has one.
    pub fn memory_mut(&mut self, instance: Instance) -> Option<&mut [u8]> {
        let inst = self.inner.instances.get(instance.0 as usize)?;
        let addr = *inst.memories.first()?;
        Some(&mut self.inner.memories[addr as usize].data)
    }
}
