//! Hostile guest: loops forever. The runtime must stop it at its deadline
//! (`timeout after <maxDurationMs> ms`) by epoch interruption.

use serde_json::Value;
use std::hint::black_box;

fn spin(_input: Value) -> Result<Value, String> {
    let mut i = 0u64;
    loop {
        i = black_box(i.wrapping_add(1));
    }
}

atfn_guest::export_run!(spin);
