use super::*;
use serde_json::json;

#[test]
fn blob_cid_of_hello() {
    // crates.md, verified with cid 0.11.3.
    assert_eq!(
        blob_cid(b"hello").to_string(),
        "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq"
    );
}

#[test]
fn cid_matches_ok_and_err() {
    let cid = blob_cid(b"hello");
    assert!(cid_matches(&cid, b"hello"));
    assert!(!cid_matches(&cid, b"hellO"));
}

// Vectors from the AT Proto reference implementation's data-model fixtures
// (bluesky-social/atproto packages/lex/lex-cbor/tests/data-model-fixtures.json).
#[test]
fn record_cid_matches_interop_fixture_plain() {
    let value = json!({
        "string": "abc",
        "unicode": "a~\u{f6}\u{f1}\u{a9}\u{2f58}\u{260e}\u{132d3}\u{1f600}\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}\u{200d}\u{1f467}",
        "integer": 123,
        "bool": true,
        "null": null,
        "array": ["abc", "def", "ghi"],
        "object": { "string": "abc", "number": 123, "bool": true, "arr": ["abc", "def", "ghi"] }
    });
    assert_eq!(
        record_cid(&value).unwrap().to_string(),
        "bafyreiclp443lavogvhj3d2ob2cxbfuscni2k5jk7bebjzg7khl3esabwq"
    );
}

#[test]
fn record_cid_matches_interop_fixture_links_bytes_blob() {
    let value = json!({
        "a": { "$link": "bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a" },
        "b": { "$bytes": "nFERjvLLiw9qm45JrqH9QTzyC2Lu1Xb4ne6+sBrCzI0" },
        "c": {
            "$type": "blob",
            "ref": { "$link": "bafkreiccldh766hwcnuxnf2wh6jgzepf2nlu2lvcllt63eww5p6chi4ity" },
            "mimeType": "image/jpeg",
            "size": 10000
        }
    });
    let cbor = record_dag_cbor(&value).unwrap();
    let expected = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode("o2Fh2CpYJQABcRIgZQYqWloA/BbXPGlEI3zLwVscSnI0SJM2iR0JF0GiOdBhYlggnFERjvLLiw9qm45JrqH9QTzyC2Lu1Xb4ne6+sBrCzI1hY6RjcmVm2CpYJQABVRIgQljP/3j2E2l2l1Y/kmyR5dNXTS6iWuftktbr/COjiJ5kc2l6ZRknEGUkdHlwZWRibG9iaG1pbWVUeXBlamltYWdlL2pwZWc")
        .unwrap();
    assert_eq!(cbor, expected);
    assert_eq!(
        record_cid(&value).unwrap().to_string(),
        "bafyreihldkhcwijkde7gx4rpkkuw7pl6lbyu5gieunyc7ihactn5bkd2nm"
    );
}

#[test]
fn float_err() {
    assert_eq!(record_cid(&json!({ "x": 1.5 })), Err(DataModelError::Float));
}

#[test]
fn bad_link_err() {
    assert_eq!(
        record_cid(&json!({ "x": { "$link": "nope" } })),
        Err(DataModelError::Link("nope".into()))
    );
}

#[test]
fn bad_bytes_err() {
    assert_eq!(
        record_cid(&json!({ "x": { "$bytes": "!!" } })),
        Err(DataModelError::Bytes)
    );
}

#[test]
fn link_key_with_siblings_is_a_map() {
    // Only a single-key {"$link"} object is a link; with other keys it is an ordinary map.
    let v = json!({ "$link": "nope", "other": 1 });
    assert!(matches!(json_to_ipld(&v).unwrap(), Ipld::Map(_)));
}
