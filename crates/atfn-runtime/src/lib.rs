//! Runs atfn functions on wasmtime or on atfn-interp: the ptr/len JSON ABI (`pure-v1`, `host-v1`;
//! design.md §1.2), limits, host imports and the compiled-module cache.
//!
//! A [`Runtime`] runs every function on the engine of [`RuntimeConfig::engine`]
//! ([`EngineKind`]): by default one wasmtime [`wasmtime::Engine`] (pooling allocator, epoch
//! interruption, a wasm stack limit) with a cache of compiled modules keyed by code CID, in memory
//! and, optionally, on disk; or atfn's interpreter, with the same ABI, limits and error messages
//! and an in-memory cache of translated modules. [`Runtime::invoke`] runs one call of a [`FunctionSpec`] in a fresh
//! instance and returns the guest's output JSON, or a [`RunError`] whose `Display` is the message a
//! user sees in `{ok:false, error}`.
//!
//! ```no_run
//! # async fn demo(wasm: bytes::Bytes) -> Result<(), Box<dyn std::error::Error>> {
//! use atfn_runtime::{FunctionSpec, Limits, Mode, NoHost, Runtime, RuntimeConfig};
//! use std::sync::Arc;
//!
//! let runtime = Runtime::new(RuntimeConfig::default())?;
//! let spec = FunctionSpec {
//!     code_cid: "bafkreiexample".into(),
//!     wasm,
//!     mode: "pure-v1".parse()?,
//!     limits: Limits::default(),
//!     allowed_hosts: None,
//! };
//! let output = runtime.invoke(&spec, br#"{"hello":"world"}"#, Arc::new(NoHost)).await?;
//! println!("{output}");
//! # Ok(()) }
//! ```
//!
//! # Execution model
//! Guests run on the engine's synchronous API: `pure-v1` calls in place on a multi-thread runtime
//! ([`tokio::task::block_in_place`]), others inside [`tokio::task::spawn_blocking`]; `host-v1`
//! imports drive the [`HostApi`] futures with [`tokio::runtime::Handle::block_on`], bounded by the
//! call's remaining time. See `docs/decisions/runtime.md` for why.

mod cache;
mod config;
mod engine;
mod error;
mod host;
mod interp;
mod invoke;
mod trap;

pub use config::{EngineKind, FunctionSpec, Limits, Mode, RuntimeConfig};
pub use engine::{RuntimeStats, engine_config};
pub use error::{RunError, RuntimeError, UnknownEngine};
pub use host::{HostApi, HostBlob, HostFuture, HostPage, HostRecord, NoHost, allowed_by};
pub use invoke::Runtime;
