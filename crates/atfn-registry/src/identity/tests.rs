use super::*;

fn did(s: &str) -> Did {
    s.parse().unwrap()
}

#[test]
fn did_web_url_loopback_uses_http_with_port() {
    assert_eq!(
        did_web_url(&did("did:web:127.0.0.1%3A2584")).unwrap(),
        "http://127.0.0.1:2584/.well-known/did.json"
    );
    assert_eq!(
        did_web_url(&did("did:web:localhost%3a8080")).unwrap(),
        "http://localhost:8080/.well-known/did.json"
    );
    assert_eq!(
        did_web_url(&did("did:web:%5B%3A%3A1%5D%3A9000")).unwrap(),
        "http://[::1]:9000/.well-known/did.json"
    );
}

#[test]
fn did_web_url_public_uses_https() {
    assert_eq!(
        did_web_url(&did("did:web:example.com")).unwrap(),
        "https://example.com/.well-known/did.json"
    );
    assert_eq!(
        did_web_url(&did("did:web:example.com%3A8443")).unwrap(),
        "https://example.com:8443/.well-known/did.json"
    );
    // A name that merely starts with "localhost" is not loopback.
    assert_eq!(
        did_web_url(&did("did:web:localhost.example.com")).unwrap(),
        "https://localhost.example.com/.well-known/did.json"
    );
}

#[test]
fn did_web_url_path_err() {
    let e = did_web_url(&did("did:web:example.com:user:alice")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "could not resolve DID did:web:example.com:user:alice: did:web with a path is not supported by AT Proto"
    );
}

#[test]
fn did_web_url_bad_percent_err() {
    let e = did_web_url(&did("did:web:example.com%FF")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "could not resolve DID did:web:example.com%FF: invalid percent-encoding"
    );
}

/// The form served by `@did-plc/server@0.0.1` (legacy verification method).
const LEGACY_DOC: &str = r##"{
  "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/secp256k1-2019/v1"],
  "id": "did:plc:ewvi7nxzyoun6zhxrhs64oiz",
  "alsoKnownAs": ["at://alice.test"],
  "verificationMethod": [{
    "id": "#atproto",
    "type": "EcdsaSecp256k1VerificationKey2019",
    "controller": "did:plc:ewvi7nxzyoun6zhxrhs64oiz",
    "publicKeyMultibase": "zQYEBzXeuTM9UR3rfvNag6L3RNAs5pQZyYPsomTsgQhsxLdEgCrPTLgFna8yqCnxPpNT7DBk6Ym3dgPKNu86vt9GR"
  }],
  "service": [{
    "id": "#atproto_pds",
    "type": "AtprotoPersonalDataServer",
    "serviceEndpoint": "http://localhost:2583"
  }]
}"##;

/// The form served by plc.directory today (Multikey).
const MULTIKEY_DOC: &str = r##"{
  "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1", "https://w3id.org/security/suites/secp256k1-2019/v1"],
  "id": "did:plc:ewvi7nxzyoun6zhxrhs64oiz",
  "alsoKnownAs": ["at://atproto.com"],
  "verificationMethod": [{
    "id": "did:plc:ewvi7nxzyoun6zhxrhs64oiz#atproto",
    "type": "Multikey",
    "controller": "did:plc:ewvi7nxzyoun6zhxrhs64oiz",
    "publicKeyMultibase": "zQ3shunBKsXixLxKtC5qeSG9E4J5RkGN57im31pcTzbNQnm5w"
  }],
  "service": [{
    "id": "#atproto_pds",
    "type": "AtprotoPersonalDataServer",
    "serviceEndpoint": "https://enoki.us-east.host.bsky.network/"
  }]
}"##;

#[test]
fn parse_legacy_verification_method_ok() {
    let d = did("did:plc:ewvi7nxzyoun6zhxrhs64oiz");
    let doc = parse_did_doc(&d, LEGACY_DOC.as_bytes()).unwrap();
    assert_eq!(pds_endpoint(&d, &doc).unwrap(), "http://localhost:2583");
}

#[test]
fn parse_multikey_verification_method_ok() {
    let d = did("did:plc:ewvi7nxzyoun6zhxrhs64oiz");
    let doc = parse_did_doc(&d, MULTIKEY_DOC.as_bytes()).unwrap();
    assert_eq!(
        pds_endpoint(&d, &doc).unwrap(),
        "https://enoki.us-east.host.bsky.network"
    );
}

#[test]
fn no_pds_err() {
    let d = did("did:web:example.com");
    let doc = parse_did_doc(&d, br##"{"id":"did:web:example.com","service":[{"id":"#bsky_fg","type":"BskyFeedGenerator","serviceEndpoint":"https://x.example"}]}"##).unwrap();
    assert_eq!(
        pds_endpoint(&d, &doc).unwrap_err().to_string(),
        "DID did:web:example.com has no #atproto_pds service endpoint"
    );
}

#[test]
fn not_a_did_doc_err() {
    let d = did("did:web:example.com");
    let e = parse_did_doc(&d, b"<html>").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("could not resolve DID did:web:example.com: invalid DID document:"),
        "{e}"
    );
}
