//! The engine's internal code: a register-style instruction set and the translated body of
//! one function.
//!
//! Each function runs in a *frame* of untyped 64-bit cells on the value stack, laid out as
//! `[params and locals | constants | operand slots]`. The translator gives every WebAssembly
//! operand-stack position a fixed slot (cell `stack_base + height`), so instructions name
//! their operand and result cells directly (three-address code): `local.get a; local.get b;
//! i32.add; local.set c` becomes one `I32Add { dst: c, a, b }`. Constants are cells of the
//! frame too, filled from [`FuncCode::consts`] when the frame is entered. Branches carry their
//! target, relative to its own `pc`; the values a branch carries are moved by explicit
//! [`Op::Copy`]s. Blocks,
//! `nop`, `drop` and `end` of blocks vanish.
//!
//! `pc` values are indices into [`FuncCode::instrs`]; a suspended frame stores such an index,
//! never a pointer, so execution state is plain data (see `docs/decisions/interp.md`).

/// How `br_table` rearranges the operand stack: keep the top `keep` cells, drop the `drop`
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

/// One instruction: an operation and three `u32` operands whose meaning [`Op`] documents.
/// Unless stated otherwise `dst` is the result cell and `a`, `b` the operand cells, all
/// frame-relative cell indices. 16 bytes, copied by value by the hot path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instr {
    /// The operation.
    pub op: Op,
    /// Result cell, or branch offset ([`Instr::branch_target`]), or store offset (see
    /// [`Op`]).
    pub dst: u32,
    /// First operand.
    pub a: u32,
    /// Second operand.
    pub b: u32,
}

impl Instr {
    /// The target `pc` of this branch at `pc`: `dst` is the offset from `pc`, an `i32` in
    /// two's complement (the hot path adds it to its instruction pointer, without looking
    /// the function's code up). `usize::MAX` if the target would be negative.
    pub fn branch_target(&self, pc: usize) -> usize {
        usize::try_from(pc as i64 + i64::from(self.dst as i32)).unwrap_or(usize::MAX)
    }

    /// Whether this branch (at any `pc`) goes backward or to itself: a safe point.
    pub fn branches_back(&self) -> bool {
        self.dst as i32 <= 0
    }
}

/// Operations. Numeric and conversion operations are named after their WebAssembly
/// instruction and compute `dst = op(a)` (unary) or `dst = op(a, b)` (binary). A branch whose
/// target is not after it is a safe point when taken.
///
/// Operations marked *stack* work on the top of the operand stack like WebAssembly does:
/// the translator puts their operands in the topmost slots, and the executor derives the
/// stack pointer from [`FuncCode::heights`]. They are the rare or frame-changing ones.
#[allow(missing_docs)] // numeric variant names are the WebAssembly instruction names
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Op {
    // control
    /// Traps.
    Unreachable,
    /// Jumps to `dst`.
    Br,
    /// Jumps to `dst` if cell `a` (as i32) is nonzero.
    BrIfNez,
    /// Jumps to `dst` if cell `a` (as i32) is zero.
    BrIfEqz,
    /// Jumps to `dst` if the i32 comparison of cells `a` and `b` holds.
    BrI32Eq,
    BrI32Ne,
    BrI32LtS,
    BrI32LtU,
    BrI32GtS,
    BrI32GtU,
    BrI32LeS,
    BrI32LeU,
    BrI32GeS,
    BrI32GeU,
    /// *Stack*: `br_table` over entries `a .. a + b` of [`FuncCode::br_tables`] (the last is
    /// the default), indexed by the top cell.
    BrTable,
    /// *Stack*: returns the top `results` cells; `dst` is the stack pointer
    /// (frame-relative: `stack_base() + heights[pc]`).
    Return,
    /// *Stack*: calls function index `a` with its arguments on top; `dst` is the stack
    /// pointer as for `Return`.
    Call,
    /// *Stack*: `call_indirect` expecting engine type id `a` through table `b`; the table
    /// index is the top cell, the arguments below it.
    CallIndirect,

    // parametric and variables
    /// `dst = a`.
    Copy,
    /// `dst = if b != 0 { a } else { a + 1 }` (the two values are in consecutive cells).
    Select,
    /// `dst = global a`.
    GlobalGet,
    /// `global b = a`.
    GlobalSet,

    // memory 0: loads are `dst = load(address cell a + offset b)`,
    // stores are `store(address cell a + offset dst, value cell b)`
    I32Load,
    I64Load,
    I32Load8S,
    I32Load8U,
    I32Load16S,
    I32Load16U,
    I64Load8S,
    I64Load8U,
    I64Load16S,
    I64Load16U,
    I64Load32S,
    I64Load32U,
    I32Store,
    I64Store,
    I32Store8,
    I32Store16,
    I64Store8,
    I64Store16,
    I64Store32,
    /// *Stack*.
    MemorySize,
    /// *Stack*.
    MemoryGrow,
    /// *Stack*.
    MemoryFill,
    /// *Stack*.
    MemoryCopy,
    /// *Stack*: data segment `a`.
    MemoryInit,
    /// Drops data segment `a`.
    DataDrop,

    // tables and references: *stack*, table index `a` (`table.copy`: destination `a`,
    // source `b`; `table.init`: table `a`, element segment `b`)
    TableGet,
    TableSet,
    TableSize,
    TableGrow,
    TableFill,
    TableCopy,
    TableInit,
    /// Drops element segment `a`.
    ElemDrop,
    /// *Stack*: pushes a reference to function index `a`.
    RefFunc,

    // i32 numeric (unary and binary)
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

impl Op {
    /// Whether this is a branch with its target in `dst` ([`Instr::branch_target`]).
    pub fn is_branch(self) -> bool {
        (Op::Br as u8..=Op::BrI32GeU as u8).contains(&(self as u8))
    }
}

/// The translated body of one function defined in a module.
#[derive(Debug, Clone, Default)]
pub struct FuncCode {
    /// Instructions; execution starts at pc 0 and leaves through [`Op::Return`].
    pub instrs: Vec<Instr>,
    /// Operand stack height (slots in use) before each instruction. At a safe point or a
    /// *stack* operation the executor's stack pointer is `stack_base() + heights[pc]`; lets
    /// snapshot restore check that a frame's stack matches its resume point.
    pub heights: Vec<u32>,
    /// Entries of all `br_table` instructions of this function.
    pub br_tables: Vec<BrTarget>,
    /// Constant cells, placed right after the locals when the frame is entered.
    pub consts: Vec<u64>,
    /// Number of parameters (cells at the start of the frame).
    pub params: u32,
    /// Number of parameters plus declared locals.
    pub locals: u32,
    /// Number of results.
    pub results: u32,
    /// Largest operand stack height reached, in cells.
    pub max_height: u32,
}

impl FuncCode {
    /// Frame-relative cell of operand slot 0: locals plus constants.
    pub fn stack_base(&self) -> u32 {
        self.locals + self.consts.len() as u32
    }

    /// Cells a frame of this function occupies: locals, constants and operand slots.
    pub fn frame_size(&self) -> usize {
        self.stack_base() as usize + self.max_height as usize
    }
}

mod verify;

pub use verify::{VerifyError, verify};

#[cfg(test)]
mod tests;
