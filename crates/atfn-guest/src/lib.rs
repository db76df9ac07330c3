//! Guest SDK: write atfn functions in Rust as `fn(Input) -> Result<Output, Error>`.
//!
//! A function is a `cdylib` crate compiled for `wasm32-unknown-unknown`. The SDK hides the
//! ptr/len JSON ABI (`pure-v1`, `host-v1`; design.md §1.2): one line exports the entry points,
//!
//! ```no_run
//! #[derive(serde::Deserialize)]
//! struct Input { name: String }
//! #[derive(serde::Serialize)]
//! struct Output { ok: bool, greeting: String }
//!
//! fn greet(input: Input) -> Result<Output, String> {
//!     Ok(Output { ok: true, greeting: format!("hello {}", input.name) })
//! }
//! atfn_guest::export_run!(greet);
//! # fn main() {}
//! ```
//!
//! and [`host`] wraps the `host-v1` imports as typed calls.
//!
//! # ABI contract (what the macro exports)
//! - `memory`: the module's linear memory (exported by rustc for every cdylib).
//! - `alloc(len: i32) -> i32`: reserves `len` bytes (alignment 1) and returns their address;
//!   `len == 0` returns a dangling non-null address. The host calls it for the input, and for every
//!   host-import response.
//! - `dealloc(ptr: i32, len: i32)`: frees a block returned by `alloc` with the same `len`.
//! - `run(ptr: i32, len: i32) -> i64`: reads `len` bytes of UTF-8 JSON input at `ptr`, parses them
//!   into the function's input type, calls the function and returns the serialized output packed
//!   as `(ptr << 32) | len`. On `Err(e)` the output is `{"ok":false,"error":"<e>"}`; input that
//!   does not parse gives `{"ok":false,"error":"invalid input: <serde_json message>"}`. The output
//!   buffer is leaked on purpose: each invocation runs in a fresh instance.
//!
//! `host-v1` imports, module `host`, each `(ptr: i32, len: i32) -> i64` with a JSON request at
//! `ptr` and a packed ptr/len JSON response that the host wrote through `alloc`:
//! `host_read_record`, `host_read_blob`, `host_list_collection` (see [`host`]).
//!
//! On targets other than `wasm32` the crate builds too (for unit tests and tooling); there the
//! host calls answer [`HostError::Unavailable`].

mod abi;
mod error;
pub mod host;

pub use abi::{alloc, dealloc, pack, run, unpack};
pub use error::HostError;

/// Exports `alloc`, `dealloc` and `run` for `$f: fn(I) -> Result<O, E>` where
/// `I: serde::de::DeserializeOwned`, `O: serde::Serialize` and `E: std::fmt::Display`.
///
/// Use it once per crate, at the crate root. See the crate docs for the ABI contract.
#[macro_export]
macro_rules! export_run {
    ($f:path) => {
        /// ABI export: reserve `len` bytes for the host (see `atfn_guest` crate docs).
        #[unsafe(no_mangle)]
        pub extern "C" fn alloc(len: i32) -> i32 {
            $crate::alloc(len)
        }

        /// ABI export: free a block returned by `alloc`.
        ///
        /// # Safety
        /// `ptr` and `len` must come from one `alloc` call.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn dealloc(ptr: i32, len: i32) {
            // SAFETY: forwarded contract.
            unsafe { $crate::dealloc(ptr, len) }
        }

        /// ABI export: run the function on the JSON input at `ptr..ptr+len`.
        ///
        /// # Safety
        /// `ptr..ptr+len` must be a block returned by `alloc` and filled by the host.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn run(ptr: i32, len: i32) -> i64 {
            // SAFETY: forwarded contract.
            unsafe { $crate::run(ptr, len, $f) }
        }
    };
}
