//! The translation driver: runs the validator and the translator over one function body
//! and handles structured control flow (blocks, loops, `if`/`else`, branches, `end`).

use wasmparser::{BlockType, FuncValidator, FunctionBody, Operator, ValidatorResources};

use super::stack::{Ctrl, CtrlKind, Fixup};
use crate::code::{BrTarget, DropKeep, FuncCode, Instr};
use crate::error::TranslateError;
use crate::module::ModuleInner;

/// Validates and translates one function body.
pub(crate) fn translate(
    m: &ModuleInner,
    fv: &mut FuncValidator<ValidatorResources>,
    body: &FunctionBody<'_>,
) -> Result<FuncCode, TranslateError> {
    let ty = m.func_type(m.imported_funcs + m.codes.len() as u32);
    let mut t = Translator {
        m,
        code: FuncCode {
            params: ty.params.len() as u32,
            results: ty.results.len() as u32,
            ..FuncCode::default()
        },
        ctrl: Vec::new(),
        height: 0,
    };
    let mut locals = t.code.params;
    let mut reader = body.get_locals_reader()?;
    for _ in 0..reader.get_count() {
        let offset = reader.original_position();
        let (count, ty) = reader.read()?;
        fv.define_locals(offset, count, ty)?;
        locals = locals.saturating_add(count);
    }
    t.code.locals = locals;
    t.ctrl.push(Ctrl {
        kind: CtrlKind::Func,
        height: 0,
        branch_arity: t.code.results,
        start_pc: 0,
        dead: false,
        else_fixup: None,
        fixups: Vec::new(),
    });
    let mut ops = body.get_operators_reader()?;
    while !ops.eof() {
        let (op, offset) = ops.read_with_offset()?;
        let height = fv.operand_stack_height();
        let dead = fv.get_control_frame(0).is_some_and(|f| f.unreachable)
            || t.ctrl.last().is_some_and(|c| c.dead);
        fv.op(offset, &op)?;
        t.height = height;
        t.operator(fv, &op, height, dead, offset)?;
        t.code.max_height = t.code.max_height.max(fv.operand_stack_height() + 1);
    }
    ops.finish()?;
    Ok(t.code)
}

/// Emits code for one function; see the module docs.
pub(super) struct Translator<'m> {
    pub m: &'m ModuleInner,
    pub code: FuncCode,
    pub ctrl: Vec<Ctrl>,
    /// Operand height before the operator being translated.
    pub height: u32,
}

fn validator_trusted() -> TranslateError {
    TranslateError::Unsupported {
        what: "control stack out of sync with validator",
        offset: 0,
    }
}

