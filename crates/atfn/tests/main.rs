//! End-to-end tests of the `atfn` binary: the same commands, inputs and
//! outputs as the README, against the official PDS and PLC (npm, loopback),
//! the embedded registry, and a deliberately wrong PDS.

mod atfn_server;
mod bad_input;
mod cli;
mod embedded;
mod fake_pds;
mod flow;
mod official_pds;
mod pds_smoke;
mod support;
