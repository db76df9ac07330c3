//! The hot path: threaded dispatch over the internal code. Every instruction the hot path
//! executes has its own *handler*, a function that performs it and then calls the handler
//! of the next instruction as its last act. Optimized builds make that call a tail call (a
//! jump), so each handler ends in its own indirect jump, which the CPU predicts per
//! instruction kind, and a long run of instructions uses no native stack
//! (`cfg(atfn_tail_calls)`, set by `build.rs`). Other builds return to a loop instead
//! (`run`), with the same handlers.
//!
//! A handler receives the running state in registers: `ip` (the instruction, a pointer
//! into the current function's [`FuncCode::instrs`]), `fp` (cell 0 of the current frame in
//! the executor's value stack), memory 0's bytes and the interrupt flag; everything else is
//! in the executor.
//! The stack pointer is not tracked: every operand has a fixed cell, and where the chain
//! leaves (safe point suspension, trap, or a *stack* operation handled by
//! [`Executor::slow`]: calls to host functions or other instances, the invocation's last
//! return, `br_table`, bulk memory and table operators) the executor's `pc` index and
//! stack pointer are written back from `ip` and the translator's height at that
//! instruction ([`FuncCode::heights`]). Every `pc` and stack the store can observe is
//! therefore the same as with a one-instruction-at-a-time interpreter, and a pointer never
//! outlives the chain: execution state stays plain data.
//!
//! Safety rests on `crate::code::verify`: every cell a handler names is inside the frame,
//! every branch target (an offset from the branch) is an instruction, `call` and `return`
//! carry the right stack pointer, and the last instruction never falls through.
//! The frame's cells exist (`Executor::enter_code`) and neither the value stack nor memory
//! 0 is reallocated while a chain runs, except by a call's frame setup, after which `fp` is
//! derived anew.

use std::ptr::NonNull;
use std::sync::atomic::AtomicU8;

use super::ops::{Cell, convert as cv, numeric as num};
use super::{Executor, Exit, in_bounds, safe_point_reason};
use crate::code::{FuncCode, Instr, Op};
use crate::error::Trap;
use crate::interrupt::is_pending;

/// The instruction being executed: a pointer into the current function's
/// [`FuncCode::instrs`].
pub(super) type Ip = *const Instr;
/// Cell 0 of the current frame, which has [`FuncCode::frame_size`] cells.
pub(super) type Fp = *mut u64;
/// Memory 0's first byte (dangling if the instance has no memory; its length is then 0).
type Mem = *mut u8;

/// The interrupt flag of the running call ([`crate::interrupt::InterruptHandle::flag`]),
/// passed along so that a safe point tests it without loading it from the executor.
type Flag<'f> = &'f AtomicU8;

/// An instruction's handler: `(ip, fp, memory 0, its length in bytes, executor, interrupt
/// flag)`; six arguments, all in registers on the targets of `build.rs`.
type Handler = for<'a, 's, 'f> fn(Ip, Fp, Mem, usize, &'a mut Executor<'s>, Flag<'f>) -> Break;

/// Why a chain of handlers returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Break {
    /// Loop backend only: continue at `Executor::next`.
    #[cfg_attr(atfn_tail_calls, allow(dead_code))]
    Continue,
    /// A *stack* operation: `pc` (past it) and the stack pointer are written back.
    Slow,
    /// The invocation stops: suspension or trap, in `Executor::exit`.
    Exit,
}

/// Continues with the instruction at `$ip`: a tail call of its handler.
#[cfg(atfn_tail_calls)]
macro_rules! next {
    ($ip:expr, $fp:expr, $mem:expr, $len:expr, $cx:expr, $flag:expr) => {{
        let ip: crate::exec::dispatch::Ip = $ip;
        return crate::exec::dispatch::handler(ip)(ip, $fp, $mem, $len, $cx, $flag);
    }};
}

/// Continues with the instruction at `$ip`: returns to the loop in `run`.
#[cfg(not(atfn_tail_calls))]
macro_rules! next {
    ($ip:expr, $fp:expr, $mem:expr, $len:expr, $cx:expr, $flag:expr) => {{
        let _ = ($mem, $len, $flag);
        $cx.next = ($ip, $fp);
        return crate::exec::dispatch::Break::Continue;
    }};
}