impl Translator<'_> {
    fn pc(&self) -> u32 {
        self.code.instrs.len() as u32
    }

    pub(super) fn emit(&mut self, instr: Instr) {
        self.code.instrs.push(instr);
        self.code.heights.push(self.height);
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

    /// Translates one operator that already passed validation. `height` is the operand
    /// stack height before it, `dead` whether it is unreachable.
    fn operator(
        &mut self,
        fv: &FuncValidator<ValidatorResources>,
        op: &Operator<'_>,
        height: u32,
        dead: bool,
        offset: u64,
    ) -> Result<(), TranslateError> {
        match *op {
            Operator::Block { blockty } => self.push(fv, CtrlKind::Block, blockty, dead),
            Operator::Loop { blockty } => self.push(fv, CtrlKind::Loop, blockty, dead),
            Operator::If { blockty } => {
                let fixup = (!dead).then(|| {
                    self.emit(Instr::IfFalse(0));
                    self.pc() - 1
                });
                self.push(fv, CtrlKind::If, blockty, dead);
                if let Some(top) = self.ctrl.last_mut() {
                    top.else_fixup = fixup;
                }
            }
            Operator::Else => self.else_(dead)?,
            Operator::End => self.end()?,
            Operator::Br { relative_depth } if !dead => self.br(relative_depth, height, false)?,
            Operator::BrIf { relative_depth } if !dead => {
                self.br(relative_depth, height - 1, true)?
            }
            Operator::BrTable { ref targets } if !dead => {
                let start = self.code.br_tables.len() as u32;
                let mut len = 0;
                for depth in targets
                    .targets()
                    .chain(std::iter::once(Ok(targets.default())))
                {
                    let entry = self.branch_target(depth?, height - 1)?;
                    self.code.br_tables.push(entry);
                    len += 1;
                }
                self.emit(Instr::BrTable { start, len });
            }
            Operator::Return if !dead => self.emit(Instr::Return),
            _ if dead || super::ops::is_noop(op) => {}
            _ => {
                let instr = self.simple(op).ok_or(TranslateError::Unsupported {
                    what: "operator",
                    offset,
                })?;
                self.emit(instr);
            }
        }
        Ok(())
    }

    fn push(
        &mut self,
        fv: &FuncValidator<ValidatorResources>,
        kind: CtrlKind,
        bt: BlockType,
        dead: bool,
    ) {
        let (params, results) = self.block_arity(bt);
        let height = fv.get_control_frame(0).map_or(0, |f| f.height as u32);
        self.ctrl.push(Ctrl {
            kind,
            height,
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

    fn else_(&mut self, then_end_dead: bool) -> Result<(), TranslateError> {
        let emit_jump = !then_end_dead;
        if emit_jump {
            self.emit(Instr::Jump(0));
        }
        let pc = self.pc();
        let top = self.ctrl.last_mut().ok_or_else(validator_trusted)?;
        top.kind = CtrlKind::Else;
        if emit_jump {
            top.fixups.push(Fixup::Instr(pc - 1));
        }
        if let Some(at) = top.else_fixup.take() {
            self.code.instrs[at as usize] = Instr::IfFalse(pc);
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), TranslateError> {
        let top = self.ctrl.pop().ok_or_else(validator_trusted)?;
        if top.kind == CtrlKind::Func {
            self.emit(Instr::Return);
        }
        let end = if top.kind == CtrlKind::Func {
            self.pc() - 1
        } else {
            self.pc()
        };
        if let Some(at) = top.else_fixup {
            self.code.instrs[at as usize] = Instr::IfFalse(end);
        }
        for fixup in top.fixups {
            match fixup {
                Fixup::Instr(at) => match &mut self.code.instrs[at as usize] {
                    Instr::Jump(pc)
                    | Instr::Br { pc, .. }
                    | Instr::BrIf { pc, .. }
                    | Instr::IfFalse(pc) => *pc = end,
                    _ => return Err(validator_trusted()),
                },
                Fixup::Table(i) => self.code.br_tables[i as usize].pc = end,
            }
        }
        Ok(())
    }

    /// Resolves a branch to the label `depth` levels out, from operand height `height`;
    /// registers a fixup for the entry if it is a forward branch (the caller pushes it).
    fn branch_target(&mut self, depth: u32, height: u32) -> Result<BrTarget, TranslateError> {
        let n = self.ctrl.len();
        let next_table = self.code.br_tables.len() as u32;
        let target = n
            .checked_sub(1 + depth as usize)
            .and_then(|i| self.ctrl.get_mut(i))
            .ok_or_else(validator_trusted)?;
        let dk = match target.kind {
            CtrlKind::Func => DropKeep { drop: 0, keep: 0 },
            _ => DropKeep {
                drop: height - target.height - target.branch_arity,
                keep: target.branch_arity,
            },
        };
        let pc = if target.kind == CtrlKind::Loop {
            target.start_pc
        } else {
            target.fixups.push(Fixup::Table(next_table));
            0
        };
        Ok(BrTarget { pc, dk })
    }

    fn br(&mut self, depth: u32, height: u32, conditional: bool) -> Result<(), TranslateError> {
        let n = self.ctrl.len();
        let target = n
            .checked_sub(1 + depth as usize)
            .and_then(|i| self.ctrl.get(i))
            .ok_or_else(validator_trusted)?;
        if target.kind == CtrlKind::Func && !conditional {
            self.emit(Instr::Return);
            return Ok(());
        }
        let is_loop = target.kind == CtrlKind::Loop;
        let BrTarget { pc, dk } = self.branch_target(depth, height)?;
        if !is_loop {
            // branch_target registered a table fixup; turn it into an instruction fixup.
            let at = self.pc();
            let idx = n - 1 - depth as usize;
            if let Some(f) = self.ctrl[idx].fixups.last_mut() {
                *f = Fixup::Instr(at);
            }
        }
        self.emit(match (is_loop, conditional) {
            (false, false) => Instr::Br { pc, dk },
            (false, true) => Instr::BrIf { pc, dk },
            (true, false) => Instr::BrLoop { pc, dk },
            (true, true) => Instr::BrIfLoop { pc, dk },
        });
        Ok(())
    }
}
