//! The atfn-interp path of [`crate::Runtime`] (`RuntimeConfig::engine` =
//! [`crate::EngineKind::Interp`]): the same ptr/len ABI, limits, `host` imports and error
//! messages as the wasmtime path, on atfn's own interpreter.
//!
//! Limits: memory through the interpreter's `max_memory_pages` (its limits are per engine, so
//! there is one interpreter engine per memory limit in use); time through the store's
//! [`atfn_interp::InterruptHandle`], set by a tokio timer at the deadline, after which the
//! interpreter stops itself at its next safe point; stack through its call-depth and value-stack
//! limits (`call stack exhausted` → `stack overflow`). Growing memory past the limit traps
//! (`Limits::trap_at_memory_limit`), as the wasmtime path's resource limiter does, and is
//! reported as `memory limit of N MiB exceeded`. Modules are translated once per
//! `(code CID, mode, memory limit)` and kept in memory only.

use crate::cache::{Memo, check_abi_exports, signature};
use crate::engine::Counters;
use crate::host::{Guest, HostContext, HostError, Import, host_call};
use crate::invoke::{CallSetup, MAX_TABLE_ELEMENTS, Running, read_output, write_input};
use crate::{FunctionSpec, Mode, RunError, RuntimeConfig};
use atfn_interp::{
    Caller, Config, Engine, Error, ExportIndex, FuncType, HostAction, ImportKind, Instance, Linker,
    Module, Outcome, Store, SuspendReason, TranslateError, Trap, ValType, Value,
};
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::runtime::Handle;

/// 64 KiB pages in one MiB.
const PAGES_PER_MB: u32 = 16;

/// Interpreter engines by memory limit (pages), the module cache and the two linkers.
pub(crate) struct InterpBackend {
    engines: Mutex<HashMap<u32, Engine>>,
    modules: Memo<(String, Mode, u32), Module>,
    pure_linker: Linker<CallData>,
    host_linker: Linker<CallData>,
}

impl InterpBackend {
    /// A backend keeping at most `cache_entries` translated modules
    /// ([`crate::RuntimeConfig::module_cache_entries`]).
    pub(crate) fn new(cache_entries: usize) -> Self {
        InterpBackend {
            engines: Mutex::default(),
            modules: Memo::new(cache_entries),
            pure_linker: Linker::new(),
            host_linker: host_linker(),
        }
    }
}

/// One invocation, as [`crate::Runtime`] hands it over.
pub(crate) struct Call<'a> {
    pub spec: &'a FunctionSpec,
    /// From [`InterpBackend::module`].
    pub module: Module,
    pub input: &'a [u8],
    pub setup: CallSetup,
    pub config: &'a RuntimeConfig,
    pub counters: &'a Counters,
    pub handle: &'a Handle,
}

/// What the store of one invocation holds.
struct CallData {
    host: Option<HostContext>,
    /// Why a host import stopped the guest (the interpreter's trap carries only a message).
    stop: Option<Stop>,
}

