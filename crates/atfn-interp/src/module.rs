//! A validated and translated module: decoded sections, its functions' internal code and the
//! content hash that identifies it in snapshots. Built once by [`Module::new`] and shared
//! (cheaply cloned) by every instance.

use std::collections::HashMap;
use std::sync::Arc;

use wasmparser::{
    ConstExpr as WpConstExpr, DataKind, ElementItems, ElementKind, ExternalKind, Operator, Parser,
    Payload, TypeRef, ValidPayload, Validator, WasmFeatures,
};

use crate::code::FuncCode;
use crate::engine::Engine;
use crate::error::TranslateError;
use crate::value::{FuncType, ValType};

/// Type of a table: element type and limits in elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableType {
    /// `FuncRef` or `ExternRef`.
    pub elem: ValType,
    /// Initial size in elements.
    pub min: u32,
    /// Maximum size in elements, if declared.
    pub max: Option<u32>,
}

/// Type of a linear memory: limits in 64 KiB pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryType {
    /// Initial size in pages.
    pub min: u32,
    /// Maximum size in pages, if declared.
    pub max: Option<u32>,
}

/// Type of a global: value type and mutability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlobalType {
    /// Value type.
    pub ty: ValType,
    /// Whether `global.set` may change it.
    pub mutable: bool,
}

/// What an import expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportKind {
    /// A function of this module type index.
    Func(u32),
    /// A table.
    Table(TableType),
    /// A memory.
    Memory(MemoryType),
    /// A global.
    Global(GlobalType),
}

/// One import: module name, field name, expected kind.
#[derive(Debug, Clone)]
pub struct Import {
    /// Import module name.
    pub module: String,
    /// Import field name.
    pub name: String,
    /// Expected kind and type.
    pub kind: ImportKind,
}

/// The kind and module-level index of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportIndex {
    /// Function index.
    Func(u32),
    /// Table index.
    Table(u32),
    /// Memory index.
    Memory(u32),
    /// Global index.
    Global(u32),
}

/// A constant expression (WebAssembly 2.0 §3.3.10): one value-producing instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConstExpr {
    /// A numeric constant or `ref.null`, as its cell.
    Cell(u64),
    /// `global.get` of this global index.
    Global(u32),
    /// `ref.func` of this function index.
    RefFunc(u32),
}

/// Where an element segment goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SegmentMode {
    /// Used only by `table.init` / `memory.init`.
    Passive,
    /// Copied at instantiation into table/memory `index` at `offset`, then dropped.
    Active { index: u32, offset: ConstExpr },
    /// Declarative element segment: dropped at instantiation.
    Declared,
}

#[derive(Debug, Clone)]
pub(crate) struct ElemSegment {
    pub mode: SegmentMode,
    pub items: Vec<ConstExpr>,
}

#[derive(Debug, Clone)]
pub(crate) struct DataSegment {
    pub mode: SegmentMode,
    pub bytes: Vec<u8>,
}

/// A validated, translated WebAssembly module. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

#[derive(Debug, Default)]
pub(crate) struct ModuleInner {
    pub engine: Engine,
    pub hash: [u8; 32],
    /// Function types by module type index.
    pub types: Vec<FuncType>,
    /// Engine type id by module type index.
    pub type_ids: Vec<u32>,
    pub imports: Vec<Import>,
    /// Module type index of every function, imported first.
    pub funcs: Vec<u32>,
    pub imported_funcs: u32,
    pub tables: Vec<TableType>,
    pub imported_tables: u32,
    pub memories: Vec<MemoryType>,
    pub imported_memories: u32,
    pub globals: Vec<GlobalType>,
    pub imported_globals: u32,
    /// Initialisers of defined globals.
    pub global_inits: Vec<ConstExpr>,
    pub exports: HashMap<String, ExportIndex>,
    pub elems: Vec<ElemSegment>,
    pub datas: Vec<DataSegment>,
    pub start: Option<u32>,
    /// Code of defined functions (index = function index - imported functions).
    pub codes: Vec<Arc<FuncCode>>,
}

impl ModuleInner {
    /// The type of function `func` (module function index).
    pub fn func_type(&self, func: u32) -> &FuncType {
        &self.types[self.funcs[func as usize] as usize]
    }
}

/// The features of WebAssembly 2.0 this engine implements: everything but SIMD.
pub(crate) fn features() -> WasmFeatures {
    WasmFeatures::WASM2.difference(WasmFeatures::SIMD)
}

