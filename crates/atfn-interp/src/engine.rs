//! The engine: configuration shared by modules and stores, and the registry that gives every
//! distinct function type one small id so `call_indirect` checks compare two `u32`s.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::value::FuncType;

/// Resource limits of every store created from an engine. Each limit ends in a clean error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most 64 KiB pages a linear memory may have. Default 16384 (1 GiB). Past it,
    /// instantiating a larger memory fails with [`crate::Error::Limit`] and `memory.grow`
    /// returns -1 (WebAssembly 2.0 §4.4.7, `memory.grow` may fail), or traps if
    /// [`Limits::trap_at_memory_limit`].
    pub max_memory_pages: u32,
    /// Whether `memory.grow` past [`Limits::max_memory_pages`] traps with
    /// [`crate::Trap::MemoryLimitExceeded`] instead of returning -1, so a host can tell a
    /// guest stopped by its memory limit from one that failed on its own. Growth past the
    /// memory's own declared maximum still returns -1. Default `false` (the spec's
    /// behaviour).
    pub trap_at_memory_limit: bool,
    /// Most elements a table may have. Default 1,048,576. Past it `table.grow` returns -1.
    pub max_table_elements: u32,
    /// Most nested WebAssembly call frames. Default 16,384. Past it the call traps with
    /// `call stack exhausted`.
    pub max_call_depth: u32,
    /// Most 8-byte cells of the value stack (locals and operands of all frames).
    /// Default 1 Mi cells (8 MiB). Past it the call traps with `call stack exhausted`.
    pub max_value_cells: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_memory_pages: 16_384,
            trap_at_memory_limit: false,
            max_table_elements: 1 << 20,
            max_call_depth: 16_384,
            max_value_cells: 1 << 20,
        }
    }
}

/// Engine configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Resource limits; see [`Limits`].
    pub limits: Limits,
    /// Whether fuel is metered. Default off. When on, each safe point (loop back-edge taken,
    /// function call) costs one unit of fuel; at zero the call suspends with
    /// [`crate::SuspendReason::FuelExhausted`] and can be resumed after adding fuel.
    pub consume_fuel: bool,
}

/// Shared engine state: configuration and the function type registry. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Engine {
    inner: Arc<EngineInner>,
}

#[derive(Debug, Default)]
struct EngineInner {
    config: Config,
    types: Mutex<TypeRegistry>,
}

#[derive(Debug, Default)]
struct TypeRegistry {
    ids: HashMap<FuncType, u32>,
    types: Vec<FuncType>,
}

impl Engine {
    /// Creates an engine with the given configuration.
    pub fn new(config: Config) -> Self {
        Self {
            inner: Arc::new(EngineInner {
                config,
                types: Mutex::default(),
            }),
        }
    }

    /// The engine's configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Returns the id of `ty`, registering it on first use. Equal types get equal ids.
    pub(crate) fn intern(&self, ty: &FuncType) -> u32 {
        let mut reg = self.inner.types.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&id) = reg.ids.get(ty) {
            return id;
        }
        let id = reg.types.len() as u32;
        reg.types.push(ty.clone());
        reg.ids.insert(ty.clone(), id);
        id
    }

    /// The function type registered under `id`.
    pub(crate) fn func_type(&self, id: u32) -> FuncType {
        let reg = self.inner.types.lock().unwrap_or_else(|e| e.into_inner());
        reg.types[id as usize].clone()
    }

    /// Whether two handles refer to the same engine.
    pub(crate) fn same(&self, other: &Engine) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}
