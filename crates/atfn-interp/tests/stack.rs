//! Native stack use of the hot path (`src/exec/dispatch/`): in optimized builds every
//! handler continues with the next one by a tail call, so a long run of instructions must
//! not grow the native stack. A handler that ended in a plain call instead (a stack slot
//! whose address escapes is enough to prevent the tail call) would push at least a return
//! address per execution; this test runs every hot-path instruction many times on a thread
//! with a small stack, where such a handler overflows it and aborts the test binary.

use atfn_interp::{Config, Value};

use crate::util::{finished, setup};

/// Loop iterations: each hot-path instruction runs this often. At 8 bytes per execution a
/// non-tail-calling handler would need 1.6 MB of stack, far more than [`STACK`].
const ITERATIONS: i32 = 200_000;
/// Stack of the thread that runs the module, in bytes.
const STACK: usize = 512 * 1024;

/// Instructions on `(local.get $<t>a) (local.get $<t>b)` operands, per value type.
const BINARY: [(&str, &[&str]); 4] = [
    (
        "i32",
        &[
            "add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor", "shl",
            "shr_s", "shr_u", "rotl", "rotr", "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s",
            "le_u", "ge_s", "ge_u",
        ],
    ),
    (
        "i64",
        &[
            "add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor", "shl",
            "shr_s", "shr_u", "rotl", "rotr", "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s",
            "le_u", "ge_s", "ge_u",
        ],
    ),
    (
        "f32",
        &[
            "add", "sub", "mul", "div", "min", "max", "copysign", "eq", "ne", "lt", "gt", "le",
            "ge",
        ],
    ),
    (
        "f64",
        &[
            "add", "sub", "mul", "div", "min", "max", "copysign", "eq", "ne", "lt", "gt", "le",
            "ge",
        ],
    ),
];

/// Instructions on one `(local.get $<t>a)` operand, per operand type.
const UNARY: [(&str, &[&str]); 4] = [
    (
        "i32",
        &[
            "i32.eqz",
            "i32.clz",
            "i32.ctz",
            "i32.popcnt",
            "i32.extend8_s",
            "i32.extend16_s",
            "i64.extend_i32_s",
            "i64.extend_i32_u",
            "f32.convert_i32_s",
            "f32.convert_i32_u",
            "f64.convert_i32_s",
            "f64.convert_i32_u",
        ],
    ),
    (
        "i64",
        &[
            "i64.eqz",
            "i64.clz",
            "i64.ctz",
            "i64.popcnt",
            "i64.extend8_s",
            "i64.extend16_s",
            "i64.extend32_s",
            "i32.wrap_i64",
            "f32.convert_i64_s",
            "f32.convert_i64_u",
            "f64.convert_i64_s",
            "f64.convert_i64_u",
        ],
    ),
    (
        "f32",
        &[
            "f32.abs",
            "f32.neg",
            "f32.ceil",
            "f32.floor",
            "f32.trunc",
            "f32.nearest",
            "f32.sqrt",
            "f64.promote_f32",
            "i32.trunc_f32_s",
            "i32.trunc_f32_u",
            "i64.trunc_f32_s",
            "i64.trunc_f32_u",
            "i32.trunc_sat_f32_s",
            "i32.trunc_sat_f32_u",
            "i64.trunc_sat_f32_s",
            "i64.trunc_sat_f32_u",
        ],
    ),
    (
        "f64",
        &[
            "f64.abs",
            "f64.neg",
            "f64.ceil",
            "f64.floor",
            "f64.trunc",
            "f64.nearest",
            "f64.sqrt",
            "f32.demote_f64",
            "i32.trunc_f64_s",
            "i32.trunc_f64_u",
            "i64.trunc_f64_s",
            "i64.trunc_f64_u",
            "i32.trunc_sat_f64_s",
            "i32.trunc_sat_f64_u",
            "i64.trunc_sat_f64_s",
            "i64.trunc_sat_f64_u",
        ],
    ),
];

