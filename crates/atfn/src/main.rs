//! `atfn`: run WebAssembly functions published on the AT Protocol.
//!
//! Verbs: `dev`, `serve`, `run`, `publish`, `invoke`; `atfn <verb> --help`
//! explains each. Exit status: 0 on success, 1 when the function or the
//! command failed (the reason is on stderr), 2 on a usage error.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod dev;
mod engine;
mod input;
mod invoke;
mod run;
mod serve;

/// Run WebAssembly functions published on the AT Protocol.
///
/// A function is an `at.functions.metadata` record in its author's repo, with
/// the compiled .wasm as a blob. `atfn serve` runs functions by their at://
/// URI over XRPC (POST /xrpc/at.functions.run); `atfn dev` does the same with
/// a local registry and bundled examples, ready to try.
#[derive(Parser)]
#[command(name = "atfn", version)]
struct Cli {
    /// Log format on stderr: `text` or `json`. Verbosity comes from RUST_LOG
    /// (default `info` for dev/serve, `warn` otherwise).
    #[arg(long, global = true, default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start a local server with the embedded registry and publish the bundled
    /// examples into it; prints their at:// URIs and commands to invoke them.
    Dev(dev::DevArgs),
    /// Run the server: POST /xrpc/at.functions.run, GET /xrpc/_health,
    /// GET /metrics, and (unless --no-embedded) the embedded registry.
    Serve(serve::ServeArgs),
    /// Run a function here, from a .wasm file or an at:// URI, and print its
    /// output JSON on stdout (errors on stderr, exit status 1).
    Run(run::RunArgs),
    /// Publish a .wasm module as an at.functions.metadata record:
    /// createSession, uploadBlob, putRecord. Prints the record's URI and CID.
    Publish(atfn::publish::PublishArgs),
    /// Invoke a function on a running atfn server and print its output JSON.
    Invoke(invoke::InvokeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_level = match cli.command {
        Command::Dev(_) | Command::Serve(_) => "info",
        _ => "warn",
    };
    init_tracing(&cli.log_format, default_level);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Dev(args) => dev::dev(args).await,
            Command::Serve(args) => serve::serve(args).await,
            Command::Run(args) => run::run(args).await,
            Command::Publish(args) => publish(args).await,
            Command::Invoke(args) => invoke::invoke(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn publish(args: atfn::publish::PublishArgs) -> anyhow::Result<()> {
    let published = atfn::publish::publish(&args, true).await?;
    println!("{}", published.uri);
    println!("cid: {}", published.cid);
    Ok(())
}

fn init_tracing(format: &str, default_level: &str) {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}
