//! [`Runtime`] and one invocation: a fresh store and instance per call, the memory limiter, the
//! epoch deadline, the ABI calls (`alloc`, `run`) and the checks on the output; plus the body of
//! the `host-v1` imports, which re-enter the guest through `alloc`.

use crate::cache::ModuleCache;
use crate::engine::{Counters, RuntimeStats, start_engine};
use crate::host::{HostContext, Import};
use crate::trap::{MemoryLimitExceeded, run_error};
use crate::{EngineKind, FunctionSpec, HostApi, Mode, RunError, RuntimeConfig, RuntimeError};
use serde::de::IgnoredAny;
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::runtime::{Handle, RuntimeFlavor};
use wasmtime::{Caller, Engine, Extern, Memory, ResourceLimiter, Store, TypedFunc};

/// Runs functions; cheap to clone (one shared engine, cache and epoch ticker), `Send + Sync`.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

struct Inner {
    backend: Backend,
    config: RuntimeConfig,
    counters: Counters,
}

/// The engine functions run on, with its module cache.
enum Backend {
    Wasmtime { engine: Engine, cache: ModuleCache },
    Interp(crate::interp::InterpBackend),
}

/// What the store of one invocation holds.
pub(crate) struct StoreData {
    limiter: MemoryLimiter,
    host: Option<HostContext>,
}

impl Runtime {
    /// Builds the engine of `config.engine`: for wasmtime the engine of
    /// [`crate::engine_config`] and its epoch ticker thread; for the interpreter nothing yet (its
    /// engines are made per memory limit on first use). Creates `cache_dir` if set.
    ///
    /// Errors: [`RuntimeError::CacheDir`], [`RuntimeError::Engine`], [`RuntimeError::Ticker`].
    pub fn new(config: RuntimeConfig) -> Result<Self, RuntimeError> {
        if let Some(dir) = &config.cache_dir {
            std::fs::create_dir_all(dir).map_err(|source| RuntimeError::CacheDir {
                path: dir.clone(),
                source,
            })?;
        }
        let backend = match config.engine {
            EngineKind::Wasmtime => {
                let engine = start_engine(&config)?;
                let cache = ModuleCache::new(
                    engine.clone(),
                    config.cache_dir.clone(),
                    config.module_cache_entries,
                );
                Backend::Wasmtime { engine, cache }
            }
            EngineKind::Interp => Backend::Interp(crate::interp::InterpBackend::new(
                config.module_cache_entries,
            )),
        };
        let inner = Inner {
            backend,
            config,
            counters: Counters::default(),
        };
        Ok(Runtime {
            inner: Arc::new(inner),
        })
    }

    /// The engine functions run on (`RuntimeConfig::engine`).
    pub fn engine_kind(&self) -> EngineKind {
        self.inner.config.engine
    }

    /// The wasmtime engine (for benchmarks comparing against bare wasmtime); `None` when the
    /// runtime runs on [`EngineKind::Interp`].
    pub fn engine(&self) -> Option<&Engine> {
        match &self.inner.backend {
            Backend::Wasmtime { engine, .. } => Some(engine),
            Backend::Interp(_) => None,
        }
    }

    /// Counters since start: compilations, cache hits, guests running now.
    pub fn stats(&self) -> RuntimeStats {
        self.inner.counters.snapshot()
    }

    /// Runs `spec` once on `input` (UTF-8 JSON, at most `max_input_bytes`) in a fresh instance and
    /// returns its output: the JSON value of the guest's UTF-8 JSON output of at most
    /// `max_output_bytes` bytes.
    ///
    /// `host` serves the `host-v1` imports (pass [`crate::NoHost`] for `pure-v1`). Must be called
    /// within a tokio runtime. On a multi-thread runtime a `pure-v1` guest runs in place
    /// ([`tokio::task::block_in_place`]); otherwise the guest runs on a blocking thread. Either
    /// way it has stopped when this returns; dropping the future early does not stop a guest on a
    /// blocking thread at once: it runs on until it returns or its deadline interrupts it. Errors: every [`RunError`] variant but `UnsupportedMode`; their `Display` is the
    /// user-facing message.
    pub async fn invoke(
        &self,
        spec: &FunctionSpec,
        input: &[u8],
        host: Arc<dyn HostApi>,
    ) -> Result<Value, RunError> {
        let limit = self.inner.config.max_input_bytes;
        if input.len() > limit {
            return Err(RunError::InputTooLarge {
                len: input.len(),
                limit,
            });
        }
        serde_json::from_slice::<IgnoredAny>(input).map_err(|e| RunError::InputNotJson {
            reason: e.to_string(),
        })?;
        let handle = Handle::current();
        // A pure-v1 call never awaits a host future, so on a multi-thread runtime it runs right
        // here, with the worker handed off for its duration, saving the hop to the blocking pool.
        if spec.mode == Mode::PureV1 && handle.runtime_flavor() == RuntimeFlavor::MultiThread {
            return tokio::task::block_in_place(|| self.inner.run(spec, input, host, handle));
        }
        let (inner, spec, input) = (self.inner.clone(), spec.clone(), input.to_vec());
        tokio::task::spawn_blocking(move || inner.run(&spec, &input, host, handle))
            .await
            .map_err(|e| RunError::Internal(format!("invocation task failed: {e}")))?
    }
}

