//! Shared helpers: a runtime, a spec per example module, a tiny in-memory [`HostApi`].

use atfn_runtime::{
    FunctionSpec, HostApi, HostBlob, HostFuture, HostPage, HostRecord, Limits, Mode, NoHost,
    RunError, Runtime, RuntimeConfig,
};
use bytes::Bytes;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A runtime with few pooling slots (tests run in parallel, each with its own runtime).
pub fn runtime() -> Runtime {
    Runtime::new(RuntimeConfig {
        max_instances: 8,
        ..RuntimeConfig::default()
    })
    .expect("runtime starts")
}

/// A spec for `wasm` with default limits; the CID is derived from the name so each module has its
/// own cache entry.
pub fn spec(name: &str, wasm: &'static [u8], mode: Mode) -> FunctionSpec {
    FunctionSpec {
        code_cid: format!(
            "bafktest{}",
            name.replace(|c: char| !c.is_ascii_alphanumeric(), "")
        ),
        wasm: Bytes::from_static(wasm),
        mode,
        limits: Limits::default(),
        allowed_hosts: None,
    }
}

/// Invokes a `pure-v1` call and parses its output.
pub async fn call(runtime: &Runtime, spec: &FunctionSpec, input: &str) -> Result<Value, RunError> {
    call_with(runtime, spec, input, Arc::new(NoHost)).await
}

/// Invokes with `host`.
pub async fn call_with(
    runtime: &Runtime,
    spec: &FunctionSpec,
    input: &str,
    host: Arc<dyn HostApi>,
) -> Result<Value, RunError> {
    runtime.invoke(spec, input.as_bytes(), host).await
}

/// Records by AT URI, served in URI order; cursor = the last URI of the previous page.
pub struct MapHost(pub BTreeMap<String, Value>);

impl MapHost {
    fn record(uri: &str, value: &Value) -> HostRecord {
        HostRecord {
            uri: Some(uri.to_owned()),
            cid: format!("bafyrei{}", uri.len()),
            value: value.clone(),
        }
    }
}

impl HostApi for MapHost {
    fn read_record(&self, at_uri: String) -> HostFuture<HostRecord> {
        let found = self.0.get(&at_uri).map(|v| Self::record(&at_uri, v));
        Box::pin(async move { found.ok_or_else(|| format!("record not found: {at_uri}")) })
    }

    /// Serves one blob, `bafkreihello` = `hello` (text/plain).
    fn read_blob(&self, cid: String, _repo: Option<String>) -> HostFuture<HostBlob> {
        Box::pin(async move {
            match cid.as_str() {
                "bafkreihello" => Ok(HostBlob {
                    mime_type: "text/plain".into(),
                    bytes: Bytes::from_static(b"hello"),
                }),
                _ => Err(format!("blob not found: {cid}")),
            }
        })
    }

    fn list_collection(
        &self,
        repo: String,
        collection: String,
        cursor: Option<String>,
        limit: u32,
    ) -> HostFuture<HostPage> {
        let prefix = format!("at://{repo}/{collection}/");
        let records: Vec<HostRecord> = (self.0.iter())
            .filter(|(uri, _)| uri.starts_with(&prefix) && cursor.as_ref().is_none_or(|c| *uri > c))
            .take(limit as usize)
            .map(|(uri, v)| Self::record(uri, v))
            .collect();
        let cursor = (records.len() == limit as usize)
            .then(|| records.last().and_then(|r| r.uri.clone()))
            .flatten();
        Box::pin(async move { Ok(HostPage { records, cursor }) })
    }
}

/// A host whose every call takes 10 s (to test that host time counts against the deadline).
pub struct SlowHost;

fn slow<T: Send + 'static>() -> HostFuture<T> {
    Box::pin(async {
        tokio::time::sleep(std::time::Duration::from_secs(10)).await;
        Err("too late".to_owned())
    })
}

impl HostApi for SlowHost {
    fn read_record(&self, _: String) -> HostFuture<HostRecord> {
        slow()
    }
    fn read_blob(&self, _: String, _: Option<String>) -> HostFuture<HostBlob> {
        slow()
    }
    fn list_collection(
        &self,
        _: String,
        _: String,
        _: Option<String>,
        _: u32,
    ) -> HostFuture<HostPage> {
        slow()
    }
}

/// Function index of export `name` in `wasm`.
pub fn export_index(wasm: &[u8], name: &str) -> u32 {
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let wasmparser::Payload::ExportSection(exports) = payload.unwrap() {
            for export in exports {
                let export = export.unwrap();
                if export.name == name {
                    return export.index;
                }
            }
        }
    }
    panic!("no export {name}");
}

/// `module::name` of the first import of `wasm`.
pub fn first_import(wasm: &[u8]) -> String {
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let wasmparser::Payload::ImportSection(imports) = payload.unwrap()
            && let Some(import) = imports.into_imports().next()
        {
            let import = import.unwrap();
            return format!("{}::{}", import.module, import.name);
        }
    }
    panic!("no imports");
}
