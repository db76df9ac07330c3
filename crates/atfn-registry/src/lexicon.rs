//! The `at.functions.metadata` record (lexicon `lexicons/at.functions.metadata.json`): a typed
//! view of the record and a validator applying every constraint of the lexicon — required
//! fields, `maxLength` counted in UTF-8 bytes (Lexicon spec, "string"), `const` values, integer
//! bounds, the blob shape and its `accept` list, defaults, and that `inputSchema` and
//! `outputSchema` compile as JSON Schema. Unknown fields (such as `updatedAt`) are ignored.

use serde_json::{Map, Value};

use crate::error::LexiconError;

/// NSID of the function record collection.
pub const FUNCTION_NSID: &str = "at.functions.metadata";

/// A blob reference in a record: `{"$type":"blob","ref":{"$link":cid},"mimeType","size"}`
/// (AT Proto spec "Data Model", blob type). The PDS does not check `mime_type` or `size`
/// against the stored bytes; only the CID is trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRef {
    /// The blob CID (CIDv1, raw codec, sha2-256), as written in `ref.$link`.
    pub cid: String,
    /// Declared MIME type.
    pub mime_type: String,
    /// Declared size in bytes.
    pub size: u64,
}

/// A validated `at.functions.metadata` record with defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionRecord {
    /// Human-readable name, at most 128 bytes.
    pub name: String,
    /// Semver string, at most 32 bytes (not checked against semver: the lexicon only bounds it).
    pub version: String,
    /// Execution mode, kept as written: known values `pure-v1`, `host-v1`, `component-v1`; the
    /// set is open, so the runtime decides what it supports.
    pub mode: String,
    /// The compiled module, a blob accepting `application/wasm`.
    pub code: BlobRef,
    /// Whether anyone may invoke the function. Default true.
    pub public: bool,
    /// Description, at most 2048 bytes.
    pub description: Option<String>,
    /// JSON Schema for the input; compiles with the `jsonschema` crate.
    pub input_schema: Option<Value>,
    /// JSON Schema describing the output; compiles with the `jsonschema` crate.
    pub output_schema: Option<Value>,
    /// Memory limit in MiB (the lexicon says "megabytes"), 1..=256. Default 32.
    pub max_memory_mb: u32,
    /// Execution timeout in ms, 1..=5000. Default 100.
    pub max_duration_ms: u32,
    /// For `host-v1`: the at-uris the function may read. `None` means unrestricted.
    pub allowed_hosts: Option<Vec<String>>,
}

impl FunctionRecord {
    /// Validates a record value in AT Proto JSON form against `at.functions.metadata` and
    /// applies its defaults. Returns the first violated constraint as a [`LexiconError`],
    /// checking fields in lexicon order: `name`, `version`, `mode`, `code`, `entrypoint`,
    /// `inputEncoding`, `outputEncoding`, then the optional fields.
    pub fn from_value(value: &Value) -> Result<Self, LexiconError> {
        let obj = value.as_object().ok_or(LexiconError::NotObject)?;
        let name =
            string(obj, "name", Some(128))?.ok_or(LexiconError::Missing { field: "name" })?;
        let version =
            string(obj, "version", Some(32))?.ok_or(LexiconError::Missing { field: "version" })?;
        let mode = string(obj, "mode", None)?.ok_or(LexiconError::Missing { field: "mode" })?;
        let code = blob(obj, "code")?;
        constant(obj, "entrypoint", "run")?;
        constant(obj, "inputEncoding", "application/json")?;
        constant(obj, "outputEncoding", "application/json")?;
        let public = match obj.get("public") {
            None => true,
            Some(v) => v.as_bool().ok_or(LexiconError::WrongType {
                field: "public",
                expected: "a boolean",
            })?,
        };
        Ok(Self {
            name,
            version,
            mode,
            code,
            public,
            description: string(obj, "description", Some(2048))?,
            input_schema: schema(obj, "inputSchema")?,
            output_schema: schema(obj, "outputSchema")?,
            max_memory_mb: integer(obj, "maxMemoryMb", 1, 256, 32)?,
            max_duration_ms: integer(obj, "maxDurationMs", 1, 5000, 100)?,
            allowed_hosts: string_array(obj, "allowedHosts")?,
        })
    }
}

