//! `atfn-example-js`: evaluates JavaScript on the Boa engine (`boa_engine` 0.22) and returns
//! the completion value as JSON.
//!
//! Built for `wasm32-wasip1` (not `wasm32-unknown-unknown`): Boa's standard library needs a
//! clock and random bytes, which it takes from WASI preview 1. The module imports only
//! `wasi_snapshot_preview1` functions, so it runs on `atfn-interp` with `atfn_interp::wasi`
//! linked; it is not a `pure-v1` function.
//!
//! ABI: the ptr/len JSON ABI of design.md §1.2 (exports `memory`, `alloc`, `dealloc`, `run`).
//! Input: `{"source": "<JavaScript>"}`. Output: `{"ok":true,"value":<JSON>}` with the script's
//! completion value converted as by `JSON.stringify` (`value` is absent when it is
//! `undefined`); `{"ok":false,"error":"uncaught <ToString of the thrown value>"}` for a
//! syntax error or an uncaught exception (e.g. `uncaught Error: boom`,
//! `uncaught SyntaxError: …`); `{"ok":false,"error":"result is not JSON: …"}` when the value
//! cannot be converted (a BigInt or a Symbol).

use boa_engine::{Context, JsError, Source};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The function's input.
#[derive(Deserialize)]
struct Input {
    /// A JavaScript script (not a module), evaluated in a fresh realm.
    source: String,
}

/// The function's successful output.
#[derive(Serialize)]
struct Output {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<Value>,
}

/// Describes a thrown value by its JavaScript `ToString`, or by Boa's own message when it is
/// an engine error (a runtime limit) or its `ToString` throws.
fn message(error: JsError, context: &mut Context) -> String {
    let shown = error.to_string();
    error
        .into_opaque(context)
        .and_then(|value| value.to_string(context))
        .map(|s| s.to_std_string_escaped())
        .unwrap_or(shown)
}

fn eval(input: Input) -> Result<Output, String> {
    let mut context = Context::default();
    let value = context
        .eval(Source::from_bytes(&input.source))
        .map_err(|e| format!("uncaught {}", message(e, &mut context)))?;
    let value = value
        .to_json(&mut context)
        .map_err(|e| format!("result is not JSON: {}", message(e, &mut context)))?;
    Ok(Output { ok: true, value })
}

atfn_guest::export_run!(eval);
