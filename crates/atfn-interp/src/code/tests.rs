use super::*;

/// The hot loop copies instructions by value; keep them at two words.
#[test]
fn instr_is_sixteen_bytes() {
    assert_eq!(std::mem::size_of::<Instr>(), 16);
}
