//! The dispatch loop. The hot loop keeps `pc`, `sp`, the frame base, the value stack's
//! cells and memory 0's bytes in locals, so the compiler can hold them in registers and
//! needs no reload after each store to a cell; they are written back to the executor only
//! where the loop leaves (safe point suspension, trap, or an instruction handled by
//! [`Executor::slow`]: calls, returns, `br_table`, bulk memory and table operators). Every `pc` and `sp` the store can observe is therefore the same as with a
//! one-instruction-at-a-time loop.

use super::ops::{Cell, convert as cv, in_bounds, numeric as num};
use super::{Executor, Exit, drop_keep, safe_point_reason};
use crate::code::Instr;
use crate::error::Trap;

impl Executor<'_> {
    /// Runs instructions until an exit; see [`Executor::run`].
    pub(super) fn execute(&mut self) -> Result<Exit, Trap> {
        // The outer loop reloads the current function's code, registers and memory after
        // anything handled outside the hot loop. All borrows below are of distinct fields
        // of `self`, so the hot loop needs no reference counting or re-lookup.
        loop {
            let instrs = &self.code.instrs[..];
            let base = self.base;
            let mut pc = self.pc;
            let mut sp = self.sp;
            let cells = &mut self.cells[..];
            let mem: &mut [u8] = match self.store.memories.get_mut(self.memory) {
                Some(m) => &mut m.data,
                None => &mut [],
            };

            macro_rules! save {
                () => {{
                    self.pc = pc;
                    self.sp = sp;
                }};
            }
            macro_rules! trap {
                ($e:expr) => {{
                    save!();
                    return Err($e);
                }};
            }
            macro_rules! pop {
                () => {{
                    sp -= 1;
                    cells[sp]
                }};
            }
            macro_rules! push {
                ($v:expr) => {{
                    let v = $v;
                    cells[sp] = v;
                    sp += 1;
                }};
            }
            macro_rules! un {
                ($a:ident : $t:ty => $e:expr) => {{
                    let $a = <$t as Cell>::from_cell(cells[sp - 1]);
                    cells[sp - 1] = Cell::into_cell($e);
                }};
            }
            macro_rules! un_trap {
                ($a:ident : $t:ty => $e:expr) => {{
                    let $a = <$t as Cell>::from_cell(cells[sp - 1]);
                    match $e {
                        Ok(r) => cells[sp - 1] = Cell::into_cell(r),
                        Err(e) => trap!(e),
                    }
                }};
            }
            macro_rules! bin {
                ($a:ident, $b:ident : $t:ty => $e:expr) => {{
                    let $b = <$t as Cell>::from_cell(pop!());
                    let $a = <$t as Cell>::from_cell(cells[sp - 1]);
                    cells[sp - 1] = Cell::into_cell($e);
                }};
            }
            macro_rules! bin_trap {
                ($a:ident, $b:ident : $t:ty => $e:expr) => {{
                    let $b = <$t as Cell>::from_cell(pop!());
                    let $a = <$t as Cell>::from_cell(cells[sp - 1]);
                    match $e {
                        Ok(r) => cells[sp - 1] = Cell::into_cell(r),
                        Err(e) => trap!(e),
                    }
                }};
            }
            macro_rules! addr {
                ($off:expr, $n:literal) => {{
                    let addr = u64::from(pop!() as u32) + u64::from($off);
                    match in_bounds(addr, $n, mem.len()) {
                        Some(at) => at,
                        None => trap!(Trap::MemoryOutOfBounds),
                    }
                }};
            }
            macro_rules! load {
                ($off:expr, $n:literal, $t:ty => $r:ty) => {{
                    let at = addr!($off, $n);
                    let mut bytes = [0; $n];
                    bytes.copy_from_slice(&mem[at..at + $n]);
                    push!(Cell::into_cell(<$t>::from_le_bytes(bytes) as $r));
                }};
            }
            macro_rules! store {
                ($off:expr, $n:literal, $t:ty) => {{
                    let v = pop!() as $t;
                    let at = addr!($off, $n);
                    mem[at..at + $n].copy_from_slice(&v.to_le_bytes());
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
                        self.pc = pc - 1;
                        self.sp = sp;
                        return Ok(Exit::Suspend(reason));
                    }
                };
            }

            let slow = loop {
                let instr = instrs[pc];
                pc += 1;
                match instr {
                    Instr::Jump(target) => pc = target as usize,
                    Instr::Br { pc: target, dk } => {
                        sp = drop_keep(cells, sp, dk);
                        pc = target as usize;
                    }
                    Instr::BrLoop { pc: target, dk } => {
                        safe_point!();
                        sp = drop_keep(cells, sp, dk);
                        pc = target as usize;
                    }
                    Instr::BrIf { pc: target, dk } => {
                        if pop!() as u32 != 0 {
                            sp = drop_keep(cells, sp, dk);
                            pc = target as usize;
                        }
                    }
                    Instr::BrIfLoop { pc: target, dk } => {
                        if cells[sp - 1] as u32 != 0 {
                            safe_point!();
                            sp = drop_keep(cells, sp - 1, dk);
                            pc = target as usize;
                        } else {
                            sp -= 1;
                        }
                    }
                    Instr::IfFalse(target) => {
                        if pop!() as u32 == 0 {
                            pc = target as usize
                        }
                    }
                    Instr::Drop => sp -= 1,
                    Instr::Select => {
                        let c = pop!() as u32;
                        let b = pop!();
                        if c == 0 {
                            cells[sp - 1] = b;
                        }
                    }
                    Instr::LocalGet(i) => push!(cells[base + i as usize]),
                    Instr::LocalSet(i) => cells[base + i as usize] = pop!(),
                    Instr::LocalTee(i) => cells[base + i as usize] = cells[sp - 1],
                    Instr::GlobalGet(i) => {
                        let addr = self.store.instances[self.instance].globals[i as usize];
                        push!(self.store.globals[addr as usize].value)
                    }
                    Instr::GlobalSet(i) => {
                        let addr = self.store.instances[self.instance].globals[i as usize];
                        self.store.globals[addr as usize].value = pop!();
                    }

                    Instr::I32Load(o) => load!(o, 4, u32 => u32),
                    Instr::I64Load(o) => load!(o, 8, u64 => u64),
                    Instr::F32Load(o) => load!(o, 4, u32 => u32),
                    Instr::F64Load(o) => load!(o, 8, u64 => u64),
                    Instr::I32Load8S(o) => load!(o, 1, i8 => i32),
                    Instr::I32Load8U(o) => load!(o, 1, u8 => u32),
                    Instr::I32Load16S(o) => load!(o, 2, i16 => i32),
                    Instr::I32Load16U(o) => load!(o, 2, u16 => u32),
                    Instr::I64Load8S(o) => load!(o, 1, i8 => i64),
                    Instr::I64Load8U(o) => load!(o, 1, u8 => u64),
                    Instr::I64Load16S(o) => load!(o, 2, i16 => i64),
                    Instr::I64Load16U(o) => load!(o, 2, u16 => u64),
                    Instr::I64Load32S(o) => load!(o, 4, i32 => i64),
                    Instr::I64Load32U(o) => load!(o, 4, u32 => u64),
                    Instr::I32Store(o) | Instr::F32Store(o) => store!(o, 4, u32),
                    Instr::I64Store(o) | Instr::F64Store(o) => store!(o, 8, u64),
                    Instr::I32Store8(o) | Instr::I64Store8(o) => store!(o, 1, u8),
                    Instr::I32Store16(o) | Instr::I64Store16(o) => store!(o, 2, u16),
                    Instr::I64Store32(o) => store!(o, 4, u32),
                    Instr::RefNull => push!(0),
                    Instr::RefIsNull => un!(a: u64 => a == 0),
                    Instr::Const(c) => push!(c),

                    Instr::I32Eqz => un!(a: u32 => a == 0),
                    Instr::I32Eq => bin!(a, b: u32 => a == b),
                    Instr::I32Ne => bin!(a, b: u32 => a != b),
                    Instr::I32LtS => bin!(a, b: i32 => a < b),
                    Instr::I32LtU => bin!(a, b: u32 => a < b),
                    Instr::I32GtS => bin!(a, b: i32 => a > b),
                    Instr::I32GtU => bin!(a, b: u32 => a > b),
                    Instr::I32LeS => bin!(a, b: i32 => a <= b),
                    Instr::I32LeU => bin!(a, b: u32 => a <= b),
                    Instr::I32GeS => bin!(a, b: i32 => a >= b),
                    Instr::I32GeU => bin!(a, b: u32 => a >= b),
                    Instr::I32Clz => un!(a: u32 => a.leading_zeros()),
                    Instr::I32Ctz => un!(a: u32 => a.trailing_zeros()),
                    Instr::I32Popcnt => un!(a: u32 => a.count_ones()),
                    Instr::I32Add => bin!(a, b: u32 => a.wrapping_add(b)),
                    Instr::I32Sub => bin!(a, b: u32 => a.wrapping_sub(b)),
                    Instr::I32Mul => bin!(a, b: u32 => a.wrapping_mul(b)),
                    Instr::I32DivS => bin_trap!(a, b: i32 => num::i32_div_s(a, b)),
                    Instr::I32DivU => bin_trap!(a, b: u32 => num::div_u(a, b)),
                    Instr::I32RemS => bin_trap!(a, b: i32 => num::i32_rem_s(a, b)),
                    Instr::I32RemU => bin_trap!(a, b: u32 => num::rem_u(a, b)),
                    Instr::I32And => bin!(a, b: u32 => a & b),
                    Instr::I32Or => bin!(a, b: u32 => a | b),
                    Instr::I32Xor => bin!(a, b: u32 => a ^ b),
                    Instr::I32Shl => bin!(a, b: u32 => a.wrapping_shl(b)),
                    Instr::I32ShrS => bin!(a, b: i32 => a.wrapping_shr(b as u32)),
                    Instr::I32ShrU => bin!(a, b: u32 => a.wrapping_shr(b)),
                    Instr::I32Rotl => bin!(a, b: u32 => a.rotate_left(b)),
                    Instr::I32Rotr => bin!(a, b: u32 => a.rotate_right(b)),

                    Instr::I64Eqz => un!(a: u64 => a == 0),
                    Instr::I64Eq => bin!(a, b: u64 => a == b),
                    Instr::I64Ne => bin!(a, b: u64 => a != b),
                    Instr::I64LtS => bin!(a, b: i64 => a < b),
                    Instr::I64LtU => bin!(a, b: u64 => a < b),
                    Instr::I64GtS => bin!(a, b: i64 => a > b),
                    Instr::I64GtU => bin!(a, b: u64 => a > b),
                    Instr::I64LeS => bin!(a, b: i64 => a <= b),
                    Instr::I64LeU => bin!(a, b: u64 => a <= b),
                    Instr::I64GeS => bin!(a, b: i64 => a >= b),
                    Instr::I64GeU => bin!(a, b: u64 => a >= b),
                    Instr::I64Clz => un!(a: u64 => u64::from(a.leading_zeros())),
                    Instr::I64Ctz => un!(a: u64 => u64::from(a.trailing_zeros())),
                    Instr::I64Popcnt => un!(a: u64 => u64::from(a.count_ones())),
                    Instr::I64Add => bin!(a, b: u64 => a.wrapping_add(b)),
                    Instr::I64Sub => bin!(a, b: u64 => a.wrapping_sub(b)),
                    Instr::I64Mul => bin!(a, b: u64 => a.wrapping_mul(b)),
                    Instr::I64DivS => bin_trap!(a, b: i64 => num::i64_div_s(a, b)),
                    Instr::I64DivU => bin_trap!(a, b: u64 => num::div_u(a, b)),
                    Instr::I64RemS => bin_trap!(a, b: i64 => num::i64_rem_s(a, b)),
                    Instr::I64RemU => bin_trap!(a, b: u64 => num::rem_u(a, b)),
                    Instr::I64And => bin!(a, b: u64 => a & b),
                    Instr::I64Or => bin!(a, b: u64 => a | b),
                    Instr::I64Xor => bin!(a, b: u64 => a ^ b),
                    Instr::I64Shl => bin!(a, b: u64 => a.wrapping_shl(b as u32)),
                    Instr::I64ShrS => bin!(a, b: i64 => a.wrapping_shr(b as u32)),
                    Instr::I64ShrU => bin!(a, b: u64 => a.wrapping_shr(b as u32)),
                    Instr::I64Rotl => bin!(a, b: u64 => a.rotate_left(b as u32)),
                    Instr::I64Rotr => bin!(a, b: u64 => a.rotate_right(b as u32)),

                    Instr::F32Eq => bin!(a, b: f32 => a == b),
                    Instr::F32Ne => bin!(a, b: f32 => a != b),
                    Instr::F32Lt => bin!(a, b: f32 => a < b),
                    Instr::F32Gt => bin!(a, b: f32 => a > b),
                    Instr::F32Le => bin!(a, b: f32 => a <= b),
                    Instr::F32Ge => bin!(a, b: f32 => a >= b),
                    Instr::F32Abs => un!(a: u32 => a & 0x7fff_ffff),
                    Instr::F32Neg => un!(a: u32 => a ^ 0x8000_0000),
                    Instr::F32Copysign => {
                        bin!(a, b: u32 => (a & 0x7fff_ffff) | (b & 0x8000_0000))
                    }
                    Instr::F32Ceil => un!(a: f32 => num::canon32(a.ceil())),
                    Instr::F32Floor => un!(a: f32 => num::canon32(a.floor())),
                    Instr::F32Trunc => un!(a: f32 => num::canon32(a.trunc())),
                    Instr::F32Nearest => un!(a: f32 => num::canon32(a.round_ties_even())),
                    Instr::F32Sqrt => un!(a: f32 => num::canon32(a.sqrt())),
                    Instr::F32Add => bin!(a, b: f32 => num::canon32(a + b)),
                    Instr::F32Sub => bin!(a, b: f32 => num::canon32(a - b)),
                    Instr::F32Mul => bin!(a, b: f32 => num::canon32(a * b)),
                    Instr::F32Div => bin!(a, b: f32 => num::canon32(a / b)),
                    Instr::F32Min => bin!(a, b: f32 => num::min(a, b)),
                    Instr::F32Max => bin!(a, b: f32 => num::max(a, b)),

                    Instr::F64Eq => bin!(a, b: f64 => a == b),
                    Instr::F64Ne => bin!(a, b: f64 => a != b),
                    Instr::F64Lt => bin!(a, b: f64 => a < b),
                    Instr::F64Gt => bin!(a, b: f64 => a > b),
                    Instr::F64Le => bin!(a, b: f64 => a <= b),
                    Instr::F64Ge => bin!(a, b: f64 => a >= b),
                    Instr::F64Abs => un!(a: u64 => a & !(1 << 63)),
                    Instr::F64Neg => un!(a: u64 => a ^ (1 << 63)),
                    Instr::F64Copysign => {
                        bin!(a, b: u64 => (a & !(1 << 63)) | (b & (1 << 63)))
                    }
                    Instr::F64Ceil => un!(a: f64 => num::canon64(a.ceil())),
                    Instr::F64Floor => un!(a: f64 => num::canon64(a.floor())),
                    Instr::F64Trunc => un!(a: f64 => num::canon64(a.trunc())),
                    Instr::F64Nearest => un!(a: f64 => num::canon64(a.round_ties_even())),
                    Instr::F64Sqrt => un!(a: f64 => num::canon64(a.sqrt())),
                    Instr::F64Add => bin!(a, b: f64 => num::canon64(a + b)),
                    Instr::F64Sub => bin!(a, b: f64 => num::canon64(a - b)),
                    Instr::F64Mul => bin!(a, b: f64 => num::canon64(a * b)),
                    Instr::F64Div => bin!(a, b: f64 => num::canon64(a / b)),
                    Instr::F64Min => bin!(a, b: f64 => num::min(a, b)),
                    Instr::F64Max => bin!(a, b: f64 => num::max(a, b)),

                    Instr::I32WrapI64 => un!(a: u64 => a as u32),
                    Instr::I32TruncF32S => un_trap!(a: f32 => cv::trunc_i32(f64::from(a))),
                    Instr::I32TruncF32U => un_trap!(a: f32 => cv::trunc_u32(f64::from(a))),
                    Instr::I32TruncF64S => un_trap!(a: f64 => cv::trunc_i32(a)),
                    Instr::I32TruncF64U => un_trap!(a: f64 => cv::trunc_u32(a)),
                    Instr::I64ExtendI32S => un!(a: i32 => i64::from(a)),
                    Instr::I64ExtendI32U => un!(a: u32 => u64::from(a)),
                    Instr::I64TruncF32S => un_trap!(a: f32 => cv::trunc_i64(f64::from(a))),
                    Instr::I64TruncF32U => un_trap!(a: f32 => cv::trunc_u64(f64::from(a))),
                    Instr::I64TruncF64S => un_trap!(a: f64 => cv::trunc_i64(a)),
                    Instr::I64TruncF64U => un_trap!(a: f64 => cv::trunc_u64(a)),
                    Instr::F32ConvertI32S => un!(a: i32 => a as f32),
                    Instr::F32ConvertI32U => un!(a: u32 => a as f32),
                    Instr::F32ConvertI64S => un!(a: i64 => a as f32),
                    Instr::F32ConvertI64U => un!(a: u64 => a as f32),
                    Instr::F32DemoteF64 => un!(a: f64 => num::canon32(a as f32)),
                    Instr::F64ConvertI32S => un!(a: i32 => f64::from(a)),
                    Instr::F64ConvertI32U => un!(a: u32 => f64::from(a)),
                    Instr::F64ConvertI64S => un!(a: i64 => a as f64),
                    Instr::F64ConvertI64U => un!(a: u64 => a as f64),
                    Instr::F64PromoteF32 => un!(a: f32 => num::canon64(f64::from(a))),
                    Instr::I32Extend8S => un!(a: u32 => i32::from(a as i8)),
                    Instr::I32Extend16S => un!(a: u32 => i32::from(a as i16)),
                    Instr::I64Extend8S => un!(a: u64 => i64::from(a as i8)),
                    Instr::I64Extend16S => un!(a: u64 => i64::from(a as i16)),
                    Instr::I64Extend32S => un!(a: u64 => i64::from(a as i32)),
                    Instr::I32TruncSatF32S => un!(a: f32 => a as i32),
                    Instr::I32TruncSatF32U => un!(a: f32 => a as u32),
                    Instr::I32TruncSatF64S => un!(a: f64 => a as i32),
                    Instr::I32TruncSatF64U => un!(a: f64 => a as u32),
                    Instr::I64TruncSatF32S => un!(a: f32 => a as i64),
                    Instr::I64TruncSatF32U => un!(a: f32 => a as u64),
                    Instr::I64TruncSatF64S => un!(a: f64 => a as i64),
                    Instr::I64TruncSatF64U => un!(a: f64 => a as u64),
                    other => {
                        save!();
                        break other;
                    }
                }
            };
            if let Some(exit) = self.slow(slow)? {
                return Ok(exit);
            }
        }
    }
}
