use serde_json::json;

use super::{SchemaCache, SchemaError};

fn record(input_schema: serde_json::Value) -> atfn_registry::FunctionRecord {
    atfn_registry::FunctionRecord::from_value(&json!({
        "name": "t",
        "version": "1.0.0",
        "mode": "pure-v1",
        "code": {"$type": "blob", "ref": {"$link": "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq"}, "mimeType": "application/wasm", "size": 5},
        "entrypoint": "run",
        "inputEncoding": "application/json",
        "outputEncoding": "application/json",
        "inputSchema": input_schema,
        "outputSchema": {"type": "object"},
    }))
    .unwrap()
}

#[test]
fn input_matching_schema_ok() {
    let schemas = SchemaCache::default()
        .get("cid1", &record(json!({"type": "integer"})))
        .unwrap();
    schemas.check_input(&json!(3)).unwrap();
    schemas.check_output(&json!({})).unwrap();
}

#[test]
fn input_violating_schema_err() {
    let schema = json!({"type": "object", "properties": {"n": {"type": "integer"}}});
    let schemas = SchemaCache::default().get("cid2", &record(schema)).unwrap();
    let error = schemas.check_input(&json!({"n": "x"})).unwrap_err();
    assert!(
        matches!(&error, SchemaError::Input { path, .. } if path == "/n"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        r#"input does not match inputSchema: "x" is not of type "integer" (at /n)"#
    );
}

#[test]
fn output_violating_schema_err() {
    let schemas = SchemaCache::default()
        .get("cid3", &record(json!(true)))
        .unwrap();
    let error = schemas.check_output(&json!([1])).unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"output does not match outputSchema: [1] is not of type "object" (at /)"#
    );
}

#[test]
fn schemas_are_compiled_once_per_record_cid() {
    let cache = SchemaCache::default();
    let first = cache
        .get("same", &record(json!({"type": "integer"})))
        .unwrap();
    let second = cache
        .get("same", &record(json!({"type": "string"})))
        .unwrap();
    assert!(std::sync::Arc::ptr_eq(&first, &second));
}
