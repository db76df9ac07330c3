//! `inputSchema` / `outputSchema` checks (lexicon `at.functions.metadata`).
//!
//! Schemas are JSON Schema documents; the draft is taken from `$schema`
//! (draft 4, 6, 7, 2019-09, 2020-12; default 2020-12), compiled by the
//! `jsonschema` crate once per function record CID and kept in a small cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use atfn_registry::FunctionRecord;
use jsonschema::Validator;
use serde_json::Value;

/// Compiled schemas kept at most; past it the cache is emptied and refilled.
const MAX_CACHED: usize = 1024;

/// A schema did not compile, or a value did not satisfy it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// The record's schema is not a valid JSON Schema.
    #[error("invalid {which}: {reason}")]
    Invalid {
        /// `inputSchema` or `outputSchema`.
        which: &'static str,
        /// The compiler's message.
        reason: String,
    },
    /// The input does not satisfy `inputSchema`; the function did not run.
    #[error("input does not match inputSchema: {reason} (at {path})")]
    Input {
        /// The first violation.
        reason: String,
        /// JSON Pointer to the offending part of the input.
        path: String,
    },
    /// The function's output does not satisfy `outputSchema`.
    #[error("output does not match outputSchema: {reason} (at {path})")]
    Output {
        /// The first violation.
        reason: String,
        /// JSON Pointer to the offending part of the output.
        path: String,
    },
}

/// The compiled schemas of one function record.
pub struct Schemas {
    input: Option<Validator>,
    output: Option<Validator>,
}

impl Schemas {
    fn compile(record: &FunctionRecord) -> Result<Self, SchemaError> {
        let compile = |which, schema: &Option<Value>| {
            schema
                .as_ref()
                .map(|schema| {
                    jsonschema::validator_for(schema).map_err(|e| SchemaError::Invalid {
                        which,
                        reason: e.to_string(),
                    })
                })
                .transpose()
        };
        Ok(Self {
            input: compile("inputSchema", &record.input_schema)?,
            output: compile("outputSchema", &record.output_schema)?,
        })
    }

    /// Checks `input` against `inputSchema`, if the record has one.
    pub fn check_input(&self, input: &Value) -> Result<(), SchemaError> {
        check(self.input.as_ref(), input)
            .map_err(|(reason, path)| SchemaError::Input { reason, path })
    }

    /// Checks `output` against `outputSchema`, if the record has one.
    pub fn check_output(&self, output: &Value) -> Result<(), SchemaError> {
        check(self.output.as_ref(), output)
            .map_err(|(reason, path)| SchemaError::Output { reason, path })
    }
}

fn check(validator: Option<&Validator>, value: &Value) -> Result<(), (String, String)> {
    match validator.map(|v| v.validate(value)) {
        Some(Err(error)) => {
            let path = error.instance_path().to_string();
            Err((
                error.to_string(),
                if path.is_empty() {
                    "/".to_owned()
                } else {
                    path
                },
            ))
        }
        _ => Ok(()),
    }
}

/// Compiled schemas by function record CID.
#[derive(Clone, Default)]
pub struct SchemaCache {
    by_cid: Arc<Mutex<HashMap<String, Arc<Schemas>>>>,
}

impl SchemaCache {
    /// The compiled schemas of `record`, whose CID is `record_cid`.
    ///
    /// Errors with [`SchemaError::Invalid`] when a schema does not compile.
    pub fn get(
        &self,
        record_cid: &str,
        record: &FunctionRecord,
    ) -> Result<Arc<Schemas>, SchemaError> {
        if let Some(schemas) = self.by_cid.lock().expect("poisoned").get(record_cid) {
            return Ok(schemas.clone());
        }
        let schemas = Arc::new(Schemas::compile(record)?);
        let mut cache = self.by_cid.lock().expect("poisoned");
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
        cache.insert(record_cid.to_owned(), schemas.clone());
        Ok(schemas)
    }
}

#[cfg(test)]
mod tests;
