//! Values exchanged with the engine, and their 64-bit cell encoding on the value stack.
//!
//! Inside the engine every value occupies one untyped `u64` cell: `i32` and `f32` are
//! zero-extended bit patterns, `i64` and `f64` their bits, and references are `0` for null or
//! `index + 1` (a store function address for `funcref`, a host-chosen number for `externref`).
//! The static types from validation say how a cell is read, so no tag is stored.

use wasmparser::ValType as WpValType;

/// A WebAssembly value type (WebAssembly 2.0 §2.3.4), without `v128`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValType {
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 32-bit IEEE 754 float.
    F32,
    /// 64-bit IEEE 754 float.
    F64,
    /// Nullable reference to a function.
    FuncRef,
    /// Nullable opaque host reference.
    ExternRef,
}

impl ValType {
    /// Converts a wasmparser value type; `None` for `v128` and GC reference types, which this
    /// engine does not support (the validator rejects them before this is reached).
    pub(crate) fn from_wasmparser(ty: WpValType) -> Option<Self> {
        Some(match ty {
            WpValType::I32 => Self::I32,
            WpValType::I64 => Self::I64,
            WpValType::F32 => Self::F32,
            WpValType::F64 => Self::F64,
            WpValType::Ref(r) if r.is_func_ref() => Self::FuncRef,
            WpValType::Ref(r) if r.is_extern_ref() => Self::ExternRef,
            _ => return None,
        })
    }

    /// One-byte code of the binary format (0x7f i32 ... 0x6f externref), used in snapshots.
    pub(crate) fn code(self) -> u8 {
        match self {
            Self::I32 => 0x7f,
            Self::I64 => 0x7e,
            Self::F32 => 0x7d,
            Self::F64 => 0x7c,
            Self::FuncRef => 0x70,
            Self::ExternRef => 0x6f,
        }
    }

    /// Inverse of [`ValType::code`].
    pub(crate) fn from_code(code: u8) -> Option<Self> {
        [
            Self::I32,
            Self::I64,
            Self::F32,
            Self::F64,
            Self::FuncRef,
            Self::ExternRef,
        ]
        .into_iter()
        .find(|t| t.code() == code)
    }
}

/// A WebAssembly value. Floats are carried as their IEEE 754 bit patterns so NaN payloads
/// survive unchanged; references carry `None` for null.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// `i32` value.
    I32(i32),
    /// `i64` value.
    I64(i64),
    /// `f32` value as its bits (`f32::to_bits`).
    F32(u32),
    /// `f64` value as its bits (`f64::to_bits`).
    F64(u64),
    /// `funcref`: a store function address, or `None` for `ref.null func`.
    FuncRef(Option<u32>),
    /// `externref`: a host-chosen number, or `None` for `ref.null extern`.
    ExternRef(Option<u32>),
}

impl Value {
    /// The type of this value.
    pub fn ty(&self) -> ValType {
        match self {
            Self::I32(_) => ValType::I32,
            Self::I64(_) => ValType::I64,
            Self::F32(_) => ValType::F32,
            Self::F64(_) => ValType::F64,
            Self::FuncRef(_) => ValType::FuncRef,
            Self::ExternRef(_) => ValType::ExternRef,
        }
    }

    /// The zero value of `ty` (0, +0.0 or null), the initial value of locals.
    pub fn default_for(ty: ValType) -> Self {
        Self::from_cell(ty, 0)
    }

    /// Encodes this value as a stack cell (see the module docs).
    pub(crate) fn to_cell(self) -> u64 {
        match self {
            Self::I32(v) => u64::from(v as u32),
            Self::I64(v) => v as u64,
            Self::F32(v) => u64::from(v),
            Self::F64(v) => v,
            Self::FuncRef(r) | Self::ExternRef(r) => r.map_or(0, |i| u64::from(i) + 1),
        }
    }

    /// Decodes a stack cell of type `ty` (see the module docs).
    pub(crate) fn from_cell(ty: ValType, cell: u64) -> Self {
        let reference = if cell == 0 {
            None
        } else {
            Some((cell - 1) as u32)
        };
        match ty {
            ValType::I32 => Self::I32(cell as u32 as i32),
            ValType::I64 => Self::I64(cell as i64),
            ValType::F32 => Self::F32(cell as u32),
            ValType::F64 => Self::F64(cell),
            ValType::FuncRef => Self::FuncRef(reference),
            ValType::ExternRef => Self::ExternRef(reference),
        }
    }
}

/// The signature of a function: parameter and result types (WebAssembly 2.0 §2.3.6).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct FuncType {
    /// Parameter types, in order.
    pub params: Vec<ValType>,
    /// Result types, in order.
    pub results: Vec<ValType>,
}

impl FuncType {
    /// Builds a function type from parameter and result lists.
    pub fn new(params: impl Into<Vec<ValType>>, results: impl Into<Vec<ValType>>) -> Self {
        Self {
            params: params.into(),
            results: results.into(),
        }
    }
}
