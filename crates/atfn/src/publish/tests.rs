use std::path::PathBuf;

use clap::Parser;
use serde_json::json;

use super::*;

/// `atfn publish`'s arguments as a stand-alone command, as main.rs nests them.
#[derive(Parser, Debug)]
struct Cli {
    #[command(flatten)]
    args: PublishArgs,
}

const CREDENTIALS: [&str; 4] = ["--identifier", "alice.test", "--password", "pw"];

fn parse(extra: &[&str]) -> Result<PublishArgs, clap::Error> {
    let argv = ["atfn-publish", "fn.wasm"]
        .iter()
        .chain(&CREDENTIALS)
        .chain(extra);
    Cli::try_parse_from(argv).map(|cli| cli.args)
}

/// The first line of a clap error, without the usage text.
fn parse_err(extra: &[&str]) -> String {
    parse(extra)
        .unwrap_err()
        .to_string()
        .lines()
        .next()
        .unwrap()
        .to_owned()
}

fn blob() -> BlobRef {
    serde_json::from_value(json!({
        "$type": "blob",
        "ref": {"$link": "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq"},
        "mimeType": "application/wasm",
        "size": 5,
    }))
    .unwrap()
}

fn args(name: &str) -> PublishArgs {
    PublishArgs::for_file(
        PathBuf::from("fn.wasm"),
        name,
        "pure-v1",
        DEFAULT_PDS,
        "alice.test",
        "pw",
    )
}

#[test]
fn parse_defaults_ok() {
    let args = parse(&["--name", "Echo", "--version", "1.2.3"]).unwrap();
    assert_eq!(args.wasm, PathBuf::from("fn.wasm"));
    assert_eq!(args.mode, "pure-v1");
    assert_eq!(args.pds, "http://127.0.0.1:2584");
    assert_eq!(args.rkey, None);
    assert_eq!(args.record_key().unwrap(), "echo");
    assert!(args.allowed_hosts.is_empty());
    assert_eq!(
        (args.identifier.as_str(), args.password.as_str()),
        ("alice.test", "pw")
    );
}

#[test]
fn parse_every_flag_ok() {
    let args = parse(&[
        "--name",
        "lister",
        "--version",
        "0.1.0-beta.1",
        "--mode",
        "host-v1",
        "--rkey",
        "lister.v1",
        "--description",
        "lists",
        "--input-schema",
        "in.json",
        "--output-schema",
        "out.json",
        "--max-memory-mb",
        "256",
        "--max-duration-ms",
        "1",
        "--allowed-host",
        "at://did:plc:abc",
        "--allowed-host",
        "at://did:plc:def/app.bsky.feed.post",
        "--pds",
        "http://localhost:9",
    ])
    .unwrap();
    assert_eq!(args.mode, "host-v1");
    assert_eq!(args.record_key().unwrap(), "lister.v1");
    assert_eq!(args.input_schema, Some(PathBuf::from("in.json")));
    assert_eq!(args.output_schema, Some(PathBuf::from("out.json")));
    assert_eq!(
        (args.max_memory_mb, args.max_duration_ms),
        (Some(256), Some(1))
    );
    assert_eq!(
        args.allowed_hosts,
        ["at://did:plc:abc", "at://did:plc:def/app.bsky.feed.post"]
    );
    assert_eq!(args.pds, "http://localhost:9");
}

#[test]
fn parse_bad_input_err() {
    let base = ["--name", "f", "--version", "1.0.0"];
    let with = |extra: &[&str]| parse_err(&[&base[..], extra].concat());
    assert_eq!(
        with(&["--max-memory-mb", "0"]),
        "error: invalid value '0' for '--max-memory-mb <MAX_MEMORY_MB>': 0 is not in 1..=256"
    );
    assert_eq!(
        with(&["--max-duration-ms", "5001"]),
        "error: invalid value '5001' for '--max-duration-ms <MAX_DURATION_MS>': 5001 is not in 1..=5000"
    );
    assert_eq!(
        with(&["--allowed-host", "https://example.com"]),
        "error: invalid value 'https://example.com' for '--allowed-host <URI>': expected an at:// URI"
    );
    assert!(
        with(&["--rkey", "a/b"]).starts_with("error: invalid value 'a/b' for '--rkey <RKEY>': "),
        "{}",
        with(&["--rkey", "a/b"])
    );
    assert_eq!(
        parse_err(&["--name", "f", "--version", "1.0"]),
        "error: invalid value '1.0' for '--version <VERSION>': not a semantic version: \
         unexpected end of input while parsing minor version number"
    );
    assert_eq!(
        parse_err(&["--version", "1.0.0"]),
        "error: the following required arguments were not provided:"
    );
}

