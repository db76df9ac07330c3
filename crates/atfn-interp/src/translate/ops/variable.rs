//! Variable, parametric, call and reference operators, and constants.

use wasmparser::Operator;

use crate::code::Instr;
use crate::module::ModuleInner;

/// Maps a variable/parametric/call/reference/constant operator to its instruction, or
/// `None` if `op` is not one. Needs the module to resolve `call_indirect` type ids.
pub(super) fn variable(m: &ModuleInner, op: &Operator<'_>) -> Option<Instr> {
    Some(match *op {
        Operator::Unreachable => Instr::Unreachable,
        Operator::Drop => Instr::Drop,
        Operator::Select | Operator::TypedSelect { .. } => Instr::Select,
        Operator::LocalGet { local_index } => Instr::LocalGet(local_index),
        Operator::LocalSet { local_index } => Instr::LocalSet(local_index),
        Operator::LocalTee { local_index } => Instr::LocalTee(local_index),
        Operator::GlobalGet { global_index } => Instr::GlobalGet(global_index),
        Operator::GlobalSet { global_index } => Instr::GlobalSet(global_index),
        Operator::Call { function_index } => Instr::Call(function_index),
        Operator::CallIndirect {
            type_index,
            table_index,
        } => Instr::CallIndirect {
            ty: *m.type_ids.get(type_index as usize)?,
            table: table_index,
        },
        Operator::I32Const { value } => Instr::Const(u64::from(value as u32)),
        Operator::I64Const { value } => Instr::Const(value as u64),
        Operator::F32Const { value } => Instr::Const(u64::from(value.bits())),
        Operator::F64Const { value } => Instr::Const(value.bits()),
        Operator::RefNull { .. } => Instr::RefNull,
        Operator::RefIsNull => Instr::RefIsNull,
        Operator::RefFunc { function_index } => Instr::RefFunc(function_index),
        Operator::TableGet { table } => Instr::TableGet(table),
        Operator::TableSet { table } => Instr::TableSet(table),
        Operator::TableSize { table } => Instr::TableSize(table),
        Operator::TableGrow { table } => Instr::TableGrow(table),
        Operator::TableFill { table } => Instr::TableFill(table),
        Operator::TableCopy {
            dst_table,
            src_table,
        } => Instr::TableCopy {
            dst: dst_table,
            src: src_table,
        },
        Operator::TableInit { elem_index, table } => Instr::TableInit {
            table,
            elem: elem_index,
        },
        Operator::ElemDrop { elem_index } => Instr::ElemDrop(elem_index),
        _ => return None,
    })
}