/// Why the guest stopped before returning.
#[derive(Debug, thiserror::Error)]
enum Stop {
    #[error(transparent)]
    Host(#[from] HostError),
    #[error(transparent)]
    Engine(#[from] Error),
    #[error("suspended: {0}")]
    Suspended(SuspendReason),
}

impl InterpBackend {
    /// Runs one call; see [`crate::Runtime::invoke`].
    pub fn run(&self, call: Call<'_>) -> Result<serde_json::Value, RunError> {
        let Call {
            spec,
            module,
            input,
            setup,
            config,
            counters,
            handle,
        } = call;
        let (memory_mb, duration_ms) = (setup.memory_mb, setup.duration_ms);
        let running = Running::enter(&counters.running);
        if running.others >= u64::from(config.max_instances) {
            return Err(RunError::Busy {
                max_instances: config.max_instances,
            });
        }
        let mut store = Store::new(
            module.engine(),
            CallData {
                host: setup.host,
                stop: None,
            },
        );
        let interrupt = store.interrupt_handle();
        let deadline = tokio::time::Instant::from_std(setup.deadline);
        let _timer = AbortOnDrop(handle.spawn(async move {
            tokio::time::sleep_until(deadline).await;
            interrupt.deadline_reached();
        }));
        let fail = |stop: Stop| run_error(stop, spec, memory_mb, duration_ms);
        let linker = match spec.mode {
            Mode::PureV1 => &self.pure_linker,
            Mode::HostV1 => &self.host_linker,
        };
        let instance = linker
            .instantiate(&mut store, &module)
            .map_err(|e| fail(e.into()))?;

        let len = i32::try_from(input.len()).expect("input is bounded by max_input_bytes");
        let ptr = call_i32(&mut store, instance, "alloc", &[Value::I32(len)]).map_err(fail)?;
        write_input(memory_mut(&mut store, instance)?, ptr, input)?;
        let packed = match call_export(
            &mut store,
            instance,
            "run",
            &[Value::I32(ptr), Value::I32(len)],
        ) {
            Ok(Value::I64(packed)) => packed,
            Ok(other) => return Err(RunError::Internal(format!("run returned {other:?}"))),
            Err(stop) => return Err(fail(stop)),
        };
        let memory = store.memory(instance).unwrap_or_default();
        read_output(memory, packed, config.max_output_bytes)
    }

    /// The translated, checked module of `spec` for a memory limit of `memory_mb` MiB, from
    /// memory or translated now.
    pub fn module(
        &self,
        spec: &FunctionSpec,
        memory_mb: u32,
        counters: &Counters,
    ) -> Result<Module, RunError> {
        let pages = memory_mb * PAGES_PER_MB;
        let key = (spec.code_cid.clone(), spec.mode, pages);
        self.modules.get_or_make(key, counters, || {
            let module = Module::new(&self.engine(pages), &spec.wasm).map_err(|e| {
                RunError::InvalidModule {
                    code_cid: spec.code_cid.clone(),
                    reason: translate_reason(e),
                }
            })?;
            Counters::bump(&counters.compilations, "atfn_cache_misses_total", "module");
            check_exports(&module, &spec.code_cid)?;
            check_imports(&module, spec)?;
            Ok(module)
        })
    }

    /// The interpreter engine whose memories stop at `pages`.
    fn engine(&self, pages: u32) -> Engine {
        let mut engines = self.engines.lock().expect("engines lock");
        (engines.entry(pages))
            .or_insert_with(|| {
                Engine::new(Config {
                    limits: atfn_interp::Limits {
                        max_memory_pages: pages,
                        trap_at_memory_limit: true,
                        max_table_elements: MAX_TABLE_ELEMENTS as u32,
                        ..atfn_interp::Limits::default()
                    },
                    consume_fuel: false,
                })
            })
            .clone()
    }
}

/// Aborts the deadline timer when the call is over.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn memory_mut(store: &mut Store<CallData>, instance: Instance) -> Result<&mut [u8], RunError> {
    store
        .memory_mut(instance)
        .ok_or_else(|| RunError::Internal("memory export vanished".into()))
}

/// Calls export `name` and returns its single result; a stop recorded by a host import wins
/// over the trap it raised.
fn call_export(
    store: &mut Store<CallData>,
    instance: Instance,
    name: &str,
    args: &[Value],
) -> Result<Value, Stop> {
    match store.call(instance, name, args) {
        Ok(Outcome::Finished(values)) => values
            .into_iter()
            .next()
            .ok_or_else(|| Stop::Engine(Error::ExportNotFound(name.into()))),
        Ok(Outcome::Suspended(reason)) => Err(Stop::Suspended(reason)),
        Err(e) => Err(store.data_mut().stop.take().unwrap_or(Stop::Engine(e))),
    }
}

/// [`call_export`] for an export returning `i32`.
fn call_i32(
    store: &mut Store<CallData>,
    instance: Instance,
    name: &str,
    args: &[Value],
) -> Result<i32, Stop> {
    match call_export(store, instance, name, args)? {
        Value::I32(v) => Ok(v),
        _ => Err(Stop::Engine(Error::ExportNotFound(name.into()))),
    }
}

/// The user-facing error for `stop`.
fn run_error(stop: Stop, spec: &FunctionSpec, memory_mb: u32, duration_ms: u32) -> RunError {
    match stop {
        Stop::Host(host) => host.run_error(duration_ms),
        Stop::Suspended(SuspendReason::Deadline)
        | Stop::Engine(Error::SuspendInReentrantCall(SuspendReason::Deadline)) => {
            RunError::Timeout { ms: duration_ms }
        }
        Stop::Engine(Error::Trap(Trap::StackExhausted)) => RunError::StackOverflow,
        Stop::Engine(Error::Trap(Trap::MemoryLimitExceeded { .. })) => {
            RunError::MemoryLimit { mb: memory_mb }
        }
        Stop::Engine(Error::Trap(trap)) => RunError::Trap {
            trap: trap.to_string(),
            func_index: None,
            func_name: None,
        },
        Stop::Engine(Error::Limit {
            what: "memory pages",
            ..
        }) => RunError::MemoryLimit { mb: memory_mb },
        Stop::Engine(Error::Link(e)) => RunError::InvalidModule {
            code_cid: spec.code_cid.clone(),
            reason: format!("{e} (mode {})", spec.mode),
        },
        other => {
            tracing::error!("unexpected interpreter error: {other:?}");
            RunError::Internal(other.to_string())
        }
    }
}

/// The validator's message, worded as wasmtime words it.
fn translate_reason(error: TranslateError) -> String {
    match error {
        TranslateError::Invalid(e) => format!("failed to parse WebAssembly module: {e}"),
        other => other.to_string(),
    }
}

/// The ABI's exports (design.md §1.2), checked as on wasmtime.
fn check_exports(module: &Module, code_cid: &str) -> Result<(), RunError> {
    let has_memory = module
        .exports()
        .any(|(name, index)| name == "memory" && matches!(index, ExportIndex::Memory(_)));
    check_abi_exports(code_cid, has_memory, |name| {
        let ty = module.func_type(name)?;
        let names = |types: &[ValType]| types.iter().map(|t| val_type_name(*t).into()).collect();
        Some(signature(names(&ty.params), names(&ty.results)))
    })
}

/// The WebAssembly text format name of `ty` (`i32`, `funcref`, …).
fn val_type_name(ty: ValType) -> &'static str {
    match ty {
        ValType::I32 => "i32",
        ValType::I64 => "i64",
        ValType::F32 => "f32",
        ValType::F64 => "f64",
        ValType::FuncRef => "funcref",
        ValType::ExternRef => "externref",
    }
}

