//! Errors of the runtime. [`RunError`]'s `Display` strings are what a user sees in the
//! `{ok:false, error}` of `at.functions.run`; [`RuntimeError`] is for starting a runtime.

use std::path::PathBuf;

/// Why one invocation produced no output.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The record's `mode` is not one this runtime runs (the lexicon's set is open).
    #[error("mode {0} is not supported yet")]
    UnsupportedMode(String),
    /// The code blob is not a valid module, or imports what its mode does not provide.
    #[error("invalid module: {reason}")]
    InvalidModule {
        /// CID of the code blob.
        code_cid: String,
        /// What is wrong, from the validator or the linker.
        reason: String,
    },
    /// A required export (`memory`, `alloc`, `run`) is absent or of the wrong kind/type.
    #[error("missing export: {export}")]
    MissingExport {
        /// CID of the code blob.
        code_cid: String,
        /// `memory`, `alloc` or `run`, plus the expected type when the kind matched.
        export: String,
    },
    /// The input is larger than `RuntimeConfig::max_input_bytes`.
    #[error("input too large: {len} bytes (limit {limit} bytes)")]
    InputTooLarge {
        /// Input size in bytes.
        len: usize,
        /// Limit in bytes.
        limit: usize,
    },
    /// The input is not UTF-8 JSON (RFC 8259).
    #[error("input is not JSON: {reason}")]
    InputNotJson {
        /// The parser's message.
        reason: String,
    },
    /// The call ran past `Limits::max_duration_ms` (host calls included) and was interrupted.
    #[error("timeout after {ms} ms")]
    Timeout {
        /// The limit in ms.
        ms: u32,
    },
    /// The module tried to grow its memory past `Limits::max_memory_mb`.
    #[error("memory limit of {mb} MiB exceeded")]
    MemoryLimit {
        /// The limit in MiB.
        mb: u32,
    },
    /// Wasm code used more native stack than `RuntimeConfig::max_wasm_stack`.
    #[error("stack overflow")]
    StackOverflow,
    /// Any other trap (WebAssembly spec §4.4 traps; messages as in the spec testsuite).
    #[error("trap: {trap}{}", func_suffix(*func_index, func_name.as_deref()))]
    Trap {
        /// The trap, e.g. `unreachable`, `integer divide by zero`, `out of bounds memory access`.
        trap: String,
        /// Index (in the module's function index space) of the innermost wasm frame, if known.
        func_index: Option<u32>,
        /// That function's name from the module's name section, if any.
        func_name: Option<String>,
    },
    /// The block `alloc` returned for the input does not lie inside memory.
    #[error("alloc returned {len} bytes at {ptr}, outside memory of {memory_bytes} bytes")]
    AllocOutOfBounds {
        /// Address returned by `alloc`.
        ptr: u32,
        /// Requested length in bytes.
        len: u32,
        /// Memory size in bytes.
        memory_bytes: usize,
    },
    /// `run` returned a ptr/len that does not lie inside memory.
    #[error("output out of bounds: {len} bytes at {ptr}, memory is {memory_bytes} bytes")]
    OutputOutOfBounds {
        /// Output address.
        ptr: u32,
        /// Output length in bytes.
        len: u32,
        /// Memory size in bytes.
        memory_bytes: usize,
    },
    /// `run` returned more than `RuntimeConfig::max_output_bytes`.
    #[error("output too large: {len} bytes (limit {limit} bytes)")]
    OutputTooLarge {
        /// Output length in bytes.
        len: u32,
        /// Limit in bytes.
        limit: usize,
    },
    /// The output is not UTF-8.
    #[error("output is not UTF-8: {reason}")]
    OutputNotUtf8 {
        /// Where decoding failed.
        reason: String,
    },
    /// The output is UTF-8 but not JSON (RFC 8259).
    #[error("output is not JSON: {reason}")]
    OutputNotJson {
        /// The parser's message.
        reason: String,
    },
    /// A `host-v1` import was called with a request the guest could not legally make (e.g. a
    /// ptr/len outside memory), or writing its response into the guest failed.
    #[error("host call {import} failed: {reason}")]
    HostCall {
        /// `host_read_record`, `host_read_blob` or `host_list_collection`.
        import: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// All `RuntimeConfig::max_instances` pooling slots are in use.
    #[error("too many concurrent invocations (limit {max_instances})")]
    Busy {
        /// The limit.
        max_instances: u32,
    },
    /// A fault of the runtime itself (e.g. the blocking task panicked); logged in full.
    #[error("internal error: {0}")]
    Internal(String),
}

fn func_suffix(index: Option<u32>, name: Option<&str>) -> String {
    match (index, name) {
        (Some(i), Some(n)) => format!(" (func {i}: {n})"),
        (Some(i), None) => format!(" (func {i})"),
        (None, _) => String::new(),
    }
}

/// A name that is not a [`crate::EngineKind`] (`wasmtime` or `interp`); carries the name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown engine {0:?} (expected wasmtime or interp)")]
pub struct UnknownEngine(pub String);

/// Why a [`crate::Runtime`] could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RuntimeError {
    /// wasmtime rejected the engine configuration (e.g. the pooling allocator's reservations).
    #[error("cannot create the wasmtime engine: {0}")]
    Engine(String),
    /// The cache directory could not be created.
    #[error("cannot create cache directory {path}: {source}")]
    CacheDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The epoch ticker thread could not be spawned.
    #[error("cannot spawn the epoch ticker thread: {0}")]
    Ticker(#[source] std::io::Error),
}