/// An optional string property, bounded by `max_len` UTF-8 bytes.
fn string(
    obj: &Map<String, Value>,
    field: &'static str,
    max_len: Option<usize>,
) -> Result<Option<String>, LexiconError> {
    let Some(v) = obj.get(field) else {
        return Ok(None);
    };
    let s = v.as_str().ok_or(LexiconError::WrongType {
        field,
        expected: "a string",
    })?;
    match max_len {
        Some(max) if s.len() > max => Err(LexiconError::TooLong {
            field,
            max,
            len: s.len(),
        }),
        _ => Ok(Some(s.to_owned())),
    }
}

/// A required string property with a `const` value.
fn constant(
    obj: &Map<String, Value>,
    field: &'static str,
    expected: &'static str,
) -> Result<(), LexiconError> {
    match string(obj, field, None)? {
        None => Err(LexiconError::Missing { field }),
        Some(got) if got != expected => Err(LexiconError::NotConst {
            field,
            expected,
            got,
        }),
        Some(_) => Ok(()),
    }
}

/// An optional integer property within `min..=max`, `default` when absent.
fn integer(
    obj: &Map<String, Value>,
    field: &'static str,
    min: i64,
    max: i64,
    default: u32,
) -> Result<u32, LexiconError> {
    let Some(v) = obj.get(field) else {
        return Ok(default);
    };
    let n = v.as_i64().ok_or(LexiconError::WrongType {
        field,
        expected: "an integer",
    })?;
    if n < min {
        return Err(LexiconError::TooSmall { field, min });
    }
    if n > max {
        return Err(LexiconError::TooLarge { field, max });
    }
    Ok(u32::try_from(n).expect("bounds are within u32"))
}

/// An optional array of strings.
fn string_array(
    obj: &Map<String, Value>,
    field: &'static str,
) -> Result<Option<Vec<String>>, LexiconError> {
    let Some(v) = obj.get(field) else {
        return Ok(None);
    };
    let wrong = LexiconError::WrongType {
        field,
        expected: "an array of strings",
    };
    let items = v.as_array().ok_or(wrong.clone())?;
    items
        .iter()
        .map(|i| i.as_str().map(str::to_owned).ok_or(wrong.clone()))
        .collect::<Result<_, _>>()
        .map(Some)
}

/// A required blob property accepting `application/wasm`.
fn blob(obj: &Map<String, Value>, field: &'static str) -> Result<BlobRef, LexiconError> {
    let v = obj.get(field).ok_or(LexiconError::Missing { field })?;
    let bad = |reason| LexiconError::BadBlob { field, reason };
    let b = v.as_object().ok_or(bad("not an object"))?;
    if b.get("$type").and_then(Value::as_str) != Some("blob") {
        return Err(bad("$type must be \"blob\""));
    }
    let cid = b
        .get("ref")
        .and_then(|r| r.get("$link"))
        .and_then(Value::as_str)
        .ok_or(bad("ref must be {\"$link\": <CID>}"))?;
    cid.parse::<cid::Cid>()
        .map_err(|_| bad("ref.$link is not a CID"))?;
    let mime_type = b
        .get("mimeType")
        .and_then(Value::as_str)
        .ok_or(bad("mimeType must be a string"))?;
    let size = b
        .get("size")
        .and_then(Value::as_u64)
        .ok_or(bad("size must be a non-negative integer"))?;
    if mime_type != "application/wasm" {
        return Err(LexiconError::BlobNotAccepted {
            field,
            got: mime_type.to_owned(),
        });
    }
    Ok(BlobRef {
        cid: cid.to_owned(),
        mime_type: mime_type.to_owned(),
        size,
    })
}

/// An optional `unknown` property that must compile as a JSON Schema (draft from `$schema`,
/// else the `jsonschema` crate's default, 2020-12).
fn schema(obj: &Map<String, Value>, field: &'static str) -> Result<Option<Value>, LexiconError> {
    let Some(v) = obj.get(field) else {
        return Ok(None);
    };
    jsonschema::validator_for(v).map_err(|e| LexiconError::BadSchema {
        field,
        reason: e.to_string(),
    })?;
    Ok(Some(v.clone()))
}

#[cfg(test)]
mod tests;
