use super::*;
use crate::{Engine, Module};

/// The hot path copies instructions by value; keep them at two words.
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
    // Back to pc 0 from pc 1: offset -1.
    assert_eq!(
        (c.instrs[1].branch_target(1), c.instrs[1].a, c.instrs[1].b),
        (0, 1, 0)
    );
    assert!(c.instrs[1].branches_back());
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

/// A loop with a backward branch, a `br_table`, a load, a global, a call and a select:
/// every kind of field the verifier checks.
const VERIFIED: &str = r#"(module (memory 1) (global $g (mut i32) (i32.const 0))
    (func (param i32) (result i32)
        (loop $l
            (br_if $l (i32.lt_u (local.get 0) (i32.const 10))))
        (block $a (block $b (br_table $a $b (local.get 0))))
        (global.set $g (i32.load (local.get 0)))
        (drop (call 0 (local.get 0)))
        (select (local.get 0) (global.get $g) (local.get 0))))"#;

#[test]
fn translated_code_passes_verification() {
    assert_eq!(verify(&code(VERIFIED)), Ok(()));
}

/// Each corruption of valid code is reported with the offending pc.
#[test]
fn verifier_rejects_code_the_hot_loop_could_not_run_safely() {
    let valid = code(VERIFIED);
    let frame = valid.frame_size() as u32;
    let len = valid.instrs.len() as u32;
    let at = |op: Op| valid.instrs.iter().position(|i| i.op == op).unwrap();
    let corrupt = |f: &dyn Fn(&mut FuncCode)| {
        let mut c = valid.clone();
        f(&mut c);
        verify(&c)
    };
    let fails_at = |pc| {
        move |r: Result<(), VerifyError>| {
            assert!(
                matches!(r, Err(VerifyError { pc: p, .. }) if p == pc),
                "{r:?}"
            );
        }
    };
    let branch = at(Op::BrI32LtU);
    fails_at(branch)(corrupt(&|c| c.instrs[branch].dst = len));
    fails_at(branch)(corrupt(&|c| c.instrs[branch].a = frame));
    let load = at(Op::I32Load);
    fails_at(load)(corrupt(&|c| c.instrs[load].dst = frame));
    let select = at(Op::Select);
    fails_at(select)(corrupt(&|c| c.instrs[select].a = frame - 1));
    let table = at(Op::BrTable);
    fails_at(table)(corrupt(&|c| c.br_tables[0].pc = len));
    fails_at(table)(corrupt(&|c| c.instrs[table].b += 1));
    fails_at(table)(corrupt(&|c| c.instrs[table].b = 0));
    let call = at(Op::Call);
    fails_at(call)(corrupt(&|c| c.instrs[call].dst -= 1));
    let ret = at(Op::Return);
    fails_at(ret)(corrupt(&|c| c.instrs[ret].dst += 1));
    fails_at(ret)(corrupt(&|c| c.heights[ret] = frame));
    // An offset or a global index may exceed the frame; a cell may not.
    assert_eq!(corrupt(&|c| c.instrs[load].b = u32::MAX), Ok(()));
    let last = len as usize - 1;
    fails_at(last)(corrupt(&|c| c.instrs[last].op = Op::Copy));
    fails_at(len as usize)(corrupt(&|c| {
        c.heights.pop();
    }));
    fails_at(0)(corrupt(&|c| {
        c.instrs.clear();
        c.heights.clear();
    }));
}
