//! Handlers of branches, calls and returns within one instance, and of the parametric and
//! global instructions. A branch whose target is not after it, and every call, is a safe
//! point (the interrupt flag, then fuel when metering).

use std::sync::Arc;

use super::{
    Break, Flag, Fp, Ip, Mem, get, instr, safe_point_passes, safe_point_suspends, set, slow, trap,
};
use crate::code::FuncCode;
use crate::exec::ops::move_results;
use crate::exec::{Executor, frame_setup};
use crate::stack::Frame;
use crate::store::FuncEntity;

/// A handler branching by the offset in `dst` ([`crate::code::Instr::branch_target`]) if
/// `$cond` holds for the cells `a` and `b` (unused ones are cell 0, which exists in every
/// frame that branches).
macro_rules! br_if {
    (|$a:pat_param, $b:pat_param| $cond:expr) => {
        |ip, fp, mem, len, cx, flag| {
            let i = instr(ip);
            // SAFETY: the verifier checked `a` and `b` (module docs).
            let ($a, $b) = unsafe { (get(cx, fp, i.a), get(cx, fp, i.b)) };
            if $cond {
                return control::branch(ip, fp, mem, len, cx, flag, i.dst);
            }
            step!(ip, fp, mem, len, cx, flag)
        }
    };
}

/// Continues at the instruction `offset` ([`crate::code::Instr::branch_target`]) from `ip`;
/// a safe point if that is not after `ip`.
#[inline(always)]
pub(super) fn branch(
    ip: Ip,
    fp: Fp,
    mem: Mem,
    len: usize,
    cx: &mut Executor<'_>,
    flag: Flag<'_>,
    offset: u32,
) -> Break {
    // SAFETY: the verifier checked that `ip`'s index plus `offset` is an instruction index.
    let to = unsafe { ip.offset(offset as i32 as isize) };
    if (offset as i32) <= 0 && !safe_point_passes(cx, flag) {
        return back_edge_slow(ip, fp, mem, len, cx, flag);
    }
    next!(to, fp, mem, len, cx, flag)
}

/// A backward branch at `ip` whose safe point did not pass inline: suspends, or continues
/// at its target.
#[cold]
#[inline(never)]
fn back_edge_slow(
    ip: Ip,
    fp: Fp,
    mem: Mem,
    len: usize,
    cx: &mut Executor<'_>,
    flag: Flag<'_>,
) -> Break {
    if safe_point_suspends(ip, cx) {
        return Break::Exit;
    }
    // SAFETY: as in `branch`.
    let to = unsafe { ip.offset(instr(ip).dst as i32 as isize) };
    next!(to, fp, mem, len, cx, flag)
}

/// `call` of a WebAssembly function of the current instance, a safe point: pushes the
/// caller's frame and enters the callee. Host functions and other instances' functions are
/// *stack* operations.
pub(super) fn call(
    ip: Ip,
    fp: Fp,
    mem: Mem,
    len: usize,
    cx: &mut Executor<'_>,
    flag: Flag<'_>,
) -> Break {
    let Some((addr, callee)) = local_callee(ip, cx) else {
        return slow(ip, fp, mem, len, cx, flag);
    };
    if !safe_point_passes(cx, flag) {
        return call_safe_point(ip, fp, mem, len, cx, flag);
    }
    enter_callee(ip, mem, len, cx, flag, addr, callee)
}

/// A `call` whose safe point did not pass inline: suspends, or makes the call.
#[cold]
#[inline(never)]
fn call_safe_point(
    ip: Ip,
    fp: Fp,
    mem: Mem,
    len: usize,
    cx: &mut Executor<'_>,
    flag: Flag<'_>,
) -> Break {
    if safe_point_suspends(ip, cx) {
        return Break::Exit;
    }
    match local_callee(ip, cx) {
        Some((addr, callee)) => enter_callee(ip, mem, len, cx, flag, addr, callee),
        None => slow(ip, fp, mem, len, cx, flag),
    }
}

/// The store address and code of the callee of the `call` at `ip` if it is a WebAssembly
/// function of the current instance.
#[inline(always)]
fn local_callee(ip: Ip, cx: &Executor<'_>) -> Option<(u32, *const FuncCode)> {
    let addr = cx.store.instances[cx.instance].funcs[instr(ip).a as usize];
    local_code(cx, addr).map(|code| (addr, code))
}

/// The code of store function `func` if it is a WebAssembly function of the current
/// instance: calls and returns to such stay on the hot path.
#[inline(always)]
fn local_code(cx: &Executor<'_>, func: u32) -> Option<*const FuncCode> {
    match &cx.store.funcs[func as usize] {
        FuncEntity::Wasm { instance, code, .. } if *instance as usize == cx.instance => {
            Some(Arc::as_ptr(code))
        }
        _ => None,
    }
}

