-- Embedded registry schema v1: one account (the repo of the node's did:web), its sessions,
-- records and blobs.
CREATE TABLE account (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    handle        TEXT NOT NULL,
    password_salt BLOB NOT NULL,
    password_hash BLOB NOT NULL
);

CREATE TABLE session (
    token      TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    created_at INTEGER NOT NULL
);

CREATE TABLE record (
    collection TEXT NOT NULL,
    rkey       TEXT NOT NULL,
    cid        TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (collection, rkey)
);

CREATE TABLE blob (
    cid       TEXT PRIMARY KEY,
    mime_type TEXT NOT NULL,
    size      INTEGER NOT NULL,
    bytes     BLOB NOT NULL
);
