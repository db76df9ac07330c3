//! AT Proto registry client: at:// URIs, DID resolution, verified records and blobs, embedded registry.
