//! Conversion operators (wrap, extend, truncate, convert, demote, promote, sign-extension, saturating truncation): one-to-one. Reinterpretations emit nothing (see `is_noop`) because cells are untyped.

use wasmparser::Operator;

use crate::code::Instr;

/// Maps a convert operator to its instruction, or `None` if `op` is not one.
pub(super) fn convert(op: &Operator<'_>) -> Option<Instr> {
    Some(match op {
        Operator::I32WrapI64 => Instr::I32WrapI64,
        Operator::I32TruncF32S => Instr::I32TruncF32S,
        Operator::I32TruncF32U => Instr::I32TruncF32U,
        Operator::I32TruncF64S => Instr::I32TruncF64S,
        Operator::I32TruncF64U => Instr::I32TruncF64U,
        Operator::I64ExtendI32S => Instr::I64ExtendI32S,
        Operator::I64ExtendI32U => Instr::I64ExtendI32U,
        Operator::I64TruncF32S => Instr::I64TruncF32S,
        Operator::I64TruncF32U => Instr::I64TruncF32U,
        Operator::I64TruncF64S => Instr::I64TruncF64S,
        Operator::I64TruncF64U => Instr::I64TruncF64U,
        Operator::F32ConvertI32S => Instr::F32ConvertI32S,
        Operator::F32ConvertI32U => Instr::F32ConvertI32U,
        Operator::F32ConvertI64S => Instr::F32ConvertI64S,
        Operator::F32ConvertI64U => Instr::F32ConvertI64U,
        Operator::F32DemoteF64 => Instr::F32DemoteF64,
        Operator::F64ConvertI32S => Instr::F64ConvertI32S,
        Operator::F64ConvertI32U => Instr::F64ConvertI32U,
        Operator::F64ConvertI64S => Instr::F64ConvertI64S,
        Operator::F64ConvertI64U => Instr::F64ConvertI64U,
        Operator::F64PromoteF32 => Instr::F64PromoteF32,
        Operator::I32Extend8S => Instr::I32Extend8S,
        Operator::I32Extend16S => Instr::I32Extend16S,
        Operator::I64Extend8S => Instr::I64Extend8S,
        Operator::I64Extend16S => Instr::I64Extend16S,
        Operator::I64Extend32S => Instr::I64Extend32S,
        Operator::I32TruncSatF32S => Instr::I32TruncSatF32S,
        Operator::I32TruncSatF32U => Instr::I32TruncSatF32U,
        Operator::I32TruncSatF64S => Instr::I32TruncSatF64S,
        Operator::I32TruncSatF64U => Instr::I32TruncSatF64U,
        Operator::I64TruncSatF32S => Instr::I64TruncSatF32S,
        Operator::I64TruncSatF32U => Instr::I64TruncSatF32U,
        Operator::I64TruncSatF64S => Instr::I64TruncSatF64S,
        Operator::I64TruncSatF64U => Instr::I64TruncSatF64U,
        _ => return None,
    })
}
