//! Conversions between wast argument/result syntax and engine values, with the spec's NaN
//! patterns (`nan:canonical`, `nan:arithmetic`).

use atfn_interp::Value;
use wast::WastArg;
use wast::WastRet;
use wast::core::{AbstractHeapType, HeapType, NanPattern, WastArgCore, WastRetCore};

pub fn arg(a: &WastArg<'_>) -> Result<Value, String> {
    let WastArg::Core(a) = a else {
        return Err("component argument".into());
    };
    Ok(match a {
        WastArgCore::I32(v) => Value::I32(*v),
        WastArgCore::I64(v) => Value::I64(*v),
        WastArgCore::F32(v) => Value::F32(v.bits),
        WastArgCore::F64(v) => Value::F64(v.bits),
        WastArgCore::RefNull(HeapType::Abstract {
            ty: AbstractHeapType::Func,
            ..
        }) => Value::FuncRef(None),
        WastArgCore::RefNull(HeapType::Abstract {
            ty: AbstractHeapType::Extern,
            ..
        }) => Value::ExternRef(None),
        WastArgCore::RefExtern(n) => Value::ExternRef(Some(*n)),
        other => return Err(format!("unsupported argument {other:?}")),
    })
}

fn nan32(p: &NanPattern<wast::token::F32>, bits: u32) -> bool {
    match p {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => bits & 0x7fc0_0000 == 0x7fc0_0000,
        NanPattern::Value(v) => v.bits == bits,
    }
}

fn nan64(p: &NanPattern<wast::token::F64>, bits: u64) -> bool {
    const Q: u64 = 0x7ff8_0000_0000_0000;
    match p {
        NanPattern::CanonicalNan => bits & !(1 << 63) == Q,
        NanPattern::ArithmeticNan => bits & Q == Q,
        NanPattern::Value(v) => v.bits == bits,
    }
}

/// Whether `got` matches the expected result `want`.
pub fn matches(want: &WastRet<'_>, got: &Value) -> bool {
    let WastRet::Core(want) = want else {
        return false;
    };
    match (want, got) {
        (WastRetCore::I32(a), Value::I32(b)) => a == b,
        (WastRetCore::I64(a), Value::I64(b)) => a == b,
        (WastRetCore::F32(p), Value::F32(b)) => nan32(p, *b),
        (WastRetCore::F64(p), Value::F64(b)) => nan64(p, *b),
        (WastRetCore::RefNull(_), Value::FuncRef(None) | Value::ExternRef(None)) => true,
        (WastRetCore::RefExtern(None), Value::ExternRef(Some(_))) => true,
        (WastRetCore::RefExtern(Some(n)), Value::ExternRef(Some(m))) => n == m,
        (WastRetCore::RefFunc(_), Value::FuncRef(Some(_))) => true,
        _ => false,
    }
}
