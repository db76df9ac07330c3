//! Example and test guest modules, compiled to wasm32 from examples/ by build.rs.
