//! Conversion operators (wrap, extend, truncate, convert, demote, promote, sign-extension, saturating truncation): one unary operation each. Reinterpretations emit nothing (see `is_noop`) because cells are untyped.

use wasmparser::Operator;

use super::Shape;
use crate::code::Op;

/// Maps a convert operator to its (unary) operation, or `None` if `op` is not one.
pub(super) fn convert(op: &Operator<'_>) -> Option<Shape> {
    Some(Shape::Unary(match op {
        Operator::I32WrapI64 => Op::I32WrapI64,
        Operator::I32TruncF32S => Op::I32TruncF32S,
        Operator::I32TruncF32U => Op::I32TruncF32U,
        Operator::I32TruncF64S => Op::I32TruncF64S,
        Operator::I32TruncF64U => Op::I32TruncF64U,
        Operator::I64ExtendI32S => Op::I64ExtendI32S,
        Operator::I64ExtendI32U => Op::I64ExtendI32U,
        Operator::I64TruncF32S => Op::I64TruncF32S,
        Operator::I64TruncF32U => Op::I64TruncF32U,
        Operator::I64TruncF64S => Op::I64TruncF64S,
        Operator::I64TruncF64U => Op::I64TruncF64U,
        Operator::F32ConvertI32S => Op::F32ConvertI32S,
        Operator::F32ConvertI32U => Op::F32ConvertI32U,
        Operator::F32ConvertI64S => Op::F32ConvertI64S,
        Operator::F32ConvertI64U => Op::F32ConvertI64U,
        Operator::F32DemoteF64 => Op::F32DemoteF64,
        Operator::F64ConvertI32S => Op::F64ConvertI32S,
        Operator::F64ConvertI32U => Op::F64ConvertI32U,
        Operator::F64ConvertI64S => Op::F64ConvertI64S,
        Operator::F64ConvertI64U => Op::F64ConvertI64U,
        Operator::F64PromoteF32 => Op::F64PromoteF32,
        Operator::I32Extend8S => Op::I32Extend8S,
        Operator::I32Extend16S => Op::I32Extend16S,
        Operator::I64Extend8S => Op::I64Extend8S,
        Operator::I64Extend16S => Op::I64Extend16S,
        Operator::I64Extend32S => Op::I64Extend32S,
        Operator::I32TruncSatF32S => Op::I32TruncSatF32S,
        Operator::I32TruncSatF32U => Op::I32TruncSatF32U,
        Operator::I32TruncSatF64S => Op::I32TruncSatF64S,
        Operator::I32TruncSatF64U => Op::I32TruncSatF64U,
        Operator::I64TruncSatF32S => Op::I64TruncSatF32S,
        Operator::I64TruncSatF32U => Op::I64TruncSatF32U,
        Operator::I64TruncSatF64S => Op::I64TruncSatF64S,
        Operator::I64TruncSatF64U => Op::I64TruncSatF64U,
        _ => return None,
    }))
}
