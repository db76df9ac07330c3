//! The engine's internal code: a compact instruction enum and the translated body of one
//! function.
//!
//! The code is a stack machine like WebAssembly itself, but every operand that WebAssembly
//! resolves through its structured control stack is resolved at translate time: branches
//! carry their target `pc` and how many cells to drop and keep, locals are frame-relative
//! cell offsets, memory offsets are immediate. Blocks, `nop` and `end` of blocks vanish.
//! `pc` values are indices into [`FuncCode::instrs`]; a suspended frame stores such an index,
//! never a pointer, so execution state is plain data (see `docs/decisions/interp.md`).

/// How a branch rearranges the operand stack: keep the top `keep` cells, drop the `drop`
/// cells below them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DropKeep {
    /// Cells removed below the kept ones.
    pub drop: u32,
    /// Cells (label arity) moved down.
    pub keep: u32,
}

/// One `br_table` entry: target pc and stack adjustment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrTarget {
    /// Destination pc.
    pub pc: u32,
    /// Stack adjustment performed when branching.
    pub dk: DropKeep,
}

/// One instruction of the internal code. Immediates are resolved at translate time; `u32`
/// index immediates are module-level indices (function, global, table, segment) resolved at
/// run time through the executing instance.
#[allow(missing_docs)] // variant names are the WebAssembly instruction names
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Instr {
    // control
    Unreachable,
    /// Unconditional jump with no stack adjustment (end of an `if` arm).
    Jump(u32),
    Br {
        pc: u32,
        dk: DropKeep,
    },
    /// Backward branch to a loop header: a safe point.
    BrLoop {
        pc: u32,
        dk: DropKeep,
    },
    /// Branch if the popped condition is nonzero.
    BrIf {
        pc: u32,
        dk: DropKeep,
    },
    /// Backward conditional branch to a loop header: a safe point when taken.
    BrIfLoop {
        pc: u32,
        dk: DropKeep,
    },
    /// Jump to `pc` if the popped condition is zero (`if` without taking the then-arm).
    IfFalse(u32),
    /// `br_table`: entries `start .. start + len` of [`FuncCode::br_tables`]; the last is the default.
    BrTable {
        start: u32,
        len: u32,
    },
    Return,
    Call(u32),
    /// `call_indirect`: expected engine type id and table index.
    CallIndirect {
        ty: u32,
        table: u32,
    },
    Drop,
    Select,

    // variables: locals are cell offsets from the frame base
    LocalGet(u32),
    LocalSet(u32),
    LocalTee(u32),
    GlobalGet(u32),
    GlobalSet(u32),

    // memory: immediate is the static offset (memory 0)
    I32Load(u32),
    I64Load(u32),
    F32Load(u32),
    F64Load(u32),
    I32Load8S(u32),
    I32Load8U(u32),
    I32Load16S(u32),
    I32Load16U(u32),
    I64Load8S(u32),
    I64Load8U(u32),
    I64Load16S(u32),
    I64Load16U(u32),
    I64Load32S(u32),
    I64Load32U(u32),
    I32Store(u32),
    I64Store(u32),
    F32Store(u32),
    F64Store(u32),
    I32Store8(u32),
    I32Store16(u32),
    I64Store8(u32),
    I64Store16(u32),
    I64Store32(u32),
    MemorySize,
    MemoryGrow,
    MemoryFill,
    MemoryCopy,
    MemoryInit(u32),
    DataDrop(u32),

    // tables and references
    TableGet(u32),
    TableSet(u32),
    TableSize(u32),
    TableGrow(u32),
    TableFill(u32),
    TableCopy {
        dst: u32,
        src: u32,
    },
    TableInit {
        table: u32,
        elem: u32,
    },
    ElemDrop(u32),
    RefNull,
    RefIsNull,
    RefFunc(u32),

    // constants (all numeric constants as raw cell bits)
    Const(u64),

    // i32 numeric
    I32Eqz,
    I32Eq,
    I32Ne,
    I32LtS,
    I32LtU,
    I32GtS,
    I32GtU,
    I32LeS,
    I32LeU,
    I32GeS,
    I32GeU,
    I32Clz,
    I32Ctz,
    I32Popcnt,
    I32Add,
    I32Sub,
    I32Mul,
    I32DivS,
    I32DivU,
    I32RemS,
    I32RemU,
    I32And,
    I32Or,
    I32Xor,
    I32Shl,
    I32ShrS,
    I32ShrU,
    I32Rotl,
    I32Rotr,

    // i64 numeric
    I64Eqz,
    I64Eq,
    I64Ne,
    I64LtS,
    I64LtU,
    I64GtS,
    I64GtU,
    I64LeS,
    I64LeU,
    I64GeS,
    I64GeU,
    I64Clz,
    I64Ctz,
    I64Popcnt,
    I64Add,
    I64Sub,
    I64Mul,
    I64DivS,
    I64DivU,
    I64RemS,
    I64RemU,
    I64And,
    I64Or,
    I64Xor,
    I64Shl,
    I64ShrS,
    I64ShrU,
    I64Rotl,
    I64Rotr,

    // f32 numeric
    F32Eq,
    F32Ne,
    F32Lt,
    F32Gt,
    F32Le,
    F32Ge,
    F32Abs,
    F32Neg,
    F32Ceil,
    F32Floor,
    F32Trunc,
    F32Nearest,
    F32Sqrt,
    F32Add,
    F32Sub,
    F32Mul,
    F32Div,
    F32Min,
    F32Max,
    F32Copysign,

    // f64 numeric
    F64Eq,
    F64Ne,
    F64Lt,
    F64Gt,
    F64Le,
    F64Ge,
    F64Abs,
    F64Neg,
    F64Ceil,
    F64Floor,
    F64Trunc,
    F64Nearest,
    F64Sqrt,
    F64Add,
    F64Sub,
    F64Mul,
    F64Div,
    F64Min,
    F64Max,
    F64Copysign,

    // conversions
    I32WrapI64,
    I32TruncF32S,
    I32TruncF32U,
    I32TruncF64S,
    I32TruncF64U,
    I64ExtendI32S,
    I64ExtendI32U,
    I64TruncF32S,
    I64TruncF32U,
    I64TruncF64S,
    I64TruncF64U,
    F32ConvertI32S,
    F32ConvertI32U,
    F32ConvertI64S,
    F32ConvertI64U,
    F32DemoteF64,
    F64ConvertI32S,
    F64ConvertI32U,
    F64ConvertI64S,
    F64ConvertI64U,
    F64PromoteF32,
    I32Extend8S,
    I32Extend16S,
    I64Extend8S,
    I64Extend16S,
    I64Extend32S,
    I32TruncSatF32S,
    I32TruncSatF32U,
    I32TruncSatF64S,
    I32TruncSatF64U,
    I64TruncSatF32S,
    I64TruncSatF32U,
    I64TruncSatF64S,
    I64TruncSatF64U,
}

/// The translated body of one function defined in a module.
#[derive(Debug, Clone, Default)]
pub struct FuncCode {
    /// Instructions; execution starts at pc 0 and leaves through [`Instr::Return`].
    pub instrs: Vec<Instr>,
    /// Operand stack height (cells above the locals) before each instruction; lets
    /// snapshot restore check that a frame's stack matches its resume point.
    pub heights: Vec<u32>,
    /// Entries of all `br_table` instructions of this function.
    pub br_tables: Vec<BrTarget>,
    /// Number of parameters (cells at the start of the frame).
    pub params: u32,
    /// Number of parameters plus declared locals.
    pub locals: u32,
    /// Number of results.
    pub results: u32,
    /// Largest operand stack height reached, in cells, not counting locals.
    pub max_height: u32,
}

#[cfg(test)]
mod tests;
