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
use wasmtime::{Engine, ExternType, FuncType, InstancePre, Linker, Module};

pub(crate) struct ModuleCache {
    engine: Engine,
    pure_linker: Linker<StoreData>,
    host_linker: Linker<StoreData>,
    dir: Option<PathBuf>,
    linked: Mutex<HashMap<(String, Mode), Arc<Slot>>>,
}

/// A module linked for its mode, ready to instantiate.
pub(crate) type Linked = InstancePre<StoreData>;

/// One cache entry: filled once by the first call for its key; later calls wait for it.
type Slot = OnceLock<Result<Linked, RunError>>;

impl ModuleCache {
    pub fn new(engine: Engine, dir: Option<PathBuf>) -> Self {
        ModuleCache {
            pure_linker: Linker::new(&engine),
            host_linker: crate::host::linker(&engine),
            engine,
            dir,
            linked: Mutex::default(),
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
        let slot = self
            .linked
            .lock()
            .expect("cache lock")
            .entry(key)
            .or_default()
            .clone();
        if let Some(linked) = slot.get() {
            Counters::bump(
                &counters.memory_cache_hits,
                "atfn_cache_hits_total",
                "module",
            );
            return linked.clone();
        }
        slot.get_or_init(|| self.link(spec, counters)).clone()
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

/// Checks the exports of design.md §1.2: `memory`, `alloc(i32) -> i32`, `run(i32, i32) -> i64`.
fn check_exports(module: &Module, code_cid: &str) -> Result<(), RunError> {
    let missing = |export: String| RunError::MissingExport {
        code_cid: code_cid.to_owned(),
        export,
    };
    if !matches!(module.get_export("memory"), Some(ExternType::Memory(_))) {
        return Err(missing("memory".into()));
    }
    for (name, expected) in [("alloc", "(i32) -> i32"), ("run", "(i32, i32) -> i64")] {
        let Some(ExternType::Func(ty)) = module.get_export(name) else {
            return Err(missing(name.into()));
        };
        if signature(&ty) != expected {
            return Err(missing(format!(
                "{name} with type {expected} (found {})",
                signature(&ty)
            )));
        }
    }
    Ok(())
}

/// `(i32, i32) -> i64`-style rendering of a function type.
fn signature(ty: &FuncType) -> String {
    let list = |types: Vec<String>| types.join(", ");
    let params = list(ty.params().map(|t| t.to_string()).collect());
    let results: Vec<String> = ty.results().map(|t| t.to_string()).collect();
    match results.len() {
        1 => format!("({params}) -> {}", results[0]),
        _ => format!("({params}) -> ({})", list(results)),
    }
}
