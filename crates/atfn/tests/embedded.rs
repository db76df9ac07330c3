//! The main job against the embedded registry of `atfn serve`, and what it
//! keeps across restarts.

use serde_json::json;

use crate::atfn_server::AtfnServer;
use crate::flow::{Author, RECORD_TTL_MS, run_flow};

fn embedded_author(server: &AtfnServer) -> Author {
    Author {
        pds: server.url.clone(),
        identifier: "dev.atfn.test".to_owned(),
        password: server.password(),
        did: server.did.clone().expect("embedded registry is on"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn main_job_on_embedded_registry() {
    let server = AtfnServer::start(&["--record-ttl-ms", &RECORD_TTL_MS.to_string()]);
    run_flow(&server, &embedded_author(&server)).await;

    let metrics = reqwest::get(format!("{}/metrics", server.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        r#"atfn_invocations_total{mode="pure-v1",outcome="ok"}"#,
        r#"atfn_invocations_total{mode="host-v1",outcome="guest_error"}"#,
        r#"atfn_invocation_duration_seconds_bucket{mode="pure-v1",le="0.1"}"#,
        r#"atfn_cache_hits_total{cache="module"}"#,
        r#"atfn_cache_misses_total{cache="module"}"#,
        r#"atfn_cache_hits_total{cache="blob"}"#,
        r#"atfn_cache_misses_total{cache="record"}"#,
    ] {
        assert!(metrics.contains(line), "/metrics lacks {line}:\n{metrics}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn records_and_modules_survive_restart() {
    let server = AtfnServer::start(&[]);
    let author = embedded_author(&server);
    let dir = tempfile::tempdir().unwrap();
    let wasm = crate::atfn_server::wasm_file(dir.path(), "echo", atfn_examples::ECHO);
    let echo = crate::atfn_server::publish(
        &author.pds,
        &author.identifier,
        &author.password,
        &wasm,
        &["--name", "echo", "--version", "1.0.0", "--mode", "pure-v1"],
    );
    assert_eq!(server.run(&echo, json!(7)).await["ok"], true);
    let port = server.url.rsplit(':').next().unwrap().to_owned();
    let data_dir = server.stop();
    assert!(
        std::fs::read_dir(data_dir.path().join("modules"))
            .unwrap()
            .next()
            .is_some(),
        "the compiled module was persisted"
    );
    // Same port, so the same did:web identity.
    let listen = format!("127.0.0.1:{port}");
    let server = AtfnServer::start_in(data_dir, &["--listen", &listen]);
    let body = server.run(&echo, json!(8)).await;
    assert_eq!(body["output"]["echo"], 8, "{body}");
}
