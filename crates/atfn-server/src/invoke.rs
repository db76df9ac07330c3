//! The invocation path shared by the HTTP handler and `atfn run <at-uri>`:
//! resolve and verify the function (registry), check `inputSchema`, run it
//! (runtime), check `outputSchema`.
//!
//! Everything that happens after the request was understood ends in an
//! [`Invocation`], whose outcome is either the function's output or an
//! [`InvokeError`]; the server turns the latter into `200 {ok: false, error}`
//! (lexicon `at.functions.run`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use atfn_registry::{AtUri, Function, Registry, RegistryError};
use atfn_runtime::{FunctionSpec, HostApi, Limits, RunError, Runtime};
use serde_json::Value;

use crate::host::RegistryHost;
use crate::schema::{SchemaCache, SchemaError};

/// Why an invocation that was well-formed did not produce an output.
///
/// Its `Display` is the `error` string of the `at.functions.run` response.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InvokeError {
    /// The function record or its code could not be resolved, fetched,
    /// verified or validated against `at.functions.metadata`.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The record's `mode` is not one this node runs, or the module failed
    /// while running (trap, timeout, memory limit, bad output, …).
    #[error(transparent)]
    Run(#[from] RunError),
    /// The record has `public: false`; this node only runs public functions.
    #[error("function is not public: {uri}")]
    NotPublic {
        /// The function's at-uri.
        uri: String,
    },
    /// The input or output does not satisfy the record's JSON Schema.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// The function ran and reported failure itself, by returning
    /// `{"ok": false, "error": "…"}`.
    #[error("{message}")]
    Guest {
        /// The guest's `error` string.
        message: String,
        /// The guest's whole output object.
        output: Value,
    },
}

/// The result of one invocation, with what is known about it even on failure.
#[derive(Debug)]
pub struct Invocation {
    /// CID of the `at.functions.metadata` record that was run, once fetched.
    pub function_cid: Option<String>,
    /// Wall-clock time spent running the module, once it started.
    pub duration: Option<Duration>,
    /// The record's `mode` (`pure-v1`, `host-v1`, …), once fetched; used to label metrics.
    pub mode: Option<String>,
    /// The function's JSON output, or why there is none.
    pub outcome: Result<Value, InvokeError>,
}

/// Resolves, verifies and runs functions. Cheap to clone.
#[derive(Clone)]
pub struct Invoker {
    registry: Registry,
    runtime: Runtime,
    host: Arc<dyn HostApi>,
    schemas: SchemaCache,
}

impl Invoker {
    /// An invoker that fetches through `registry` and runs on `runtime`;
    /// `host-v1` reads go through the same `registry`.
    pub fn new(registry: Registry, runtime: Runtime) -> Self {
        let host = Arc::new(RegistryHost::new(registry.clone()));
        Self {
            registry,
            runtime,
            host,
            schemas: SchemaCache::default(),
        }
    }

    /// The registry this invoker fetches through.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The runtime this invoker runs functions on.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// Runs the function at `uri` with `input` (any JSON value).
    ///
    /// Steps: `load_function` (getRecord + lexicon validation + getBlob with
    /// CID check, cached), `public` check, `inputSchema`, run with the record's
    /// limits (a guest-reported `{"ok": false, "error"}` becomes
    /// [`InvokeError::Guest`]), then `outputSchema`.
    pub async fn invoke(&self, uri: &AtUri, input: &Value) -> Invocation {
        let mut invocation = Invocation {
            function_cid: None,
            duration: None,
            mode: None,
            outcome: Ok(Value::Null),
        };
        let function = match self.registry.load_function(uri).await {
            Ok(function) => function,
            Err(error) => {
                invocation.outcome = Err(error.into());
                return invocation;
            }
        };
        invocation.function_cid = Some(function.record_cid.clone());
        invocation.mode = Some(function.record.mode.clone());
        invocation.outcome = self
            .run_loaded(&function, input, &mut invocation.duration)
            .await;
        invocation
    }

    async fn run_loaded(
        &self,
        function: &Function,
        input: &Value,
        duration: &mut Option<Duration>,
    ) -> Result<Value, InvokeError> {
        let record = &function.record;
        if !record.public {
            return Err(InvokeError::NotPublic {
                uri: function.uri.to_string(),
            });
        }
        let schemas = self.schemas.get(&function.record_cid, record)?;
        schemas.check_input(input)?;
        let spec = FunctionSpec {
            code_cid: record.code.cid.clone(),
            wasm: function.code.bytes.clone(),
            mode: record.mode.parse()?,
            limits: Limits {
                max_memory_mb: record.max_memory_mb,
                max_duration_ms: record.max_duration_ms,
            },
            allowed_hosts: record.allowed_hosts.clone(),
        };
        let (elapsed, output) = self.run_module(&spec, input).await;
        *duration = Some(elapsed);
        let output = output?;
        schemas.check_output(&output)?;
        Ok(output)
    }

    /// Runs a module that is already at hand (e.g. a local `.wasm` file for
    /// `atfn run`), with `host-v1` reads through this invoker's registry.
    ///
    /// Returns the wall-clock run time and the output; a guest-reported
    /// `{"ok": false, "error"}` becomes [`InvokeError::Guest`].
    pub async fn run_module(
        &self,
        spec: &FunctionSpec,
        input: &Value,
    ) -> (Duration, Result<Value, InvokeError>) {
        let input = serde_json::to_vec(input).expect("a Value always serializes");
        let started = Instant::now();
        let result = self.runtime.invoke(spec, &input, self.host.clone()).await;
        let output = result.map_err(InvokeError::from).and_then(guest_failure);
        (started.elapsed(), output)
    }
}

/// A guest that returns `{"ok": false, "error": "<string>"}` reports failure
/// (the convention of `atfn-guest`); anything else is its output.
fn guest_failure(output: Value) -> Result<Value, InvokeError> {
    let failed = output.get("ok") == Some(&Value::Bool(false));
    match output.get("error").and_then(Value::as_str) {
        Some(message) if failed => Err(InvokeError::Guest {
            message: message.to_owned(),
            output: output.clone(),
        }),
        _ => Ok(output),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{InvokeError, guest_failure};

    #[test]
    fn guest_ok_false_with_error_is_failure() {
        let output = json!({"ok": false, "error": "no such user"});
        match guest_failure(output.clone()) {
            Err(InvokeError::Guest {
                message,
                output: kept,
            }) => {
                assert_eq!(message, "no such user");
                assert_eq!(kept, output);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn other_outputs_pass_through() {
        for output in [
            json!({"ok": true}),
            json!({"ok": false}),
            json!([1]),
            json!("error"),
        ] {
            assert_eq!(guest_failure(output.clone()).unwrap(), output);
        }
    }
}