/// Refuses imports the mode does not provide, with wasmtime's wording (checked once per module,
/// as wasmtime's linker does).
fn check_imports(module: &Module, spec: &FunctionSpec) -> Result<(), RunError> {
    for import in module.imports() {
        let provided = spec.mode == Mode::HostV1
            && import.module == "host"
            && matches!(import.kind, ImportKind::Func(_))
            && Import::ALL.iter().any(|i| i.name() == import.name);
        if !provided {
            return Err(RunError::InvalidModule {
                code_cid: spec.code_cid.clone(),
                reason: format!(
                    "unknown import: `{}::{}` has not been defined (mode {})",
                    import.module, import.name, spec.mode
                ),
            });
        }
    }
    Ok(())
}

/// The `host` imports, each running the shared [`host_call`].
fn host_linker() -> Linker<CallData> {
    let mut linker = Linker::new();
    let ty = FuncType::new([ValType::I32, ValType::I32], [ValType::I64]);
    for import in Import::ALL {
        linker.func("host", import.name(), ty.clone(), move |caller, args| {
            let &[Value::I32(ptr), Value::I32(len)] = args else {
                return Err(Trap::Host(format!("{}: bad arguments", import.name())));
            };
            match host_call(&mut InterpGuest(caller), import, ptr, len) {
                Ok(packed) => Ok(HostAction::Return(vec![Value::I64(packed)])),
                Err(stop) => {
                    let message = stop.to_string();
                    caller.data_mut().stop = Some(stop);
                    Err(Trap::Host(message))
                }
            }
        });
    }
    linker
}

/// An interpreter caller as the shared import body sees it.
struct InterpGuest<'a, 'b>(&'a mut Caller<'b, CallData>);

impl Guest for InterpGuest<'_, '_> {
    type Error = Stop;

    fn context(&self) -> Option<&HostContext> {
        self.0.data().host.as_ref()
    }

    fn memory(&self) -> Option<&[u8]> {
        self.0.memory()
    }

    fn memory_mut(&mut self) -> Option<&mut [u8]> {
        self.0.memory_mut()
    }

    fn alloc(&mut self, len: i32) -> Result<i32, Stop> {
        match self.0.call("alloc", &[Value::I32(len)]) {
            Ok(values) => match values.first() {
                Some(Value::I32(at)) => Ok(*at),
                _ => Err(Stop::Engine(Error::ExportNotFound("alloc".into()))),
            },
            Err(e) => Err(self.0.data_mut().stop.take().unwrap_or(Stop::Engine(e))),
        }
    }
}
