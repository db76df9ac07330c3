//! The dispatch loop: one `match` over [`Instr`], each arm a call into the family files
//! of `ops/`.

use super::ops::{Cell, convert as cv, numeric as num};
use super::{Executor, Exit};
use crate::code::Instr;
use crate::error::Trap;

macro_rules! load {
    ($self:ident, $off:expr, $n:literal, $t:ty => $r:ty) => {{
        let v = <$t>::from_le_bytes($self.load::<$n>($off)?);
        $self.push((v as $r).into_cell());
    }};
}

macro_rules! store {
    ($self:ident, $off:expr, $t:ty) => {{
        let v = $self.pop() as $t;
        $self.store_bytes($off, v.to_le_bytes())?;
    }};
}

impl Executor<'_> {
    /// Runs instructions until an exit; see [`Executor::run`].
    pub(super) fn execute(&mut self) -> Result<Exit, Trap> {
        // The outer loop reloads the current function's code after calls and returns;
        // the inner loop runs with the instruction slice in a local.
        loop {
            let code = self.code.clone();
            let instrs = &code.instrs[..];
            loop {
                let instr = instrs[self.pc];
                self.pc += 1;
                match instr {
                    Instr::Unreachable => return Err(Trap::Unreachable),
                    Instr::Jump(pc) => self.pc = pc as usize,
                    Instr::Br { pc, dk } => self.branch(pc, dk),
                    Instr::BrLoop { pc, dk } => {
                        if let Some(reason) = self.safe_point() {
                            return Ok(Exit::Suspend(reason));
                        }
                        self.branch(pc, dk)
                    }
                    Instr::BrIf { pc, dk } => {
                        if self.pop() as u32 != 0 {
                            self.branch(pc, dk)
                        }
                    }
                    Instr::BrIfLoop { pc, dk } => {
                        if self.cells[self.sp - 1] as u32 != 0 {
                            if let Some(reason) = self.safe_point() {
                                return Ok(Exit::Suspend(reason));
                            }
                            self.sp -= 1;
                            self.branch(pc, dk)
                        } else {
                            self.sp -= 1;
                        }
                    }
                    Instr::IfFalse(pc) => {
                        if self.pop() as u32 == 0 {
                            self.pc = pc as usize
                        }
                    }
                    Instr::BrTable { start, len } => {
                        if let Some(exit) = self.br_table(start, len) {
                            return Ok(exit);
                        }
                    }
                    Instr::Return => {
                        if self.ret() {
                            return Ok(Exit::Finished);
                        }
                        break;
                    }
                    Instr::Call(f) => {
                        let addr = self.store.instances[self.instance].funcs[f as usize];
                        if let Some(exit) = self.call(addr)? {
                            return Ok(exit);
                        }
                        break;
                    }
                    Instr::CallIndirect { ty, table } => {
                        if let Some(exit) = self.call_indirect(ty, table)? {
                            return Ok(exit);
                        }
                        break;
                    }
                    Instr::Drop => self.sp -= 1,
                    Instr::Select => {
                        let c = self.pop() as u32;
                        let b = self.pop();
                        if c == 0 {
                            *self.top() = b;
                        }
                    }
                    Instr::LocalGet(i) => self.push(self.cells[self.base + i as usize]),
                    Instr::LocalSet(i) => {
                        let v = self.pop();
                        self.cells[self.base + i as usize] = v;
                    }
                    Instr::LocalTee(i) => {
                        self.cells[self.base + i as usize] = self.cells[self.sp - 1]
                    }
                    Instr::GlobalGet(i) => self.global_get(i),
                    Instr::GlobalSet(i) => self.global_set(i),

                    Instr::I32Load(o) => load!(self, o, 4, u32 => u32),
                    Instr::I64Load(o) => load!(self, o, 8, u64 => u64),
                    Instr::F32Load(o) => load!(self, o, 4, u32 => u32),
                    Instr::F64Load(o) => load!(self, o, 8, u64 => u64),
                    Instr::I32Load8S(o) => load!(self, o, 1, i8 => i32),
                    Instr::I32Load8U(o) => load!(self, o, 1, u8 => u32),
                    Instr::I32Load16S(o) => load!(self, o, 2, i16 => i32),
                    Instr::I32Load16U(o) => load!(self, o, 2, u16 => u32),
                    Instr::I64Load8S(o) => load!(self, o, 1, i8 => i64),
                    Instr::I64Load8U(o) => load!(self, o, 1, u8 => u64),
                    Instr::I64Load16S(o) => load!(self, o, 2, i16 => i64),
                    Instr::I64Load16U(o) => load!(self, o, 2, u16 => u64),
                    Instr::I64Load32S(o) => load!(self, o, 4, i32 => i64),
                    Instr::I64Load32U(o) => load!(self, o, 4, u32 => u64),
                    Instr::I32Store(o) | Instr::F32Store(o) => store!(self, o, u32),
                    Instr::I64Store(o) | Instr::F64Store(o) => store!(self, o, u64),
                    Instr::I32Store8(o) | Instr::I64Store8(o) => store!(self, o, u8),
                    Instr::I32Store16(o) | Instr::I64Store16(o) => store!(self, o, u16),
                    Instr::I64Store32(o) => store!(self, o, u32),
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
                    Instr::RefNull => self.push(0),
                    Instr::RefIsNull => self.unary(|r: u64| r == 0),
                    Instr::RefFunc(f) => self.ref_func(f),
                    Instr::Const(c) => self.push(c),

                    Instr::I32Eqz => self.unary(|a: u32| a == 0),
                    Instr::I32Eq => self.binary(|a: u32, b| a == b),
                    Instr::I32Ne => self.binary(|a: u32, b| a != b),
                    Instr::I32LtS => self.binary(|a: i32, b| a < b),
                    Instr::I32LtU => self.binary(|a: u32, b| a < b),
                    Instr::I32GtS => self.binary(|a: i32, b| a > b),
                    Instr::I32GtU => self.binary(|a: u32, b| a > b),
                    Instr::I32LeS => self.binary(|a: i32, b| a <= b),
                    Instr::I32LeU => self.binary(|a: u32, b| a <= b),
                    Instr::I32GeS => self.binary(|a: i32, b| a >= b),
                    Instr::I32GeU => self.binary(|a: u32, b| a >= b),
                    Instr::I32Clz => self.unary(|a: u32| a.leading_zeros()),
                    Instr::I32Ctz => self.unary(|a: u32| a.trailing_zeros()),
                    Instr::I32Popcnt => self.unary(|a: u32| a.count_ones()),
                    Instr::I32Add => self.binary(|a: u32, b| a.wrapping_add(b)),
                    Instr::I32Sub => self.binary(|a: u32, b| a.wrapping_sub(b)),
                    Instr::I32Mul => self.binary(|a: u32, b| a.wrapping_mul(b)),
                    Instr::I32DivS => self.binary_trap(num::i32_div_s)?,
                    Instr::I32DivU => self.binary_trap(num::div_u::<u32>)?,
                    Instr::I32RemS => self.binary_trap(num::i32_rem_s)?,
                    Instr::I32RemU => self.binary_trap(num::rem_u::<u32>)?,
                    Instr::I32And => self.binary(|a: u32, b| a & b),
                    Instr::I32Or => self.binary(|a: u32, b| a | b),
                    Instr::I32Xor => self.binary(|a: u32, b| a ^ b),
                    Instr::I32Shl => self.binary(|a: u32, b| a.wrapping_shl(b)),
                    Instr::I32ShrS => self.binary(|a: i32, b| a.wrapping_shr(b as u32)),
                    Instr::I32ShrU => self.binary(|a: u32, b| a.wrapping_shr(b)),
                    Instr::I32Rotl => self.binary(|a: u32, b| a.rotate_left(b)),
                    Instr::I32Rotr => self.binary(|a: u32, b| a.rotate_right(b)),

                    Instr::I64Eqz => self.unary(|a: u64| a == 0),
                    Instr::I64Eq => self.binary(|a: u64, b| a == b),
                    Instr::I64Ne => self.binary(|a: u64, b| a != b),
                    Instr::I64LtS => self.binary(|a: i64, b| a < b),
                    Instr::I64LtU => self.binary(|a: u64, b| a < b),
                    Instr::I64GtS => self.binary(|a: i64, b| a > b),
                    Instr::I64GtU => self.binary(|a: u64, b| a > b),
                    Instr::I64LeS => self.binary(|a: i64, b| a <= b),
                    Instr::I64LeU => self.binary(|a: u64, b| a <= b),
                    Instr::I64GeS => self.binary(|a: i64, b| a >= b),
                    Instr::I64GeU => self.binary(|a: u64, b| a >= b),
                    Instr::I64Clz => self.unary(|a: u64| u64::from(a.leading_zeros())),
                    Instr::I64Ctz => self.unary(|a: u64| u64::from(a.trailing_zeros())),
                    Instr::I64Popcnt => self.unary(|a: u64| u64::from(a.count_ones())),
                    Instr::I64Add => self.binary(|a: u64, b| a.wrapping_add(b)),
                    Instr::I64Sub => self.binary(|a: u64, b| a.wrapping_sub(b)),
                    Instr::I64Mul => self.binary(|a: u64, b| a.wrapping_mul(b)),
                    Instr::I64DivS => self.binary_trap(num::i64_div_s)?,
                    Instr::I64DivU => self.binary_trap(num::div_u::<u64>)?,
                    Instr::I64RemS => self.binary_trap(num::i64_rem_s)?,
                    Instr::I64RemU => self.binary_trap(num::rem_u::<u64>)?,
                    Instr::I64And => self.binary(|a: u64, b| a & b),
                    Instr::I64Or => self.binary(|a: u64, b| a | b),
                    Instr::I64Xor => self.binary(|a: u64, b| a ^ b),
                    Instr::I64Shl => self.binary(|a: u64, b| a.wrapping_shl(b as u32)),
                    Instr::I64ShrS => self.binary(|a: i64, b| a.wrapping_shr(b as u32)),
                    Instr::I64ShrU => self.binary(|a: u64, b| a.wrapping_shr(b as u32)),
                    Instr::I64Rotl => self.binary(|a: u64, b| a.rotate_left(b as u32)),
                    Instr::I64Rotr => self.binary(|a: u64, b| a.rotate_right(b as u32)),

                    Instr::F32Eq => self.binary(|a: f32, b| a == b),
                    Instr::F32Ne => self.binary(|a: f32, b| a != b),
                    Instr::F32Lt => self.binary(|a: f32, b| a < b),
                    Instr::F32Gt => self.binary(|a: f32, b| a > b),
                    Instr::F32Le => self.binary(|a: f32, b| a <= b),
                    Instr::F32Ge => self.binary(|a: f32, b| a >= b),
                    Instr::F32Abs => self.unary(|a: u32| a & 0x7fff_ffff),
                    Instr::F32Neg => self.unary(|a: u32| a ^ 0x8000_0000),
                    Instr::F32Copysign => {
                        self.binary(|a: u32, b: u32| (a & 0x7fff_ffff) | (b & 0x8000_0000))
                    }
                    Instr::F32Ceil => self.unary(|a: f32| num::canon32(a.ceil())),
                    Instr::F32Floor => self.unary(|a: f32| num::canon32(a.floor())),
                    Instr::F32Trunc => self.unary(|a: f32| num::canon32(a.trunc())),
                    Instr::F32Nearest => self.unary(|a: f32| num::canon32(a.round_ties_even())),
                    Instr::F32Sqrt => self.unary(|a: f32| num::canon32(a.sqrt())),
                    Instr::F32Add => self.binary(|a: f32, b| num::canon32(a + b)),
                    Instr::F32Sub => self.binary(|a: f32, b| num::canon32(a - b)),
                    Instr::F32Mul => self.binary(|a: f32, b| num::canon32(a * b)),
                    Instr::F32Div => self.binary(|a: f32, b| num::canon32(a / b)),
                    Instr::F32Min => self.binary(num::min::<f32>),
                    Instr::F32Max => self.binary(num::max::<f32>),

                    Instr::F64Eq => self.binary(|a: f64, b| a == b),
                    Instr::F64Ne => self.binary(|a: f64, b| a != b),
                    Instr::F64Lt => self.binary(|a: f64, b| a < b),
                    Instr::F64Gt => self.binary(|a: f64, b| a > b),
                    Instr::F64Le => self.binary(|a: f64, b| a <= b),
                    Instr::F64Ge => self.binary(|a: f64, b| a >= b),
                    Instr::F64Abs => self.unary(|a: u64| a & !(1 << 63)),
                    Instr::F64Neg => self.unary(|a: u64| a ^ (1 << 63)),
                    Instr::F64Copysign => {
                        self.binary(|a: u64, b: u64| (a & !(1 << 63)) | (b & (1 << 63)))
                    }
                    Instr::F64Ceil => self.unary(|a: f64| num::canon64(a.ceil())),
                    Instr::F64Floor => self.unary(|a: f64| num::canon64(a.floor())),
                    Instr::F64Trunc => self.unary(|a: f64| num::canon64(a.trunc())),
                    Instr::F64Nearest => self.unary(|a: f64| num::canon64(a.round_ties_even())),
                    Instr::F64Sqrt => self.unary(|a: f64| num::canon64(a.sqrt())),
                    Instr::F64Add => self.binary(|a: f64, b| num::canon64(a + b)),
                    Instr::F64Sub => self.binary(|a: f64, b| num::canon64(a - b)),
                    Instr::F64Mul => self.binary(|a: f64, b| num::canon64(a * b)),
                    Instr::F64Div => self.binary(|a: f64, b| num::canon64(a / b)),
                    Instr::F64Min => self.binary(num::min::<f64>),
                    Instr::F64Max => self.binary(num::max::<f64>),

                    Instr::I32WrapI64 => self.unary(|a: u64| a as u32),
                    Instr::I32TruncF32S => self.unary_trap(|a: f32| cv::trunc_i32(f64::from(a)))?,
                    Instr::I32TruncF32U => self.unary_trap(|a: f32| cv::trunc_u32(f64::from(a)))?,
                    Instr::I32TruncF64S => self.unary_trap(cv::trunc_i32)?,
                    Instr::I32TruncF64U => self.unary_trap(cv::trunc_u32)?,
                    Instr::I64ExtendI32S => self.unary(|a: i32| i64::from(a)),
                    Instr::I64ExtendI32U => self.unary(|a: u32| u64::from(a)),
                    Instr::I64TruncF32S => self.unary_trap(|a: f32| cv::trunc_i64(f64::from(a)))?,
                    Instr::I64TruncF32U => self.unary_trap(|a: f32| cv::trunc_u64(f64::from(a)))?,
                    Instr::I64TruncF64S => self.unary_trap(cv::trunc_i64)?,
                    Instr::I64TruncF64U => self.unary_trap(cv::trunc_u64)?,
                    Instr::F32ConvertI32S => self.unary(|a: i32| a as f32),
                    Instr::F32ConvertI32U => self.unary(|a: u32| a as f32),
                    Instr::F32ConvertI64S => self.unary(|a: i64| a as f32),
                    Instr::F32ConvertI64U => self.unary(|a: u64| a as f32),
                    Instr::F32DemoteF64 => self.unary(|a: f64| num::canon32(a as f32)),
                    Instr::F64ConvertI32S => self.unary(|a: i32| f64::from(a)),
                    Instr::F64ConvertI32U => self.unary(|a: u32| f64::from(a)),
                    Instr::F64ConvertI64S => self.unary(|a: i64| a as f64),
                    Instr::F64ConvertI64U => self.unary(|a: u64| a as f64),
                    Instr::F64PromoteF32 => self.unary(|a: f32| num::canon64(f64::from(a))),
                    Instr::I32Extend8S => self.unary(|a: u32| i32::from(a as i8)),
                    Instr::I32Extend16S => self.unary(|a: u32| i32::from(a as i16)),
                    Instr::I64Extend8S => self.unary(|a: u64| i64::from(a as i8)),
                    Instr::I64Extend16S => self.unary(|a: u64| i64::from(a as i16)),
                    Instr::I64Extend32S => self.unary(|a: u64| i64::from(a as i32)),
                    Instr::I32TruncSatF32S => self.unary(|a: f32| a as i32),
                    Instr::I32TruncSatF32U => self.unary(|a: f32| a as u32),
                    Instr::I32TruncSatF64S => self.unary(|a: f64| a as i32),
                    Instr::I32TruncSatF64U => self.unary(|a: f64| a as u32),
                    Instr::I64TruncSatF32S => self.unary(|a: f32| a as i64),
                    Instr::I64TruncSatF32U => self.unary(|a: f32| a as u64),
                    Instr::I64TruncSatF64S => self.unary(|a: f64| a as i64),
                    Instr::I64TruncSatF64U => self.unary(|a: f64| a as u64),
                }
            }
        }
    }
}
