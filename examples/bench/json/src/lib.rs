//! Benchmark guest (not the atfn ABI): serde_json parse and serialize of a JSON document of
//! about 200 KB, for `crates/atfn-interp/benches/engines.rs`.
//!
//! Export `run: [] -> [i64]`, the convention of the bench's WAT guests; no imports, so every
//! engine instantiates it without host functions. `run` generates [`RECORDS`] records from a
//! fixed xorshift seed (no input, so the work is the same on every call and every engine),
//! then, in order:
//! 1. serializes them (typed, `serde::Serialize`) to a JSON text of 201,703 bytes;
//! 2. parses that text into a `serde_json::Value` (untyped);
//! 3. serializes the `Value` back to text (keys now sorted: `Value` maps are `BTreeMap`s);
//! 4. parses that text into typed records (`serde::Deserialize`) and checks they equal the
//!    generated ones, trapping (`unreachable`, `panic = "abort"`) if not.
//!
//! Returns the FNV-1a 64-bit hash of the text of step 3 (as `i64`), which the bench compares
//! across engines.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Number of generated records (about 252 bytes of JSON each).
const RECORDS: u64 = 800;

/// One generated record: integers, floats, booleans, strings with escapes, an array, a
/// nested object and an optional field (`null` when absent).
#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Record {
    id: u64,
    name: String,
    email: String,
    score: f64,
    balance: i64,
    active: bool,
    tags: Vec<String>,
    position: Position,
    note: Option<String>,
}

/// Nested object of a [`Record`].
#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Position {
    x: i32,
    y: i32,
    altitude: f64,
}

/// Marsaglia xorshift64 generator: deterministic pseudo-random `u64`s.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A value in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Words the generated strings are made of.
const WORDS: &[&str] = &[
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett",
    "kilo", "lima", "mike", "november", "oscar", "papa",
];

/// Generates `count` records from a fixed seed. Floats are multiples of 1/256 below 2^16 or of
/// 1/1024 below 2^10: at most 14 significant digits, which serde_json's default (not
/// `float_roundtrip`) parser reads back exactly, so the round trip of [`run`] keeps them.
fn records(count: u64) -> Vec<Record> {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    (0..count)
        .map(|id| {
            let word = |rng: &mut XorShift| WORDS[rng.below(WORDS.len() as u64) as usize];
            let name = format!(
                "{} \"{}\" {}",
                word(&mut rng),
                word(&mut rng),
                word(&mut rng)
            );
            let email = format!("{}.{id}@example.com", word(&mut rng));
            let tags = (0..rng.below(5))
                .map(|_| word(&mut rng).to_owned())
                .collect();
            let note = (rng.below(3) == 0)
                .then(|| format!("line one\nline two\t{}: é ✓ \\ end", word(&mut rng)));
            Record {
                id,
                name,
                email,
                score: rng.below(1 << 24) as f64 / 256.0,
                balance: rng.next() as i64 >> 20,
                active: rng.below(2) == 1,
                tags,
                position: Position {
                    x: rng.next() as i32,
                    y: rng.next() as i32 >> 8,
                    altitude: -(rng.below(1 << 20) as f64) / 1024.0,
                },
                note,
            }
        })
        .collect()
}

/// FNV-1a, 64 bits.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Bench export: the four steps described in the module documentation; returns the FNV-1a
/// hash of the re-serialized text. Traps if a step fails or the round trip changes a record.
#[unsafe(no_mangle)]
pub extern "C" fn run() -> i64 {
    let generated = records(RECORDS);
    let text = serde_json::to_string(&generated).expect("serialize records");
    let value: Value = serde_json::from_str(&text).expect("parse into Value");
    let again = serde_json::to_string(&value).expect("serialize Value");
    let parsed: Vec<Record> = serde_json::from_str(&again).expect("parse into records");
    assert_eq!(parsed, generated, "the JSON round trip changed a record");
    fnv1a(again.as_bytes()) as i64
}