/// Pushes the caller's frame (resuming after the `call` at `ip`) and continues at the start
/// of `callee` (store address `addr`) with a new frame whose parameters are the call's
/// operands; traps with `call stack exhausted` past the limits.
#[inline(always)]
fn enter_callee(
    ip: Ip,
    mem: Mem,
    len: usize,
    cx: &mut Executor<'_>,
    flag: Flag<'_>,
    addr: u32,
    callee: *const FuncCode,
) -> Break {
    let pc = cx.index_of(ip) + 1;
    let sp = cx.base + instr(ip).dst as usize;
    let frames = &mut cx.store.stack.frames.frames;
    frames.push(Frame {
        func: cx.func,
        pc: pc as u32,
        base: cx.base as u32,
    });
    let depth = frames.len();
    // SAFETY: `callee` is held by an `Arc` of `store.funcs`, which no handler changes.
    let code = unsafe { &*callee };
    match frame_setup(&mut cx.cells, sp, depth, &cx.store.limits, code) {
        Ok((base, _)) => {
            let (ip, fp) = cx.enter_code(addr, callee, base, 0);
            next!(ip, fp, mem, len, cx, flag)
        }
        Err(e) => trap(ip, cx, e),
    }
}

/// `return` to a caller of the current instance: moves the results to the start of the
/// frame and makes the caller current. Returning from the invocation's entry frame, or to
/// another instance, is a *stack* operation.
pub(super) fn ret(
    ip: Ip,
    fp: Fp,
    mem: Mem,
    len: usize,
    cx: &mut Executor<'_>,
    flag: Flag<'_>,
) -> Break {
    let frames = &cx.store.stack.frames.frames;
    let caller = match frames.last() {
        Some(&f) if frames.len() > cx.entry_depth => local_code(cx, f.func).map(|c| (f, c)),
        _ => None,
    };
    let Some((caller, caller_code)) = caller else {
        return slow(ip, fp, mem, len, cx, flag);
    };
    let n = cx.code().results as usize;
    let top = instr(ip).dst as usize;
    // SAFETY: the frame's first `top` cells; the verifier checked `top <= frame_size()`.
    let cells = unsafe { std::slice::from_raw_parts_mut(fp, top) };
    // `top >= n` in code that can run (the results are on the operand stack); the slice
    // turns a translator bug into a panic, never an access outside the frame.
    move_results(cells, top.wrapping_sub(n), 0, n);
    cx.store.stack.frames.frames.pop();
    let (ip, fp) = cx.enter_code(
        caller.func,
        caller_code,
        caller.base as usize,
        caller.pc as usize,
    );
    next!(ip, fp, mem, len, cx, flag)
}

/// `select`: `dst` = cell `a` if cell `b` is non-zero, else cell `a + 1`.
pub(super) fn select(
    ip: Ip,
    fp: Fp,
    mem: Mem,
    len: usize,
    cx: &mut Executor<'_>,
    flag: Flag<'_>,
) -> Break {
    let i = instr(ip);
    // SAFETY: the verifier checked `a`, `a + 1`, `b` and `dst` (module docs).
    unsafe {
        let pick = if get(cx, fp, i.b) as u32 != 0 {
            i.a
        } else {
            i.a + 1
        };
        set(cx, fp, i.dst, get(cx, fp, pick));
    }
    step!(ip, fp, mem, len, cx, flag)
}

/// `global.get` of the current instance's global `a` into cell `dst`.
pub(super) fn global_get(
    ip: Ip,
    fp: Fp,
    mem: Mem,
    len: usize,
    cx: &mut Executor<'_>,
    flag: Flag<'_>,
) -> Break {
    let i = instr(ip);
    let addr = cx.store.instances[cx.instance].globals[i.a as usize];
    let v = cx.store.globals[addr as usize].value;
    // SAFETY: the verifier checked `dst` (module docs).
    unsafe { set(cx, fp, i.dst, v) };
    step!(ip, fp, mem, len, cx, flag)
}

/// `global.set` of the current instance's global `b` from cell `a`.
pub(super) fn global_set(
    ip: Ip,
    fp: Fp,
    mem: Mem,
    len: usize,
    cx: &mut Executor<'_>,
    flag: Flag<'_>,
) -> Break {
    let i = instr(ip);
    // SAFETY: the verifier checked `a` (module docs).
    let v = unsafe { get(cx, fp, i.a) };
    let addr = cx.store.instances[cx.instance].globals[i.b as usize];
    cx.store.globals[addr as usize].value = v;
    step!(ip, fp, mem, len, cx, flag)
}
