//! `atfn invoke`: call `at.functions.run` on a running server.

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::input;

#[derive(clap::Args, Debug)]
pub struct InvokeArgs {
    /// at:// URI of the at.functions.metadata record to run.
    pub function: String,
    /// Input JSON: inline text, @file, or - for stdin.
    #[arg(long, default_value = "{}")]
    pub input: String,
    /// Base URL of the atfn server.
    #[arg(long, env = "ATFN_SERVER", default_value = "http://127.0.0.1:2584")]
    pub server: String,
    /// Print the whole at.functions.run response (ok, output, error,
    /// durationMs, functionCid) instead of only the output.
    #[arg(long)]
    pub full: bool,
}

pub async fn invoke(args: InvokeArgs) -> anyhow::Result<()> {
    let input = input::parse(&args.input)?;
    let url = format!(
        "{}/xrpc/at.functions.run",
        args.server.trim_end_matches('/')
    );
    let response = reqwest::Client::new()
        .post(&url)
        .json(&json!({ "function": args.function, "input": input }))
        .send()
        .await
        .with_context(|| format!("cannot reach {url}"))?;
    let status = response.status();
    let body: Value = response
        .json()
        .await
        .with_context(|| format!("{url} answered {status} without JSON"))?;
    if !status.is_success() {
        let name = body["error"].as_str().unwrap_or("Error");
        let message = body["message"].as_str().unwrap_or("");
        bail!("{status} {name}: {message}");
    }
    if args.full {
        println!("{}", serde_json::to_string_pretty(&body)?);
    }
    if body["ok"] != Value::Bool(true) {
        bail!("{}", body["error"].as_str().unwrap_or("function failed"));
    }
    if !args.full {
        println!("{}", serde_json::to_string_pretty(&body["output"])?);
    }
    Ok(())
}