impl Module {
    /// Decodes, validates (WebAssembly 2.0 without SIMD) and translates `bytes`.
    ///
    /// Errors: [`TranslateError::Invalid`] for malformed or invalid modules, with the
    /// `wasmparser` message and offset.
    pub fn new(engine: &Engine, bytes: &[u8]) -> Result<Self, TranslateError> {
        let mut m = ModuleInner {
            engine: engine.clone(),
            hash: *blake3::hash(bytes).as_bytes(),
            ..ModuleInner::default()
        };
        let mut validator = Validator::new_with_features(features());
        let mut allocs = wasmparser::FuncValidatorAllocations::default();
        let mut parser = Parser::new(0);
        parser.set_features(features());
        for payload in parser.parse_all(bytes) {
            let payload = payload?;
            match validator.payload(&payload)? {
                ValidPayload::Func(func, body) => {
                    let mut fv = func.into_validator(std::mem::take(&mut allocs));
                    let code = crate::translate::translate(&m, &mut fv, &body)?;
                    m.codes.push(Arc::new(code));
                    allocs = fv.into_allocations();
                    continue;
                }
                ValidPayload::End(_) => break,
                _ => {}
            }
            read_section(&mut m, payload)?;
        }
        Ok(Self { inner: Arc::new(m) })
    }

    /// BLAKE3 hash of the module bytes; snapshots record it to refuse restoring into a
    /// different module.
    pub fn hash(&self) -> [u8; 32] {
        self.inner.hash
    }

    /// Names of all exports with their kind and index.
    pub fn exports(&self) -> impl Iterator<Item = (&str, ExportIndex)> {
        self.inner.exports.iter().map(|(k, v)| (k.as_str(), *v))
    }

    /// Type of the exported function `name`, if there is one.
    pub fn func_type(&self, name: &str) -> Option<FuncType> {
        match self.inner.exports.get(name)? {
            ExportIndex::Func(i) => Some(self.inner.func_type(*i).clone()),
            _ => None,
        }
    }

    /// All imports in declaration order.
    pub fn imports(&self) -> &[Import] {
        &self.inner.imports
    }

    /// The engine this module was created with.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }
}

fn unsupported(what: &'static str, offset: u64) -> TranslateError {
    TranslateError::Unsupported { what, offset }
}

fn val_type(ty: wasmparser::ValType, offset: u64) -> Result<ValType, TranslateError> {
    ValType::from_wasmparser(ty).ok_or_else(|| unsupported("value type", offset))
}

fn table_type(t: &wasmparser::TableType, offset: u64) -> Result<TableType, TranslateError> {
    let elem = val_type(wasmparser::ValType::Ref(t.element_type), offset)?;
    Ok(TableType {
        elem,
        min: t.initial as u32,
        max: t.maximum.map(|m| m as u32),
    })
}

fn memory_type(t: &wasmparser::MemoryType) -> MemoryType {
    MemoryType {
        min: t.initial as u32,
        max: t.maximum.map(|m| m as u32),
    }
}

fn global_type(t: &wasmparser::GlobalType, offset: u64) -> Result<GlobalType, TranslateError> {
    Ok(GlobalType {
        ty: val_type(t.content_type, offset)?,
        mutable: t.mutable,
    })
}

/// Reads a validated constant expression.
fn const_expr(expr: &WpConstExpr<'_>) -> Result<ConstExpr, TranslateError> {
    let mut reader = expr.get_operators_reader();
    let offset = reader.original_position();
    let op = reader.read()?;
    Ok(match op {
        Operator::I32Const { value } => ConstExpr::Cell(u64::from(value as u32)),
        Operator::I64Const { value } => ConstExpr::Cell(value as u64),
        Operator::F32Const { value } => ConstExpr::Cell(u64::from(value.bits())),
        Operator::F64Const { value } => ConstExpr::Cell(value.bits()),
        Operator::RefNull { .. } => ConstExpr::Cell(0),
        Operator::RefFunc { function_index } => ConstExpr::RefFunc(function_index),
        Operator::GlobalGet { global_index } => ConstExpr::Global(global_index),
        _ => return Err(unsupported("constant expression", offset)),
    })
}

