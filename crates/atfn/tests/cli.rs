//! The command line as a user meets it: `--help`, `atfn run` on local files
//! (output on stdout, errors on stderr with exit status 1, usage errors 2),
//! `atfn invoke`, and the `atfn dev` quickstart.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::{Value, json};

use crate::atfn_server::{AtfnServer, wasm_file};
use crate::support::{assert_text_eq, stderr_err, stdout_ok};

#[test]
fn help_lists_every_verb() {
    let help = stdout_ok(cargo_bin_cmd!("atfn").arg("--help"));
    for verb in ["dev", "serve", "run", "publish", "invoke"] {
        assert!(
            help.contains(&format!("\n  {verb} ")),
            "{verb} missing from:\n{help}"
        );
    }
    let run_help = stdout_ok(cargo_bin_cmd!("atfn").args(["run", "--help"]));
    assert!(run_help.contains("--max-duration-ms"), "{run_help}");
}

#[test]
fn run_prints_output_json() {
    let dir = tempfile::tempdir().unwrap();
    let echo = wasm_file(dir.path(), "echo", atfn_examples::ECHO);
    let stdout = stdout_ok(
        cargo_bin_cmd!("atfn")
            .arg("run")
            .arg(&echo)
            .args(["--input", r#"{"a":1}"#]),
    );
    let expected = json!({"ok": true, "echo": {"a": 1}, "mode": "pure-v1"});
    assert_text_eq(
        &format!("{}\n", serde_json::to_string_pretty(&expected).unwrap()),
        &stdout,
    );
}

#[test]
fn run_gives_the_same_output_on_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    let echo = wasm_file(dir.path(), "echo", atfn_examples::ECHO);
    let on = |engine: &str| {
        stdout_ok(
            cargo_bin_cmd!("atfn")
                .arg("run")
                .arg(&echo)
                .args(["--input", "[true]", "--engine", engine]),
        )
    };
    assert_text_eq(&on("wasmtime"), &on("interp"));
}

#[test]
fn run_reports_failures_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &[u8], &[&str], &str)] = &[
        (
            "unreachable",
            atfn_examples::UNREACHABLE,
            &[],
            "error: trap: unreachable",
        ),
        (
            "loop",
            atfn_examples::INFINITE_LOOP,
            &["--max-duration-ms", "50"],
            "error: timeout after 50 ms",
        ),
        (
            "bomb",
            atfn_examples::MEMORY_BOMB,
            &["--max-memory-mb", "2"],
            "error: memory limit of 2 MiB exceeded",
        ),
    ];
    for (name, bytes, args, expected) in cases {
        let wasm = wasm_file(dir.path(), name, bytes);
        let stderr = stderr_err(cargo_bin_cmd!("atfn").arg("run").arg(&wasm).args(*args));
        assert!(
            stderr.starts_with(expected),
            "{name}: expected {expected:?}, got {stderr:?}"
        );
    }
    let stderr = stderr_err(cargo_bin_cmd!("atfn").args(["run", "nowhere.wasm"]));
    assert!(
        stderr.contains("neither an at:// URI nor an existing file"),
        "{stderr}"
    );
}

#[test]
fn run_rejects_out_of_range_limits_as_usage_errors() {
    let output = cargo_bin_cmd!("atfn")
        .args(["run", "x.wasm", "--max-memory-mb", "1000"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("1000 is not in 1..=256"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn invoke_prints_the_output_of_a_published_function() {
    let server = AtfnServer::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let wasm = wasm_file(dir.path(), "echo", atfn_examples::ECHO);
    let uri = server.publish_echo(&wasm);
    let stdout = stdout_ok(cargo_bin_cmd!("atfn").args([
        "invoke",
        &uri,
        "--input",
        "[1,2]",
        "--server",
        &server.url,
    ]));
    let output: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        output,
        json!({"ok": true, "echo": [1, 2], "mode": "pure-v1"})
    );
    let missing = uri.replace("/echo", "/nothing");
    let stderr =
        stderr_err(cargo_bin_cmd!("atfn").args(["invoke", &missing, "--server", &server.url]));
    assert!(stderr.starts_with("error: record not found: "), "{stderr}");
}

/// `atfn serve --engine interp` runs published functions on the interpreter, with the same
/// output as on the default engine; its startup log names the engine it runs.
#[tokio::test(flavor = "multi_thread")]
async fn serve_runs_functions_on_the_chosen_engine() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = wasm_file(dir.path(), "echo", atfn_examples::ECHO);
    let mut outputs = Vec::new();
    for engine in ["wasmtime", "interp"] {
        let server = AtfnServer::start(&["--engine", engine, "--log-format", "json"]);
        let uri = server.publish_echo(&wasm);
        let response = server.run(&uri, json!({"n": [1.5, "x"]})).await;
        outputs.push(response["output"].clone());
        let logs = server.logs();
        assert!(logs.contains(&format!(r#""engine":"{engine}""#)), "{logs}");
    }
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[1]["echo"], json!({"n": [1.5, "x"]}));
    let stderr = stderr_err(cargo_bin_cmd!("atfn").args(["serve", "--engine", "v8"]));
    assert!(stderr.contains("v8"), "{stderr}");
}

/// The README quickstart: `atfn dev` publishes the examples and prints
/// commands that work as printed.
#[tokio::test(flavor = "multi_thread")]
async fn dev_quickstart_prints_working_commands() {
    let data = tempfile::tempdir().unwrap();
    let mut dev = Command::new(env!("CARGO_BIN_EXE_atfn"))
        .args(["dev", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut printed = String::new();
    for line in BufReader::new(dev.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    let invoke_line = printed
        .lines()
        .find(|l| l.trim_start().starts_with("atfn invoke") && l.contains("/echo"))
        .unwrap_or_else(|| panic!("no invoke command in:\n{printed}"));
    let args = shell_words(invoke_line.trim_start().strip_prefix("atfn ").unwrap());
    let stdout = stdout_ok(cargo_bin_cmd!("atfn").args(&args));
    let output: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        output,
        json!({"ok": true, "echo": {"hello": "world"}, "mode": "pure-v1"})
    );
    let _ = dev.kill();
    let _ = dev.wait();
}

/// Splits a printed command line into words, honouring single quotes.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            _ => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}
