//! Operator-to-instruction mappings for everything but structured control flow, one file
//! per family.

mod convert;
mod memory;
mod numeric;
mod variable;

use wasmparser::Operator;

use super::driver::Translator;
use crate::code::Instr;

/// Whether `op` emits no code: `nop` and the reinterpretations (cells are untyped bits).
pub(super) fn is_noop(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::Nop
            | Operator::I32ReinterpretF32
            | Operator::I64ReinterpretF64
            | Operator::F32ReinterpretI32
            | Operator::F64ReinterpretI64
    )
}

impl Translator<'_> {
    /// The single instruction for a non-control operator, or `None` if unsupported.
    pub(super) fn simple(&self, op: &Operator<'_>) -> Option<Instr> {
        numeric::numeric(op)
            .or_else(|| convert::convert(op))
            .or_else(|| memory::memory(op))
            .or_else(|| variable::variable(self.m, op))
    }
}
