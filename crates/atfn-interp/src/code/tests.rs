use super::*;
use crate::{Engine, Module};

/// The hot loop copies instructions by value; keep them at two words.
#[test]
fn instr_is_sixteen_bytes() {
    assert_eq!(std::mem::size_of::<Instr>(), 16);
}

/// The code of function 0 of a module given as WebAssembly text.
fn code(wat: &str) -> FuncCode {
    let module = Module::new(&Engine::default(), &wat::parse_str(wat).unwrap()).unwrap();
    (*module.inner.codes[0]).clone()
}

fn ops(code: &FuncCode) -> Vec<Op> {
    code.instrs.iter().map(|i| i.op).collect()
}

#[test]
fn locals_and_result_fold_into_one_instruction() {
    let c = code(
        "(module (func (param i32 i32) (local i32)
            local.get 0 local.get 1 i32.add local.set 2))",
    );
    assert_eq!(
        c.instrs[0],
        Instr {
            op: Op::I32Add,
            dst: 2,
            a: 0,
            b: 1
        }
    );
    assert_eq!(ops(&c), [Op::I32Add, Op::Return]);
}

#[test]
fn constants_are_frame_cells() {
    let c = code("(module (func (param i32) (result i32) local.get 0 i32.const 7 i32.add))");
    assert_eq!(c.consts, [7]);
    // param 0, const 7 in cell 1, the result in operand slot 0 = cell 2.
    assert_eq!(
        c.instrs[0],
        Instr {
            op: Op::I32Add,
            dst: 2,
            a: 0,
            b: 1
        }
    );
}

#[test]
fn loop_condition_fuses_with_its_comparison() {
    let c = code(
        "(module (func (param i32) (local i32)
            (loop
              local.get 1 i32.const 1 i32.add local.set 1
              local.get 1 local.get 0 i32.lt_s
              br_if 0)))",
    );
    assert_eq!(ops(&c), [Op::I32Add, Op::BrI32LtS, Op::Return]);
    assert_eq!((c.instrs[1].dst, c.instrs[1].a, c.instrs[1].b), (0, 1, 0));
}

#[test]
fn if_branches_on_the_inverted_comparison() {
    let c = code(
        "(module (func (param i32 i32) (result i32)
            (if (result i32) (i32.lt_u (local.get 0) (local.get 1))
              (then (local.get 0)) (else (local.get 1)))))",
    );
    assert_eq!(c.instrs[0].op, Op::BrI32GeU);
}

#[test]
fn a_local_read_before_its_write_keeps_the_old_value() {
    // `local.get 0` is still on the stack when `local.set 0` runs: it must be copied first.
    let c = code(
        "(module (func (param i32) (result i32)
            local.get 0 i32.const 5 local.set 0))",
    );
    assert_eq!(ops(&c), [Op::Copy, Op::Copy, Op::Return]);
    assert_eq!((c.instrs[0].dst, c.instrs[0].a), (c.stack_base(), 0));
    assert_eq!(c.instrs[1].dst, 0);
}

#[test]
fn dead_code_leaves_the_operands_of_live_code_alone() {
    // The dead block with a parameter must not pop the `i32.const 7` that lives below the
    // loop (wasm-smith seed 2066 of the differential test found this).
    let wasm = wat::parse_str(
        r#"(module (func (export "f") (result i32)
            i32.const 7
            (block
              (loop
                (br 1)
                (block (param i32) drop)))
            i32.const 1
            i32.add))"#,
    )
    .unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm).unwrap();
    let mut store = crate::Store::new(&engine, ());
    let instance = crate::Linker::new()
        .instantiate(&mut store, &module)
        .unwrap();
    let out = store.call(instance, "f", &[]).unwrap();
    assert_eq!(out, crate::Outcome::Finished(vec![crate::Value::I32(8)]));
}
