use super::*;
use serde_json::json;

const CODE_CID: &str = "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq";

fn minimal() -> Value {
    json!({
        "$type": "at.functions.metadata",
        "name": "hello",
        "version": "1.0.0",
        "mode": "pure-v1",
        "code": { "$type": "blob", "ref": { "$link": CODE_CID }, "mimeType": "application/wasm", "size": 5 },
        "entrypoint": "run",
        "inputEncoding": "application/json",
        "outputEncoding": "application/json",
    })
}

fn with(field: &str, value: Value) -> Value {
    let mut v = minimal();
    v[field] = value;
    v
}

fn without(field: &str) -> Value {
    let mut v = minimal();
    v.as_object_mut().unwrap().remove(field);
    v
}

fn err(v: Value) -> LexiconError {
    FunctionRecord::from_value(&v).expect_err("record should be invalid")
}

#[test]
fn minimal_ok_with_defaults() {
    let r = FunctionRecord::from_value(&minimal()).unwrap();
    assert_eq!(r.name, "hello");
    assert_eq!(r.version, "1.0.0");
    assert_eq!(r.mode, "pure-v1");
    assert_eq!(
        r.code,
        BlobRef {
            cid: CODE_CID.into(),
            mime_type: "application/wasm".into(),
            size: 5
        }
    );
    assert!(r.public);
    assert_eq!(r.max_memory_mb, 32);
    assert_eq!(r.max_duration_ms, 100);
    assert_eq!(r.description, None);
    assert_eq!(r.input_schema, None);
    assert_eq!(r.output_schema, None);
    assert_eq!(r.allowed_hosts, None);
}

#[test]
fn full_ok_and_unknown_fields_ignored() {
    let mut v = minimal();
    v["public"] = json!(false);
    v["description"] = json!("says hello");
    v["inputSchema"] = json!({ "type": "object", "properties": { "name": { "type": "string" } } });
    v["outputSchema"] =
        json!({ "$schema": "http://json-schema.org/draft-07/schema#", "type": "string" });
    v["maxMemoryMb"] = json!(256);
    v["maxDurationMs"] = json!(1);
    v["allowedHosts"] = json!(["at://did:plc:abc/app.bsky.feed.post"]);
    v["updatedAt"] = json!("2026-01-01T00:00:00Z");
    v["mode"] = json!("future-v9");
    let r = FunctionRecord::from_value(&v).unwrap();
    assert!(!r.public);
    assert_eq!(r.mode, "future-v9");
    assert_eq!(r.description.as_deref(), Some("says hello"));
    assert!(r.input_schema.is_some() && r.output_schema.is_some());
    assert_eq!((r.max_memory_mb, r.max_duration_ms), (256, 1));
    assert_eq!(
        r.allowed_hosts,
        Some(vec!["at://did:plc:abc/app.bsky.feed.post".to_owned()])
    );
}

#[test]
fn not_object_err() {
    assert_eq!(err(json!([1])), LexiconError::NotObject);
}

#[test]
fn missing_required_err() {
    for field in [
        "name",
        "version",
        "mode",
        "code",
        "entrypoint",
        "inputEncoding",
        "outputEncoding",
    ] {
        assert_eq!(
            err(without(field)),
            LexiconError::Missing { field },
            "{field}"
        );
    }
}

#[test]
fn wrong_type_err() {
    let string = "a string";
    assert_eq!(
        err(with("name", json!(1))),
        LexiconError::WrongType {
            field: "name",
            expected: string
        }
    );
    assert_eq!(
        err(with("mode", json!(null))),
        LexiconError::WrongType {
            field: "mode",
            expected: string
        }
    );
    assert_eq!(
        err(with("description", json!(["x"]))),
        LexiconError::WrongType {
            field: "description",
            expected: string
        }
    );
    assert_eq!(
        err(with("public", json!("yes"))),
        LexiconError::WrongType {
            field: "public",
            expected: "a boolean"
        }
    );
    assert_eq!(
        err(with("maxMemoryMb", json!(1.5))),
        LexiconError::WrongType {
            field: "maxMemoryMb",
            expected: "an integer"
        }
    );
    assert_eq!(
        err(with("allowedHosts", json!(["ok", 2]))),
        LexiconError::WrongType {
            field: "allowedHosts",
            expected: "an array of strings"
        }
    );
    assert_eq!(
        err(with("allowedHosts", json!("at://x"))),
        LexiconError::WrongType {
            field: "allowedHosts",
            expected: "an array of strings"
        }
    );
}