/// The limits and host context of one invocation, the same on both engines.
pub(crate) struct CallSetup {
    /// `max_memory_mb`, capped by `max_memory_mb_ceiling`.
    pub memory_mb: u32,
    /// `max_duration_ms`.
    pub duration_ms: u32,
    /// When the call must have ended.
    pub deadline: Instant,
    /// The `host-v1` imports' state; `None` for `pure-v1`.
    pub host: Option<HostContext>,
}

impl Inner {
    fn run(
        &self,
        spec: &FunctionSpec,
        input: &[u8],
        host: Arc<dyn HostApi>,
        handle: Handle,
    ) -> Result<Value, RunError> {
        let memory_mb = (spec.limits.max_memory_mb).min(self.config.max_memory_mb_ceiling);
        // The module comes from the cache (or is compiled) before the call's time starts.
        match &self.backend {
            Backend::Wasmtime { engine, cache } => {
                let pre = cache.instance_pre(spec, &self.counters)?;
                let setup = call_setup(spec, memory_mb, host, &handle);
                self.run_wasmtime(engine, &pre, input, setup)
            }
            Backend::Interp(interp) => {
                let module = interp.module(spec, memory_mb, &self.counters)?;
                interp.run(crate::interp::Call {
                    spec,
                    module,
                    input,
                    setup: call_setup(spec, memory_mb, host, &handle),
                    config: &self.config,
                    counters: &self.counters,
                    handle: &handle,
                })
            }
        }
    }

    fn run_wasmtime(
        &self,
        engine: &Engine,
        pre: &crate::cache::Linked,
        input: &[u8],
        setup: CallSetup,
    ) -> Result<Value, RunError> {
        let CallSetup {
            memory_mb,
            duration_ms,
            host,
            ..
        } = setup;
        let mut store = Store::new(
            engine,
            StoreData {
                limiter: MemoryLimiter { mb: memory_mb },
                host,
            },
        );
        store.limiter(|data| &mut data.limiter);
        store.set_epoch_deadline(ticks(duration_ms, self.config.epoch_tick_ms));
        store.epoch_deadline_trap();
        let fail = |e| run_error(e, memory_mb, duration_ms, self.config.max_instances);

        let instance = pre.instantiate(&mut store).map_err(fail)?;
        let _running = Running::enter(&self.counters.running);
        let internal = |e: wasmtime::Error| RunError::Internal(format!("{e:#}"));
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or_else(|| RunError::Internal("memory export vanished".into()))?;
        let alloc: TypedFunc<i32, i32> = instance
            .get_typed_func(&mut store, "alloc")
            .map_err(internal)?;
        let run: TypedFunc<(i32, i32), i64> = instance
            .get_typed_func(&mut store, "run")
            .map_err(internal)?;

        let len = i32::try_from(input.len()).expect("input is bounded by max_input_bytes");
        let ptr = alloc.call(&mut store, len).map_err(fail)?;
        write_input(memory.data_mut(&mut store), ptr, input)?;
        let packed = run.call(&mut store, (ptr, len)).map_err(fail)?;
        read_output(memory.data(&store), packed, self.config.max_output_bytes)
    }
}

/// The limits and host context of a call of `spec` starting now.
fn call_setup(
    spec: &FunctionSpec,
    memory_mb: u32,
    host: Arc<dyn HostApi>,
    handle: &Handle,
) -> CallSetup {
    let duration_ms = spec.limits.max_duration_ms;
    let deadline = Instant::now() + Duration::from_millis(duration_ms.into());
    let host = (spec.mode == Mode::HostV1).then(|| HostContext {
        api: host,
        allowed_hosts: spec.allowed_hosts.clone(),
        deadline,
        handle: handle.clone(),
    });
    CallSetup {
        memory_mb,
        duration_ms,
        deadline,
        host,
    }
}

