//! Translation of validated WebAssembly function bodies into the internal code of
//! [`crate::code`], once per function at module creation.
//!
//! Validation and translation run in one pass: every operator first goes through
//! `wasmparser`'s `FuncValidator` (so nothing invalid is ever translated), then the translator
//! emits code using the operand-stack height from *before* the operator and its own control
//! stack (`stack.rs`) of pending branch fixups. Code the validator marks unreachable is not
//! emitted. Operators map to instructions in `ops/`, one file per family.

mod driver;
mod operands;
mod ops;
mod stack;

pub(crate) use driver::translate;
