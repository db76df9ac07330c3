//! The translation driver: runs the validator and the translator over one function body
//! and handles structured control flow (blocks, loops, `if`/`else`, branches, `end`).

use std::collections::HashMap;

use wasmparser::{BlockType, FuncValidator, FunctionBody, Operator, ValidatorResources};

use super::operands::{Operand, out_of_sync};
use super::ops::{self, Shape};
use super::stack::{Ctrl, CtrlKind, Fixup};
use crate::code::{BrTarget, DropKeep, FuncCode, Instr, Op};
use crate::error::TranslateError;
use crate::module::ModuleInner;

/// Validates and translates one function body.
pub(crate) fn translate(
    m: &ModuleInner,
    fv: &mut FuncValidator<ValidatorResources>,
    body: &FunctionBody<'_>,
) -> Result<FuncCode, TranslateError> {
    let ty = m.func_type(m.imported_funcs + m.codes.len() as u32);
    let mut code = FuncCode {
        params: ty.params.len() as u32,
        results: ty.results.len() as u32,
        ..FuncCode::default()
    };
    let mut locals = code.params;
    let mut reader = body.get_locals_reader()?;
    for _ in 0..reader.get_count() {
        let offset = reader.original_position();
        let (count, ty) = reader.read()?;
        fv.define_locals(offset, count, ty)?;
        locals = locals.saturating_add(count);
    }
    code.locals = locals;
    let (consts, const_cells) = constants(body, locals);
    code.consts = consts;
    let mut t = Translator {
        m,
        stack_base: code.stack_base(),
        code,
        ctrl: Vec::new(),
        height: 0,
        max_height: 0,
        operands: Vec::new(),
        last_result: None,
        const_cells,
    };
    t.ctrl.push(Ctrl {
        kind: CtrlKind::Func,
        height: 0,
        params: 0,
        results: t.code.results,
        branch_arity: t.code.results,
        start_pc: 0,
        dead: false,
        else_fixup: None,
        fixups: Vec::new(),
    });
    let mut ops = body.get_operators_reader()?;
    while !ops.eof() {
        let (op, offset) = ops.read_with_offset()?;
        let dead = fv.get_control_frame(0).is_some_and(|f| f.unreachable)
            || t.ctrl.last().is_some_and(|c| c.dead);
        fv.op(offset, &op)?;
        t.height = t.operands.len() as u32;
        t.operator(&op, dead, offset)?;
    }
    ops.finish()?;
    // One spare cell: a suspended `br_table` pushes its index back.
    t.code.max_height = t.max_height + 1;
    // Branch targets were absolute while blocks were patched; the code keeps them relative.
    for (pc, i) in t.code.instrs.iter_mut().enumerate() {
        if i.op.is_branch() {
            i.dst = i.dst.wrapping_sub(pc as u32);
        }
    }
    crate::code::verify(&t.code)?;
    Ok(t.code)
}

/// The distinct constants of a body, in first-use order, and the frame cell of each (the
/// constants follow the `locals`). Reads the operators without validating them: the
/// validating pass reports any error.
fn constants(body: &FunctionBody<'_>, locals: u32) -> (Vec<u64>, HashMap<u64, u32>) {
    let mut consts = Vec::new();
    let mut cells = HashMap::new();
    if let Ok(mut reader) = body.get_operators_reader() {
        while let Ok(op) = reader.read() {
            if let Some(v) = ops::constant(&op) {
                cells.entry(v).or_insert_with(|| {
                    consts.push(v);
                    locals + consts.len() as u32 - 1
                });
            }
        }
    }
    (consts, cells)
}

/// Emits code for one function; see the module docs.
pub(super) struct Translator<'m> {
    pub m: &'m ModuleInner,
    pub code: FuncCode,
    pub ctrl: Vec<Ctrl>,
    /// Operand height before the operator being translated.
    pub height: u32,
    /// Largest operand height so far.
    pub max_height: u32,
    /// Frame cell of operand slot 0 ([`FuncCode::stack_base`]).
    pub stack_base: u32,
    /// Where each operand of the WebAssembly operand stack is.
    pub operands: Vec<Operand>,
    /// Index of the last instruction if it wrote a new top operand's slot and nothing
    /// was emitted or joined since.
    pub last_result: Option<usize>,
    /// Frame cell of each constant.
    pub const_cells: HashMap<u64, u32>,
}

