//! The wasmtime engine: its [`Config`] (pooling allocator, epoch interruption, wasm stack limit),
//! the epoch ticker thread that turns wall-clock time into epochs, and the runtime's counters.

use crate::{RuntimeConfig, RuntimeError};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// The engine configuration [`crate::Runtime`] uses, exposed so a benchmark can build a bare
/// wasmtime engine with identical settings.
///
/// GC proposals (gc, function-references, exceptions) off; epoch interruption on; `max_wasm_stack` from the config; pooling allocator with
/// `max_instances` core instances, memories and tables, each memory slot up to
/// `max_memory_mb_ceiling` MiB.
pub fn engine_config(config: &RuntimeConfig) -> Config {
    let mut pool = PoolingAllocationConfig::default();
    pool.total_core_instances(config.max_instances)
        .total_memories(config.max_instances)
        .total_tables(config.max_instances)
        .max_memory_size((config.max_memory_mb_ceiling as usize) << 20);
    let mut wasm = Config::new();
    // No GC proposals for functions: the workspace's wasmtime has the `gc` feature but no
    // collector, and the ptr/len ABI needs none of them (nor does it want the attack surface).
    wasm.gc_support(false)
        .wasm_gc(false)
        .wasm_function_references(false)
        .wasm_exceptions(false)
        .epoch_interruption(true)
        .max_wasm_stack(config.max_wasm_stack)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    wasm
}

/// Builds the engine and starts its epoch ticker: one thread that sleeps `epoch_tick_ms` and
/// increments the epoch, and exits once the engine is dropped.
pub(crate) fn start_engine(config: &RuntimeConfig) -> Result<Engine, RuntimeError> {
    let engine =
        Engine::new(&engine_config(config)).map_err(|e| RuntimeError::Engine(format!("{e:#}")))?;
    let weak = engine.weak();
    let tick = Duration::from_millis(config.epoch_tick_ms.max(1).into());
    std::thread::Builder::new()
        .name("atfn-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(tick);
            }
        })
        .map_err(RuntimeError::Ticker)?;
    Ok(engine)
}

/// Counters since the [`crate::Runtime`] started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuntimeStats {
    /// Modules compiled from wasm with Cranelift.
    pub compilations: u64,
    /// Modules loaded from `cache_dir` instead of compiled.
    pub disk_cache_hits: u64,
    /// Invocations that found their module already in memory.
    pub memory_cache_hits: u64,
    /// Guests executing right now (0 once every `invoke` has returned).
    pub running: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub compilations: AtomicU64,
    pub disk_cache_hits: AtomicU64,
    pub memory_cache_hits: AtomicU64,
    pub running: AtomicU64,
}

impl Counters {
    pub fn snapshot(&self) -> RuntimeStats {
        RuntimeStats {
            compilations: self.compilations.load(Ordering::Relaxed),
            disk_cache_hits: self.disk_cache_hits.load(Ordering::Relaxed),
            memory_cache_hits: self.memory_cache_hits.load(Ordering::Relaxed),
            running: self.running.load(Ordering::SeqCst),
        }
    }

    /// Counts one event in `counter` and in the process's `metrics` recorder as
    /// `<metric>{cache="<cache>"}` (e.g. `atfn_cache_hits_total{cache="module"}`).
    pub fn bump(counter: &AtomicU64, metric: &'static str, cache: &'static str) {
        counter.fetch_add(1, Ordering::Relaxed);
        metrics::counter!(metric, "cache" => cache).increment(1);
    }
}
