//! `atfn run`: run a function in this process, from a `.wasm` file or an
//! at:// URI, with the same limits and defaults as a published record.

use std::path::PathBuf;

use anyhow::{Context, bail};
use atfn_registry::{AtUri, Registry, RegistryConfig};
use atfn_runtime::{FunctionSpec, Limits, Runtime, RuntimeConfig};
use atfn_server::Invoker;

use crate::engine::EngineArg;
use crate::input;

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// A .wasm file, or the at:// URI of an at.functions.metadata record
    /// (fetched and verified like `atfn serve` does).
    pub target: String,
    /// Input JSON: inline text, @file, or - for stdin.
    #[arg(long, default_value = "{}")]
    pub input: String,
    /// ABI of a .wasm file: pure-v1 or host-v1. (A record names its own.)
    #[arg(long, default_value = "pure-v1")]
    pub mode: String,
    /// Memory limit of a .wasm file, in MiB (1..=256, as in the lexicon).
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub max_memory_mb: u32,
    /// Time limit of a .wasm file, in ms (1..=5000, as in the lexicon).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=5000))]
    pub max_duration_ms: u32,
    /// For host-v1: at:// URIs the function may read (repeatable). Default: any.
    #[arg(long = "allowed-host", value_name = "AT_URI")]
    pub allowed_hosts: Vec<String>,
    #[command(flatten)]
    pub engine: EngineArg,
    /// PLC directory used to resolve did:plc identities.
    #[arg(long, env = "ATFN_PLC_URL", default_value = "https://plc.directory")]
    pub plc_url: String,
}

pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    let input = input::parse(&args.input)?;
    let registry = Registry::new(RegistryConfig {
        plc_url: args.plc_url.clone(),
        ..Default::default()
    })?;
    let runtime = Runtime::new(RuntimeConfig {
        engine: args.engine.engine,
        ..RuntimeConfig::default()
    })?;
    let invoker = Invoker::new(registry, runtime);
    let outcome = if args.target.starts_with("at://") {
        let uri: AtUri = args.target.parse().context("invalid at:// URI")?;
        invoker.invoke(&uri, &input).await.outcome
    } else {
        let spec = file_spec(&args)?;
        invoker.run_module(&spec, &input).await.1
    };
    let output = outcome?;
    println!("{}", serde_json::to_string_pretty(&output)?);
    Ok(())
}

/// The spec of a local `.wasm` file, with the flags' mode and limits.
fn file_spec(args: &RunArgs) -> anyhow::Result<FunctionSpec> {
    let path = PathBuf::from(&args.target);
    if !path.exists() {
        bail!(
            "{} is neither an at:// URI nor an existing file",
            args.target
        );
    }
    let wasm = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(FunctionSpec {
        code_cid: atfn_registry::blob_cid(&wasm).to_string(),
        wasm: wasm.into(),
        mode: args.mode.parse()?,
        limits: Limits {
            max_memory_mb: args.max_memory_mb,
            max_duration_ms: args.max_duration_ms,
        },
        allowed_hosts: (!args.allowed_hosts.is_empty()).then(|| args.allowed_hosts.clone()),
    })
}