impl Translator<'_> {
    fn pc(&self) -> u32 {
        self.code.instrs.len() as u32
    }

    /// `(params, results)` of a block type.
    fn block_arity(&self, bt: BlockType) -> (u32, u32) {
        match bt {
            BlockType::Empty => (0, 0),
            BlockType::Type(_) => (0, 1),
            BlockType::FuncType(i) => {
                let ft = &self.m.types[i as usize];
                (ft.params.len() as u32, ft.results.len() as u32)
            }
        }
    }

    /// Translates one operator that already passed validation; `dead` whether it is
    /// unreachable.
    fn operator(
        &mut self,
        op: &Operator<'_>,
        dead: bool,
        offset: u64,
    ) -> Result<(), TranslateError> {
        match *op {
            Operator::Block { blockty } => self.enter(CtrlKind::Block, blockty, dead),
            Operator::Loop { blockty } => self.enter(CtrlKind::Loop, blockty, dead),
            Operator::If { blockty } => {
                // The branch to the else arm may fuse with the comparison before it.
                let at = if dead {
                    None
                } else {
                    let cond = self.pop()?;
                    self.materialize_from(0);
                    Some(self.branch_if(cond, true, 0) as u32)
                };
                self.enter(CtrlKind::If, blockty, dead);
                if let Some(top) = self.ctrl.last_mut() {
                    top.else_fixup = at;
                }
            }
            Operator::Else => self.else_(dead)?,
            Operator::End => self.end(dead)?,
            _ if dead || ops::is_noop(op) => {}
            Operator::Br { relative_depth } => self.br(relative_depth)?,
            Operator::BrIf { relative_depth } => self.br_if(relative_depth)?,
            Operator::BrTable { ref targets } => {
                self.materialize_from(0);
                let index_height = self.operands.len() as u32 - 1;
                let start = self.code.br_tables.len() as u32;
                let mut len = 0;
                for depth in targets
                    .targets()
                    .chain(std::iter::once(Ok(targets.default())))
                {
                    let entry =
                        self.branch_target(depth?, index_height, Fixup::Table(start + len))?;
                    self.code.br_tables.push(entry);
                    len += 1;
                }
                self.emit(Instr {
                    op: Op::BrTable,
                    dst: 0,
                    a: start,
                    b: len,
                });
            }
            Operator::Return => self.ret(),
            Operator::LocalGet { local_index } => self.push_ref(local_index),
            Operator::LocalSet { local_index } => self.local_set(local_index, false)?,
            Operator::LocalTee { local_index } => self.local_set(local_index, true)?,
            Operator::Drop => {
                self.pop()?;
            }
            Operator::Select | Operator::TypedSelect { .. } => self.select()?,
            _ => {
                if let Some(v) = ops::constant(op) {
                    let cell = *self.const_cells.get(&v).ok_or_else(out_of_sync)?;
                    self.push_ref(cell);
                    return Ok(());
                }
                let shape = ops::shape(self.m, op).ok_or(TranslateError::Unsupported {
                    what: "operator",
                    offset,
                })?;
                self.simple(shape)?;
            }
        }
        Ok(())
    }

    /// Emits a non-control operation.
    fn simple(&mut self, shape: Shape) -> Result<(), TranslateError> {
        match shape {
            Shape::Unary(op) => {
                let a = self.pop()?;
                self.emit_result(op, a, 0);
            }
            Shape::Binary(op) => {
                let b = self.pop()?;
                let a = self.pop()?;
                self.emit_result(op, a, b);
            }
            Shape::Load(op, offset) => {
                let addr = self.pop()?;
                self.emit_result(op, addr, offset);
            }
            Shape::Store(op, offset) => {
                let value = self.pop()?;
                let addr = self.pop()?;
                self.emit(Instr {
                    op,
                    dst: offset,
                    a: addr,
                    b: value,
                });
            }
            Shape::Global(Op::GlobalGet, global) => self.emit_result(Op::GlobalGet, global, 0),
            Shape::Global(op, global) => {
                let value = self.pop()?;
                self.emit(Instr {
                    op,
                    dst: 0,
                    a: value,
                    b: global,
                });
            }
            Shape::Stack {
                op,
                a,
                b,
                pops,
                pushes,
            } => {
                self.materialize_top(pops);
                // `Call` carries its stack pointer (see `Op::Call`); others ignore `dst`.
                let dst = if op == Op::Call {
                    self.slot(self.operands.len())
                } else {
                    0
                };
                self.emit(Instr { op, dst, a, b });
                let keep = self.operands.len().checked_sub(pops as usize);
                self.operands.truncate(keep.ok_or_else(out_of_sync)?);
                for _ in 0..pushes {
                    self.push_slot();
                }
            }
        }
        Ok(())
    }

    /// Opens a block, loop or `if` (whose condition is already popped). Every operand is
    /// materialized first: all paths into and out of the construct agree on slots.
    fn enter(&mut self, kind: CtrlKind, bt: BlockType, dead: bool) {
        let (params, results) = self.block_arity(bt);
        if !dead {
            self.materialize_from(0);
        }
        self.last_result = None;
        let height = (self.operands.len() as u32).saturating_sub(params);
        self.ctrl.push(Ctrl {
            kind,
            height,
            params,
            results,
            branch_arity: if kind == CtrlKind::Loop {
                params
            } else {
                results
            },
            start_pc: self.pc(),
            dead,
            else_fixup: None,
            fixups: Vec::new(),
        });
    }

    /// Resets the operand stack to `height` plus `n` operands in their slots.
    fn reset(&mut self, height: u32, n: u32) {
        self.operands.truncate(height as usize);
        for _ in 0..n {
            self.push_slot();
        }
        self.last_result = None;
    }

    fn else_(&mut self, then_end_dead: bool) -> Result<(), TranslateError> {
        if !then_end_dead {
            self.materialize_from(0);
            self.emit(Instr {
                op: Op::Br,
                dst: 0,
                a: 0,
                b: 0,
            });
        }
        let pc = self.pc();
        let top = self.ctrl.last_mut().ok_or_else(out_of_sync)?;
        top.kind = CtrlKind::Else;
        if !then_end_dead {
            top.fixups.push(Fixup::Instr(pc - 1));
        }
        let else_fixup = top.else_fixup.take();
        let (height, params, entered_dead) = (top.height, top.params, top.dead);
        if let Some(at) = else_fixup {
            self.code.instrs[at as usize].dst = pc;
        }
        // A construct entered in dead code leaves the operand stack alone: its recorded
        // height means nothing, and operands below it belong to the enclosing live code.
        if !entered_dead {
            self.reset(height, params);
        }
        Ok(())
    }

    fn end(&mut self, dead: bool) -> Result<(), TranslateError> {
        if !dead {
            self.materialize_from(0);
        }
        let top = self.ctrl.pop().ok_or_else(out_of_sync)?;
        if !top.dead {
            self.reset(top.height, top.results);
        }
        if top.kind == CtrlKind::Func {
            self.height = self.operands.len() as u32;
            self.ret();
        }
        let end = if top.kind == CtrlKind::Func {
            self.pc() - 1
        } else {
            self.pc()
        };
        if let Some(at) = top.else_fixup {
            self.code.instrs[at as usize].dst = end;
        }
        for fixup in top.fixups {
            match fixup {
                Fixup::Instr(at) => self.code.instrs[at as usize].dst = end,
                Fixup::Table(i) => self.code.br_tables[i as usize].pc = end,
            }
        }
        Ok(())
    }

    /// Returns the top `results` operands.
    fn ret(&mut self) {
        self.materialize_top(self.code.results);
        self.height = self.operands.len() as u32;
        self.emit(Instr {
            op: Op::Return,
            dst: self.slot(self.operands.len()),
            a: 0,
            b: 0,
        });
    }

    /// The label `depth` levels out.
    fn label(&self, depth: u32) -> Result<&Ctrl, TranslateError> {
        self.ctrl
            .len()
            .checked_sub(1 + depth as usize)
            .and_then(|i| self.ctrl.get(i))
            .ok_or_else(out_of_sync)
    }

    /// Resolves a branch to the label `depth` levels out taken at operand height `height`
    /// (all operands materialized, as `br_table` has them); registers `fixup` if it is a
    /// forward branch.
    fn branch_target(
        &mut self,
        depth: u32,
        height: u32,
        fixup: Fixup,
    ) -> Result<BrTarget, TranslateError> {
        let n = self.ctrl.len();
        let target = n
            .checked_sub(1 + depth as usize)
            .and_then(|i| self.ctrl.get_mut(i))
            .ok_or_else(out_of_sync)?;
        let dk = DropKeep {
            drop: height - target.height - target.branch_arity,
            keep: target.branch_arity,
        };
        let pc = if target.kind == CtrlKind::Loop {
            target.start_pc
        } else {
            target.fixups.push(fixup);
            0
        };
        Ok(BrTarget { pc, dk })
    }

    /// Emits a jump to the label `depth` levels out (the values it carries are in place).
    fn jump(&mut self, depth: u32) -> Result<(), TranslateError> {
        let at = self.pc();
        let BrTarget { pc, .. } =
            self.branch_target(depth, self.label_height(depth)?, Fixup::Instr(at))?;
        self.emit(Instr {
            op: Op::Br,
            dst: pc,
            a: 0,
            b: 0,
        });
        Ok(())
    }

    /// The operand height at which a branch to label `depth` drops nothing.
    fn label_height(&self, depth: u32) -> Result<u32, TranslateError> {
        let l = self.label(depth)?;
        Ok(l.height + l.branch_arity)
    }

    fn br(&mut self, depth: u32) -> Result<(), TranslateError> {
        let label = self.label(depth)?;
        if label.kind == CtrlKind::Func {
            self.ret();
            return Ok(());
        }
        let (height, arity) = (label.height, label.branch_arity);
        self.carry(height, arity, true);
        self.jump(depth)
    }

    fn br_if(&mut self, depth: u32) -> Result<(), TranslateError> {
        let cond = self.pop()?;
        let label = self.label(depth)?;
        let (height, arity) = (label.height, label.branch_arity);
        if !self.carry(height, arity, false) {
            let at = self.branch_if(cond, false, 0);
            let label = self.label(depth)?;
            if label.kind == CtrlKind::Loop {
                self.code.instrs[at].dst = label.start_pc;
            } else {
                let n = self.ctrl.len();
                self.ctrl[n - 1 - depth as usize]
                    .fixups
                    .push(Fixup::Instr(at as u32));
            }
            return Ok(());
        }
        let skip = self.branch_if(cond, true, 0);
        self.carry(height, arity, true);
        self.jump(depth)?;
        self.code.instrs[skip].dst = self.pc();
        Ok(())
    }
}
