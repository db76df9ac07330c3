//! Hostile guest: recursion without a base case it can reach. The runtime's wasm stack limit must
//! stop it (`stack overflow`).

use serde_json::Value;
use std::hint::black_box;

#[inline(never)]
fn depth(n: u64) -> u64 {
    if n == 0 {
        0
    } else {
        black_box(depth(black_box(n - 1))).wrapping_mul(31) ^ n
    }
}

fn recurse(_input: Value) -> Result<Value, String> {
    Ok(Value::from(depth(black_box(u64::MAX))))
}

atfn_guest::export_run!(recurse);
