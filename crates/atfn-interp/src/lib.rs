//! `atfn-interp`: a resumable WebAssembly interpreter whose whole execution state is plain
//! data.
//!
//! Modules are validated with `wasmparser` (WebAssembly 2.0 without SIMD) and each function
//! is translated once into a compact internal code ([`code`]). A [`Store`] owns every
//! runtime object and the execution stacks; WebAssembly calls never recurse on the Rust
//! stack, every loop back-edge and call is a safe point where an [`InterruptHandle`] or fuel
//! can stop the call ([`Outcome::Suspended`]), and a host function may suspend the call
//! too. A suspended store can be continued with [`Store::resume`].
//!
//! ```
//! use atfn_interp::{Engine, Linker, Module, Outcome, Store, Value};
//!
//! let wasm = wat::parse_str(
//!     r#"(module (func (export "add") (param i32 i32) (result i32)
//!            local.get 0 local.get 1 i32.add))"#,
//! )
//! .unwrap();
//! let engine = Engine::default();
//! let module = Module::new(&engine, &wasm).unwrap();
//! let mut store = Store::new(&engine, ());
//! let instance = Linker::new().instantiate(&mut store, &module).unwrap();
//! let out = store.call(instance, "add", &[Value::I32(2), Value::I32(40)]).unwrap();
//! assert_eq!(out, Outcome::Finished(vec![Value::I32(42)]));
//! ```

mod call;
pub mod code;
mod engine;
mod error;
mod exec;
mod host;
mod instantiate;
mod interrupt;
mod linker;
mod module;
pub mod snapshot;
mod stack;
mod store;
mod translate;
mod value;
pub mod wasi;

pub use call::Outcome;
pub use engine::{Config, Engine, Limits};
pub use error::{Error, LinkError, TranslateError, Trap};
pub use host::{Caller, HostAction, HostFn};
pub use interrupt::InterruptHandle;
pub use linker::{Extern, Linker};
pub use module::{ExportIndex, GlobalType, Import, ImportKind, MemoryType, Module, TableType};
pub use store::{Instance, Store, SuspendReason};
pub use value::{FuncType, ValType, Value};
