//! Control transfer: branches with their stack adjustment, `br_table`, calls (direct,
//! indirect, host) and returns. Calls push the caller's frame on the frame stack and
//! continue with the same executor; no Rust recursion.

use crate::code::FuncCode;
use crate::engine::Limits;
use crate::error::Trap;
use crate::exec::{Executor, Exit, drop_keep, wasm_code};
use crate::stack::reserve;
use crate::store::FuncEntity;

impl Executor<'_> {
    /// `br_table`; a backward target is a safe point.
    pub(crate) fn br_table(&mut self, start: u32, len: u32) -> Option<Exit> {
        let i = (self.pop() as u32).min(len - 1);
        let target = self.code().br_tables[(start + i) as usize];
        if (target.pc as usize) < self.pc
            && let Some(reason) = self.safe_point()
        {
            self.sp += 1; // the index is popped again when the instruction re-executes
            return Some(Exit::Suspend(reason));
        }
        self.sp = drop_keep(&mut self.cells, self.sp, target.dk);
        self.pc = target.pc as usize;
        None
    }

    /// Returns from the current function. `true` if it was the invocation's entry frame.
    #[inline(always)]
    pub(crate) fn ret(&mut self) -> bool {
        let n = self.code().results as usize;
        move_results(&mut self.cells, self.sp - n, self.base, n);
        self.sp = self.base + n;
        if self.store.stack.frames.frames.len() <= self.entry_depth {
            return true;
        }
        match self.store.stack.frames.frames.pop() {
            Some(frame) => {
                self.load_frame(frame);
                false
            }
            None => true,
        }
    }

    /// Calls store function `addr` with its arguments on top of the stack. A safe point.
    pub(crate) fn call(&mut self, addr: u32) -> Result<Option<Exit>, Trap> {
        if let Some(reason) = self.safe_point() {
            return Ok(Some(Exit::Suspend(reason)));
        }
        self.invoke(addr)
    }

    /// Calls `addr` without a safe-point check.
    fn invoke(&mut self, addr: u32) -> Result<Option<Exit>, Trap> {
        let instance = match &self.store.funcs[addr as usize] {
            FuncEntity::Host { .. } => return Ok(Some(Exit::Host(addr))),
            FuncEntity::Wasm { instance, .. } => *instance,
        };
        self.save_frame();
        self.enter(addr, instance as usize)?;
        Ok(None)
    }

    /// `call_indirect` through `table` expecting engine type id `ty`.
    /// A safe point, checked before the index is popped.
    pub(crate) fn call_indirect(&mut self, ty: u32, table: u32) -> Result<Option<Exit>, Trap> {
        if let Some(reason) = self.safe_point() {
            return Ok(Some(Exit::Suspend(reason)));
        }
        let i = self.pop() as u32 as usize;
        let addr = self.store.instances[self.instance].tables[table as usize];
        let cell = *self.store.tables[addr as usize]
            .elems
            .get(i)
            .ok_or(Trap::UndefinedElement)?;
        let func = cell.checked_sub(1).ok_or(Trap::UninitializedElement)? as u32;
        let callee = self.store.funcs.get(func as usize);
        if callee.ok_or(Trap::UninitializedElement)?.ty() != ty {
            return Err(Trap::IndirectCallTypeMismatch);
        }
        self.invoke(func)
    }

    /// Makes `code` (store function `addr` of `instance`) the current frame: its
    /// parameters are the top cells; declared locals are zeroed. Traps with `call stack
    /// exhausted` past the limits.
    pub(crate) fn enter(&mut self, addr: u32, instance: usize) -> Result<(), Trap> {
        let depth = self.store.stack.frames.frames.len();
        let code = wasm_code(&self.store.funcs, addr);
        let (base, sp) = frame_setup(&mut self.cells, self.sp, depth, &self.store.limits, code)?;
        self.sp = sp;
        self.func = addr;
        self.code = code;
        self.pc = 0;
        self.base = base;
        self.set_instance(instance);
        Ok(())
    }
}

/// Moves `n` results from `cells[src..]` down to `cells[dst..]` (`dst <= src`): an
/// ascending element copy is then an exact memmove, without a library call for the usual
/// one or two cells.
#[inline(always)]
pub(crate) fn move_results(cells: &mut [u64], src: usize, dst: usize, n: usize) {
    for k in 0..n {
        cells[dst + k] = cells[src + k];
    }
}

/// Prepares a new frame for `code` whose parameters are the top cells below `sp`, with
/// `depth` frames already on the frame stack: reserves cells for its locals, constants and
/// operands, zeroes the declared locals, writes the constants and returns `(base, sp)` of the
/// new frame (`sp` at operand slot 0).
/// Traps with `call stack exhausted` past [`Limits`].
#[inline(always)]
pub(crate) fn frame_setup(
    cells: &mut Vec<u64>,
    sp: usize,
    depth: usize,
    limits: &Limits,
    code: &FuncCode,
) -> Result<(usize, usize), Trap> {
    let base = sp - code.params as usize;
    let needed = base + code.frame_size();
    if depth >= limits.max_call_depth as usize
        || !reserve(cells, needed, limits.max_value_cells as usize)
    {
        return Err(Trap::StackExhausted);
    }
    // An element loop zeroes the locals, but the constants are copied as a slice: measured
    // with callgrind on the fib guest (no declared locals, two constants), `fill` cost 7%
    // more instructions and the element loop over the constants 2% more.
    let locals_end = base + code.locals as usize;
    for cell in &mut cells[sp..locals_end] {
        *cell = 0;
    }
    let stack_base = locals_end + code.consts.len();
    cells[locals_end..stack_base].copy_from_slice(&code.consts);
    Ok((base, stack_base))
}
