//! Compiled-module cache, keyed by code CID.
//!
//! A lookup goes memory → `cache_dir/<cid>.cwasm` → Cranelift. What is kept in memory is a
//! linked [`InstancePre`] per `(code CID, mode)`, checked once for the ABI's exports, so a warm
//! call only instantiates. Disk files are written by this cache alone (`Module::serialize`, then
//! an atomic rename) and read back with `Module::deserialize_file`, which refuses files from
//! another wasmtime version, architecture or engine configuration; a refused or unreadable file is
//! recompiled and overwritten. The cache trusts `code_cid` (the caller verified the blob's hash)
//! and has no eviction yet: one entry per distinct function run. Concurrent first calls for one
//! key share one compilation (a `OnceLock` per key); compile and link errors are kept too.

use crate::engine::Counters;
use crate::invoke::StoreData;
use crate::{FunctionSpec, Mode, RunError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
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

/// One cache entry: filled once by the first call for its key; later calls wait for it.
type Slot<V> = OnceLock<Result<V, RunError>>;

/// The in-memory cache of both engines: one outcome per key, computed once.
pub(crate) struct Memo<K, V> {
    slots: Mutex<HashMap<K, Arc<Slot<V>>>>,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo {
            slots: Mutex::default(),
        }
    }
}

impl<K: std::hash::Hash + Eq, V: Clone> Memo<K, V> {
    /// The outcome for `key`, computed by `make` on the first call (concurrent first calls wait
    /// for it); a later call counts a memory cache hit. Errors are kept like successes.
    pub fn get_or_make(
        &self,
        key: K,
        counters: &Counters,
        make: impl FnOnce() -> Result<V, RunError>,
    ) -> Result<V, RunError> {
        let slot = self
            .slots
            .lock()
            .expect("cache lock")
            .entry(key)
            .or_default()
            .clone();
        if let Some(outcome) = slot.get() {
            Counters::bump(
                &counters.memory_cache_hits,
                "atfn_cache_hits_total",
                "module",
            );
            return outcome.clone();
        }
        slot.get_or_init(make).clone()
    }
}

impl ModuleCache {
    pub fn new(engine: Engine, dir: Option<PathBuf>) -> Self {
        ModuleCache {
            pure_linker: Linker::new(&engine),
            host_linker: crate::host::linker(&engine),
            engine,
            dir,
            linked: Memo::default(),
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
