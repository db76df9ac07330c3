//! Integration tests of atfn-registry: the embedded registry served on loopback, read back
//! through the ordinary `Registry` client (did:web over http), plus small fake PDSes for
//! failures the embedded registry cannot produce (tampered blobs and records).

mod common;
mod embedded_wire;
mod fake_pds;
mod load;
