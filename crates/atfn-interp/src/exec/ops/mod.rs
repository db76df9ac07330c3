//! Instruction semantics, one file per family, each an `impl Executor` block, plus the
//! cell conversions the hot path (`exec/dispatch/`) shares.

mod control;
pub(super) mod convert;
mod memory;
pub(super) mod numeric;
mod table;

pub(crate) use control::{frame_setup, move_results};
pub(crate) use memory::in_bounds;

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
