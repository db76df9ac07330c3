//! Memory operators: loads and stores carry their static offset (memory 0; WebAssembly 2.0
//! has one memory and 32-bit addresses); `f32`/`f64` loads and stores share the integer
//! operations of their width because cells are untyped bits. Size, grow and the bulk memory
//! operators are *stack* operations with their segment index.

use wasmparser::{MemArg, Operator};

use super::Shape::{self, Load, Store};
use crate::code::Op;

/// Maps a memory operator to its shape, or `None` if `op` is not one.
pub(super) fn memory(op: &Operator<'_>) -> Option<Shape> {
    let off = |m: &MemArg| m.offset as u32;
    Some(match op {
        Operator::I32Load { memarg } | Operator::F32Load { memarg } => {
            Load(Op::I32Load, off(memarg))
        }
        Operator::I64Load { memarg } | Operator::F64Load { memarg } => {
            Load(Op::I64Load, off(memarg))
        }
        Operator::I32Load8S { memarg } => Load(Op::I32Load8S, off(memarg)),
        Operator::I32Load8U { memarg } => Load(Op::I32Load8U, off(memarg)),
        Operator::I32Load16S { memarg } => Load(Op::I32Load16S, off(memarg)),
        Operator::I32Load16U { memarg } => Load(Op::I32Load16U, off(memarg)),
        Operator::I64Load8S { memarg } => Load(Op::I64Load8S, off(memarg)),
        Operator::I64Load8U { memarg } => Load(Op::I64Load8U, off(memarg)),
        Operator::I64Load16S { memarg } => Load(Op::I64Load16S, off(memarg)),
        Operator::I64Load16U { memarg } => Load(Op::I64Load16U, off(memarg)),
        Operator::I64Load32S { memarg } => Load(Op::I64Load32S, off(memarg)),
        Operator::I64Load32U { memarg } => Load(Op::I64Load32U, off(memarg)),
        Operator::I32Store { memarg } | Operator::F32Store { memarg } => {
            Store(Op::I32Store, off(memarg))
        }
        Operator::I64Store { memarg } | Operator::F64Store { memarg } => {
            Store(Op::I64Store, off(memarg))
        }
        Operator::I32Store8 { memarg } => Store(Op::I32Store8, off(memarg)),
        Operator::I32Store16 { memarg } => Store(Op::I32Store16, off(memarg)),
        Operator::I64Store8 { memarg } => Store(Op::I64Store8, off(memarg)),
        Operator::I64Store16 { memarg } => Store(Op::I64Store16, off(memarg)),
        Operator::I64Store32 { memarg } => Store(Op::I64Store32, off(memarg)),
        Operator::MemorySize { .. } => Shape::stack(Op::MemorySize, 0, 1),
        Operator::MemoryGrow { .. } => Shape::stack(Op::MemoryGrow, 1, 1),
        Operator::MemoryFill { .. } => Shape::stack(Op::MemoryFill, 3, 0),
        Operator::MemoryCopy { .. } => Shape::stack(Op::MemoryCopy, 3, 0),
        Operator::MemoryInit { data_index, .. } => {
            Shape::stack(Op::MemoryInit, 3, 0).with(*data_index, 0)
        }
        Operator::DataDrop { data_index } => Shape::stack(Op::DataDrop, 0, 0).with(*data_index, 0),
        _ => return None,
    })
}
