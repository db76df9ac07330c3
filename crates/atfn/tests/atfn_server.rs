//! The real `atfn serve` binary as a test fixture, plus `atfn publish` run as
//! a user would run it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

/// A running `atfn serve` child process, killed (by PID) on drop.
pub struct AtfnServer {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// The embedded registry's DID, when it is on.
    pub did: Option<String>,
    /// The data directory (deleted on drop).
    pub data_dir: tempfile::TempDir,
    logs: Arc<Mutex<String>>,
}

impl AtfnServer {
    /// Starts `atfn serve --listen 127.0.0.1:0 --data-dir <temp> <extra…>`
    /// and waits for its "serving on" line.
    pub fn start(extra: &[&str]) -> Self {
        Self::start_in(tempfile::tempdir().unwrap(), extra)
    }

    /// Like [`start`](Self::start) with a given data directory (to test restarts).
    pub fn start_in(data_dir: tempfile::TempDir, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_atfn"))
            .arg("serve")
            .args(if extra.contains(&"--listen") {
                &[][..]
            } else {
                &["--listen", "127.0.0.1:0"][..]
            })
            .arg("--data-dir")
            .arg(data_dir.path())
            .args(extra)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("atfn binary runs");
        let logs = Arc::new(Mutex::new(String::new()));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        let sink = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(banner) = line.strip_prefix("atfn: serving on ") {
                    let mut parts = banner.split(" with embedded registry ");
                    let url = parts.next().unwrap().to_owned();
                    let _ = ready_tx.send((url, parts.next().map(str::to_owned)));
                }
                sink.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        let Ok((url, did)) = ready_rx.recv_timeout(Duration::from_secs(60)) else {
            let _ = child.kill();
            panic!(
                "atfn serve did not start; its log:\n{}",
                logs.lock().unwrap()
            );
        };
        Self {
            child,
            url,
            did,
            data_dir,
            logs,
        }
    }

    /// The process ID, e.g. to read its CPU time.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the server logged so far.
    pub fn logs(&self) -> String {
        self.logs.lock().unwrap().clone()
    }

    /// The embedded account's generated password.
    pub fn password(&self) -> String {
        std::fs::read_to_string(self.data_dir.path().join("password"))
            .unwrap()
            .trim()
            .to_owned()
    }

    /// `POST /xrpc/at.functions.run` with `body`; returns status and JSON body.
    pub async fn post_run(&self, body: &Value) -> (u16, Value) {
        let response = reqwest::Client::new()
            .post(format!("{}/xrpc/at.functions.run", self.url))
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    /// Invokes `function` with `input`; returns the `at.functions.run` response.
    pub async fn run(&self, function: &str, input: Value) -> Value {
        let (status, body) = self
            .post_run(&json!({ "function": function, "input": input }))
            .await;
        assert_eq!(
            status,
            200,
            "at.functions.run answered {status}: {body}\nserver log:\n{}",
            self.logs()
        );
        body
    }

    /// Publishes the module at `wasm` (e.g. written by [`wasm_file`]) as the pure-v1 function
    /// `echo` of the embedded account, with `atfn publish`; returns its at:// URI.
    pub fn publish_echo(&self, wasm: &Path) -> String {
        let args = ["--name", "echo", "--version", "1.0.0", "--mode", "pure-v1"];
        publish(&self.url, "dev.atfn.test", &self.password(), wasm, &args)
    }

    /// Stops the server (SIGKILL by PID) and hands back its data directory.
    pub fn stop(mut self) -> tempfile::TempDir {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let data_dir = tempfile::tempdir().unwrap();
        std::mem::replace(&mut self.data_dir, data_dir)
    }
}

impl Drop for AtfnServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// CPU time (user + system) consumed so far by process `pid`, in clock ticks
/// (`/proc/<pid>/stat` fields 14 and 15, proc(5)).
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after_name.split(' ').collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// Runs `atfn publish` as a user would; returns the printed at:// URI.
pub fn publish(pds: &str, identifier: &str, password: &str, wasm: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_atfn"))
        .arg("publish")
        .arg(wasm)
        .args(["--pds", pds])
        .args(args)
        .env("ATPROTO_IDENTIFIER", identifier)
        .env("ATPROTO_PASSWORD", password)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "atfn publish failed\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout.lines().next().unwrap().trim().to_owned()
}

/// Writes `bytes` to `<dir>/<name>.wasm` and returns the path.
pub fn wasm_file(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(format!("{name}.wasm"));
    std::fs::write(&path, bytes).unwrap();
    path
}
