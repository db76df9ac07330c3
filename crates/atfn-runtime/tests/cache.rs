//! The compiled-module cache: memory hits, and disk hits after a restart.

use crate::support::{call, spec};
use atfn_examples::ECHO;
use atfn_runtime::{Mode, Runtime, RuntimeConfig, RuntimeStats};

fn runtime_in(dir: &std::path::Path) -> Runtime {
    Runtime::new(RuntimeConfig {
        cache_dir: Some(dir.to_owned()),
        max_instances: 2,
        ..Default::default()
    })
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn restart_loads_the_compiled_module_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let echo = spec("echo", ECHO, Mode::PureV1);

    let first = runtime_in(dir.path());
    call(&first, &echo, "1").await.unwrap();
    call(&first, &echo, "2").await.unwrap();
    assert_eq!(
        first.stats(),
        RuntimeStats {
            compilations: 1,
            disk_cache_hits: 0,
            memory_cache_hits: 1,
            running: 0
        }
    );
    assert!(dir.path().join("bafktestecho.cwasm").is_file());
    drop(first);

    let restarted = runtime_in(dir.path());
    call(&restarted, &echo, "3").await.unwrap();
    assert_eq!(
        restarted.stats(),
        RuntimeStats {
            compilations: 0,
            disk_cache_hits: 1,
            memory_cache_hits: 0,
            running: 0
        }
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unusable_cache_file_is_recompiled() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bafktestecho.cwasm"),
        b"not a compiled module",
    )
    .unwrap();
    let runtime = runtime_in(dir.path());
    call(&runtime, &spec("echo", ECHO, Mode::PureV1), "1")
        .await
        .unwrap();
    assert_eq!(runtime.stats().compilations, 1);
    assert_eq!(runtime.stats().disk_cache_hits, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn cids_that_are_not_alphanumeric_stay_off_disk() {
    let dir = tempfile::tempdir().unwrap();
    let mut echo = spec("echo", ECHO, Mode::PureV1);
    echo.code_cid = "../escape".into();
    call(&runtime_in(dir.path()), &echo, "1").await.unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_first_calls_compile_once() {
    let runtime = Runtime::new(RuntimeConfig {
        max_instances: 4,
        ..Default::default()
    })
    .unwrap();
    let echo = spec("echo", ECHO, Mode::PureV1);
    let calls: Vec<_> = (0..4)
        .map(|i| {
            let (runtime, echo) = (runtime.clone(), echo.clone());
            tokio::spawn(async move { call(&runtime, &echo, &i.to_string()).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(
        runtime.stats().compilations,
        1,
        "the other calls waited for the first compilation"
    );
}

/// Calls three functions (distinct code CIDs) in turn, twice, on a runtime keeping `entries`
/// modules in memory; returns its statistics.
async fn round_robin(entries: usize) -> RuntimeStats {
    let runtime = Runtime::new(RuntimeConfig {
        module_cache_entries: entries,
        max_instances: 2,
        ..Default::default()
    })
    .unwrap();
    let functions = ["echoa", "echob", "echoc"].map(|name| spec(name, ECHO, Mode::PureV1));
    for function in functions.iter().chain(&functions) {
        call(&runtime, function, "1").await.unwrap();
    }
    runtime.stats()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_memory_cache_keeps_at_most_its_entries() {
    let roomy = round_robin(4).await;
    assert_eq!((roomy.compilations, roomy.memory_cache_hits), (3, 3));
    // With room for one module, at most one call of the second round finds its module
    // still cached; the others compile again, and every call still succeeds.
    let one = round_robin(1).await;
    assert_eq!(one.compilations + one.memory_cache_hits, 6);
    assert!(one.memory_cache_hits <= 1, "{one:?}");
}