fn read_section(m: &mut ModuleInner, payload: Payload<'_>) -> Result<(), TranslateError> {
    match payload {
        Payload::TypeSection(reader) => {
            let offset = reader.range().start;
            for ty in reader.into_iter_err_on_gc_types() {
                let ty = ty?;
                let conv = |tys: &[wasmparser::ValType]| {
                    tys.iter()
                        .map(|t| val_type(*t, offset))
                        .collect::<Result<Vec<_>, _>>()
                };
                let ft = FuncType::new(conv(ty.params())?, conv(ty.results())?);
                m.type_ids.push(m.engine.intern(&ft));
                m.types.push(ft);
            }
        }
        Payload::ImportSection(reader) => {
            let offset = reader.range().start;
            for import in reader.into_imports() {
                let import = import?;
                let kind = match import.ty {
                    TypeRef::Func(t) => {
                        m.funcs.push(t);
                        m.imported_funcs += 1;
                        ImportKind::Func(t)
                    }
                    TypeRef::Table(t) => {
                        let t = table_type(&t, offset)?;
                        m.tables.push(t);
                        m.imported_tables += 1;
                        ImportKind::Table(t)
                    }
                    TypeRef::Memory(t) => {
                        let t = memory_type(&t);
                        m.memories.push(t);
                        m.imported_memories += 1;
                        ImportKind::Memory(t)
                    }
                    TypeRef::Global(t) => {
                        let t = global_type(&t, offset)?;
                        m.globals.push(t);
                        m.imported_globals += 1;
                        ImportKind::Global(t)
                    }
                    _ => return Err(unsupported("import kind", offset)),
                };
                m.imports.push(Import {
                    module: import.module.to_string(),
                    name: import.name.to_string(),
                    kind,
                });
            }
        }
        Payload::FunctionSection(reader) => {
            for t in reader {
                m.funcs.push(t?);
            }
        }
        Payload::TableSection(reader) => {
            let offset = reader.range().start;
            for t in reader {
                let t = t?;
                if !matches!(t.init, wasmparser::TableInit::RefNull) {
                    return Err(unsupported("table initialiser", offset));
                }
                m.tables.push(table_type(&t.ty, offset)?);
            }
        }
        Payload::MemorySection(reader) => {
            for t in reader {
                m.memories.push(memory_type(&t?));
            }
        }
        Payload::GlobalSection(reader) => {
            let offset = reader.range().start;
            for g in reader {
                let g = g?;
                m.globals.push(global_type(&g.ty, offset)?);
                m.global_inits.push(const_expr(&g.init_expr)?);
            }
        }
        Payload::ExportSection(reader) => {
            for e in reader {
                let e = e?;
                let idx = match e.kind {
                    ExternalKind::Func => ExportIndex::Func(e.index),
                    ExternalKind::Table => ExportIndex::Table(e.index),
                    ExternalKind::Memory => ExportIndex::Memory(e.index),
                    ExternalKind::Global => ExportIndex::Global(e.index),
                    _ => return Err(unsupported("export kind", 0)),
                };
                m.exports.insert(e.name.to_string(), idx);
            }
        }
        Payload::StartSection { func, .. } => m.start = Some(func),
        Payload::ElementSection(reader) => {
            for e in reader {
                let e = e?;
                let mode = match e.kind {
                    ElementKind::Passive => SegmentMode::Passive,
                    ElementKind::Declared => SegmentMode::Declared,
                    ElementKind::Active {
                        table_index,
                        offset_expr,
                    } => SegmentMode::Active {
                        index: table_index.unwrap_or(0),
                        offset: const_expr(&offset_expr)?,
                    },
                };
                let items = match e.items {
                    ElementItems::Functions(r) => r
                        .into_iter()
                        .map(|f| f.map(ConstExpr::RefFunc))
                        .collect::<Result<Vec<_>, _>>()?,
                    ElementItems::Expressions(_, r) => {
                        let mut items = Vec::new();
                        for expr in r {
                            items.push(const_expr(&expr?)?);
                        }
                        items
                    }
                };
                m.elems.push(ElemSegment { mode, items });
            }
        }
        Payload::DataSection(reader) => {
            for d in reader {
                let d = d?;
                let mode = match d.kind {
                    DataKind::Passive => SegmentMode::Passive,
                    DataKind::Active {
                        memory_index,
                        offset_expr,
                    } => SegmentMode::Active {
                        index: memory_index,
                        offset: const_expr(&offset_expr)?,
                    },
                };
                m.datas.push(DataSegment {
                    mode,
                    bytes: d.data.to_vec(),
                });
            }
        }
        _ => {}
    }
    Ok(())
}
