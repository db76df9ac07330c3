//! Prometheus metrics: the recorder, the `/metrics` page and the names the
//! server records.
//!
//! Recorded here: `atfn_invocations_total{mode, outcome}` (counter) and
//! `atfn_invocation_duration_seconds{mode}` (histogram of module run time).
//! The registry and runtime record their cache counters
//! (`atfn_cache_hits_total{cache}`, `atfn_cache_misses_total{cache}`)
//! through the same global `metrics` recorder.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::invoke::{Invocation, InvokeError};

/// How often buffered histogram samples are drained.
const UPKEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// Histogram buckets for run time, in seconds (100 µs .. 5 s).
const DURATION_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// The process-wide Prometheus recorder, installed on first use.
///
/// `metrics` allows one global recorder per process, so every server in a
/// process (tests start several) shares it.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(DURATION_BUCKETS)
            .expect("bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (e.g. by an embedding
        // program); the page then stays empty rather than failing.
        let _ = metrics::set_global_recorder(recorder);
        // Histogram samples are buffered until drained; drain them even when
        // nobody scrapes, so memory stays bounded.
        let upkeep = handle.clone();
        std::thread::Builder::new()
            .name("atfn-metrics-upkeep".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(UPKEEP_INTERVAL);
                    upkeep.run_upkeep();
                }
            })
            .expect("spawning the metrics upkeep thread");
        handle
    })
}

/// Records one finished invocation.
pub fn record(invocation: &Invocation) {
    let mode = invocation
        .mode
        .clone()
        .unwrap_or_else(|| "unknown".to_owned());
    let outcome = match &invocation.outcome {
        Ok(_) => "ok",
        Err(InvokeError::Registry(_)) => "registry_error",
        Err(InvokeError::Run(_)) => "run_error",
        Err(InvokeError::NotPublic { .. }) => "not_public",
        Err(InvokeError::Schema(_)) => "schema_error",
        Err(InvokeError::Guest { .. }) => "guest_error",
    };
    metrics::counter!("atfn_invocations_total", "mode" => mode.clone(), "outcome" => outcome)
        .increment(1);
    if let Some(duration) = invocation.duration {
        metrics::histogram!("atfn_invocation_duration_seconds", "mode" => mode)
            .record(duration.as_secs_f64());
    }
}
