//! Integration tests of `atfn-interp`, one module per area.

mod api;
mod differential;
mod fidelity;
mod host;
mod incremental;
mod limits;
mod nan;
mod safepoint;
mod snapshot;
mod spec;
mod stack;
mod util;
mod wasi;
