//! Memory operators: loads and stores carry their static offset (memory 0; WebAssembly 2.0
//! has one memory and 32-bit addresses), bulk memory operators their segment index.

use wasmparser::Operator;

use crate::code::Instr;

/// Maps a memory operator to its instruction, or `None` if `op` is not one.
pub(super) fn memory(op: &Operator<'_>) -> Option<Instr> {
    let off = |m: &wasmparser::MemArg| m.offset as u32;
    Some(match op {
        Operator::I32Load { memarg } => Instr::I32Load(off(memarg)),
        Operator::I64Load { memarg } => Instr::I64Load(off(memarg)),
        Operator::F32Load { memarg } => Instr::F32Load(off(memarg)),
        Operator::F64Load { memarg } => Instr::F64Load(off(memarg)),
        Operator::I32Load8S { memarg } => Instr::I32Load8S(off(memarg)),
        Operator::I32Load8U { memarg } => Instr::I32Load8U(off(memarg)),
        Operator::I32Load16S { memarg } => Instr::I32Load16S(off(memarg)),
        Operator::I32Load16U { memarg } => Instr::I32Load16U(off(memarg)),
        Operator::I64Load8S { memarg } => Instr::I64Load8S(off(memarg)),
        Operator::I64Load8U { memarg } => Instr::I64Load8U(off(memarg)),
        Operator::I64Load16S { memarg } => Instr::I64Load16S(off(memarg)),
        Operator::I64Load16U { memarg } => Instr::I64Load16U(off(memarg)),
        Operator::I64Load32S { memarg } => Instr::I64Load32S(off(memarg)),
        Operator::I64Load32U { memarg } => Instr::I64Load32U(off(memarg)),
        Operator::I32Store { memarg } => Instr::I32Store(off(memarg)),
        Operator::I64Store { memarg } => Instr::I64Store(off(memarg)),
        Operator::F32Store { memarg } => Instr::F32Store(off(memarg)),
        Operator::F64Store { memarg } => Instr::F64Store(off(memarg)),
        Operator::I32Store8 { memarg } => Instr::I32Store8(off(memarg)),
        Operator::I32Store16 { memarg } => Instr::I32Store16(off(memarg)),
        Operator::I64Store8 { memarg } => Instr::I64Store8(off(memarg)),
        Operator::I64Store16 { memarg } => Instr::I64Store16(off(memarg)),
        Operator::I64Store32 { memarg } => Instr::I64Store32(off(memarg)),
        Operator::MemorySize { .. } => Instr::MemorySize,
        Operator::MemoryGrow { .. } => Instr::MemoryGrow,
        Operator::MemoryFill { .. } => Instr::MemoryFill,
        Operator::MemoryCopy { .. } => Instr::MemoryCopy,
        Operator::MemoryInit { data_index, .. } => Instr::MemoryInit(*data_index),
        Operator::DataDrop { data_index } => Instr::DataDrop(*data_index),
        _ => return None,
    })
}
