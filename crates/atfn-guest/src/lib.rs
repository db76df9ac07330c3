//! Guest SDK: write atfn functions in Rust as fn(Input) -> Result<Output, Error>.