#[test]
fn max_length_counts_utf8_bytes() {
    // 128 bytes is fine; 43 three-byte characters are 129 bytes but only 43 characters.
    assert!(FunctionRecord::from_value(&with("name", json!("a".repeat(128)))).is_ok());
    assert_eq!(
        err(with("name", json!("€".repeat(43)))),
        LexiconError::TooLong {
            field: "name",
            max: 128,
            len: 129
        }
    );
    assert_eq!(
        err(with("version", json!("1".repeat(33)))),
        LexiconError::TooLong {
            field: "version",
            max: 32,
            len: 33
        }
    );
    assert_eq!(
        err(with("description", json!("d".repeat(2049)))),
        LexiconError::TooLong {
            field: "description",
            max: 2048,
            len: 2049
        }
    );
}

#[test]
fn const_err() {
    assert_eq!(
        err(with("entrypoint", json!("main"))),
        LexiconError::NotConst {
            field: "entrypoint",
            expected: "run",
            got: "main".into()
        }
    );
    assert_eq!(
        err(with("inputEncoding", json!("text/plain"))),
        LexiconError::NotConst {
            field: "inputEncoding",
            expected: "application/json",
            got: "text/plain".into()
        }
    );
    assert_eq!(
        err(with("outputEncoding", json!("application/cbor"))),
        LexiconError::NotConst {
            field: "outputEncoding",
            expected: "application/json",
            got: "application/cbor".into()
        }
    );
}

#[test]
fn integer_bounds_err() {
    assert_eq!(
        err(with("maxMemoryMb", json!(0))),
        LexiconError::TooSmall {
            field: "maxMemoryMb",
            min: 1
        }
    );
    assert_eq!(
        err(with("maxMemoryMb", json!(257))),
        LexiconError::TooLarge {
            field: "maxMemoryMb",
            max: 256
        }
    );
    assert_eq!(
        err(with("maxDurationMs", json!(0))),
        LexiconError::TooSmall {
            field: "maxDurationMs",
            min: 1
        }
    );
    assert_eq!(
        err(with("maxDurationMs", json!(5001))),
        LexiconError::TooLarge {
            field: "maxDurationMs",
            max: 5000
        }
    );
    assert_eq!(
        err(with("maxMemoryMb", json!(257))).to_string(),
        "maxMemoryMb must be at most 256"
    );
}

#[test]
fn blob_shape_err() {
    let bad = |reason| LexiconError::BadBlob {
        field: "code",
        reason,
    };
    assert_eq!(err(with("code", json!("bafkrei"))), bad("not an object"));
    assert_eq!(
        err(with(
            "code",
            json!({ "cid": CODE_CID, "mimeType": "application/wasm" })
        )),
        bad("$type must be \"blob\"")
    );
    let blob = |r: Value, m: Value, s: Value| json!({ "$type": "blob", "ref": r, "mimeType": m, "size": s });
    assert_eq!(
        err(with(
            "code",
            blob(json!(CODE_CID), json!("application/wasm"), json!(5))
        )),
        bad("ref must be {\"$link\": <CID>}")
    );
    assert_eq!(
        err(with(
            "code",
            blob(
                json!({ "$link": "xyz" }),
                json!("application/wasm"),
                json!(5)
            )
        )),
        bad("ref.$link is not a CID")
    );
    assert_eq!(
        err(with(
            "code",
            blob(json!({ "$link": CODE_CID }), json!(null), json!(5))
        )),
        bad("mimeType must be a string")
    );
    assert_eq!(
        err(with(
            "code",
            blob(
                json!({ "$link": CODE_CID }),
                json!("application/wasm"),
                json!(-1)
            )
        )),
        bad("size must be a non-negative integer")
    );
}

#[test]
fn blob_accept_err() {
    let code = json!({ "$type": "blob", "ref": { "$link": CODE_CID }, "mimeType": "image/png", "size": 5 });
    assert_eq!(
        err(with("code", code)),
        LexiconError::BlobNotAccepted {
            field: "code",
            got: "image/png".into()
        }
    );
}

#[test]
fn schema_err() {
    let e = err(with("inputSchema", json!({ "type": "not-a-type" })));
    assert!(
        matches!(
            e,
            LexiconError::BadSchema {
                field: "inputSchema",
                ..
            }
        ),
        "{e:?}"
    );
    let e = err(with("outputSchema", json!({ "minimum": "zero" })));
    assert!(
        matches!(
            e,
            LexiconError::BadSchema {
                field: "outputSchema",
                ..
            }
        ),
        "{e:?}"
    );
}