/// Continues with the instruction after `$ip` (the verifier guarantees there is one).
macro_rules! step {
    ($ip:expr, $fp:expr, $mem:expr, $len:expr, $cx:expr, $flag:expr) => {
        // SAFETY: see the macro docs.
        next!(unsafe { $ip.add(1) }, $fp, $mem, $len, $cx, $flag)
    };
}

#[macro_use]
mod control;
#[macro_use]
mod memory;
#[macro_use]
mod numeric;

/// The handler of the instruction at `ip`.
#[inline(always)]
fn handler(ip: Ip) -> Handler {
    // SAFETY: `ip` points at an instruction of the current function (module docs).
    let op = unsafe { (*ip).op };
    HANDLERS[op as usize]
}

/// Number of [`Op`] variants (`Op::I64TruncSatF64U` is the last).
const OPS: usize = Op::I64TruncSatF64U as usize + 1;

/// Each [`Op`]'s handler, indexed by its discriminant.
static HANDLERS: [Handler; OPS] = {
    let mut table = [slow as Handler; OPS];
    let mut k = 0;
    while k < OPS {
        // SAFETY: `Op` is a `u8` enum with implicit discriminants `0..OPS`.
        table[k] = handler_of(unsafe { std::mem::transmute::<u8, Op>(k as u8) });
        k += 1;
    }
    table
};

/// Reads cell `c` of the frame at `fp`.
///
/// # Safety
/// `c` is a cell the verifier checked (`< frame_size()` of the current function).
#[inline(always)]
unsafe fn get(cx: &Executor<'_>, fp: Fp, c: u32) -> u64 {
    debug_assert!((c as usize) < cx.code().frame_size());
    // SAFETY: see the function docs and the module docs.
    unsafe { *fp.add(c as usize) }
}

/// Writes cell `c` of the frame at `fp`.
///
/// # Safety
/// As for [`get`].
#[inline(always)]
unsafe fn set(cx: &Executor<'_>, fp: Fp, c: u32, v: u64) {
    debug_assert!((c as usize) < cx.code().frame_size());
    // SAFETY: see the function docs and the module docs.
    unsafe { *fp.add(c as usize) = v }
}

/// The instruction at `ip`.
#[inline(always)]
fn instr(ip: Ip) -> Instr {
    // SAFETY: `ip` points at an instruction of the current function (module docs).
    unsafe { *ip }
}

/// The handler of every *stack* operation: writes `pc` (past the instruction) and the stack
/// pointer back and leaves the chain.
fn slow(ip: Ip, _: Fp, _: Mem, _: usize, cx: &mut Executor<'_>, _: Flag<'_>) -> Break {
    cx.save(ip, 1);
    Break::Slow
}

/// Leaves the chain with `trap` at `ip`.
///
/// A handler whose stack space escapes (is passed to a function by address) cannot end in
/// a tail call, so this is inlined (a `Trap`, which may own a `String`, would be passed by
/// address) and does not drop the old exit, which is always `None` here (`execute` takes
/// each exit), with a stack temporary: it forgets it.
#[inline(always)]
fn trap(ip: Ip, cx: &mut Executor<'_>, trap: Trap) -> Break {
    cx.save(ip, 1);
    debug_assert!(cx.exit.is_none());
    std::mem::forget(cx.exit.replace(Err(trap)));
    Break::Exit
}

/// The inline part of a safe-point check: `true` (and one unit of fuel taken when
/// metering) in the usual case, no interrupt pending and fuel left; `false` if
/// [`safe_point_reason`] must decide. A handler then tail-calls a cold function that does
/// (`control::back_edge_slow`, `control::call_safe_point`), so the handler itself calls
/// nothing and needs no saved registers.
#[inline(always)]
fn safe_point_passes(cx: &mut Executor<'_>, flag: Flag<'_>) -> bool {
    if cfg!(feature = "no-safe-points") {
        return true;
    }
    if is_pending(flag) {
        return false;
    }
    if cx.consume_fuel {
        let fuel = &mut cx.store.fuel;
        if *fuel == 0 {
            return false;
        }
        *fuel -= 1;
    }
    true
}

/// The rest of a safe-point check at `ip` that did not pass inline: `true` if the chain
/// must leave (suspended at `ip`, to run it again on resume; the exit is in
/// `Executor::exit`).
#[inline(always)]
fn safe_point_suspends(ip: Ip, cx: &mut Executor<'_>) -> bool {
    let store = &mut *cx.store;
    let Some(reason) = safe_point_reason(cx.interrupt, store.consume_fuel, &mut store.fuel) else {
        return false;
    };
    cx.save(ip, 0);
    cx.exit = Some(Ok(Exit::Suspend(reason)));
    true
}

