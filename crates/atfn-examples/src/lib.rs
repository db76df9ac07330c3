//! Example and test guest modules, compiled to wasm32 from `examples/` by `build.rs`.
//!
//! Each constant holds the bytes of one WebAssembly module (a `cdylib` of the `examples/`
//! workspace built for `wasm32-unknown-unknown`, or `wasm32-wasip1` for [`JS`]; release profile:
//! opt-level "s", LTO). Nothing is committed as a binary: `cargo build` compiles them from source
//! (about a minute cold, plus about 4 minutes for [`JS`]).
//!
//! ABI: the ptr/len JSON ABI of design.md §1.2. [`ECHO`] is `pure-v1`, [`LISTER`] is `host-v1`;
//! the hostile modules are `pure-v1` (but [`HOST_BAD_REQUEST`]) and each documents the error a
//! runtime must return. [`JS`] imports WASI preview 1 and runs on `atfn-interp` with
//! `atfn_interp::wasi` linked. [`JS`] exists only with the `js` feature (on by default).
//!
//! [`BENCH_JSON`] is not an ABI guest but a benchmark guest for `atfn-interp`'s engine
//! comparison (`crates/atfn-interp/benches/engines.rs`): export `run: [] -> [i64]`, no imports.

macro_rules! module {
    ($file:literal) => {
        include_bytes!(concat!(env!("OUT_DIR"), "/", $file))
    };
}

/// `examples/echo` (pure-v1): any JSON input → `{"ok":true,"echo":<input>,"mode":"pure-v1"}`.
pub const ECHO: &[u8] = module!("echo.wasm");
/// `examples/lister` (host-v1): `{"repo","collection","limit"?,"cursor"?}` →
/// `{"ok":true,"count":N,"uris":[…],"collection":…,"cursor":…}`; `{"read": at-uri}` →
/// `{"ok":true,"record":…,"cid":…}`; `{"blob": cid, "repo"?: did}` →
/// `{"ok":true,"mimeType":…,"size":N,"text":…}`; host errors pass through as `{"ok":false,"error":…}`.
pub const LISTER: &[u8] = module!("lister.wasm");
/// `examples/hostile/infinite-loop`: never returns (expect `timeout after <ms> ms`).
pub const INFINITE_LOOP: &[u8] = module!("hostile_infinite_loop.wasm");
/// `examples/hostile/memory-bomb`: grows memory by one page forever (expect
/// `memory limit of <n> MiB exceeded`).
pub const MEMORY_BOMB: &[u8] = module!("hostile_memory_bomb.wasm");
/// `examples/hostile/deep-recursion`: unbounded recursion (expect `stack overflow`).
pub const DEEP_RECURSION: &[u8] = module!("hostile_deep_recursion.wasm");
/// `examples/hostile/unreachable`: `run` is the `unreachable` instruction (expect a trap).
pub const UNREACHABLE: &[u8] = module!("hostile_unreachable.wasm");
/// `examples/hostile/output-out-of-bounds`: returns 4096 bytes at address `0xffff_ff00`.
pub const OUTPUT_OUT_OF_BOUNDS: &[u8] = module!("hostile_output_out_of_bounds.wasm");
/// `examples/hostile/non-utf8-output`: returns the 4 bytes `"\xff\xfe"`.
pub const NON_UTF8_OUTPUT: &[u8] = module!("hostile_non_utf8_output.wasm");
/// `examples/hostile/non-json-output`: returns `hello, not json`.
pub const NON_JSON_OUTPUT: &[u8] = module!("hostile_non_json_output.wasm");
/// `examples/hostile/oversized-output`: returns a JSON string of 2 MiB (2,097,152 bytes).
pub const OVERSIZED_OUTPUT: &[u8] = module!("hostile_oversized_output.wasm");
/// `examples/hostile/missing-run`: exports `memory` and `alloc` but no `run`.
pub const MISSING_RUN: &[u8] = module!("hostile_missing_run.wasm");

/// `examples/hostile/host-bad-request` (host-v1): calls `host_read_record` with a request at
/// `0xffff_0000`, outside memory.
pub const HOST_BAD_REQUEST: &[u8] = module!("hostile_host_bad_request.wasm");

/// `examples/js` (`wasm32-wasip1`, imports `wasi_snapshot_preview1`): the Boa JavaScript engine
/// (`boa_engine` 0.22, default features off). Input `{"source": "<script>"}` → output
/// `{"ok":true,"value":<completion value as JSON>}` (`value` absent for `undefined`), or
/// `{"ok":false,"error":"uncaught <ToString of the thrown value>"}` for a syntax error or an
/// uncaught exception, or `{"ok":false,"error":"result is not JSON: …"}`. About 4.5 MB.
/// Only with the `js` feature.
#[cfg(feature = "js")]
pub const JS: &[u8] = module!("atfn_example_js.wasm");

/// `examples/bench/json` (benchmark guest, not the ABI; no imports): `run: [] -> [i64]`
/// serializes 800 generated records to a JSON text of 201,703 bytes with serde_json, parses it
/// into a `serde_json::Value`, serializes that again, parses the result back into records and
/// traps unless they equal the generated ones; returns the FNV-1a 64-bit hash of the second
/// text. The same work on every call. About 120 KB.
pub const BENCH_JSON: &[u8] = module!("bench_json.wasm");

/// Every `wasm32-unknown-unknown` ABI module (all but [`JS`] and [`BENCH_JSON`]) by its `examples/` name, e.g. `("echo", ECHO)`, `("hostile/memory-bomb", …)`.
pub const ALL: &[(&str, &[u8])] = &[
    ("echo", ECHO),
    ("lister", LISTER),
    ("hostile/infinite-loop", INFINITE_LOOP),
    ("hostile/memory-bomb", MEMORY_BOMB),
    ("hostile/deep-recursion", DEEP_RECURSION),
    ("hostile/unreachable", UNREACHABLE),
    ("hostile/output-out-of-bounds", OUTPUT_OUT_OF_BOUNDS),
    ("hostile/non-utf8-output", NON_UTF8_OUTPUT),
    ("hostile/non-json-output", NON_JSON_OUTPUT),
    ("hostile/oversized-output", OVERSIZED_OUTPUT),
    ("hostile/missing-run", MISSING_RUN),
    ("hostile/host-bad-request", HOST_BAD_REQUEST),
];

#[cfg(test)]
mod tests;
