use super::*;

fn hosts(entries: &[&str]) -> Vec<String> {
    entries.iter().map(|e| e.to_string()).collect()
}

#[test]
fn repo_entry_allows_the_whole_repo() {
    let allowed = hosts(&["at://did:plc:alice"]);
    assert!(allowed_by(&allowed, "at://did:plc:alice"));
    assert!(allowed_by(
        &allowed,
        "at://did:plc:alice/app.bsky.feed.post/3k"
    ));
}

#[test]
fn entry_stops_at_a_segment_boundary() {
    let allowed = hosts(&["at://did:plc:alice"]);
    assert!(!allowed_by(
        &allowed,
        "at://did:plc:alicex/app.bsky.feed.post/3k"
    ));
    assert!(!allowed_by(&allowed, "at://did:plc:bob"));
}

#[test]
fn collection_entry_allows_only_that_collection() {
    let allowed = hosts(&["at://did:plc:alice/app.bsky.feed.post/"]);
    assert!(allowed_by(
        &allowed,
        "at://did:plc:alice/app.bsky.feed.post"
    ));
    assert!(allowed_by(
        &allowed,
        "at://did:plc:alice/app.bsky.feed.post/3k"
    ));
    assert!(!allowed_by(
        &allowed,
        "at://did:plc:alice/app.bsky.feed.postx/3k"
    ));
    assert!(!allowed_by(&allowed, "at://did:plc:alice"));
}

#[test]
fn bare_did_entry_is_read_as_at_uri() {
    let allowed = hosts(&["did:plc:alice"]);
    assert!(allowed_by(&allowed, "at://did:plc:alice/x.y.z/1"));
    assert!(!allowed_by(&allowed, "did:plc:alice"));
}

#[test]
fn empty_list_or_empty_entry_allows_nothing() {
    assert!(!allowed_by(&[], "at://did:plc:alice"));
    assert!(!allowed_by(&hosts(&["", "at://"]), "at://did:plc:alice"));
}