/// Loads (from address 8) and stores (of the `$<t>a` local to address 16).
const MEMORY: [(&str, &[&str]); 2] = [
    (
        "i32",
        &[
            "i32.load",
            "i32.load8_s",
            "i32.load8_u",
            "i32.load16_s",
            "i32.load16_u",
        ],
    ),
    (
        "i64",
        &[
            "i64.load",
            "i64.load8_s",
            "i64.load8_u",
            "i64.load16_s",
            "i64.load16_u",
            "i64.load32_s",
            "i64.load32_u",
        ],
    ),
];
const STORES: [(&str, &[&str]); 2] = [
    ("i32", &["i32.store", "i32.store8", "i32.store16"]),
    (
        "i64",
        &["i64.store", "i64.store8", "i64.store16", "i64.store32"],
    ),
];

/// Comparisons a `br_if` fuses with into one compare-and-branch instruction.
const BRANCH_COMPARISONS: [&str; 10] = [
    "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u",
];

/// `run(n)`: a loop of `n` iterations whose body executes every hot-path instruction once
/// (numeric, conversion, memory, select, globals, calls and returns, all branch forms);
/// returns the iteration count.
fn module_text() -> String {
    let mut body = String::new();
    let mut emit = |line: String| {
        body.push_str(&line);
        body.push('\n');
    };
    for (t, ops) in BINARY {
        for op in ops {
            emit(format!(
                "(drop ({t}.{op} (local.get ${t}a) (local.get ${t}b)))"
            ));
        }
    }
    for (t, ops) in UNARY {
        for op in ops {
            emit(format!("(drop ({op} (local.get ${t}a)))"));
        }
    }
    for (_, ops) in MEMORY {
        for op in ops {
            emit(format!("(drop ({op} (i32.const 8)))"));
        }
    }
    for (t, ops) in STORES {
        for op in ops {
            emit(format!("({op} (i32.const 16) (local.get ${t}a))"));
        }
    }
    for cmp in BRANCH_COMPARISONS {
        emit(format!(
            "(block $b (br_if $b (i32.{cmp} (local.get $i32a) (local.get $i32b))))"
        ));
    }
    emit("(block $b (br_if $b (local.get $i32a)))".into());
    emit("(block $b (br_if $b (i32.eqz (local.get $i32a))))".into());
    emit("(local.set $copy (local.get $i32b))".into());
    emit("(drop (select (local.get $i32a) (local.get $copy) (local.get $i)))".into());
    emit("(global.set $g (i32.add (global.get $g) (i32.const 1)))".into());
    emit("(drop (call $id (local.get $i32a)))".into());
    format!(
        r#"(module
          (memory 1)
          (global $g (mut i32) (i32.const 0))
          (func $id (param i32) (result i32) (local.get 0))
          (func (export "run") (param $n i32) (result i32)
            (local $i i32) (local $copy i32)
            (local $i32a i32) (local $i32b i32) (local $i64a i64) (local $i64b i64)
            (local $f32a f32) (local $f32b f32) (local $f64a f64) (local $f64b f64)
            (local.set $i32a (i32.const 7)) (local.set $i32b (i32.const 3))
            (local.set $i64a (i64.const 7)) (local.set $i64b (i64.const 3))
            (local.set $f32a (f32.const 7.5)) (local.set $f32b (f32.const 3.25))
            (local.set $f64a (f64.const 7.5)) (local.set $f64b (f64.const 3.25))
            (loop $next
              {body}
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
            (local.get $i)))"#
    )
}

/// Without fuel metering (safe points pass inline) and with it (every safe point takes the
/// whole check, out of line).
#[test]
fn long_runs_use_constant_native_stack() {
    for consume_fuel in [false, true] {
        run_on_small_stack(Config {
            consume_fuel,
            ..Config::default()
        });
    }
}

fn run_on_small_stack(config: Config) {
    let text = module_text();
    let run = move || {
        let (_module, mut store, instance) = setup(config, &text);
        store.set_fuel(u64::MAX);
        let args = [Value::I32(ITERATIONS)];
        finished(store.call(instance, "run", &args).expect("run"))
    };
    let results = std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(run)
        .expect("spawn")
        .join()
        .expect("the run thread");
    assert_eq!(results, [Value::I32(ITERATIONS)]);
}
