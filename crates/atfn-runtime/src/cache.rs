//! Compiled-module cache, keyed by code CID.
//!
//! A lookup goes memory → `cache_dir/<cid>.cwasm` → Cranelift. What is kept in memory is a
//! linked [`InstancePre`] per `(code CID, mode)`, checked once for the ABI's exports, so a warm
//! call only instantiates. Disk files are written by this cache alone (`Module::serialize`, then
//! an atomic rename) and read back with `Module::deserialize_file`, which refuses files from
//! another wasmtime version, architecture or engine configuration; a refused or unreadable file is
//! recompiled and overwritten. The cache trusts `code_cid` (the caller verified the blob's hash)
//! and keeps at most [`crate::RuntimeConfig::module_cache_entries`] entries in memory, evicting
//! by `quick_cache`'s S3-FIFO policy (an evicted module is reloaded from disk or recompiled on
//! its next call). Concurrent first calls for one key share one compilation (a placeholder per
//! key); compile and link errors are kept too.

use crate::engine::Counters;
use crate::invoke::StoreData;
use crate::{FunctionSpec, Mode, RunError};
use quick_cache::sync::{Cache, GuardResult};
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use wasmtime::{Engine, ExternType, InstancePre, Linker, Module};

pub(crate) struct ModuleCache {
    engine: Engine,
    pure_linker: Linker<StoreData>,
    host_linker: Linker<StoreData>,
    dir: Option<PathBuf>,
    linked: Memo<(String, Mode), Linked>,
}

/// A module linked for its mode, ready to instantiate.
pub(crate) type Linked = InstancePre<StoreData>;

/// The in-memory cache of both engines: one outcome per key, computed once while it stays
/// cached, at most `capacity` outcomes (a bounded `quick_cache` cache; see the module docs).
pub(crate) struct Memo<K, V> {
    outcomes: Cache<K, Result<V, RunError>>,
}

impl<K: Hash + Eq + Clone, V: Clone> Memo<K, V> {
    /// An empty memo keeping at most `capacity` outcomes (at least one).
    pub fn new(capacity: usize) -> Self {
        Memo {
            outcomes: Cache::new(capacity.max(1)),
        }
    }

    /// The outcome for `key`, computed by `make` unless cached (concurrent calls for a key
    /// that is not cached wait for one `make`); a cached outcome counts a memory cache hit.
    /// Errors are kept like successes.
    pub fn get_or_make(
        &self,
        key: K,
        counters: &Counters,
        make: impl FnOnce() -> Result<V, RunError>,
    ) -> Result<V, RunError> {
        match self.outcomes.get_value_or_guard(&key, None) {
            GuardResult::Value(outcome) => {
                Counters::bump(
                    &counters.memory_cache_hits,
                    "atfn_cache_hits_total",
                    "module",
                );
                outcome
            }
            GuardResult::Guard(guard) => {
                let outcome = make();
                // Fails only if the placeholder was replaced meanwhile: nothing to keep.
                let _ = guard.insert(outcome.clone());
                outcome
            }
            // Only with a timeout, and none is given.
            GuardResult::Timeout => make(),
        }
    }
}

impl ModuleCache {
    /// A cache for `engine` persisting to `dir`, keeping at most `entries` linked modules in
    /// memory.
    pub fn new(engine: Engine, dir: Option<PathBuf>, entries: usize) -> Self {
        ModuleCache {
            pure_linker: Linker::new(&engine),
            host_linker: crate::host::linker(&engine),
            engine,
            dir,
            linked: Memo::new(entries),
        }
    }

    /// The linked, export-checked module of `spec`, from memory, disk or a fresh compilation.
    ///
    /// Concurrent first calls for one `(CID, mode)` wait for a single compilation. The outcome is
    /// kept, errors included: a CID names fixed bytes, so a module that failed to compile or link
    /// fails the same way next time.
    pub fn instance_pre(
        &self,
        spec: &FunctionSpec,
        counters: &Counters,
    ) -> Result<Linked, RunError> {
        let key = (spec.code_cid.clone(), spec.mode);
        self.linked
            .get_or_make(key, counters, || self.link(spec, counters))
    }

