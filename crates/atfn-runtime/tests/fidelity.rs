//! Snapshot fidelity of every example guest on atfn-interp: the guest ABI (`alloc`, write
//! the input, `run`, read the output; design.md §1.2) runs once without interruption and
//! then with each call suspended by fuel at many safe points, snapshotted, dropped and
//! restored into a fresh store at every stop. The outcome of each call (results, trap or
//! error) and the final state (memory, so the output bytes, globals, tables) must be
//! identical; the check itself is atfn-interp's (`tests/fidelity/slices.rs`, included).
//!
//! The `host` imports of `host-v1` guests answer with fixed JSON, written into the guest
//! through its own `alloc` as the runtime does. Guests that never return (infinite loop,
//! memory bomb) are compared after the same total fuel.

#[path = "../../atfn-interp/tests/fidelity/slices.rs"]
mod slices;

use atfn_examples as ex;
use atfn_interp::{
    Caller, Config, Engine, FuncType, HostAction, Limits, Linker, Module, Outcome, Store, Trap,
    ValType, Value,
};
use slices::Restorer;

/// Fuel for one call; the guests that never return stop here.
const TOTAL: u64 = 300_000;

/// Small limits, so that the memory bomb and the deep recursion end (and snapshot) quickly:
/// 4 MiB of memory, 2,000 frames, 1 MiB of value stack.
fn engine() -> Engine {
    Engine::new(Config {
        limits: Limits {
            max_memory_pages: 64,
            max_call_depth: 2_000,
            max_value_cells: 1 << 17,
            ..Limits::default()
        },
        consume_fuel: true,
    })
}

/// The fixed answer of each `host` import.
fn host_answer(name: &str) -> &'static str {
    match name {
        "host_read_record" => r#"{"ok":true,"record":{"text":"bob"},"cid":"bafyreitest"}"#,
        "host_read_blob" => r#"{"ok":true,"mimeType":"text/plain","bytesBase64":"aGVsbG8="}"#,
        _ => {
            r#"{"ok":true,"records":[{"uri":"at://did:plc:alice/app.bsky.feed.post/a1","cid":"bafyrei1","value":{"text":"a1"}},{"uri":"at://did:plc:alice/app.bsky.feed.post/a2","cid":"bafyrei2","value":{"text":"a2"}}]}"#
        }
    }
}

/// One `host` import: checks the request lies in memory, then writes the answer through
/// the guest's `alloc` and returns it packed (`ptr << 32 | len`).
fn host_import(
    name: &'static str,
    caller: &mut Caller<'_, ()>,
    args: &[Value],
) -> Result<HostAction, Trap> {
    let &[Value::I32(ptr), Value::I32(len)] = args else {
        return Err(Trap::Host(format!("{name}: bad arguments")));
    };
    let memory = caller.memory().unwrap_or_default();
    let (ptr, len) = (ptr as u32 as usize, len as u32 as usize);
    if memory.len() < ptr.saturating_add(len) {
        return Err(Trap::Host(format!("{name}: request outside memory")));
    }
    let answer = host_answer(name).as_bytes();
    let at = match caller.call("alloc", &[Value::I32(answer.len() as i32)]) {
        Ok(values) => match values[..] {
            [Value::I32(at)] => at as u32,
            _ => return Err(Trap::Host(format!("{name}: alloc returned {values:?}"))),
        },
        Err(e) => return Err(Trap::Host(format!("{name}: alloc failed: {e}"))),
    };
    let slot = (caller.memory_mut())
        .and_then(|m| m.get_mut(at as usize..))
        .and_then(|m| m.get_mut(..answer.len()))
        .ok_or_else(|| Trap::Host(format!("{name}: alloc returned {at} outside memory")))?;
    slot.copy_from_slice(answer);
    let packed = (u64::from(at) << 32) | answer.len() as u64;
    Ok(HostAction::Return(vec![Value::I64(packed as i64)]))
}

fn linker() -> Linker<()> {
    let mut linker = Linker::new();
    let ty = FuncType::new([ValType::I32, ValType::I32], [ValType::I64]);
    for name in ["host_read_record", "host_read_blob", "host_list_collection"] {
        linker.func("host", name, ty.clone(), move |caller, args| {
            host_import(name, caller, args)
        });
    }
    linker
}

