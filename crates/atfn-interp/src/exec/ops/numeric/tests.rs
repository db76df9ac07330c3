use super::*;

#[test]
fn min_max_zero_signs() {
    assert_eq!(min(0.0f32, -0.0).to_bits(), (-0.0f32).to_bits());
    assert_eq!(max(-0.0f64, 0.0).to_bits(), 0.0f64.to_bits());
}

#[test]
fn nan_results_are_canonical() {
    let weird = f32::from_bits(0x7fa0_0001);
    assert_eq!(canon32(weird + 1.0).to_bits(), 0x7fc0_0000);
    assert_eq!(min(weird, 1.0).to_bits(), 0x7fc0_0000);
    assert_eq!(
        canon64(f64::from_bits(0xfff0_0000_0000_0001) + 1.0).to_bits(),
        0x7ff8_0000_0000_0000
    );
}

#[test]
fn division_traps() {
    assert_eq!(i32_div_s(i32::MIN, -1), Err(Trap::IntegerOverflow));
    assert_eq!(i64_rem_s(i64::MIN, -1), Ok(0));
    assert_eq!(div_u(1u32, 0), Err(Trap::DivisionByZero));
}
