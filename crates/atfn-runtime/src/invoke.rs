//! [`Runtime`] and one invocation: a fresh store and instance per call, the memory limiter, the
//! epoch deadline, the ABI calls (`alloc`, `run`) and the checks on the output; plus the body of
//! the `host-v1` imports, which re-enter the guest through `alloc`.

use crate::cache::ModuleCache;
use crate::engine::{Counters, RuntimeStats, start_engine};
use crate::host::{HostContext, Import};
use crate::trap::{HostCallFault, MemoryLimitExceeded, run_error};
use crate::{FunctionSpec, HostApi, Mode, RunError, RuntimeConfig, RuntimeError};
use serde::de::IgnoredAny;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::runtime::Handle;
use wasmtime::{Caller, Engine, Extern, Memory, ResourceLimiter, Store, TypedFunc};

/// Runs functions; cheap to clone (one shared engine, cache and epoch ticker), `Send + Sync`.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    cache: ModuleCache,
    config: RuntimeConfig,
    counters: Counters,
}

/// What the store of one invocation holds.
pub(crate) struct StoreData {
    limiter: MemoryLimiter,
    host: Option<HostContext>,
}

impl Runtime {
    /// Builds the engine (see [`crate::engine_config`]), starts the epoch ticker thread and
    /// creates `cache_dir` if set.
    ///
    /// Errors: [`RuntimeError::CacheDir`], [`RuntimeError::Engine`], [`RuntimeError::Ticker`].
    pub fn new(config: RuntimeConfig) -> Result<Self, RuntimeError> {
        if let Some(dir) = &config.cache_dir {
            std::fs::create_dir_all(dir).map_err(|source| RuntimeError::CacheDir {
                path: dir.clone(),
                source,
            })?;
        }
        let engine = start_engine(&config)?;
        let cache = ModuleCache::new(engine.clone(), config.cache_dir.clone());
        let inner = Inner {
            engine,
            cache,
            config,
            counters: Counters::default(),
        };
        Ok(Runtime {
            inner: Arc::new(inner),
        })
    }

    /// The wasmtime engine (for benchmarks comparing against bare wasmtime).
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// Counters since start: compilations, cache hits, guests running now.
    pub fn stats(&self) -> RuntimeStats {
        self.inner.counters.snapshot()
    }

    /// Runs `spec` once on `input` (UTF-8 JSON, at most `max_input_bytes`) in a fresh instance and
    /// returns its output: UTF-8 JSON bytes, validated, at most `max_output_bytes`.
    ///
    /// `host` serves the `host-v1` imports (pass [`crate::NoHost`] for `pure-v1`). Must be called
    /// within a tokio runtime; the guest runs on a blocking thread and has stopped when this
    /// returns. Dropping the future early does not stop the guest at once: it runs on until it
    /// returns or its deadline interrupts it. Errors: every [`RunError`] variant but `UnsupportedMode`; their `Display` is the
    /// user-facing message.
    pub async fn invoke(
        &self,
        spec: &FunctionSpec,
        input: &[u8],
        host: Arc<dyn HostApi>,
    ) -> Result<Vec<u8>, RunError> {
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
        let (inner, spec, input) = (self.inner.clone(), spec.clone(), input.to_vec());
        let handle = Handle::current();
        tokio::task::spawn_blocking(move || inner.run(&spec, &input, host, handle))
            .await
            .map_err(|e| RunError::Internal(format!("invocation task failed: {e}")))?
    }
}

