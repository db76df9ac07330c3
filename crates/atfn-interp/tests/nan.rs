//! NaN determinism (docs/decisions/interp.md, "NaN determinism"): every float operator
//! whose NaN result WebAssembly leaves open (WebAssembly 2.0 §4.3.3 "NaN propagation": the
//! sign is non-deterministic, the payload too unless all NaN inputs are canonical) returns
//! the *positive* canonical NaN on this engine, whatever the host hardware or the Rust
//! compiler produce. Operands arrive as call arguments, so no compiler can fold them.
//!
//! Seed 13437 of the differential test found `f64.sqrt` of a negative number returning
//! x86's default NaN `0xfff8000000000000`: LLVM had folded the canonicalization away.

use atfn_interp::{Config, Value};

use crate::util::{finished, setup};

const F32_CANON: u32 = 0x7fc0_0000;
const F64_CANON: u64 = 0x7ff8_0000_0000_0000;
/// Negative NaNs with a non-canonical payload, to check propagated NaNs too.
const F32_NEG_NAN: u32 = 0xffa0_0001;
const F64_NEG_NAN: u64 = 0xfff4_0000_0000_0001;

const UNARY: [&str; 5] = ["sqrt", "ceil", "floor", "trunc", "nearest"];
const BINARY: [&str; 6] = ["add", "sub", "mul", "div", "min", "max"];

/// One exported function per operator, named like the operator, taking its operands as
/// parameters; plus `seed13437`, the first operators of that seed's function, with its
/// constants.
fn module_text() -> String {
    let mut funcs = String::new();
    for t in ["f32", "f64"] {
        for op in UNARY {
            funcs.push_str(&format!(
                "(func (export \"{t}.{op}\") (param {t}) (result {t}) \
                 ({t}.{op} (local.get 0)))\n"
            ));
        }
        for op in BINARY {
            funcs.push_str(&format!(
                "(func (export \"{t}.{op}\") (param {t} {t}) (result {t}) \
                 ({t}.{op} (local.get 0) (local.get 1)))\n"
            ));
        }
    }
    format!(
        "(module {funcs}
          (func (export \"f32.demote_f64\") (param f64) (result f32)
            (f32.demote_f64 (local.get 0)))
          (func (export \"f64.promote_f32\") (param f32) (result f64)
            (f64.promote_f32 (local.get 0)))
          (func (export \"seed13437\") (result f64)
            (f64.sqrt (f64.copysign
              (f64.abs (f64.const 0x1.9f04534ebf1d1p+539))
              (f64.promote_f32 (f32.const -0x1p+65))))))"
    )
}

/// `(export, arguments)` pairs whose result is a NaN: NaNs made from numbers (invalid
/// operations) and NaNs propagated from a negative, non-canonical NaN operand.
fn cases() -> Vec<(String, Vec<Value>)> {
    let f32s = |v: &[f32]| {
        v.iter()
            .map(|x| Value::F32(x.to_bits()))
            .collect::<Vec<_>>()
    };
    let f64s = |v: &[f64]| {
        v.iter()
            .map(|x| Value::F64(x.to_bits()))
            .collect::<Vec<_>>()
    };
    let inf = f64::INFINITY;
    let mut cases = Vec::new();
    for (op, args) in [
        ("sqrt", vec![-1.0]),
        ("sqrt", vec![-inf]),
        ("add", vec![inf, -inf]),
        ("sub", vec![inf, inf]),
        ("mul", vec![0.0, -inf]),
        ("div", vec![0.0, 0.0]),
        ("div", vec![-inf, inf]),
    ] {
        cases.push((format!("f64.{op}"), f64s(&args)));
        let narrow: Vec<f32> = args.iter().map(|x| *x as f32).collect();
        cases.push((format!("f32.{op}"), f32s(&narrow)));
    }
    for op in UNARY {
        cases.push((format!("f32.{op}"), vec![Value::F32(F32_NEG_NAN)]));
        cases.push((format!("f64.{op}"), vec![Value::F64(F64_NEG_NAN)]));
    }
    for op in BINARY {
        cases.push((
            format!("f32.{op}"),
            vec![Value::F32(F32_NEG_NAN), Value::F32(0)],
        ));
        cases.push((
            format!("f64.{op}"),
            vec![Value::F64(0), Value::F64(F64_NEG_NAN)],
        ));
    }
    cases.push(("f32.demote_f64".into(), vec![Value::F64(F64_NEG_NAN)]));
    cases.push(("f64.promote_f32".into(), vec![Value::F32(F32_NEG_NAN)]));
    cases.push(("seed13437".into(), vec![]));
    cases
}

#[test]
fn nan_results_are_the_positive_canonical_nan() {
    let (_, mut store, inst) = setup(Config::default(), &module_text());
    let mut wrong = Vec::new();
    for (name, args) in cases() {
        let out = finished(store.call(inst, &name, &args).unwrap());
        let ok = match out[..] {
            [Value::F32(bits)] => bits == F32_CANON,
            [Value::F64(bits)] => bits == F64_CANON,
            _ => false,
        };
        if !ok {
            wrong.push(format!("{name}{args:x?} = {out:x?}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "not the positive canonical NaN: {wrong:#?}"
    );
}
