//! The code verifier: checks, once per translated function, the facts the hot path
//! relies on to read instructions and frame cells without bounds checks.
//!
//! The hot path (`exec/dispatch/`) fetches `instrs[pc]` and reads and writes
//! `frame[cell]` unchecked. That is sound when, for the [`FuncCode`] it runs:
//! - every cell an instruction names directly is inside the frame (`< frame_size()`), and
//!   the frame has `frame_size()` cells (ensured when the hot path enters it);
//! - every branch target, in an instruction or a `br_table` entry, is an instruction index;
//! - the last instruction never falls through (so `pc + 1` after any instruction that can
//!   fall through is still an instruction index);
//! - `call` and `return` carry the stack pointer at them, which is inside the frame.
//!
//! The translator always produces such code; [`verify`] turns a translator bug into a
//! [`VerifyError`] (reported as an internal translation error) instead of undefined
//! behaviour. *Stack* operations are not checked here: they run outside the hot path with
//! checked access.

use super::{FuncCode, Instr, Op};

/// A fact of the verifier's list (see the module docs) that a function's code breaks: a
/// translator bug, never the input module's fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("internal error: translated code fails verification at pc {pc}: {what}")]
pub struct VerifyError {
    /// Index of the offending instruction (the instruction count if the code is empty).
    pub pc: usize,
    /// Which fact fails.
    pub what: &'static str,
}

/// What the fields of an instruction mean, as far as the verifier is concerned.
enum Fields {
    /// Nothing the hot path uses unchecked (*stack* operations, `unreachable`).
    Unchecked,
    /// `dst` is the stack pointer (`call`, `return`; see [`Op::Call`]).
    StackPointer,
    /// `dst` is a branch offset ([`Instr::branch_target`]); `a` and `b` are cells (0 where
    /// unused).
    Branch,
    /// `a .. a + b` are entries of [`FuncCode::br_tables`].
    Table,
    /// `dst` is a cell, `a` and `a + 1` are the two choices, `b` the condition.
    Select,
    /// Which of `dst`, `a` and `b` are cells (0 where unused); the others are offsets or
    /// global indices.
    Cells(bool, bool, bool),
}

fn fields(op: Op) -> Fields {
    use Op::*;
    match op {
        Br | BrIfNez | BrIfEqz | BrI32Eq | BrI32Ne | BrI32LtS | BrI32LtU | BrI32GtS | BrI32GtU
        | BrI32LeS | BrI32LeU | BrI32GeS | BrI32GeU => Fields::Branch,
        BrTable => Fields::Table,
        Select => Fields::Select,
        GlobalGet => Fields::Cells(true, false, false),
        I32Load | I64Load | I32Load8S | I32Load8U | I32Load16S | I32Load16U | I64Load8S
        | I64Load8U | I64Load16S | I64Load16U | I64Load32S | I64Load32U => {
            Fields::Cells(true, true, false)
        }
        I32Store | I64Store | I32Store8 | I32Store16 | I64Store8 | I64Store16 | I64Store32 => {
            Fields::Cells(false, true, true)
        }
        GlobalSet => Fields::Cells(false, true, false),
        Return | Call => Fields::StackPointer,
        Unreachable | CallIndirect | MemorySize | MemoryGrow | MemoryFill | MemoryCopy
        | MemoryInit | DataDrop | TableGet | TableSet | TableSize | TableGrow | TableFill
        | TableCopy | TableInit | ElemDrop | RefFunc => Fields::Unchecked,
        // copy, numeric and conversion operations
        _ => Fields::Cells(true, true, true),
    }
}

/// Whether execution never continues at `pc + 1` after `op`.
fn never_falls_through(op: Op) -> bool {
    matches!(op, Op::Br | Op::BrTable | Op::Return | Op::Unreachable)
}

/// Checks `code` against the facts in the module docs.
///
/// # Errors
/// [`VerifyError`] naming the first instruction that breaks one.
pub fn verify(code: &FuncCode) -> Result<(), VerifyError> {
    let len = code.instrs.len();
    let fail = |pc, what| Err(VerifyError { pc, what });
    match code.instrs.last() {
        None => return fail(0, "no instructions"),
        Some(last) if !never_falls_through(last.op) => {
            return fail(len - 1, "the last instruction falls through");
        }
        Some(_) => {}
    }
    if code.heights.len() != len {
        return fail(len, "one height per instruction expected");
    }
    let frame = code.frame_size() as u64;
    let cell = |c: u32| u64::from(c) < frame;
    for (pc, instr) in code.instrs.iter().enumerate() {
        let Instr { op, dst, a, b } = *instr;
        let ok = match fields(op) {
            Fields::Unchecked => true,
            Fields::StackPointer => {
                let sp = u64::from(code.stack_base()) + u64::from(code.heights[pc]);
                u64::from(dst) == sp && sp <= frame
            }
            Fields::Branch => instr.branch_target(pc) < len && cell(a) && cell(b),
            Fields::Table => {
                let entries = code.br_tables.get(a as usize..a as usize + b as usize);
                b > 0 && entries.is_some_and(|e| e.iter().all(|t| (t.pc as usize) < len))
            }
            Fields::Select => cell(dst) && u64::from(a) + 1 < frame && cell(b),
            Fields::Cells(d, x, y) => (!d || cell(dst)) && (!x || cell(a)) && (!y || cell(b)),
        };
        if !ok {
            return fail(
                pc,
                "operand outside the frame, target outside the code or wrong stack pointer",
            );
        }
    }
    Ok(())
}
