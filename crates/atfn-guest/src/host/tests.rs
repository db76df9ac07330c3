use super::*;

#[test]
fn parse_response_ok() {
    let page: Page =
        parse_response(br#"{"ok":true,"records":[{"uri":"at://a/b/c","cid":"x","value":{}}]}"#)
            .unwrap();
    assert_eq!(page.records.len(), 1);
    assert_eq!(page.cursor, None);
}

#[test]
fn parse_response_host_error_passes_through() {
    let err = parse_response::<Page>(
        br#"{"ok":false,"error":"forbidden: at://a is not in allowedHosts"}"#,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "forbidden: at://a is not in allowedHosts");
}

#[test]
fn parse_response_malformed() {
    let err = parse_response::<Page>(b"nope").unwrap_err();
    assert_eq!(
        err.to_string(),
        "malformed host response: expected ident at line 1 column 2"
    );
}

#[test]
fn off_wasm_calls_are_unavailable() {
    assert_eq!(
        read_record("at://did:plc:x").unwrap_err(),
        HostError::Unavailable
    );
}