/// Runs handlers from `ip` until one leaves the chain.
fn run(ip: Ip, fp: Fp, mem: Mem, len: usize, cx: &mut Executor<'_>, flag: Flag<'_>) -> Break {
    let exit = handler(ip)(ip, fp, mem, len, cx, flag);
    #[cfg(not(atfn_tail_calls))]
    let exit = {
        let mut exit = exit;
        while exit == Break::Continue {
            let (ip, fp) = cx.next;
            exit = handler(ip)(ip, fp, mem, len, cx, flag);
        }
        exit
    };
    exit
}

impl Executor<'_> {
    /// Runs instructions until an exit; see [`Executor::run`].
    pub(super) fn execute(&mut self) -> Result<Exit, Trap> {
        // Each round enters the chain at the current frame, with memory 0 looked up anew
        // (a *stack* operation may have grown it or changed the instance).
        loop {
            let (ip, fp) = self.enter_code(self.func, self.code, self.base, self.pc);
            let (mem, len) = match self.store.memories.get_mut(self.memory) {
                Some(m) => (m.data.as_mut_ptr(), m.data.len()),
                None => (NonNull::dangling().as_ptr(), 0),
            };
            let flag = self.interrupt.flag();
            match run(ip, fp, mem, len, self, flag) {
                Break::Slow => {
                    let instr = self.code().instrs[self.pc - 1];
                    if let Some(exit) = self.slow(instr)? {
                        return Ok(exit);
                    }
                }
                Break::Exit | Break::Continue => {
                    return self.exit.take().expect("a chain leaves with its exit");
                }
            }
        }
    }

    /// Makes function `func` (with `code`, of the current instance) with its frame at
    /// `base` current, about to run at `pc`; returns its `ip` and `fp`. A frame's cells
    /// are reserved when it is entered; only after a snapshot restore, whose value stack
    /// holds the live cells alone, does the buffer grow here.
    ///
    /// # Panics
    /// If `pc` is not an instruction index (frames only hold such; snapshot restore checks
    /// them).
    #[inline(always)]
    fn enter_code(&mut self, func: u32, code: *const FuncCode, base: usize, pc: usize) -> (Ip, Fp) {
        // SAFETY: `code` is held by an `Arc` of `store.funcs`, which no handler changes.
        let c = unsafe { &*code };
        if pc >= c.instrs.len() {
            resume_point_outside(pc);
        }
        let end = base + c.frame_size();
        if self.cells.len() < end {
            self.cells.resize(end, 0);
        }
        self.func = func;
        self.base = base;
        self.code = code;
        // SAFETY: `pc` is in bounds (checked above), and so is `base` (resized above).
        unsafe { (c.instrs.as_ptr().add(pc), self.cells.as_mut_ptr().add(base)) }
    }

    /// The `pc` index of `ip` in the current function.
    #[inline(always)]
    fn index_of(&self, ip: Ip) -> usize {
        // SAFETY: `ip` points into the current function's instructions (module docs).
        unsafe { ip.offset_from(self.code().instrs.as_ptr()) as usize }
    }

    /// Writes `pc` (the index of `ip`, plus `past`) and the stack pointer at `ip` back.
    #[inline(always)]
    fn save(&mut self, ip: Ip, past: usize) {
        let at = self.index_of(ip);
        let code = self.code();
        self.sp = self.base + code.stack_base() as usize + code.heights[at] as usize;
        self.pc = at + past;
    }
}

/// The panic of [`Executor::enter_code`], out of line: formatting it needs stack space,
/// which would keep the handlers that enter code from ending in a tail call.
#[cold]
#[inline(never)]
fn resume_point_outside(pc: usize) -> ! {
    panic!("resume point {pc} outside its function")
}

