//! The `atfn` command line.
fn main() {}
