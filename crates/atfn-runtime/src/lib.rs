//! Runs atfn functions on wasmtime: ABIs, limits, host imports, module cache.
