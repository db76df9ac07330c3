//! Errors of the engine: module decoding/validation, linking, traps, API misuse and
//! snapshot restore. Trap messages equal the strings of the official WebAssembly spec
//! testsuite (`assert_trap`, `assert_exhaustion`), so the harness compares them verbatim.

use crate::value::ValType;

/// A WebAssembly trap: execution stopped abruptly (WebAssembly 2.0 §4.4.1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Trap {
    /// `unreachable` was executed.
    #[error("unreachable")]
    Unreachable,
    /// Integer division or remainder by zero.
    #[error("integer divide by zero")]
    DivisionByZero,
    /// Signed division overflow (`INT_MIN / -1`) or a float-to-int truncation out of range.
    #[error("integer overflow")]
    IntegerOverflow,
    /// Trapping float-to-int truncation of a NaN.
    #[error("invalid conversion to integer")]
    InvalidConversion,
    /// A load, store or bulk memory operation outside the memory's current size.
    #[error("out of bounds memory access")]
    MemoryOutOfBounds,
    /// A table access or bulk table operation outside the table's current size.
    #[error("out of bounds table access")]
    TableOutOfBounds,
    /// `call_indirect` index past the end of the table.
    #[error("undefined element")]
    UndefinedElement,
    /// `call_indirect` on a null table entry.
    #[error("uninitialized element")]
    UninitializedElement,
    /// `call_indirect` callee type differs from the expected type.
    #[error("indirect call type mismatch")]
    IndirectCallTypeMismatch,
    /// `memory.grow` asked for more than [`crate::Limits::max_memory_pages`] (this many
    /// pages) with [`crate::Limits::trap_at_memory_limit`] set.
    #[error("memory limit of {pages} pages exceeded")]
    MemoryLimitExceeded {
        /// The limit, in 64 KiB pages.
        pages: u32,
    },
    /// Frame depth or value stack cells exceeded [`crate::Limits`].
    #[error("call stack exhausted")]
    StackExhausted,
    /// The guest called WASI `proc_exit` with this code (0 = success).
    #[error("exit with code {0}")]
    Exit(i32),
    /// A host function reported a trap with this message.
    #[error("{0}")]
    Host(String),
}

/// Why decoding, validating or translating a module failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TranslateError {
    /// The bytes are not a valid WebAssembly 2.0 module (without SIMD); the message and byte
    /// offset come from `wasmparser`.
    #[error("invalid module: {0}")]
    Invalid(#[from] wasmparser::BinaryReaderError),
    /// A construct that validated but this engine does not support (a bug if ever seen for
    /// WebAssembly 2.0 input).
    #[error("unsupported construct at byte offset {offset}: {what}")]
    Unsupported {
        /// What is not supported.
        what: &'static str,
        /// Byte offset in the module.
        offset: u64,
    },
    /// The translated code of a function breaks a fact the executor relies on (a bug in
    /// this engine, never the module's fault; see [`crate::code::verify`]).
    #[error(transparent)]
    Verify(#[from] crate::code::VerifyError),
}

/// Why an import could not be satisfied (spec `assert_unlinkable`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LinkError {
    /// No definition under this module/name pair.
    #[error("unknown import {module}::{name}")]
    Unknown {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
    },
    /// A definition exists but its kind or type does not match the import.
    #[error("incompatible import type for {module}::{name}")]
    Incompatible {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
    },
}

/// Any error returned by the engine's public API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Module decoding, validation or translation failed.
    #[error(transparent)]
    Translate(#[from] TranslateError),
    /// Import resolution failed during instantiation.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// Execution trapped (also during instantiation: segment initialisation, start function).
    #[error(transparent)]
    Trap(#[from] Trap),
    /// The named export does not exist or has another kind.
    #[error("no exported function named {0:?}")]
    ExportNotFound(String),
    /// Call arguments or resume results do not match the function type.
    #[error("argument types {got:?} do not match expected {expected:?}")]
    TypeMismatch {
        /// The expected types.
        expected: Vec<ValType>,
        /// The supplied types.
        got: Vec<ValType>,
    },
    /// `call` while an earlier call is suspended, or `resume` when nothing is suspended.
    #[error("store is {0}")]
    WrongState(&'static str),
    /// A safe-point stop or host suspension was requested inside a call made by a host
    /// function (re-entrant call); only the outermost call can suspend.
    #[error("cannot suspend inside a re-entrant call: {0}")]
    SuspendInReentrantCall(crate::SuspendReason),
    /// A memory or table of the module exceeds the store's [`crate::Limits`].
    #[error("{what}: {requested} requested, limit is {limit}")]
    Limit {
        /// Which limit (`memory pages`, `table elements`).
        what: &'static str,
        /// Requested amount.
        requested: u64,
        /// Configured limit.
        limit: u64,
    },
    /// Restoring a snapshot failed.
    #[error(transparent)]
    Snapshot(#[from] crate::snapshot::SnapshotError),
}
