//! Instruction semantics, one file per family, each an `impl Executor` block, plus the
//! cell conversions and operand helpers they share.

mod control;
pub(super) mod convert;
mod memory;
pub(super) mod numeric;
mod table;
mod variable;

pub(crate) use control::frame_setup;
pub(crate) use memory::in_bounds;

use super::Executor;
use crate::error::Trap;

/// A Rust type a value-stack cell can be read as and written from (see [`crate::value`]).
pub(crate) trait Cell: Copy {
    fn from_cell(cell: u64) -> Self;
    fn into_cell(self) -> u64;
}

macro_rules! int_cell {
    ($($t:ty => $u:ty),*) => {$(
        impl Cell for $t {
            #[inline(always)]
            fn from_cell(cell: u64) -> Self { cell as $u as $t }
            #[inline(always)]
            fn into_cell(self) -> u64 { self as $u as u64 }
        }
    )*};
}
int_cell!(i32 => u32, u32 => u32, i64 => u64, u64 => u64);

impl Cell for f32 {
    #[inline(always)]
    fn from_cell(cell: u64) -> Self {
        f32::from_bits(cell as u32)
    }
    #[inline(always)]
    fn into_cell(self) -> u64 {
        u64::from(self.to_bits())
    }
}

impl Cell for f64 {
    #[inline(always)]
    fn from_cell(cell: u64) -> Self {
        f64::from_bits(cell)
    }
    #[inline(always)]
    fn into_cell(self) -> u64 {
        self.to_bits()
    }
}

impl Cell for bool {
    #[inline(always)]
    fn from_cell(cell: u64) -> Self {
        cell != 0
    }
    #[inline(always)]
    fn into_cell(self) -> u64 {
        u64::from(self)
    }
}

impl Executor<'_> {
    /// Replaces the top cell `a` with `f(a)`.
    #[inline(always)]
    pub(super) fn unary<A: Cell, R: Cell>(&mut self, f: impl FnOnce(A) -> R) {
        let top = self.top();
        *top = f(A::from_cell(*top)).into_cell();
    }

    /// Like [`Self::unary`] for operators that may trap.
    #[inline(always)]
    pub(super) fn unary_trap<A: Cell, R: Cell>(
        &mut self,
        f: impl FnOnce(A) -> Result<R, Trap>,
    ) -> Result<(), Trap> {
        let top = self.top();
        *top = f(A::from_cell(*top))?.into_cell();
        Ok(())
    }

    /// Pops `b`, replaces the top `a` with `f(a, b)`.
    #[inline(always)]
    pub(super) fn binary<A: Cell, R: Cell>(&mut self, f: impl FnOnce(A, A) -> R) {
        let b = A::from_cell(self.pop());
        let top = self.top();
        *top = f(A::from_cell(*top), b).into_cell();
    }

    /// Like [`Self::binary`] for operators that may trap.
    #[inline(always)]
    pub(super) fn binary_trap<A: Cell, R: Cell>(
        &mut self,
        f: impl FnOnce(A, A) -> Result<R, Trap>,
    ) -> Result<(), Trap> {
        let b = A::from_cell(self.pop());
        let top = self.top();
        *top = f(A::from_cell(*top), b)?.into_cell();
        Ok(())
    }
}
