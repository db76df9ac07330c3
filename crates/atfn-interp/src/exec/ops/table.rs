//! Table and reference instructions (WebAssembly 2.0 §4.4.6): get/set/size/grow/fill/copy,
//! `table.init`/`elem.drop` on the instance's element segments, and `ref.func`.

use super::memory::in_bounds;
use crate::error::Trap;
use crate::exec::Executor;
use crate::store::TableInst;

impl Executor<'_> {
    fn table_addr(&self, table: u32) -> usize {
        self.store.instances[self.instance].tables[table as usize] as usize
    }

    pub(crate) fn table_get(&mut self, table: u32) -> Result<(), Trap> {
        let i = self.pop() as u32 as usize;
        let t = &self.store.tables[self.table_addr(table)];
        let v = *t.elems.get(i).ok_or(Trap::TableOutOfBounds)?;
        self.push(v);
        Ok(())
    }

    pub(crate) fn table_set(&mut self, table: u32) -> Result<(), Trap> {
        let v = self.pop();
        let i = self.pop() as u32 as usize;
        let addr = self.table_addr(table);
        let slot = self.store.tables[addr]
            .elems
            .get_mut(i)
            .ok_or(Trap::TableOutOfBounds)?;
        *slot = v;
        Ok(())
    }

    pub(crate) fn table_size(&mut self, table: u32) {
        let n = self.store.tables[self.table_addr(table)].elems.len();
        self.push(n as u64);
    }

    /// `table.grow`: pushes the old size, or -1 past the declared maximum or
    /// [`crate::Limits::max_table_elements`].
    pub(crate) fn table_grow(&mut self, table: u32) {
        let delta = self.pop() as u32;
        let init = self.pop();
        let addr = self.table_addr(table);
        let limit = self.store.limits.max_table_elements;
        let old = grow_table(&mut self.store.tables[addr], delta, init, limit);
        self.push(u64::from(old.unwrap_or(u32::MAX)));
    }

    pub(crate) fn table_fill(&mut self, table: u32) -> Result<(), Trap> {
        let n = u64::from(self.pop() as u32);
        let v = self.pop();
        let dst = u64::from(self.pop() as u32);
        let addr = self.table_addr(table);
        let elems = &mut self.store.tables[addr].elems;
        let d = in_bounds(dst, n, elems.len()).ok_or(Trap::TableOutOfBounds)?;
        elems[d..d + n as usize].fill(v);
        Ok(())
    }

    pub(crate) fn table_copy(&mut self, dst_table: u32, src_table: u32) -> Result<(), Trap> {
        let n = u64::from(self.pop() as u32);
        let src = u64::from(self.pop() as u32);
        let dst = u64::from(self.pop() as u32);
        let (da, sa) = (self.table_addr(dst_table), self.table_addr(src_table));
        let s_len = self.store.tables[sa].elems.len();
        let d_len = self.store.tables[da].elems.len();
        let s = in_bounds(src, n, s_len).ok_or(Trap::TableOutOfBounds)?;
        let d = in_bounds(dst, n, d_len).ok_or(Trap::TableOutOfBounds)?;
        if da == sa {
            self.store.tables[da]
                .elems
                .copy_within(s..s + n as usize, d);
        } else {
            let items = self.store.tables[sa].elems[s..s + n as usize].to_vec();
            self.store.tables[da].elems[d..d + n as usize].copy_from_slice(&items);
        }
        Ok(())
    }

    pub(crate) fn table_init(&mut self, table: u32, elem: u32) -> Result<(), Trap> {
        let n = u64::from(self.pop() as u32);
        let src = u64::from(self.pop() as u32);
        let dst = u64::from(self.pop() as u32);
        let addr = self.table_addr(table);
        let seg = &self.store.instances[self.instance].elems[elem as usize];
        let elems = &mut self.store.tables[addr].elems;
        let s = in_bounds(src, n, seg.len()).ok_or(Trap::TableOutOfBounds)?;
        let d = in_bounds(dst, n, elems.len()).ok_or(Trap::TableOutOfBounds)?;
        elems[d..d + n as usize].copy_from_slice(&seg[s..s + n as usize]);
        Ok(())
    }

    pub(crate) fn elem_drop(&mut self, elem: u32) {
        self.store.instances[self.instance].elems[elem as usize] = Vec::new();
    }

    pub(crate) fn ref_func(&mut self, func: u32) {
        let addr = self.store.instances[self.instance].funcs[func as usize];
        self.push(u64::from(addr) + 1);
    }
}

/// Grows `table` by `delta` elements set to `init`; returns the old size, or `None` past the
/// declared maximum or `limit` elements.
pub(crate) fn grow_table(table: &mut TableInst, delta: u32, init: u64, limit: u32) -> Option<u32> {
    let old = table.elems.len() as u32;
    let new = old.checked_add(delta)?;
    if new > table.max.unwrap_or(u32::MAX).min(limit) {
        return None;
    }
    table.elems.resize(new as usize, init);
    Some(old)
}
