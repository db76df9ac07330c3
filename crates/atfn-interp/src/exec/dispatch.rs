//! The dispatch loop. The hot loop keeps `pc`, the current frame's cells and memory 0's
//! bytes in locals, so the compiler can hold them in registers; they are written back to the
//! executor only where the loop leaves (safe point suspension, trap, or a *stack* operation
//! handled by [`Executor::slow`]: calls, returns, `br_table`, bulk memory and table
//! operators). The stack pointer is not tracked while running: every operand has a fixed
//! cell, and where the loop leaves, the pointer is derived from the translator's height at
//! that `pc` ([`crate::code::FuncCode::heights`]). Every `pc` and stack the store can observe
//! is therefore the same as with a one-instruction-at-a-time loop.

use super::ops::{Cell, convert as cv, numeric as num};
use super::ops::{frame_setup, move_results};
use super::{Executor, Exit, safe_point_reason, wasm_code};
use crate::code::{FuncCode, Op};
use crate::error::Trap;
use crate::stack::Frame;
use crate::store::FuncEntity;

impl Executor<'_> {
    /// Runs instructions until an exit; see [`Executor::run`].
    pub(super) fn execute(&mut self) -> Result<Exit, Trap> {
        // The outer loop reloads the current function's code, frame and memory after
        // anything handled outside the hot loop. All borrows below are of distinct fields
        // of `self`, so the hot loop needs no reference counting or re-lookup.
        loop {
            let mut code = wasm_code(&self.store.funcs, self.func);
            let mut instrs = &code.instrs[..];
            let mut heights = &code.heights[..];
            let mut stack_base = self.base + code.stack_base() as usize;
            let mut pc = self.pc;
            let mut frame = frame_cells(&mut self.cells, self.base, code, pc);
            let mem: &mut [u8] = match self.store.memories.get_mut(self.memory) {
                Some(m) => &mut m.data,
                None => &mut [],
            };

            /// Makes function `$func` (of the current instance, with code `$code`) with its
            /// frame at `$base` current, continuing at `$pc`: calls and returns within one
            /// instance stay in the hot loop.
            macro_rules! switch_to {
                ($func:expr, $code:expr, $base:expr, $pc:expr) => {{
                    self.func = $func;
                    self.base = $base;
                    code = $code;
                    instrs = &code.instrs[..];
                    heights = &code.heights[..];
                    stack_base = self.base + code.stack_base() as usize;
                    pc = $pc;
                    frame = frame_cells(&mut self.cells, self.base, code, pc);
                }};
            }
            // SAFETY (of `get!`, `set!` and the fetch below): `code` passed
            // `crate::code::verify`, so every cell the hot loop names directly is below
            // `code.frame_size()`, which is `frame.len()`; every branch target is an
            // instruction index; and `pc + 1` after an instruction that falls through is one
            // too, since the last instruction never falls through. `pc` is an instruction
            // index whenever the frame changes (checked by `frame_cells`).
            macro_rules! get {
                ($cell:expr) => {{
                    let cell = $cell as usize;
                    debug_assert!(cell < frame.len());
                    unsafe { *frame.get_unchecked(cell) }
                }};
            }
            macro_rules! set {
                ($cell:expr, $v:expr) => {{
                    let v = $v;
                    let cell = $cell as usize;
                    debug_assert!(cell < frame.len());
                    unsafe { *frame.get_unchecked_mut(cell) = v }
                }};
            }

            /// Writes `pc` and the stack pointer at the instruction just fetched back.
            macro_rules! save {
                () => {{
                    self.pc = pc;
                    self.sp = stack_base + heights[pc - 1] as usize;
                }};
            }
            macro_rules! trap {
                ($e:expr) => {{
                    save!();
                    return Err($e);
                }};
            }
            /// A safe point at the instruction just fetched (`pc - 1`): suspends there.
            macro_rules! safe_point {
                () => {
                    if let Some(reason) = safe_point_reason(
                        self.interrupt,
                        self.store.consume_fuel,
                        &mut self.store.fuel,
                    ) {
                        save!();
                        self.pc = pc - 1;
                        return Ok(Exit::Suspend(reason));
                    }
                };
            }

            let slow = loop {
                debug_assert!(pc < instrs.len());
                // SAFETY: see `get!`.
                let i = unsafe { instrs.get_unchecked(pc) };
                pc += 1;
                macro_rules! un {
                    ($a:ident : $t:ty => $e:expr) => {{
                        let $a = <$t as Cell>::from_cell(get!(i.a));
                        set!(i.dst, Cell::into_cell($e));
                    }};
                }
                macro_rules! un_trap {
                    ($a:ident : $t:ty => $e:expr) => {{
                        let $a = <$t as Cell>::from_cell(get!(i.a));
                        match $e {
                            Ok(r) => set!(i.dst, Cell::into_cell(r)),
                            Err(e) => trap!(e),
                        }
                    }};
                }
                macro_rules! bin {
                    ($a:ident, $b:ident : $t:ty => $e:expr) => {{
                        let $a = <$t as Cell>::from_cell(get!(i.a));
                        let $b = <$t as Cell>::from_cell(get!(i.b));
                        set!(i.dst, Cell::into_cell($e));
                    }};
                }
                macro_rules! bin_trap {
                    ($a:ident, $b:ident : $t:ty => $e:expr) => {{
                        let $a = <$t as Cell>::from_cell(get!(i.a));
                        let $b = <$t as Cell>::from_cell(get!(i.b));
                        match $e {
                            Ok(r) => set!(i.dst, Cell::into_cell(r)),
                            Err(e) => trap!(e),
                        }
                    }};
                }
                /// Branches to `i.dst` if `$cond`; a backward branch is a safe point.
                macro_rules! br_if {
                    ($cond:expr) => {{
                        if $cond {
                            let target = i.dst as usize;
                            if target < pc {
                                safe_point!();
                            }
                            pc = target;
                        }
                    }};
                }
                macro_rules! br_cmp {
                    ($a:ident, $b:ident : $t:ty => $e:expr) => {{
                        let $a = <$t as Cell>::from_cell(get!(i.a));
                        let $b = <$t as Cell>::from_cell(get!(i.b));
                        br_if!($e)
                    }};
                }
                /// The `$n` bytes at the effective address of a load (static offset `i.b`)
                /// or store (`i.dst`): 32-bit address plus offset, computed in 64 bits so it
                /// cannot wrap; one bounds check.
                macro_rules! bytes {
                    ($off:expr, $n:literal) => {{
                        let at = (get!(i.a) as u32 as usize) + $off as usize;
                        match mem.get_mut(at..at + $n) {
                            Some(bytes) => bytes,
                            None => trap!(Trap::MemoryOutOfBounds),
                        }
                    }};
                }
                macro_rules! load {
                    ($n:literal, $t:ty => $r:ty) => {{
                        let bytes: &[u8; $n] = match (&*bytes!(i.b, $n)).try_into() {
                            Ok(bytes) => bytes,
                            Err(_) => trap!(Trap::MemoryOutOfBounds),
                        };
                        set!(i.dst, Cell::into_cell(<$t>::from_le_bytes(*bytes) as $r));
                    }};
                }
                macro_rules! store {
                    ($n:literal, $t:ty) => {{
                        let v = get!(i.b) as $t;
                        bytes!(i.dst, $n).copy_from_slice(&v.to_le_bytes());
                    }};
                }
                match i.op {
                    Op::Call => {
                        let addr = self.store.instances[self.instance].funcs[i.a as usize];
                        match &self.store.funcs[addr as usize] {
                            FuncEntity::Wasm {
                                instance,
                                code: callee,
                                ..
                            } if *instance as usize == self.instance => {
                                safe_point!();
                                let sp = stack_base + heights[pc - 1] as usize;
                                let frames = &mut self.store.stack.frames.frames;
                                frames.push(Frame {
                                    func: self.func,
                                    pc: pc as u32,
                                    base: self.base as u32,
                                });
                                let depth = frames.len();
                                let limits = &self.store.limits;
                                match frame_setup(&mut self.cells, sp, depth, limits, callee) {
                                    Ok((base, _)) => switch_to!(addr, callee, base, 0),
                                    Err(e) => trap!(e),
                                }
                            }
                            // Host functions and other instances: the slow path.
                            _ => {
                                save!();
                                break *i;
                            }
                        }
                    }
                    Op::Return => {
                        let frames = &self.store.stack.frames.frames;
                        let caller = match frames.last() {
                            Some(&f) if frames.len() > self.entry_depth => {
                                match &self.store.funcs[f.func as usize] {
                                    FuncEntity::Wasm { instance, code, .. }
                                        if *instance as usize == self.instance =>
                                    {
                                        Some((f, code))
                                    }
                                    _ => None,
                                }
                            }
                            _ => None,
                        };
                        let Some((caller, caller_code)) = caller else {
                            // The invocation's entry frame, or a caller in another instance.
                            save!();
                            break *i;
                        };
                        let n = code.results as usize;
                        let top = stack_base - self.base + heights[pc - 1] as usize;
                        move_results(frame, top - n, 0, n);
                        self.store.stack.frames.frames.pop();
                        let (base, pc) = (caller.base as usize, caller.pc as usize);
                        switch_to!(caller.func, caller_code, base, pc);
                    }
                    Op::Br => br_if!(true),
                    Op::BrIfNez => br_if!(get!(i.a) as u32 != 0),
                    Op::BrIfEqz => br_if!(get!(i.a) as u32 == 0),
                    Op::BrI32Eq => br_cmp!(a, b: u32 => a == b),
                    Op::BrI32Ne => br_cmp!(a, b: u32 => a != b),
                    Op::BrI32LtS => br_cmp!(a, b: i32 => a < b),
                    Op::BrI32LtU => br_cmp!(a, b: u32 => a < b),
                    Op::BrI32GtS => br_cmp!(a, b: i32 => a > b),
                    Op::BrI32GtU => br_cmp!(a, b: u32 => a > b),
                    Op::BrI32LeS => br_cmp!(a, b: i32 => a <= b),
                    Op::BrI32LeU => br_cmp!(a, b: u32 => a <= b),
                    Op::BrI32GeS => br_cmp!(a, b: i32 => a >= b),
                    Op::BrI32GeU => br_cmp!(a, b: u32 => a >= b),
                    Op::Copy => set!(i.dst, get!(i.a)),
                    Op::Select => {
                        let pick = if get!(i.b) as u32 != 0 { i.a } else { i.a + 1 };
                        set!(i.dst, get!(pick));
                    }
                    Op::GlobalGet => {
                        let addr = self.store.instances[self.instance].globals[i.a as usize];
                        set!(i.dst, self.store.globals[addr as usize].value);
                    }
                    Op::GlobalSet => {
                        let addr = self.store.instances[self.instance].globals[i.b as usize];
                        self.store.globals[addr as usize].value = get!(i.a);
                    }

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
                    Op::F32Copysign => {
                        bin!(a, b: u32 => (a & 0x7fff_ffff) | (b & 0x8000_0000))
                    }
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
                    Op::F64Copysign => {
                        bin!(a, b: u64 => (a & !(1 << 63)) | (b & (1 << 63)))
                    }
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
                    | Op::RefFunc => {
                        save!();
                        break *i;
                    }
                }
            };
            if let Some(exit) = self.slow(slow)? {
                return Ok(exit);
            }
        }
    }
}

/// The cells of the frame at `base` of a function with `code`, about to run at `pc`: exactly
/// [`FuncCode::frame_size`] cells, the extent `crate::code::verify` checked operands against.
/// A frame's cells are reserved when it is entered; only after a snapshot restore, whose
/// value stack holds the live cells alone, does the buffer grow here. `pc` must be an
/// instruction index (frames only hold such; snapshot restore checks them).
#[inline(always)]
fn frame_cells<'c>(
    cells: &'c mut Vec<u64>,
    base: usize,
    code: &FuncCode,
    pc: usize,
) -> &'c mut [u64] {
    assert!(
        pc < code.instrs.len(),
        "resume point {pc} outside its function"
    );
    let end = base + code.frame_size();
    if cells.len() < end {
        cells.resize(end, 0);
    }
    &mut cells[base..end]
}
