//! Numeric semantics that are more than one Rust operator: trapping integer division and
//! the float rules of WebAssembly 2.0 §4.3.3.
//!
//! Deterministic NaNs: every float operator whose result is a NaN and that the spec lets
//! choose a NaN (arithmetic, rounding, `sqrt`, `min`/`max`, demote/promote) returns the
//! positive canonical NaN (`0x7fc00000` / `0x7ff8000000000000`), so results are bit-identical
//! on every host architecture. Sign and bit operators (`abs`, `neg`, `copysign`, loads,
//! stores, reinterpretations) keep payloads exactly, as the spec requires.

use crate::error::Trap;

/// Returns the positive canonical NaN (`0x7fc00000`) for any NaN, `x` otherwise.
///
/// The NaN test reads the bits instead of calling `is_nan`: LLVM rewrites
/// `is_nan(sqrt(a))` to `a < 0 || is_nan(a)` and then folds
/// `select(a < 0, NaN, sqrt(a))` into `sqrt(a)` (it treats all NaNs as interchangeable),
/// which let x86's negative default NaN through (differential seed 13437).
#[inline(always)]
pub(crate) fn canon32(x: f32) -> f32 {
    if x.to_bits() & 0x7fff_ffff > 0x7f80_0000 {
        f32::from_bits(0x7fc0_0000)
    } else {
        x
    }
}

/// Returns the positive canonical NaN (`0x7ff8000000000000`) for any NaN, `x` otherwise.
/// The NaN test reads the bits, for the reason given at [`canon32`].
#[inline(always)]
pub(crate) fn canon64(x: f64) -> f64 {
    if x.to_bits() & 0x7fff_ffff_ffff_ffff > 0x7ff0_0000_0000_0000 {
        f64::from_bits(0x7ff8_0000_0000_0000)
    } else {
        x
    }
}

/// Float operations `min`/`max` need beyond `std`.
pub(crate) trait Float: Copy + PartialOrd {
    fn nan() -> Self;
    fn is_nan(self) -> bool;
    fn is_zero(self) -> bool;
    /// Bitwise OR of both operands (for `min` of zeros: -0 wins).
    fn or_bits(self, other: Self) -> Self;
    /// Bitwise AND of both operands (for `max` of zeros: +0 wins).
    fn and_bits(self, other: Self) -> Self;
}

macro_rules! float {
    ($t:ty, $nan:expr) => {
        impl Float for $t {
            #[inline(always)]
            fn nan() -> Self {
                <$t>::from_bits($nan)
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            #[inline(always)]
            fn is_zero(self) -> bool {
                self == 0.0
            }
            #[inline(always)]
            fn or_bits(self, other: Self) -> Self {
                <$t>::from_bits(self.to_bits() | other.to_bits())
            }
            #[inline(always)]
            fn and_bits(self, other: Self) -> Self {
                <$t>::from_bits(self.to_bits() & other.to_bits())
            }
        }
    };
}
float!(f32, 0x7fc0_0000);
float!(f64, 0x7ff8_0000_0000_0000);

/// `fmin`: NaN if either is NaN, -0 below +0.
#[inline(always)]
pub(crate) fn min<F: Float>(a: F, b: F) -> F {
    if a.is_nan() || b.is_nan() {
        F::nan()
    } else if a.is_zero() && b.is_zero() {
        a.or_bits(b)
    } else if a < b {
        a
    } else {
        b
    }
}

/// `fmax`: NaN if either is NaN, +0 above -0.
#[inline(always)]
pub(crate) fn max<F: Float>(a: F, b: F) -> F {
    if a.is_nan() || b.is_nan() {
        F::nan()
    } else if a.is_zero() && b.is_zero() {
        a.and_bits(b)
    } else if a > b {
        a
    } else {
        b
    }
}

/// Unsigned integer types for shared division code.
pub(crate) trait Unsigned:
    Copy + Eq + Default + std::ops::Div<Output = Self> + std::ops::Rem<Output = Self>
{
}
impl Unsigned for u32 {}
impl Unsigned for u64 {}

#[inline(always)]
pub(crate) fn div_u<T: Unsigned>(a: T, b: T) -> Result<T, Trap> {
    if b == T::default() {
        return Err(Trap::DivisionByZero);
    }
    Ok(a / b)
}

#[inline(always)]
pub(crate) fn rem_u<T: Unsigned>(a: T, b: T) -> Result<T, Trap> {
    if b == T::default() {
        return Err(Trap::DivisionByZero);
    }
    Ok(a % b)
}

macro_rules! signed_div {
    ($div:ident, $rem:ident, $t:ty) => {
        #[inline(always)]
        pub(crate) fn $div(a: $t, b: $t) -> Result<$t, Trap> {
            if b == 0 {
                return Err(Trap::DivisionByZero);
            }
            a.checked_div(b).ok_or(Trap::IntegerOverflow)
        }

        #[inline(always)]
        pub(crate) fn $rem(a: $t, b: $t) -> Result<$t, Trap> {
            if b == 0 {
                return Err(Trap::DivisionByZero);
            }
            Ok(a.wrapping_rem(b))
        }
    };
}
signed_div!(i32_div_s, i32_rem_s, i32);
signed_div!(i64_div_s, i64_rem_s, i64);

#[cfg(test)]
mod tests;
