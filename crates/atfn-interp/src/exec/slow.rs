//! Instructions the hot loop of `dispatch.rs` hands over with the registers written back:
//! control transfers that change the current frame (calls, returns), `br_table`, and the
//! memory, table and reference operators that are rare in hot code.

use super::{Executor, Exit};
use crate::code::Instr;
use crate::error::Trap;

impl Executor<'_> {
    /// Executes `instr` (already fetched: `pc` points past it). Returns the exit if the
    /// loop must stop; the hot loop then reloads its registers from the executor.
    pub(super) fn slow(&mut self, instr: Instr) -> Result<Option<Exit>, Trap> {
        match instr {
            Instr::Unreachable => return Err(Trap::Unreachable),
            Instr::BrTable { start, len } => return Ok(self.br_table(start, len)),
            Instr::Return => return Ok(self.ret().then_some(Exit::Finished)),
            Instr::Call(f) => {
                let addr = self.store.instances[self.instance].funcs[f as usize];
                return self.call(addr);
            }
            Instr::CallIndirect { ty, table } => return self.call_indirect(ty, table),
            Instr::MemorySize => self.memory_size(),
            Instr::MemoryGrow => self.memory_grow(),
            Instr::MemoryFill => self.memory_fill()?,
            Instr::MemoryCopy => self.memory_copy()?,
            Instr::MemoryInit(d) => self.memory_init(d)?,
            Instr::DataDrop(d) => self.data_drop(d),
            Instr::TableGet(t) => self.table_get(t)?,
            Instr::TableSet(t) => self.table_set(t)?,
            Instr::TableSize(t) => self.table_size(t),
            Instr::TableGrow(t) => self.table_grow(t),
            Instr::TableFill(t) => self.table_fill(t)?,
            Instr::TableCopy { dst, src } => self.table_copy(dst, src)?,
            Instr::TableInit { table, elem } => self.table_init(table, elem)?,
            Instr::ElemDrop(e) => self.elem_drop(e),
            Instr::RefFunc(f) => self.ref_func(f),
            // Everything else is handled by the hot loop and never reaches here.
            other => unreachable!("{other:?} is executed by the hot loop"),
        }
        Ok(None)
    }
}
