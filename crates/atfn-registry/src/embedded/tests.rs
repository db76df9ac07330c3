use super::*;

#[test]
fn did_for_loopback_url_ok() {
    assert_eq!(
        did_for_url("http://127.0.0.1:2584").unwrap(),
        (
            "did:web:127.0.0.1%3A2584".to_owned(),
            "http://127.0.0.1:2584".to_owned()
        )
    );
    assert_eq!(
        did_for_url("http://localhost:80/").unwrap().0,
        "did:web:localhost"
    );
    assert_eq!(
        did_for_url("http://[::1]:9000").unwrap().0,
        "did:web:%5B%3A%3A1%5D%3A9000"
    );
    assert_eq!(
        did_for_url("https://fn.example.com").unwrap().0,
        "did:web:fn.example.com"
    );
}

#[test]
fn did_for_url_err() {
    let reason = |url: &str| match did_for_url(url) {
        Err(EmbeddedError::PublicUrl { reason, .. }) => reason,
        other => panic!("{url}: {other:?}"),
    };
    assert_eq!(
        reason("ftp://127.0.0.1:2584"),
        "scheme must be http or https"
    );
    assert_eq!(reason("not a url"), "not a URL");
    assert_eq!(
        reason("http://192.168.1.2:2584"),
        "http is only allowed for loopback hosts; use https"
    );
    assert_eq!(
        reason("http://127.0.0.1:2584/pds"),
        "must have no path, query or fragment"
    );
}
