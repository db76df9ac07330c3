//! The executor: runs the internal code. It never sees `wasmparser`.
//!
//! While running, the current frame lives in the executor (`pc`, `base`, `sp`, the
//! function's code and instance) and, on the hot path, in registers (`dispatch/`); callers
//! are on the frame stack. Whenever the executor exits (finish, host call, suspension) the
//! current frame is saved first, so the store's stacks alone describe the execution.
//! WebAssembly calls push a frame and continue in the same executor: no Rust recursion per
//! WebAssembly call. The hot path's handlers live in `dispatch/`; the *stack* operations
//! and the semantics both share live in `ops/`, one file per family.

mod dispatch;
mod ops;
mod slow;

pub(crate) use ops::{frame_setup, in_bounds};

use crate::code::{DropKeep, FuncCode};
use crate::error::Trap;
use crate::interrupt::InterruptHandle;
use crate::stack::Frame;
use crate::store::{FuncEntity, StoreInner, SuspendReason};

/// Why the loop stopped.
#[derive(Debug)]
pub(crate) enum Exit {
    /// The entry function returned; its results are on top of the value stack.
    Finished,
    /// A host function (store address) must be called with the arguments on top of the
    /// value stack; its results are pushed before running again.
    Host(u32),
    /// Stopped at a safe point.
    Suspend(SuspendReason),
}

/// The executor's state; see the module docs.
pub(crate) struct Executor<'s> {
    store: &'s mut StoreInner,
    interrupt: &'s InterruptHandle,
    /// The value stack's cells, moved out of the store while running.
    cells: Vec<u64>,
    sp: usize,
    base: usize,
    pc: usize,
    /// Store address of the current function (always a WebAssembly function).
    func: u32,
    instance: usize,
    /// Store address of memory 0 of the current instance (`usize::MAX` if none).
    memory: usize,
    /// Frames below this depth belong to outer invocations.
    entry_depth: usize,
    /// The current function's code (of `func`), held by an `Arc` of `store.funcs`, which
    /// does not change while the executor runs; null until the first frame is loaded.
    code: *const FuncCode,
    /// Whether safe points take fuel (the store's setting, copied for the hot path).
    consume_fuel: bool,
    /// How the running chain of handlers ended, when it ended the invocation.
    exit: Option<Result<Exit, Trap>>,
    /// Loop backend only: where the next handler continues.
    #[cfg(not(atfn_tail_calls))]
    next: (dispatch::Ip, dispatch::Fp),
}

impl<'s> Executor<'s> {
    /// Runs the frame on top of the frame stack until the invocation whose entry frame sits
    /// at `entry_depth` finishes, calls a host function, suspends or traps. On a trap the
    /// stacks still hold the failed invocation; the caller unwinds them.
    pub(crate) fn run(
        store: &'s mut StoreInner,
        interrupt: &'s InterruptHandle,
        entry_depth: usize,
    ) -> Result<Exit, Trap> {
        let cells = std::mem::take(&mut store.stack.values.cells);
        let sp = store.stack.values.sp;
        let consume_fuel = store.consume_fuel;
        let mut exec = Executor {
            store,
            interrupt,
            cells,
            sp,
            base: 0,
            pc: 0,
            func: 0,
            // No instance yet: the first `load_frame` looks its memory up.
            instance: usize::MAX,
            memory: usize::MAX,
            entry_depth,
            code: std::ptr::null(),
            consume_fuel,
            exit: None,
            #[cfg(not(atfn_tail_calls))]
            next: (std::ptr::null(), std::ptr::null_mut()),
        };
        // No frame of this invocation left (e.g. its entry function was a host function
        // whose results are already pushed): it is finished.
        let own_frame = exec.store.stack.frames.frames.len() > entry_depth;
        let result = match exec.store.stack.frames.frames.pop_if(|_| own_frame) {
            Some(frame) => {
                exec.load_frame(frame);
                exec.execute()
            }
            None => Ok(Exit::Finished),
        };
        if matches!(result, Ok(Exit::Host(_) | Exit::Suspend(_))) {
            exec.save_frame();
        }
        exec.store.stack.values.cells = std::mem::take(&mut exec.cells);
        exec.store.stack.values.sp = exec.sp;
        result
    }