/// Copies the input into the block `alloc` returned at `ptr`.
///
/// Errors: [`RunError::AllocOutOfBounds`] when the block is not inside `memory`.
pub(crate) fn write_input(memory: &mut [u8], ptr: i32, input: &[u8]) -> Result<(), RunError> {
    let memory_bytes = memory.len();
    let block = (memory.get_mut(ptr as u32 as usize..))
        .and_then(|rest| rest.get_mut(..input.len()))
        .ok_or(RunError::AllocOutOfBounds {
            ptr: ptr as u32,
            len: input.len() as u32,
            memory_bytes,
        })?;
    block.copy_from_slice(input);
    Ok(())
}

/// Epoch ticks for `ms` at one tick per `tick_ms`: `ceil(ms / tick_ms)`.
fn ticks(ms: u32, tick_ms: u32) -> u64 {
    u64::from(ms).div_ceil(u64::from(tick_ms.max(1)))
}

/// Counts a running guest until dropped.
pub(crate) struct Running<'a> {
    counter: &'a AtomicU64,
    /// Guests that were running when this one entered.
    pub others: u64,
}

impl<'a> Running<'a> {
    pub fn enter(counter: &'a AtomicU64) -> Self {
        let others = counter.fetch_add(1, Ordering::SeqCst);
        Running { counter, others }
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.counter.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Splits the ABI's packed `i64`: `ptr = v >> 32`, `len = v & 0xffff_ffff` (design.md §1.2).
fn unpack(packed: i64) -> (u32, u32) {
    let v = packed as u64;
    ((v >> 32) as u32, v as u32)
}

/// Checks and parses the output `run` returned: size limit, bounds, UTF-8, JSON (in that order).
/// The output is parsed once, straight from guest memory.
pub(crate) fn read_output(memory: &[u8], packed: i64, limit: usize) -> Result<Value, RunError> {
    let (ptr, len) = unpack(packed);
    if len as usize > limit {
        return Err(RunError::OutputTooLarge { len, limit });
    }
    let bytes = (memory.get(ptr as usize..))
        .and_then(|rest| rest.get(..len as usize))
        .ok_or(RunError::OutputOutOfBounds {
            ptr,
            len,
            memory_bytes: memory.len(),
        })?;
    let text = std::str::from_utf8(bytes).map_err(|e| RunError::OutputNotUtf8 {
        reason: e.to_string(),
    })?;
    serde_json::from_str(text).map_err(|e| RunError::OutputNotJson {
        reason: e.to_string(),
    })
}

/// Enforces `max_memory_mb`: growth past it is an error, which wasmtime turns into a trap.
struct MemoryLimiter {
    mb: u32,
}

/// Most table elements an instance may have (guards against table-growth bombs).
pub(crate) const MAX_TABLE_ELEMENTS: usize = 100_000;

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > (self.mb as usize) << 20 {
            return Err(MemoryLimitExceeded.into());
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }
}

/// A wasmtime caller as the shared import body sees it.
struct WasmtimeGuest<'a> {
    caller: Caller<'a, StoreData>,
    memory: Option<Memory>,
}

impl crate::host::Guest for WasmtimeGuest<'_> {
    type Error = wasmtime::Error;

    fn context(&self) -> Option<&HostContext> {
        self.caller.data().host.as_ref()
    }

    fn memory(&self) -> Option<&[u8]> {
        Some(self.memory?.data(&self.caller))
    }

    fn memory_mut(&mut self) -> Option<&mut [u8]> {
        Some(self.memory?.data_mut(&mut self.caller))
    }

    fn alloc(&mut self, len: i32) -> wasmtime::Result<i32> {
        let alloc: TypedFunc<i32, i32> = (self.caller.get_export("alloc"))
            .and_then(Extern::into_func)
            .ok_or_else(|| wasmtime::format_err!("no alloc export"))?
            .typed(&self.caller)?;
        alloc.call(&mut self.caller, len)
    }
}

/// A `host` import on wasmtime: [`crate::host::host_call`] on the calling instance.
pub(crate) fn host_call(
    mut caller: Caller<'_, StoreData>,
    import: Import,
    ptr: i32,
    len: i32,
) -> wasmtime::Result<i64> {
    let memory = caller.get_export("memory").and_then(Extern::into_memory);
    crate::host::host_call(&mut WasmtimeGuest { caller, memory }, import, ptr, len)
}

#[cfg(test)]
mod tests;
