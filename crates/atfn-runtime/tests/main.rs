//! Integration tests of atfn-runtime against the real guest modules of `examples/`, compiled by
//! `atfn-examples`. One binary, one module per area.

mod abi;
mod cache;
mod engines;
mod fidelity;
mod host;
mod hostile;
mod support;