    /// Makes `frame` the current frame.
    fn load_frame(&mut self, frame: Frame) {
        self.func = frame.func;
        self.pc = frame.pc as usize;
        self.base = frame.base as usize;
        if let FuncEntity::Wasm { instance, code, .. } = &self.store.funcs[frame.func as usize] {
            self.code = &**code;
            let instance = *instance as usize;
            self.set_instance(instance);
        }
    }

    /// Makes `instance` current, looking up its memory 0 only when the instance changes.
    #[inline(always)]
    fn set_instance(&mut self, instance: usize) {
        if instance != self.instance {
            self.instance = instance;
            self.memory = self.store.instances[instance]
                .memories
                .first()
                .map_or(usize::MAX, |&m| m as usize);
        }
    }

    /// The current function's code.
    #[inline(always)]
    fn code(&self) -> &FuncCode {
        #[cfg(debug_assertions)]
        self.check_code();
        // SAFETY: `code` belongs to `func` (set with it by `load_frame`, `enter` and
        // `enter_code`) and its `Arc` outlives the executor (field docs).
        unsafe { &*self.code }
    }

    /// Debug builds: panics unless `code` is `func`'s code. Out of line, so that the hot
    /// path's handlers still end in tail calls (see `dispatch`).
    #[cfg(debug_assertions)]
    #[inline(never)]
    fn check_code(&self) {
        assert!(std::ptr::eq(
            self.code,
            wasm_code(&self.store.funcs, self.func)
        ));
    }

    /// Pushes the current frame onto the frame stack.
    fn save_frame(&mut self) {
        self.store.stack.frames.frames.push(Frame {
            func: self.func,
            pc: self.pc as u32,
            base: self.base as u32,
        });
    }

    /// Checks the interrupt flag and fuel at a safe point. Returns the reason to stop, with
    /// `pc` moved back to the safe-point instruction so resuming re-executes it.
    #[inline(always)]
    fn safe_point(&mut self) -> Option<SuspendReason> {
        let reason = safe_point_reason(
            self.interrupt,
            self.store.consume_fuel,
            &mut self.store.fuel,
        )?;
        self.pc -= 1;
        Some(reason)
    }

    #[inline(always)]
    fn pop(&mut self) -> u64 {
        self.sp -= 1;
        self.cells[self.sp]
    }

    #[inline(always)]
    fn push(&mut self, v: u64) {
        self.cells[self.sp] = v;
        self.sp += 1;
    }
}

/// The code of store function `func`, which must be a WebAssembly function: frames only
/// ever name those (calls check before entering; snapshot restore checks every frame).
#[inline(always)]
fn wasm_code(funcs: &[FuncEntity], func: u32) -> &FuncCode {
    match &funcs[func as usize] {
        FuncEntity::Wasm { code, .. } => code,
        FuncEntity::Host { .. } => unreachable!("frame of host function {func}"),
    }
}

/// The safe-point check: the pending interrupt, else fuel exhaustion when metering
/// (`consume_fuel`); otherwise takes one unit of `fuel` and returns `None`.
#[inline(always)]
fn safe_point_reason(
    interrupt: &InterruptHandle,
    consume_fuel: bool,
    fuel: &mut u64,
) -> Option<SuspendReason> {
    if cfg!(feature = "no-safe-points") {
        return None;
    }
    if interrupt.is_set()
        && let Some(reason) = interrupt.take()
    {
        return Some(reason);
    }
    if consume_fuel {
        if *fuel == 0 {
            return Some(SuspendReason::FuelExhausted);
        }
        *fuel -= 1;
    }
    None
}

/// Moves the top `dk.keep` cells below `sp` down over `dk.drop` cells; returns the new `sp`.
#[inline(always)]
fn drop_keep(cells: &mut [u64], sp: usize, dk: DropKeep) -> usize {
    if dk.drop == 0 {
        return sp;
    }
    let keep = dk.keep as usize;
    let src = sp - keep;
    let dst = src - dk.drop as usize;
    cells.copy_within(src..sp, dst);
    dst + keep
}
