//! The `atfn` library: the parts of the command line that other code reuses.
//! [`publish`] is the client that publishes a `.wasm` module as an
//! `at.functions.metadata` record on a PDS; `atfn publish` and `atfn dev` call
//! it, and the end-to-end tests drive it against the official PDS.

pub mod publish;
