use super::*;

/// Every module starts with the WebAssembly magic and version 1 (binary format §5.5.16).
#[test]
fn all_are_wasm_modules() {
    for (name, bytes) in ALL {
        assert_eq!(&bytes[..8], b"\0asm\x01\0\0\0", "{name}");
    }
    assert_eq!(ALL.len(), 12);
    assert_eq!(&JS[..8], b"\0asm\x01\0\0\0");
}
