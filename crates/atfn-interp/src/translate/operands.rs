//! The translator's operand stack: where each WebAssembly operand lives at translate time,
//! and the emission of instructions that read and write those places.
//!
//! Operand `p` (counted from the bottom of the function's operand stack) owns the frame cell
//! `stack_base + p`, its *slot*. A `local.get` or a constant does not copy anything: its
//! operand is a [`Operand::Ref`] to the local's or the constant's cell, read directly by the
//! instruction that consumes it. A ref is *materialized* (copied into its slot) only when it
//! must be: before its local is written, and at control-flow boundaries, where every path
//! must agree on where values live. A result is written to its slot, or straight into a local
//! when a `local.set`/`local.tee` follows (the producing instruction's `dst` is retargeted).

use super::driver::Translator;
use crate::code::{Instr, Op};
use crate::error::TranslateError;

/// Where an operand's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Operand {
    /// In its own slot.
    Slot,
    /// In this cell (a local or a constant), not yet copied into its slot.
    Ref(u32),
}

/// The translator's view of the operand stack disagrees with the validator's.
pub(super) fn out_of_sync() -> TranslateError {
    TranslateError::Unsupported {
        what: "operand stack out of sync with validator",
        offset: 0,
    }
}

impl Translator<'_> {
    /// The slot cell of operand `p`.
    pub(super) fn slot(&self, p: usize) -> u32 {
        self.stack_base + p as u32
    }

    /// The cell holding operand `p`'s value.
    pub(super) fn cell(&self, p: usize) -> u32 {
        match self.operands[p] {
            Operand::Slot => self.slot(p),
            Operand::Ref(cell) => cell,
        }
    }

    /// Pops the top operand; returns the cell holding its value.
    pub(super) fn pop(&mut self) -> Result<u32, TranslateError> {
        let p = self.operands.len().checked_sub(1).ok_or_else(out_of_sync)?;
        let cell = self.cell(p);
        self.operands.pop();
        Ok(cell)
    }

    /// Pushes an operand that lives in its slot; returns the slot cell.
    pub(super) fn push_slot(&mut self) -> u32 {
        self.operands.push(Operand::Slot);
        self.max_height = self.max_height.max(self.operands.len() as u32);
        self.slot(self.operands.len() - 1)
    }

    /// Pushes a ref to `cell`.
    pub(super) fn push_ref(&mut self, cell: u32) {
        self.operands.push(Operand::Ref(cell));
        self.max_height = self.max_height.max(self.operands.len() as u32);
    }

    /// Appends an instruction that produces no operand (see [`Translator::emit_result`]).
    pub(super) fn emit(&mut self, instr: Instr) {
        self.code.instrs.push(instr);
        self.code.heights.push(self.height);
        self.last_result = None;
    }

    /// Appends `op` with operands `a`, `b` writing a new top operand in its slot; remembers
    /// it so a following `local.set`, `br_if` or `if` can retarget or fuse it.
    pub(super) fn emit_result(&mut self, op: Op, a: u32, b: u32) {
        let dst = self.push_slot();
        self.emit(Instr { op, dst, a, b });
        self.last_result = Some(self.code.instrs.len() - 1);
    }

    /// Copies operand `p` into its slot if it is a ref.
    fn materialize(&mut self, p: usize) {
        if let Operand::Ref(cell) = self.operands[p] {
            let dst = self.slot(p);
            self.emit(Instr {
                op: Op::Copy,
                dst,
                a: cell,
                b: 0,
            });
            self.operands[p] = Operand::Slot;
        }
    }

    /// Materializes the operands from position `from` to the top.
    pub(super) fn materialize_from(&mut self, from: usize) {
        for p in from..self.operands.len() {
            self.materialize(p);
        }
    }

    /// Materializes the top `n` operands.
    pub(super) fn materialize_top(&mut self, n: u32) {
        self.materialize_from(self.operands.len().saturating_sub(n as usize));
    }

    /// `local.set` (and `local.tee` if `tee`) of the local in `cell`.
    pub(super) fn local_set(&mut self, cell: u32, tee: bool) -> Result<(), TranslateError> {
        let p = self.operands.len().checked_sub(1).ok_or_else(out_of_sync)?;
        let value = self.operands[p];
        let src = self.cell(p);
        self.operands.pop();
        let stale = self.operands.contains(&Operand::Ref(cell));
        match self.last_result {
            Some(at) if value == Operand::Slot && !stale && self.code.instrs[at].dst == src => {
                self.code.instrs[at].dst = cell;
                self.last_result = None;
            }
            _ => {
                for q in 0..self.operands.len() {
                    if self.operands[q] == Operand::Ref(cell) {
                        self.materialize(q);
                    }
                }
                self.emit(Instr {
                    op: Op::Copy,
                    dst: cell,
                    a: src,
                    b: 0,
                });
            }
        }
        if tee {
            self.push_ref(cell);
        }
        Ok(())
    }

    /// `select`: the two values are materialized into consecutive slots.
    pub(super) fn select(&mut self) -> Result<(), TranslateError> {
        let cond = self.pop()?;
        self.materialize_top(2);
        self.pop()?;
        let first = self.pop()?;
        self.emit_result(Op::Select, first, cond);
        Ok(())
    }

    /// Emits a branch to `target` taken when the i32 in `cond` is nonzero, or zero if
    /// `negate`. If the instruction just emitted computed `cond` by an i32 comparison or
    /// `eqz`, it becomes the branch (compare-and-branch). Returns the branch's index.
    pub(super) fn branch_if(&mut self, cond: u32, negate: bool, target: u32) -> usize {
        if let Some(at) = self.last_result
            && self.code.instrs[at].dst == cond
            && let Some(op) = fused(self.code.instrs[at].op, negate)
        {
            let Instr { a, b, .. } = self.code.instrs[at];
            self.code.instrs[at] = Instr {
                op,
                dst: target,
                a,
                b,
            };
            self.last_result = None;
            return at;
        }
        let op = if negate { Op::BrIfEqz } else { Op::BrIfNez };
        self.emit(Instr {
            op,
            dst: target,
            a: cond,
            b: 0,
        });
        self.code.instrs.len() - 1
    }

    /// Emits copies moving the top `n` operands to the slots from `height` up (the values a
    /// branch carries to its label), without changing the operand stack. Returns whether
    /// any copy was needed.
    pub(super) fn carry(&mut self, height: u32, n: u32, emit: bool) -> bool {
        let top = self.operands.len() - n as usize;
        let mut needed = false;
        for i in 0..n as usize {
            let (src, dst) = (self.cell(top + i), self.slot(height as usize + i));
            if src != dst {
                needed = true;
                if emit {
                    self.emit(Instr {
                        op: Op::Copy,
                        dst,
                        a: src,
                        b: 0,
                    });
                }
            }
        }
        needed
    }
}

/// The compare-and-branch operation replacing comparison `op` followed by a branch on its
/// result (`negate`: branch when it is false).
fn fused(op: Op, negate: bool) -> Option<Op> {
    let (op, inverse) = match op {
        Op::I32Eqz => (Op::BrIfEqz, Op::BrIfNez),
        Op::I32Eq => (Op::BrI32Eq, Op::BrI32Ne),
        Op::I32Ne => (Op::BrI32Ne, Op::BrI32Eq),
        Op::I32LtS => (Op::BrI32LtS, Op::BrI32GeS),
        Op::I32LtU => (Op::BrI32LtU, Op::BrI32GeU),
        Op::I32GtS => (Op::BrI32GtS, Op::BrI32LeS),
        Op::I32GtU => (Op::BrI32GtU, Op::BrI32LeU),
        Op::I32LeS => (Op::BrI32LeS, Op::BrI32GtS),
        Op::I32LeU => (Op::BrI32LeU, Op::BrI32GtU),
        Op::I32GeS => (Op::BrI32GeS, Op::BrI32LtS),
        Op::I32GeU => (Op::BrI32GeU, Op::BrI32LtU),
        _ => return None,
    };
    Some(if negate { inverse } else { op })
}
