//! Turns a wasmtime error from instantiation, `alloc`, `run` or a host import into the
//! [`RunError`] a user sees, and defines the marker errors the limiter and imports raise.

use crate::RunError;
use crate::host::HostError;
use wasmtime::{PoolConcurrencyLimitError, Trap, WasmBacktrace};

/// Raised by the memory limiter when growth would pass `max_memory_mb`.
#[derive(Debug, thiserror::Error)]
#[error("memory limit exceeded")]
pub(crate) struct MemoryLimitExceeded;

/// Maps `error` to a [`RunError`]; `memory_mb`, `duration_ms` and `max_instances` are the limits
/// in force, quoted in the messages.
pub(crate) fn run_error(
    error: wasmtime::Error,
    memory_mb: u32,
    duration_ms: u32,
    max_instances: u32,
) -> RunError {
    if let Some(host) = error.downcast_ref::<HostError>() {
        return host.run_error(duration_ms);
    }
    if error.is::<MemoryLimitExceeded>() {
        return RunError::MemoryLimit { mb: memory_mb };
    }
    if error.is::<PoolConcurrencyLimitError>() {
        return RunError::Busy { max_instances };
    }
    let Some(trap) = error.downcast_ref::<Trap>() else {
        tracing::error!("unexpected wasmtime error: {error:?}");
        return RunError::Internal(format!("{error:#}"));
    };
    match trap {
        Trap::Interrupt => RunError::Timeout { ms: duration_ms },
        Trap::StackOverflow => RunError::StackOverflow,
        trap => {
            let frame = error
                .downcast_ref::<WasmBacktrace>()
                .and_then(|bt| bt.frames().first());
            RunError::Trap {
                trap: trap_message(trap),
                func_index: frame.map(|f| f.func_index()),
                func_name: frame.and_then(|f| f.func_name()).map(str::to_owned),
            }
        }
    }
}

/// The WebAssembly spec testsuite's message for a trap (`assert_trap` strings).
fn trap_message(trap: &Trap) -> String {
    match trap {
        Trap::UnreachableCodeReached => "unreachable",
        Trap::MemoryOutOfBounds => "out of bounds memory access",
        Trap::HeapMisaligned => "misaligned memory access",
        Trap::TableOutOfBounds => "out of bounds table access",
        Trap::IndirectCallToNull => "uninitialized element",
        Trap::BadSignature => "indirect call type mismatch",
        Trap::IntegerOverflow => "integer overflow",
        Trap::IntegerDivisionByZero => "integer divide by zero",
        Trap::BadConversionToInteger => "invalid conversion to integer",
        other => return other.to_string(),
    }
    .to_owned()
}
