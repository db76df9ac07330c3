use super::*;

fn packed(ptr: u32, len: u32) -> i64 {
    ((u64::from(ptr) << 32) | u64::from(len)) as i64
}

#[test]
fn read_output_ok() {
    let memory = b"xx{\"ok\":true}yy";
    assert_eq!(
        read_output(memory, packed(2, 11), 1024).unwrap(),
        serde_json::json!({"ok": true})
    );
}

#[test]
fn read_output_too_large() {
    let err = read_output(&[0; 16], packed(0, 2048), 1024).unwrap_err();
    assert_eq!(
        err.to_string(),
        "output too large: 2048 bytes (limit 1024 bytes)"
    );
}

#[test]
fn read_output_out_of_bounds() {
    let err = read_output(&[0; 16], packed(10, 7), 1024).unwrap_err();
    assert_eq!(
        err.to_string(),
        "output out of bounds: 7 bytes at 10, memory is 16 bytes"
    );
}

#[test]
fn read_output_end_overflowing_u32_is_out_of_bounds() {
    let err = read_output(&[0; 16], packed(u32::MAX, 2), 1024).unwrap_err();
    assert_eq!(
        err.to_string(),
        "output out of bounds: 2 bytes at 4294967295, memory is 16 bytes"
    );
}

#[test]
fn read_output_not_utf8() {
    let err = read_output(b"\"\xff\"", packed(0, 3), 1024).unwrap_err();
    assert_eq!(
        err.to_string(),
        "output is not UTF-8: invalid utf-8 sequence of 1 bytes from index 1"
    );
}

#[test]
fn read_output_not_json() {
    let err = read_output(b"{ok}", packed(0, 4), 1024).unwrap_err();
    assert_eq!(
        err.to_string(),
        "output is not JSON: key must be a string at line 1 column 2"
    );
}

#[test]
fn ticks_round_up() {
    assert_eq!(ticks(100, 1), 100);
    assert_eq!(ticks(100, 3), 34);
    assert_eq!(ticks(5, 0), 5);
}
