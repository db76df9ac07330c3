//! `echo` (pure-v1): returns its input unchanged.
//!
//! Input: any JSON value. Output: `{"ok":true,"echo":<input>,"mode":"pure-v1"}`.
//! Built by `cargo build -p atfn-examples`; run with `atfn dev` (embedded) or
//! `atfn run <at-uri> --input '{"hello":"world"}'` once published.

use serde_json::{Value, json};

fn echo(input: Value) -> Result<Value, String> {
    Ok(json!({ "ok": true, "echo": input, "mode": "pure-v1" }))
}

atfn_guest::export_run!(echo);
