//! Operator-to-operation mappings for everything but structured control flow, locals,
//! constants, `drop` and `select`, one file per family. Each operator maps to a [`Shape`]
//! that tells the driver how the operation takes its operands.

mod convert;
mod memory;
mod numeric;
mod variable;

use wasmparser::Operator;

use crate::code::Op;
use crate::module::ModuleInner;

/// How an operation takes its operands and result.
#[derive(Debug, Clone, Copy)]
pub(super) enum Shape {
    /// `dst = op(a)`.
    Unary(Op),
    /// `dst = op(a, b)`.
    Binary(Op),
    /// `dst = load(a + offset)`.
    Load(Op, u32),
    /// `store(a + offset, b)`.
    Store(Op, u32),
    /// `global.get` / `global.set` of a global index.
    Global(Op, u32),
    /// A *stack* operation (see [`Op`]) with immediates `a`, `b`, popping and pushing cells.
    Stack {
        op: Op,
        a: u32,
        b: u32,
        pops: u32,
        pushes: u32,
    },
}

impl Shape {
    fn stack(op: Op, pops: u32, pushes: u32) -> Self {
        Shape::Stack {
            op,
            a: 0,
            b: 0,
            pops,
            pushes,
        }
    }

    /// Sets the immediates of a [`Shape::Stack`].
    fn with(self, a: u32, b: u32) -> Self {
        match self {
            Shape::Stack {
                op, pops, pushes, ..
            } => Shape::Stack {
                op,
                a,
                b,
                pops,
                pushes,
            },
            other => other,
        }
    }
}

/// Whether `op` emits no code: `nop` and the reinterpretations (cells are untyped bits).
pub(super) fn is_noop(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::Nop
            | Operator::I32ReinterpretF32
            | Operator::I64ReinterpretF64
            | Operator::F32ReinterpretI32
            | Operator::F64ReinterpretI64
    )
}

/// The shape of a non-control operator, or `None` if it is handled elsewhere or unsupported.
pub(super) fn shape(m: &ModuleInner, op: &Operator<'_>) -> Option<Shape> {
    numeric::numeric(op)
        .or_else(|| convert::convert(op))
        .or_else(|| memory::memory(op))
        .or_else(|| variable::variable(m, op))
}

/// The cell value of a constant operator (`ref.null` is the null reference, 0), or `None`.
pub(super) fn constant(op: &Operator<'_>) -> Option<u64> {
    Some(match *op {
        Operator::I32Const { value } => u64::from(value as u32),
        Operator::I64Const { value } => value as u64,
        Operator::F32Const { value } => u64::from(value.bits()),
        Operator::F64Const { value } => value.bits(),
        Operator::RefNull { .. } => 0,
        _ => return None,
    })
}
