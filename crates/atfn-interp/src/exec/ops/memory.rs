//! Linear memory instructions of memory 0: bounds-checked loads/stores (effective address =
//! 32-bit operand + static offset, computed in 64 bits so it cannot wrap), size/grow and
//! the bulk memory operators (WebAssembly 2.0 §4.4.7).

use crate::error::Trap;
use crate::exec::Executor;
use crate::store::PAGE;

/// Checks `start + len <= size` without overflow and returns `start` as `usize`.
#[inline(always)]
pub(crate) fn in_bounds(start: u64, len: u64, size: usize) -> Option<usize> {
    (start.checked_add(len)? <= size as u64).then_some(start as usize)
}

impl Executor<'_> {
    pub(crate) fn memory_size(&mut self) {
        let pages = self.store.memories[self.memory].pages();
        self.push(u64::from(pages));
    }

    /// `memory.grow`: pushes the old size in pages, or -1 past the declared maximum or
    /// [`crate::Limits::max_memory_pages`]; traps past the latter if
    /// [`crate::Limits::trap_at_memory_limit`].
    pub(crate) fn memory_grow(&mut self) -> Result<(), Trap> {
        let delta = self.pop() as u32;
        let limits = self.store.limits;
        let memory = &mut self.store.memories[self.memory];
        let wanted = u64::from(memory.pages()) + u64::from(delta);
        if limits.trap_at_memory_limit && wanted > u64::from(limits.max_memory_pages) {
            return Err(Trap::MemoryLimitExceeded {
                pages: limits.max_memory_pages,
            });
        }
        let old = grow_memory(memory, delta, limits.max_memory_pages);
        self.push(u64::from(old.unwrap_or(u32::MAX)));
        Ok(())
    }

    pub(crate) fn memory_fill(&mut self) -> Result<(), Trap> {
        let n = u64::from(self.pop() as u32);
        let val = self.pop() as u8;
        let dst = u64::from(self.pop() as u32);
        let data = &mut self.store.memories[self.memory].data;
        let d = in_bounds(dst, n, data.len()).ok_or(Trap::MemoryOutOfBounds)?;
        data[d..d + n as usize].fill(val);
        Ok(())
    }

    pub(crate) fn memory_copy(&mut self) -> Result<(), Trap> {
        let n = u64::from(self.pop() as u32);
        let src = u64::from(self.pop() as u32);
        let dst = u64::from(self.pop() as u32);
        let data = &mut self.store.memories[self.memory].data;
        let s = in_bounds(src, n, data.len()).ok_or(Trap::MemoryOutOfBounds)?;
        let d = in_bounds(dst, n, data.len()).ok_or(Trap::MemoryOutOfBounds)?;
        data.copy_within(s..s + n as usize, d);
        Ok(())
    }

    pub(crate) fn memory_init(&mut self, segment: u32) -> Result<(), Trap> {
        let n = u64::from(self.pop() as u32);
        let src = u64::from(self.pop() as u32);
        let dst = u64::from(self.pop() as u32);
        let inst = &self.store.instances[self.instance];
        let bytes: &[u8] = if inst.data_dropped[segment as usize] {
            &[]
        } else {
            &inst.module.inner.datas[segment as usize].bytes
        };
        let data = &mut self.store.memories[self.memory].data;
        let s = in_bounds(src, n, bytes.len()).ok_or(Trap::MemoryOutOfBounds)?;
        let d = in_bounds(dst, n, data.len()).ok_or(Trap::MemoryOutOfBounds)?;
        data[d..d + n as usize].copy_from_slice(&bytes[s..s + n as usize]);
        Ok(())
    }

    pub(crate) fn data_drop(&mut self, segment: u32) {
        self.store.instances[self.instance].data_dropped[segment as usize] = true;
    }
}

/// Grows `mem` by `delta` pages; returns the old size, or `None` past the declared maximum,
/// `limit` pages, or 65536 pages (4 GiB).
pub(crate) fn grow_memory(
    mem: &mut crate::store::MemoryInst,
    delta: u32,
    limit: u32,
) -> Option<u32> {
    let old = mem.pages();
    let new = old.checked_add(delta)?;
    let max = mem.max.unwrap_or(65536).min(limit).min(65536);
    if new > max {
        return None;
    }
    mem.data.resize(new as usize * PAGE, 0);
    Some(old)
}
