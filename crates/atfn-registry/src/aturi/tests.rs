use super::*;

fn err(s: &str) -> AtUriError {
    s.parse::<AtUri>().expect_err(s)
}

#[test]
fn parse_record_ok() {
    let uri: AtUri = "at://did:plc:abc123/at.functions.metadata/hello"
        .parse()
        .unwrap();
    assert_eq!(uri.authority_str(), "did:plc:abc123");
    assert!(matches!(uri.authority(), AtIdentifier::Did(_)));
    assert_eq!(
        uri.collection().map(|c| c.as_str()),
        Some("at.functions.metadata")
    );
    assert_eq!(uri.rkey().map(|k| k.as_str()), Some("hello"));
    assert_eq!(
        uri.to_string(),
        "at://did:plc:abc123/at.functions.metadata/hello"
    );
}

#[test]
fn parse_handle_collection_and_repo_ok() {
    let uri: AtUri = "at://alice.test/at.functions.metadata".parse().unwrap();
    assert!(matches!(uri.authority(), AtIdentifier::Handle(_)));
    assert_eq!(uri.rkey(), None);
    assert_eq!(uri.to_string(), "at://alice.test/at.functions.metadata");
    let repo: AtUri = "at://did:web:127.0.0.1%3A2584".parse().unwrap();
    assert_eq!(repo.collection(), None);
    assert_eq!(repo.to_string(), "at://did:web:127.0.0.1%3A2584");
}

#[test]
fn record_constructor_round_trips() {
    let uri = AtUri::record(
        "did:plc:abc".parse().unwrap(),
        Nsid::new("at.functions.metadata".into()).unwrap(),
        RecordKey::new("3jzfcijpj2z2a".into()).unwrap(),
    );
    assert_eq!(uri.to_string().parse::<AtUri>().unwrap(), uri);
}

#[test]
fn not_at_uri_err() {
    assert_eq!(
        err("https://example.com"),
        AtUriError::NotAtUri {
            uri: "https://example.com".into()
        }
    );
    assert_eq!(
        err("did:plc:abc"),
        AtUriError::NotAtUri {
            uri: "did:plc:abc".into()
        }
    );
}

#[test]
fn bad_authority_err() {
    assert_eq!(
        err("at://not_a_handle/at.functions.metadata/x"),
        AtUriError::BadAuthority {
            uri: "at://not_a_handle/at.functions.metadata/x".into(),
            authority: "not_a_handle".into()
        }
    );
    assert_eq!(
        err("at://"),
        AtUriError::BadAuthority {
            uri: "at://".into(),
            authority: "".into()
        }
    );
}

#[test]
fn bad_collection_err() {
    assert_eq!(
        err("at://alice.test/notansid/x"),
        AtUriError::BadCollection {
            uri: "at://alice.test/notansid/x".into(),
            nsid: "notansid".into()
        }
    );
}

#[test]
fn bad_rkey_err() {
    assert_eq!(
        err("at://alice.test/at.functions.metadata/.."),
        AtUriError::BadRecordKey {
            uri: "at://alice.test/at.functions.metadata/..".into(),
            rkey: "..".into()
        }
    );
    assert_eq!(
        err("at://alice.test/at.functions.metadata/a b"),
        AtUriError::BadRecordKey {
            uri: "at://alice.test/at.functions.metadata/a b".into(),
            rkey: "a b".into()
        }
    );
}

#[test]
fn extra_segments_err() {
    let four = "at://alice.test/at.functions.metadata/x/y";
    assert_eq!(err(four), AtUriError::ExtraSegments { uri: four.into() });
    let trailing = "at://alice.test/";
    assert_eq!(
        err(trailing),
        AtUriError::ExtraSegments {
            uri: trailing.into()
        }
    );
    let empty = "at://alice.test//x";
    assert_eq!(err(empty), AtUriError::ExtraSegments { uri: empty.into() });
}

#[test]
fn query_or_fragment_err() {
    let q = "at://alice.test/at.functions.metadata/x?cid=1";
    assert_eq!(err(q), AtUriError::QueryOrFragment { uri: q.into() });
    let f = "at://alice.test/at.functions.metadata/x#frag";
    assert_eq!(err(f), AtUriError::QueryOrFragment { uri: f.into() });
}

#[test]
fn too_long_err() {
    let long = format!("at://alice.test/at.functions.metadata/{}", "a".repeat(8200));
    assert_eq!(err(&long), AtUriError::TooLong);
}
