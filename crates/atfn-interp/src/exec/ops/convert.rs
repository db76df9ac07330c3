//! Trapping float-to-integer truncations (WebAssembly 2.0 §4.3.3 `trunc`): NaN traps with
//! `invalid conversion to integer`, out-of-range values with `integer overflow`. Inputs
//! are widened to `f64` (exact for `f32`) so one bound check serves both widths.

use crate::error::Trap;

#[inline(always)]
fn check(x: f64, lo_exclusive: f64, hi_exclusive: f64) -> Result<f64, Trap> {
    if x.is_nan() {
        Err(Trap::InvalidConversion)
    } else if x > lo_exclusive && x < hi_exclusive {
        Ok(x)
    } else {
        Err(Trap::IntegerOverflow)
    }
}

#[inline(always)]
pub(crate) fn trunc_i32(x: f64) -> Result<i32, Trap> {
    Ok(check(x, -2_147_483_649.0, 2_147_483_648.0)? as i32)
}

#[inline(always)]
pub(crate) fn trunc_u32(x: f64) -> Result<u32, Trap> {
    Ok(check(x, -1.0, 4_294_967_296.0)? as u32)
}

#[inline(always)]
pub(crate) fn trunc_i64(x: f64) -> Result<i64, Trap> {
    // -2^63 is exact and valid; the next f64 below it is out of range.
    if x == -9_223_372_036_854_775_808.0 {
        return Ok(i64::MIN);
    }
    Ok(check(x, -9_223_372_036_854_775_808.0, 9_223_372_036_854_775_808.0)? as i64)
}

#[inline(always)]
pub(crate) fn trunc_u64(x: f64) -> Result<u64, Trap> {
    Ok(check(x, -1.0, 18_446_744_073_709_551_616.0)? as u64)
}
