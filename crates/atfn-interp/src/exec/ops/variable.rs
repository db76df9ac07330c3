//! Global variable access through the current instance's global addresses. (Locals are
//! plain cell moves in the dispatch loop.)

use crate::exec::Executor;

impl Executor<'_> {
    pub(crate) fn global_get(&mut self, index: u32) {
        let addr = self.store.instances[self.instance].globals[index as usize];
        let v = self.store.globals[addr as usize].value;
        self.push(v);
    }

    pub(crate) fn global_set(&mut self, index: u32) {
        let v = self.pop();
        let addr = self.store.instances[self.instance].globals[index as usize];
        self.store.globals[addr as usize].value = v;
    }
}
