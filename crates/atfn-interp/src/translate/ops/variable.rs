//! Parametric, call, table and reference operators that map to one operation. Locals,
//! constants, `drop` and `select` rearrange the translator's operand stack instead and are
//! handled by the driver.

use wasmparser::Operator;

use super::Shape::{self, Unary};
use crate::code::Op;
use crate::module::ModuleInner;

/// Maps a call/table/reference/global operator to its shape, or `None` if `op` is not one.
/// Needs the module for function types and `call_indirect` type ids.
pub(super) fn variable(m: &ModuleInner, op: &Operator<'_>) -> Option<Shape> {
    Some(match *op {
        Operator::Unreachable => Shape::stack(Op::Unreachable, 0, 0),
        Operator::GlobalGet { global_index } => Shape::Global(Op::GlobalGet, global_index),
        Operator::GlobalSet { global_index } => Shape::Global(Op::GlobalSet, global_index),
        Operator::Call { function_index } => {
            let ty = m.func_type(function_index);
            Shape::stack(Op::Call, ty.params.len() as u32, ty.results.len() as u32)
                .with(function_index, 0)
        }
        Operator::CallIndirect {
            type_index,
            table_index,
        } => {
            let ty = m.types.get(type_index as usize)?;
            let params = ty.params.len() as u32 + 1;
            Shape::stack(Op::CallIndirect, params, ty.results.len() as u32)
                .with(*m.type_ids.get(type_index as usize)?, table_index)
        }
        Operator::RefIsNull => Unary(Op::I64Eqz),
        Operator::RefFunc { function_index } => {
            Shape::stack(Op::RefFunc, 0, 1).with(function_index, 0)
        }
        Operator::TableGet { table } => Shape::stack(Op::TableGet, 1, 1).with(table, 0),
        Operator::TableSet { table } => Shape::stack(Op::TableSet, 2, 0).with(table, 0),
        Operator::TableSize { table } => Shape::stack(Op::TableSize, 0, 1).with(table, 0),
        Operator::TableGrow { table } => Shape::stack(Op::TableGrow, 2, 1).with(table, 0),
        Operator::TableFill { table } => Shape::stack(Op::TableFill, 3, 0).with(table, 0),
        Operator::TableCopy {
            dst_table,
            src_table,
        } => Shape::stack(Op::TableCopy, 3, 0).with(dst_table, src_table),
        Operator::TableInit { elem_index, table } => {
            Shape::stack(Op::TableInit, 3, 0).with(table, elem_index)
        }
        Operator::ElemDrop { elem_index } => Shape::stack(Op::ElemDrop, 0, 0).with(elem_index, 0),
        _ => return None,
    })
}
