//! The wasm-smith configuration shared by the differential test (`tests/differential.rs`)
//! and the `module` fuzz target (`fuzz/fuzz_targets/module.rs`), which both include this
//! file with `#[path]` (see `docs/decisions/interp.md`, "Test code shared with the fuzz
//! targets").

/// WebAssembly 2.0 without SIMD (every later proposal off), no imports, at most one
/// memory of at most `memory_pages` 64 KiB pages and tables of at most `table_elements`
/// elements, every item exported, at least one function.
pub fn config(memory_pages: u32, table_elements: u32) -> wasm_smith::Config {
    wasm_smith::Config {
        simd_enabled: false,
        relaxed_simd_enabled: false,
        exceptions_enabled: false,
        gc_enabled: false,
        memory64_enabled: false,
        tail_call_enabled: false,
        threads_enabled: false,
        wide_arithmetic_enabled: false,
        extended_const_enabled: false,
        compact_imports_enabled: false,
        max_memories: 1,
        max_imports: 0,
        export_everything: true,
        min_funcs: 1,
        max_memory32_bytes: u64::from(memory_pages) * 65536,
        max_table_elements: u64::from(table_elements),
        ..wasm_smith::Config::default()
    }
}
