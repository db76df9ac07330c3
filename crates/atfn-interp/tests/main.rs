//! Integration tests of `atfn-interp`, one module per area.

mod spec;
