use super::*;

#[test]
fn pack_unpack_round_trip() {
    assert_eq!(unpack(pack(0xdead_beef, 0x1234)), (0xdead_beef, 0x1234));
    assert_eq!(unpack(pack(u32::MAX, u32::MAX)), (u32::MAX, u32::MAX));
}

fn double(n: i64) -> Result<i64, String> {
    n.checked_mul(2).ok_or_else(|| "overflow".to_string())
}

#[test]
fn call_json_ok() {
    assert_eq!(call_json(b"21", double), b"42");
}

#[test]
fn call_json_function_error() {
    assert_eq!(
        String::from_utf8(call_json(b"9223372036854775807", double)).unwrap(),
        r#"{"ok":false,"error":"overflow"}"#
    );
}

#[test]
fn call_json_invalid_input() {
    assert_eq!(
        String::from_utf8(call_json(b"\"x\"", double)).unwrap(),
        r#"{"ok":false,"error":"invalid input: invalid type: string \"x\", expected i64 at line 1 column 3"}"#
    );
}

#[test]
fn alloc_zero_is_dangling() {
    assert_eq!(alloc(0), 1);
    // SAFETY: zero-length blocks are never freed.
    unsafe { dealloc(1, 0) };
}