impl Inner {
    fn run(
        &self,
        spec: &FunctionSpec,
        input: &[u8],
        host: Arc<dyn HostApi>,
        handle: Handle,
    ) -> Result<Vec<u8>, RunError> {
        let pre = self.cache.instance_pre(spec, &self.counters)?;
        let memory_mb = spec
            .limits
            .max_memory_mb
            .min(self.config.max_memory_mb_ceiling);
        let duration_ms = spec.limits.max_duration_ms;
        let deadline = Instant::now() + Duration::from_millis(duration_ms.into());
        let host = (spec.mode == Mode::HostV1).then(|| HostContext {
            api: host,
            allowed_hosts: spec.allowed_hosts.clone(),
            deadline,
            handle,
        });
        let mut store = Store::new(
            &self.engine,
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
        memory
            .write(&mut store, ptr as u32 as usize, input)
            .map_err(|_| RunError::AllocOutOfBounds {
                ptr: ptr as u32,
                len: len as u32,
                memory_bytes: memory.data_size(&store),
            })?;
        let packed = run.call(&mut store, (ptr, len)).map_err(fail)?;
        read_output(memory.data(&store), packed, self.config.max_output_bytes)
    }
}

/// Epoch ticks for `ms` at one tick per `tick_ms`: `ceil(ms / tick_ms)`.
fn ticks(ms: u32, tick_ms: u32) -> u64 {
    u64::from(ms).div_ceil(u64::from(tick_ms.max(1)))
}

/// Counts a running guest until dropped.
struct Running<'a>(&'a AtomicU64);

impl<'a> Running<'a> {
    fn enter(counter: &'a AtomicU64) -> Self {
        counter.fetch_add(1, Ordering::SeqCst);
        Running(counter)
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Splits the ABI's packed `i64`: `ptr = v >> 32`, `len = v & 0xffff_ffff` (design.md §1.2).
fn unpack(packed: i64) -> (u32, u32) {
    let v = packed as u64;
    ((v >> 32) as u32, v as u32)
}

/// Checks and copies the output `run` returned: size limit, bounds, UTF-8, JSON (in that order).
pub(crate) fn read_output(memory: &[u8], packed: i64, limit: usize) -> Result<Vec<u8>, RunError> {
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
    serde_json::from_str::<IgnoredAny>(text).map_err(|e| RunError::OutputNotJson {
        reason: e.to_string(),
    })?;
    Ok(bytes.to_vec())
}

/// Enforces `max_memory_mb`: growth past it is an error, which wasmtime turns into a trap.
struct MemoryLimiter {
    mb: u32,
}

/// Most table elements an instance may have (guards against table-growth bombs).
const MAX_TABLE_ELEMENTS: usize = 100_000;

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

/// The body of every `host` import (see [`crate::host`]): read the request, respond, write the
/// response through the guest's `alloc`, return it packed.
pub(crate) fn host_call(
    mut caller: Caller<'_, StoreData>,
    import: Import,
    ptr: i32,
    len: i32,
) -> wasmtime::Result<i64> {
    let fault = |reason: String| HostCallFault {
        import: import.name(),
        reason,
    };
    let memory: Memory = caller
        .get_export("memory")
        .and_then(Extern::into_memory)
        .ok_or_else(|| fault("no memory export".into()))?;
    let request = (memory.data(&caller).get(ptr as u32 as usize..))
        .and_then(|rest| rest.get(..len as u32 as usize))
        .ok_or_else(|| {
            fault(format!(
                "request of {} bytes at {} is outside memory",
                len as u32, ptr as u32
            ))
        })?
        .to_vec();
    let context = caller
        .data()
        .host
        .as_ref()
        .ok_or_else(|| fault("no host context".into()))?;
    let response = serde_json::to_vec(&context.respond(import, &request)?)?;
    let alloc: TypedFunc<i32, i32> = caller
        .get_export("alloc")
        .and_then(Extern::into_func)
        .ok_or_else(|| fault("no alloc export".into()))?
        .typed(&caller)?;
    let response_len =
        i32::try_from(response.len()).map_err(|_| fault("response over 2 GiB".into()))?;
    let at = alloc.call(&mut caller, response_len)?;
    memory
        .write(&mut caller, at as u32 as usize, &response)
        .map_err(|_| {
            fault(format!(
                "alloc returned {response_len} bytes at {} outside memory",
                at as u32
            ))
        })?;
    Ok(((u64::from(at as u32) << 32) | response.len() as u64) as i64)
}

#[cfg(test)]
mod tests;
