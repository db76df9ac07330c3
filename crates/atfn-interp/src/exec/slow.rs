//! The *stack* operations (see [`crate::code::Op`]) the hot path (`dispatch/`) hands over
//! with `pc` and the stack pointer written back: control transfers that change the current
//! frame (calls, returns), `br_table`, and the memory, table and reference operators that
//! are rare in hot code. They pop their operands and push their results like WebAssembly.

use super::{Executor, Exit};
use crate::code::{Instr, Op};
use crate::error::Trap;

impl Executor<'_> {
    /// Executes `instr` (already fetched: `pc` points past it). Returns the exit if the
    /// executor must stop; otherwise the hot path continues from the executor's state.
    pub(super) fn slow(&mut self, instr: Instr) -> Result<Option<Exit>, Trap> {
        let Instr { op, a, b, .. } = instr;
        match op {
            Op::Unreachable => return Err(Trap::Unreachable),
            Op::BrTable => return Ok(self.br_table(a, b)),
            Op::Return => return Ok(self.ret().then_some(Exit::Finished)),
            Op::Call => {
                let addr = self.store.instances[self.instance].funcs[a as usize];
                return self.call(addr);
            }
            Op::CallIndirect => return self.call_indirect(a, b),
            Op::MemorySize => self.memory_size(),
            Op::MemoryGrow => self.memory_grow()?,
            Op::MemoryFill => self.memory_fill()?,
            Op::MemoryCopy => self.memory_copy()?,
            Op::MemoryInit => self.memory_init(a)?,
            Op::DataDrop => self.data_drop(a),
            Op::TableGet => self.table_get(a)?,
            Op::TableSet => self.table_set(a)?,
            Op::TableSize => self.table_size(a),
            Op::TableGrow => self.table_grow(a),
            Op::TableFill => self.table_fill(a)?,
            Op::TableCopy => self.table_copy(a, b)?,
            Op::TableInit => self.table_init(a, b)?,
            Op::ElemDrop => self.elem_drop(a),
            Op::RefFunc => self.ref_func(a),
            // Everything else is handled by the hot path and never reaches here.
            other => unreachable!("{other:?} is executed by the hot path"),
        }
        Ok(None)
    }
}