/// The handler of `op`. *Stack* operations leave the chain ([`slow`]).
const fn handler_of(op: Op) -> Handler {
    match op {
        Op::Call => control::call,
        Op::Return => control::ret,
        Op::Br => br_if!(|_, _| true),
        Op::BrIfNez => br_if!(|a, _| a as u32 != 0),
        Op::BrIfEqz => br_if!(|a, _| a as u32 == 0),
        Op::BrI32Eq => br_if!(|a, b| a as u32 == b as u32),
        Op::BrI32Ne => br_if!(|a, b| a as u32 != b as u32),
        Op::BrI32LtS => br_if!(|a, b| (a as i32) < b as i32),
        Op::BrI32LtU => br_if!(|a, b| (a as u32) < b as u32),
        Op::BrI32GtS => br_if!(|a, b| a as i32 > b as i32),
        Op::BrI32GtU => br_if!(|a, b| a as u32 > b as u32),
        Op::BrI32LeS => br_if!(|a, b| a as i32 <= b as i32),
        Op::BrI32LeU => br_if!(|a, b| a as u32 <= b as u32),
        Op::BrI32GeS => br_if!(|a, b| a as i32 >= b as i32),
        Op::BrI32GeU => br_if!(|a, b| a as u32 >= b as u32),
        Op::Copy => un!(a: u64 => a),
        Op::Select => control::select,
        Op::GlobalGet => control::global_get,
        Op::GlobalSet => control::global_set,

        Op::I32Load => load!(4, u32 => u32),
        Op::I64Load => load!(8, u64 => u64),
        Op::I32Load8S => load!(1, i8 => i32),
        Op::I32Load8U => load!(1, u8 => u32),
        Op::I32Load16S => load!(2, i16 => i32),
        Op::I32Load16U => load!(2, u16 => u32),
        Op::I64Load8S => load!(1, i8 => i64),
        Op::I64Load8U => load!(1, u8 => u64),
        Op::I64Load16S => load!(2, i16 => i64),
        Op::I64Load16U => load!(2, u16 => u64),
        Op::I64Load32S => load!(4, i32 => i64),
        Op::I64Load32U => load!(4, u32 => u64),
        Op::I32Store => store!(4, u32),
        Op::I64Store => store!(8, u64),
        Op::I32Store8 | Op::I64Store8 => store!(1, u8),
        Op::I32Store16 | Op::I64Store16 => store!(2, u16),
        Op::I64Store32 => store!(4, u32),

        Op::I32Eqz => un!(a: u32 => a == 0),
        Op::I32Eq => bin!(a, b: u32 => a == b),
        Op::I32Ne => bin!(a, b: u32 => a != b),
        Op::I32LtS => bin!(a, b: i32 => a < b),
        Op::I32LtU => bin!(a, b: u32 => a < b),
        Op::I32GtS => bin!(a, b: i32 => a > b),
        Op::I32GtU => bin!(a, b: u32 => a > b),
        Op::I32LeS => bin!(a, b: i32 => a <= b),
        Op::I32LeU => bin!(a, b: u32 => a <= b),
        Op::I32GeS => bin!(a, b: i32 => a >= b),
        Op::I32GeU => bin!(a, b: u32 => a >= b),
        Op::I32Clz => un!(a: u32 => a.leading_zeros()),
        Op::I32Ctz => un!(a: u32 => a.trailing_zeros()),
        Op::I32Popcnt => un!(a: u32 => a.count_ones()),
        Op::I32Add => bin!(a, b: u32 => a.wrapping_add(b)),
        Op::I32Sub => bin!(a, b: u32 => a.wrapping_sub(b)),
        Op::I32Mul => bin!(a, b: u32 => a.wrapping_mul(b)),
        Op::I32DivS => bin_trap!(a, b: i32 => num::i32_div_s(a, b)),
        Op::I32DivU => bin_trap!(a, b: u32 => num::div_u(a, b)),
        Op::I32RemS => bin_trap!(a, b: i32 => num::i32_rem_s(a, b)),
        Op::I32RemU => bin_trap!(a, b: u32 => num::rem_u(a, b)),
        Op::I32And => bin!(a, b: u32 => a & b),
        Op::I32Or => bin!(a, b: u32 => a | b),
        Op::I32Xor => bin!(a, b: u32 => a ^ b),
        Op::I32Shl => bin!(a, b: u32 => a.wrapping_shl(b)),
        Op::I32ShrS => bin!(a, b: i32 => a.wrapping_shr(b as u32)),
        Op::I32ShrU => bin!(a, b: u32 => a.wrapping_shr(b)),
        Op::I32Rotl => bin!(a, b: u32 => a.rotate_left(b)),
        Op::I32Rotr => bin!(a, b: u32 => a.rotate_right(b)),

        Op::I64Eqz => un!(a: u64 => a == 0),
        Op::I64Eq => bin!(a, b: u64 => a == b),
        Op::I64Ne => bin!(a, b: u64 => a != b),
        Op::I64LtS => bin!(a, b: i64 => a < b),
        Op::I64LtU => bin!(a, b: u64 => a < b),
        Op::I64GtS => bin!(a, b: i64 => a > b),
        Op::I64GtU => bin!(a, b: u64 => a > b),
        Op::I64LeS => bin!(a, b: i64 => a <= b),
        Op::I64LeU => bin!(a, b: u64 => a <= b),
        Op::I64GeS => bin!(a, b: i64 => a >= b),
        Op::I64GeU => bin!(a, b: u64 => a >= b),
        Op::I64Clz => un!(a: u64 => u64::from(a.leading_zeros())),
        Op::I64Ctz => un!(a: u64 => u64::from(a.trailing_zeros())),
        Op::I64Popcnt => un!(a: u64 => u64::from(a.count_ones())),
        Op::I64Add => bin!(a, b: u64 => a.wrapping_add(b)),
        Op::I64Sub => bin!(a, b: u64 => a.wrapping_sub(b)),
        Op::I64Mul => bin!(a, b: u64 => a.wrapping_mul(b)),
        Op::I64DivS => bin_trap!(a, b: i64 => num::i64_div_s(a, b)),
        Op::I64DivU => bin_trap!(a, b: u64 => num::div_u(a, b)),
        Op::I64RemS => bin_trap!(a, b: i64 => num::i64_rem_s(a, b)),
        Op::I64RemU => bin_trap!(a, b: u64 => num::rem_u(a, b)),
        Op::I64And => bin!(a, b: u64 => a & b),
        Op::I64Or => bin!(a, b: u64 => a | b),
        Op::I64Xor => bin!(a, b: u64 => a ^ b),
        Op::I64Shl => bin!(a, b: u64 => a.wrapping_shl(b as u32)),
        Op::I64ShrS => bin!(a, b: i64 => a.wrapping_shr(b as u32)),
        Op::I64ShrU => bin!(a, b: u64 => a.wrapping_shr(b as u32)),
        Op::I64Rotl => bin!(a, b: u64 => a.rotate_left(b as u32)),
        Op::I64Rotr => bin!(a, b: u64 => a.rotate_right(b as u32)),

        Op::F32Eq => bin!(a, b: f32 => a == b),
        Op::F32Ne => bin!(a, b: f32 => a != b),
        Op::F32Lt => bin!(a, b: f32 => a < b),
        Op::F32Gt => bin!(a, b: f32 => a > b),
        Op::F32Le => bin!(a, b: f32 => a <= b),
        Op::F32Ge => bin!(a, b: f32 => a >= b),
        Op::F32Abs => un!(a: u32 => a & 0x7fff_ffff),
        Op::F32Neg => un!(a: u32 => a ^ 0x8000_0000),
        Op::F32Copysign => bin!(a, b: u32 => (a & 0x7fff_ffff) | (b & 0x8000_0000)),
        Op::F32Ceil => un!(a: f32 => num::canon32(a.ceil())),
        Op::F32Floor => un!(a: f32 => num::canon32(a.floor())),
        Op::F32Trunc => un!(a: f32 => num::canon32(a.trunc())),
        Op::F32Nearest => un!(a: f32 => num::canon32(a.round_ties_even())),
        Op::F32Sqrt => un!(a: f32 => num::canon32(a.sqrt())),
        Op::F32Add => bin!(a, b: f32 => num::canon32(a + b)),
        Op::F32Sub => bin!(a, b: f32 => num::canon32(a - b)),
        Op::F32Mul => bin!(a, b: f32 => num::canon32(a * b)),
        Op::F32Div => bin!(a, b: f32 => num::canon32(a / b)),
        Op::F32Min => bin!(a, b: f32 => num::min(a, b)),
        Op::F32Max => bin!(a, b: f32 => num::max(a, b)),

        Op::F64Eq => bin!(a, b: f64 => a == b),
        Op::F64Ne => bin!(a, b: f64 => a != b),
        Op::F64Lt => bin!(a, b: f64 => a < b),
        Op::F64Gt => bin!(a, b: f64 => a > b),
        Op::F64Le => bin!(a, b: f64 => a <= b),
        Op::F64Ge => bin!(a, b: f64 => a >= b),
        Op::F64Abs => un!(a: u64 => a & !(1 << 63)),
        Op::F64Neg => un!(a: u64 => a ^ (1 << 63)),
        Op::F64Copysign => bin!(a, b: u64 => (a & !(1 << 63)) | (b & (1 << 63))),
        Op::F64Ceil => un!(a: f64 => num::canon64(a.ceil())),
        Op::F64Floor => un!(a: f64 => num::canon64(a.floor())),
        Op::F64Trunc => un!(a: f64 => num::canon64(a.trunc())),
        Op::F64Nearest => un!(a: f64 => num::canon64(a.round_ties_even())),
        Op::F64Sqrt => un!(a: f64 => num::canon64(a.sqrt())),
        Op::F64Add => bin!(a, b: f64 => num::canon64(a + b)),
        Op::F64Sub => bin!(a, b: f64 => num::canon64(a - b)),
        Op::F64Mul => bin!(a, b: f64 => num::canon64(a * b)),
        Op::F64Div => bin!(a, b: f64 => num::canon64(a / b)),
        Op::F64Min => bin!(a, b: f64 => num::min(a, b)),
        Op::F64Max => bin!(a, b: f64 => num::max(a, b)),

        Op::I32WrapI64 => un!(a: u64 => a as u32),
        Op::I32TruncF32S => un_trap!(a: f32 => cv::trunc_i32(f64::from(a))),
        Op::I32TruncF32U => un_trap!(a: f32 => cv::trunc_u32(f64::from(a))),
        Op::I32TruncF64S => un_trap!(a: f64 => cv::trunc_i32(a)),
        Op::I32TruncF64U => un_trap!(a: f64 => cv::trunc_u32(a)),
        Op::I64ExtendI32S => un!(a: i32 => i64::from(a)),
        Op::I64ExtendI32U => un!(a: u32 => u64::from(a)),
        Op::I64TruncF32S => un_trap!(a: f32 => cv::trunc_i64(f64::from(a))),
        Op::I64TruncF32U => un_trap!(a: f32 => cv::trunc_u64(f64::from(a))),
        Op::I64TruncF64S => un_trap!(a: f64 => cv::trunc_i64(a)),
        Op::I64TruncF64U => un_trap!(a: f64 => cv::trunc_u64(a)),
        Op::F32ConvertI32S => un!(a: i32 => a as f32),
        Op::F32ConvertI32U => un!(a: u32 => a as f32),
        Op::F32ConvertI64S => un!(a: i64 => a as f32),
        Op::F32ConvertI64U => un!(a: u64 => a as f32),
        Op::F32DemoteF64 => un!(a: f64 => num::canon32(a as f32)),
        Op::F64ConvertI32S => un!(a: i32 => f64::from(a)),
        Op::F64ConvertI32U => un!(a: u32 => f64::from(a)),
        Op::F64ConvertI64S => un!(a: i64 => a as f64),
        Op::F64ConvertI64U => un!(a: u64 => a as f64),
        Op::F64PromoteF32 => un!(a: f32 => num::canon64(f64::from(a))),
        Op::I32Extend8S => un!(a: u32 => i32::from(a as i8)),
        Op::I32Extend16S => un!(a: u32 => i32::from(a as i16)),
        Op::I64Extend8S => un!(a: u64 => i64::from(a as i8)),
        Op::I64Extend16S => un!(a: u64 => i64::from(a as i16)),
        Op::I64Extend32S => un!(a: u64 => i64::from(a as i32)),
        Op::I32TruncSatF32S => un!(a: f32 => a as i32),
        Op::I32TruncSatF32U => un!(a: f32 => a as u32),
        Op::I32TruncSatF64S => un!(a: f64 => a as i32),
        Op::I32TruncSatF64U => un!(a: f64 => a as u32),
        Op::I64TruncSatF32S => un!(a: f32 => a as i64),
        Op::I64TruncSatF32U => un!(a: f32 => a as u64),
        Op::I64TruncSatF64S => un!(a: f64 => a as i64),
        Op::I64TruncSatF64U => un!(a: f64 => a as u64),

        Op::Unreachable
        | Op::BrTable
        | Op::CallIndirect
        | Op::MemorySize
        | Op::MemoryGrow
        | Op::MemoryFill
        | Op::MemoryCopy
        | Op::MemoryInit
        | Op::DataDrop
        | Op::TableGet
        | Op::TableSet
        | Op::TableSize
        | Op::TableGrow
        | Op::TableFill
        | Op::TableCopy
        | Op::TableInit
        | Op::ElemDrop
        | Op::RefFunc => slow,
    }
}