/// The output bytes `run` returned, or the outcome of the call that did not return them.
fn output(
    store: &Store<()>,
    instance: atfn_interp::Instance,
    run: &Result<Outcome, atfn_interp::Error>,
) -> String {
    let Ok(Outcome::Finished(values)) = run else {
        return format!("{run:?}");
    };
    let [Value::I64(packed)] = values[..] else {
        return format!("run returned {values:?}");
    };
    let (ptr, len) = ((packed as u64 >> 32) as usize, packed as u32 as usize);
    let memory = store.memory(instance).unwrap_or_default();
    match memory.get(ptr..).and_then(|m| m.get(..len)) {
        Some(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        None => format!("output of {len} bytes at {ptr} is outside memory"),
    }
}

/// Runs `wasm` on `input` through the ABI, checking each call's fidelity; returns the
/// output (see [`output`]) and the number of fresh stores the sliced runs used.
fn run_guest(name: &str, wasm: &[u8], input: &str) -> (String, u64) {
    let engine = engine();
    let linker = linker();
    let module = Module::new(&engine, wasm).expect("example guest is valid");
    let mut store = Store::new(&engine, ());
    let instance = linker
        .instantiate(&mut store, &module)
        .expect("instantiates");
    let restorer = Restorer {
        module: &module,
        linker: &linker,
        data: &|| (),
    };
    let start = slices::final_state(&mut store);
    let len = Value::I32(input.len() as i32);
    let what = format!("{name} alloc");
    let (alloc, _, allocs) = restorer.check(
        &what,
        &mut store,
        instance,
        &start,
        ("alloc", &[len]),
        TOTAL,
    );
    let Ok(Outcome::Finished(values)) = alloc else {
        panic!("{name}: alloc gave {alloc:?}");
    };
    let [ptr @ Value::I32(at)] = values[..] else {
        panic!("{name}: alloc returned {values:?}");
    };
    let memory = store.memory_mut(instance).expect("memory export");
    memory[at as u32 as usize..][..input.len()].copy_from_slice(input.as_bytes());
    let start = slices::final_state(&mut store);
    let what = format!("{name} run");
    let (run, _, runs) = restorer.check(
        &what,
        &mut store,
        instance,
        &start,
        ("run", &[ptr, len]),
        TOTAL,
    );
    (output(&store, instance, &run), allocs + runs)
}

/// Every guest, its input and what its output (or outcome) starts with.
const CASES: &[(&str, &[u8], &str, &str)] = &[
    (
        "echo",
        ex::ECHO,
        r#"{"hello":"world","n":[1,2.5,null]}"#,
        ECHOED,
    ),
    ("echo-not-json", ex::ECHO, "{nope", NOT_JSON),
    (
        "lister",
        ex::LISTER,
        r#"{"repo":"did:plc:alice","collection":"c"}"#,
        LISTED,
    ),
    (
        "lister-read",
        ex::LISTER,
        r#"{"read":"at://did:plc:bob/c/b1"}"#,
        READ,
    ),
    (
        "lister-blob",
        ex::LISTER,
        r#"{"blob":"bafkreihello","repo":"did:plc:alice"}"#,
        BLOB,
    ),
    (
        "infinite-loop",
        ex::INFINITE_LOOP,
        "{}",
        "Ok(Suspended(FuelExhausted))",
    ),
    (
        "memory-bomb",
        ex::MEMORY_BOMB,
        "{}",
        "Ok(Suspended(FuelExhausted))",
    ),
    (
        "deep-recursion",
        ex::DEEP_RECURSION,
        "{}",
        "Err(Trap(StackExhausted))",
    ),
    (
        "unreachable",
        ex::UNREACHABLE,
        "{}",
        "Err(Trap(Unreachable))",
    ),
    (
        "out-of-bounds",
        ex::OUTPUT_OUT_OF_BOUNDS,
        "{}",
        OUT_OF_BOUNDS,
    ),
    (
        "non-utf8-output",
        ex::NON_UTF8_OUTPUT,
        "{}",
        "\"\u{fffd}\u{fffd}\"",
    ),
    (
        "non-json-output",
        ex::NON_JSON_OUTPUT,
        "{}",
        "hello, not json",
    ),
    ("oversized-output", ex::OVERSIZED_OUTPUT, "{}", "\"aaaaaaaa"),
    (
        "missing-run",
        ex::MISSING_RUN,
        "{}",
        r#"Err(ExportNotFound("run"))"#,
    ),
    ("host-bad-request", ex::HOST_BAD_REQUEST, "{}", BAD_REQUEST),
];

const ECHOED: &str = r#"{"echo":{"hello":"world","n":[1,2.5,null]},"mode":"pure-v1","ok":true}"#;
const NOT_JSON: &str =
    r#"{"ok":false,"error":"invalid input: key must be a string at line 1 column 2"}"#;
const LISTED: &str = r#"{"collection":"c","count":2,"cursor":null,"ok":true,"uris":["at://did:plc:alice/app.bsky.feed.post/a1","at://did:plc:alice/app.bsky.feed.post/a2"]}"#;
const READ: &str = r#"{"cid":"bafyreitest","ok":true,"record":{"text":"bob"}}"#;
const BLOB: &str = r#"{"mimeType":"text/plain","ok":true,"size":5,"text":"hello"}"#;
const OUT_OF_BOUNDS: &str = "output of 4096 bytes at 4294967040 is outside memory";
const BAD_REQUEST: &str = r#"Err(Trap(Host("host_read_record: request outside memory")))"#;

#[test]
fn every_example_guest_suspended_anywhere_restores_identically() {
    for (name, wasm) in ex::ALL {
        assert!(CASES.iter().any(|c| c.1 == *wasm), "{name} has no case");
    }
    let mut wrong = Vec::new();
    for &(name, wasm, input, expected) in CASES {
        let (output, restores) = run_guest(name, wasm, input);
        println!("{name}: {restores} restores, output {output:.100}");
        assert!(restores > 0, "{name}: never restored");
        if !output.starts_with(expected) {
            wrong.push((name, output));
        }
    }
    assert!(wrong.is_empty(), "unexpected outputs: {wrong:.300?}");
}