#[test]
fn rkey_from_name_ok() {
    assert_eq!(rkey_from_name("echo").unwrap(), "echo");
    assert_eq!(rkey_from_name("My Echo!").unwrap(), "my-echo");
    assert_eq!(rkey_from_name("  a:b/c__d~e.f  ").unwrap(), "a-b-c__d~e.f");
    assert_eq!(rkey_from_name("Grüße").unwrap(), "gr-e");
    assert_eq!(rkey_from_name(&"x".repeat(600)).unwrap().len(), 512);
    // Every derived key is a valid record key.
    RecordKey::new(rkey_from_name("My Echo!").unwrap()).unwrap();
}

#[test]
fn rkey_from_name_err() {
    for name in ["", "!!!", ".", "..", " . "] {
        assert_eq!(
            rkey_from_name(name).unwrap_err().to_string(),
            format!("cannot derive a record key from the name {name:?}; pass --rkey")
        );
    }
}

#[test]
fn record_required_fields_ok() {
    let record = RecordFields::from_args(&args("echo"))
        .unwrap()
        .to_json(&blob())
        .unwrap();
    assert_eq!(
        record,
        json!({
            "$type": "at.functions.metadata",
            "name": "echo",
            "version": "1.0.0",
            "mode": "pure-v1",
            "code": {
                "$type": "blob",
                "ref": {"$link": "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq"},
                "mimeType": "application/wasm",
                "size": 5,
            },
            "entrypoint": "run",
            "inputEncoding": "application/json",
            "outputEncoding": "application/json",
        })
    );
}

#[test]
fn record_optional_fields_ok() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("in.json");
    std::fs::write(&schema, r#"{"type": "object"}"#).unwrap();
    let mut args = args("lister");
    args.description = Some("lists records".into());
    args.input_schema = Some(schema.clone());
    args.output_schema = Some(schema);
    args.max_memory_mb = Some(64);
    args.max_duration_ms = Some(250);
    args.allowed_hosts = vec!["at://did:plc:abc".into()];
    let record = RecordFields::from_args(&args)
        .unwrap()
        .to_json(&blob())
        .unwrap();
    assert_eq!(record["description"], "lists records");
    assert_eq!(record["inputSchema"], json!({"type": "object"}));
    assert_eq!(record["outputSchema"], json!({"type": "object"}));
    assert_eq!(record["maxMemoryMb"], 64);
    assert_eq!(record["maxDurationMs"], 250);
    assert_eq!(record["allowedHosts"], json!(["at://did:plc:abc"]));
    // The record survives the conversion to atrium's `Unknown` unchanged.
    let fields = RecordFields::from_args(&args).unwrap();
    let unknown = fields.clone().into_record(&blob()).unwrap();
    assert_eq!(
        serde_json::to_value(unknown).unwrap(),
        fields.to_json(&blob()).unwrap()
    );
}

#[test]
fn record_too_long_err() {
    let mut long_name = args(&"n".repeat(129));
    assert_eq!(
        RecordFields::from_args(&long_name).unwrap_err().to_string(),
        "--name is 129 characters, at most 128 allowed (lexicon at.functions.metadata)"
    );
    long_name.name = "n".into();
    long_name.version = format!("1.0.0-{}", "a".repeat(27));
    assert_eq!(
        RecordFields::from_args(&long_name).unwrap_err().to_string(),
        "--version is 33 characters, at most 32 allowed (lexicon at.functions.metadata)"
    );
    let mut long_description = args("f");
    long_description.description = Some("é".repeat(2049));
    assert_eq!(
        RecordFields::from_args(&long_description)
            .unwrap_err()
            .to_string(),
        "--description is 2049 characters, at most 2048 allowed (lexicon at.functions.metadata)"
    );
}

#[test]
fn record_schema_file_err() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.json");
    let mut bad = args("f");
    bad.input_schema = Some(missing.clone());
    let err = RecordFields::from_args(&bad).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "reading {}: No such file or directory (os error 2)",
            missing.display()
        )
    );

    let not_json = dir.path().join("out.json");
    std::fs::write(&not_json, "{oops").unwrap();
    bad.input_schema = None;
    bad.output_schema = Some(not_json.clone());
    let err = RecordFields::from_args(&bad).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "{} is not JSON: key must be a string at line 1 column 2",
            not_json.display()
        )
    );
}

#[tokio::test]
async fn publish_missing_wasm_err() {
    let err = publish(&args("f"), false).await.unwrap_err().to_string();
    assert_eq!(
        err,
        "reading fn.wasm: No such file or directory (os error 2)"
    );
}

#[tokio::test]
async fn publish_unreachable_pds_err() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("f.wasm");
    std::fs::write(&wasm, b"\0asm\x01\0\0\0").unwrap();
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let pds = format!("http://127.0.0.1:{port}");
    let args = PublishArgs::for_file(wasm, "f", "pure-v1", &pds, "alice.test", "pw");
    let err = publish(&args, false).await.unwrap_err().to_string();
    let expected = format!(
        "com.atproto.server.createSession: no response from {pds}/xrpc/com.atproto.server.createSession: "
    );
    assert!(
        err.starts_with(&expected),
        "expected prefix: {expected}\ngot: {err}"
    );
}
