//! Integration tests of `atfn-examples`, one module per area.

mod js;
