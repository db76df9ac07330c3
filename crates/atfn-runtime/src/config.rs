//! What the caller tells the runtime: the function's [`Mode`] and [`Limits`] (from its
//! `at.functions.metadata` record), the [`FunctionSpec`] of one function, and the process-wide
//! [`RuntimeConfig`].

use crate::{RunError, UnknownEngine};
use bytes::Bytes;
use std::path::PathBuf;
use std::str::FromStr;

/// The ABI a module is run with (`mode` of `at.functions.metadata`; design.md §1.1, §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `pure-v1`: ptr/len JSON ABI, no imports at all.
    PureV1,
    /// `host-v1`: ptr/len JSON ABI plus the read-only `host` imports.
    HostV1,
}

impl Mode {
    /// The lexicon value: `pure-v1` or `host-v1`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::PureV1 => "pure-v1",
            Mode::HostV1 => "host-v1",
        }
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Mode {
    type Err = RunError;

    /// Parses `pure-v1` or `host-v1`. Any other value (the lexicon's set is open; `component-v1`
    /// is not implemented yet) is [`RunError::UnsupportedMode`].
    fn from_str(mode: &str) -> Result<Self, RunError> {
        match mode {
            "pure-v1" => Ok(Mode::PureV1),
            "host-v1" => Ok(Mode::HostV1),
            other => Err(RunError::UnsupportedMode(other.to_owned())),
        }
    }
}

/// Per-function limits, from the metadata record (`maxMemoryMb`, `maxDurationMs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest linear memory, in MiB (2^20 bytes). Default 32; the lexicon allows 1..=256.
    /// Growing past it (or declaring more initially) traps with [`RunError::MemoryLimit`].
    pub max_memory_mb: u32,
    /// Wall-clock budget of one call, in ms, host calls included. Default 100; the lexicon allows
    /// 1..=5000. Past it the guest is interrupted: [`RunError::Timeout`].
    pub max_duration_ms: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_memory_mb: 32,
            max_duration_ms: 100,
        }
    }
}

/// One function to run: its code and the settings of its metadata record.
#[derive(Debug, Clone)]
pub struct FunctionSpec {
    /// CID of the code blob (CIDv1 raw, e.g. `bafkrei…`). The compiled-module cache trusts it: the
    /// caller must have checked that `wasm` hashes to it. Only ASCII alphanumeric CIDs are
    /// persisted on disk.
    pub code_cid: String,
    /// The WebAssembly module (binary format), as fetched.
    pub wasm: Bytes,
    /// The ABI to run it with.
    pub mode: Mode,
    /// Memory and time limits.
    pub limits: Limits,
    /// `allowedHosts` of the record: AT URIs the function may read (`host-v1`). `None` allows
    /// every read. See [`crate::allowed_by`] for the matching rule.
    pub allowed_hosts: Option<Vec<String>>,
}

/// The WebAssembly engine a [`crate::Runtime`] runs every function on.
///
/// Both implement the same ABI, limits and error messages (see `docs/decisions/runtime.md` for
/// the few differences).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum EngineKind {
    /// wasmtime (Cranelift): compiled code, pooling allocator, epoch interruption. The default.
    #[default]
    Wasmtime,
    /// atfn-interp: atfn's own resumable interpreter; modules are translated, not compiled,
    /// and kept in memory only.
    Interp,
}

impl EngineKind {
    /// `wasmtime` or `interp`.
    pub fn as_str(self) -> &'static str {
        match self {
            EngineKind::Wasmtime => "wasmtime",
            EngineKind::Interp => "interp",
        }
    }
}

impl std::fmt::Display for EngineKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EngineKind {
    type Err = UnknownEngine;

    /// Parses `wasmtime` or `interp`; anything else is [`UnknownEngine`].
    fn from_str(name: &str) -> Result<Self, UnknownEngine> {
        match name {
            "wasmtime" => Ok(EngineKind::Wasmtime),
            "interp" => Ok(EngineKind::Interp),
            other => Err(UnknownEngine(other.to_owned())),
        }
    }
}

/// Process-wide settings of a [`crate::Runtime`].
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Largest accepted input, in bytes. Default 1 MiB. Larger: [`RunError::InputTooLarge`].
    pub max_input_bytes: usize,
    /// Largest accepted output, in bytes. Default 1 MiB. Larger: [`RunError::OutputTooLarge`].
    pub max_output_bytes: usize,
    /// Largest native stack wasm code may use, in bytes (wasmtime `Config::max_wasm_stack`).
    /// Default 512 KiB. Past it: [`RunError::StackOverflow`].
    pub max_wasm_stack: usize,
    /// Directory where compiled modules are persisted as `<code_cid>.cwasm`, so a restart does not
    /// recompile. Default `None` (memory only). Created if missing.
    pub cache_dir: Option<PathBuf>,
    /// Most instances alive at once (pooling allocator slots). Default 100. A call beyond it
    /// fails with [`RunError::Busy`].
    pub max_instances: u32,
    /// Period of the epoch ticker that enforces `max_duration_ms`, in ms. Default 1. A deadline
    /// of `d` ms is `ceil(d / epoch_tick_ms)` ticks.
    pub epoch_tick_ms: u32,
    /// Largest linear memory any function may ask for, in MiB: the pooling allocator's slot size.
    /// Default 256 (the lexicon's maximum of `maxMemoryMb`).
    pub max_memory_mb_ceiling: u32,
    /// Most compiled modules kept in memory, one per `(code CID, mode)` (on the interpreter,
    /// per memory limit too). Default 256. Past it the least useful entry is evicted and
    /// compiled again (or, with `cache_dir`, loaded from disk) when next called; memory per
    /// entry is about the function's compiled size.
    pub module_cache_entries: usize,
    /// The engine every function runs on. Default [`EngineKind::Wasmtime`]. With
    /// [`EngineKind::Interp`], `cache_dir`, `epoch_tick_ms` and `max_wasm_stack` are unused
    /// (the interpreter's own call-depth limit stands for the stack limit).
    pub engine: EngineKind,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            max_input_bytes: 1 << 20,
            max_output_bytes: 1 << 20,
            max_wasm_stack: 512 << 10,
            cache_dir: None,
            max_instances: 100,
            epoch_tick_ms: 1,
            max_memory_mb_ceiling: 256,
            module_cache_entries: 256,
            engine: EngineKind::Wasmtime,
        }
    }
}

#[cfg(test)]
mod tests;
