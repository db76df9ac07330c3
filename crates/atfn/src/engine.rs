//! The `--engine` flag that `atfn run`, `atfn serve` and `atfn dev` share.

use atfn_runtime::EngineKind;

/// Which WebAssembly engine runs the functions.
#[derive(clap::Args, Debug, Clone)]
pub struct EngineArg {
    /// WebAssembly engine to run functions on: wasmtime (compiled, the default) or interp
    /// (atfn's own resumable interpreter). Same ABI, limits and errors; interp traps do not
    /// name the function.
    #[arg(
        long,
        env = "ATFN_ENGINE",
        default_value = "wasmtime",
        value_name = "wasmtime|interp"
    )]
    pub engine: EngineKind,
}