    fn link(&self, spec: &FunctionSpec, counters: &Counters) -> Result<Linked, RunError> {
        let module = self.load(spec, counters)?;
        check_exports(&module, &spec.code_cid)?;
        let linker = match spec.mode {
            Mode::PureV1 => &self.pure_linker,
            Mode::HostV1 => &self.host_linker,
        };
        linker
            .instantiate_pre(&module)
            .map_err(|e| RunError::InvalidModule {
                code_cid: spec.code_cid.clone(),
                reason: format!("{e} (mode {})", spec.mode),
            })
    }

    fn load(&self, spec: &FunctionSpec, counters: &Counters) -> Result<Module, RunError> {
        let path = self.path_of(&spec.code_cid);
        if let Some(path) = path.as_deref().filter(|p| p.exists()) {
            // SAFETY: files under `cache_dir` named `<cid>.cwasm` are written only by `persist`
            // below from `Module::serialize` (see the module docs).
            match unsafe { Module::deserialize_file(&self.engine, path) } {
                Ok(module) => {
                    Counters::bump(
                        &counters.disk_cache_hits,
                        "atfn_cache_hits_total",
                        "module_disk",
                    );
                    return Ok(module);
                }
                Err(e) => tracing::warn!(path = %path.display(), "recompiling: {e:#}"),
            }
        }
        let module =
            Module::new(&self.engine, &spec.wasm).map_err(|e| RunError::InvalidModule {
                code_cid: spec.code_cid.clone(),
                reason: format!("{e:#}"),
            })?;
        Counters::bump(&counters.compilations, "atfn_cache_misses_total", "module");
        if let Some(path) = path
            && let Err(e) = persist(&module, &path)
        {
            tracing::warn!(path = %path.display(), "cannot persist compiled module: {e:#}");
        }
        Ok(module)
    }

    /// `cache_dir/<cid>.cwasm`, for CIDs made of ASCII letters and digits only (no path tricks).
    fn path_of(&self, cid: &str) -> Option<PathBuf> {
        let safe =
            !cid.is_empty() && cid.len() <= 256 && cid.bytes().all(|b| b.is_ascii_alphanumeric());
        Some(self.dir.as_ref()?.join(format!("{cid}.cwasm"))).filter(|_| safe)
    }
}

/// Writes `module` to `path` atomically: a temporary file unique to this process and call, in
/// the same directory, then a rename (concurrent writers of one CID never share a file).
fn persist(module: &Module, path: &Path) -> wasmtime::Result<()> {
    let bytes = module.serialize()?;
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let unique = NEXT.fetch_add(1, Ordering::Relaxed);
    let tmp = path.with_extension(format!("cwasm.{}-{unique}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// Checks a wasmtime module's exports against design.md §1.2 (see [`check_abi_exports`]).
fn check_exports(module: &Module, code_cid: &str) -> Result<(), RunError> {
    let has_memory = matches!(module.get_export("memory"), Some(ExternType::Memory(_)));
    check_abi_exports(code_cid, has_memory, |name| match module.get_export(name) {
        Some(ExternType::Func(ty)) => Some(signature(
            ty.params().map(|t| t.to_string()).collect(),
            ty.results().map(|t| t.to_string()).collect(),
        )),
        _ => None,
    })
}

/// Checks the exports of design.md §1.2, on any engine: `memory`, `alloc(i32) -> i32`,
/// `run(i32, i32) -> i64`. `signature_of(name)` renders the export's function type (see
/// [`signature`]), `None` when `name` is not an exported function.
///
/// Errors: [`RunError::MissingExport`] naming the first missing or mistyped export.
pub(crate) fn check_abi_exports(
    code_cid: &str,
    has_memory: bool,
    signature_of: impl Fn(&str) -> Option<String>,
) -> Result<(), RunError> {
    let missing = |export: String| RunError::MissingExport {
        code_cid: code_cid.to_owned(),
        export,
    };
    if !has_memory {
        return Err(missing("memory".into()));
    }
    for (name, expected) in [("alloc", "(i32) -> i32"), ("run", "(i32, i32) -> i64")] {
        let Some(found) = signature_of(name) else {
            return Err(missing(name.into()));
        };
        if found != expected {
            return Err(missing(format!(
                "{name} with type {expected} (found {found})"
            )));
        }
    }
    Ok(())
}

/// `(i32, i32) -> i64`-style rendering of a function type from its value type names.
pub(crate) fn signature(params: Vec<String>, results: Vec<String>) -> String {
    let params = params.join(", ");
    match results.len() {
        1 => format!("({params}) -> {}", results[0]),
        _ => format!("({params}) -> ({})", results.join(", ")),
    }
}
