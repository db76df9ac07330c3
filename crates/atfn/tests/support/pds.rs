//! The official AT Protocol network on loopback, for end-to-end tests:
//! [`LocalNetwork::start`] runs `tests/pds/start.mjs` (an in-memory PLC
//! directory and the official PDS, both bound to 127.0.0.1, fresh data each
//! run) under the Node 22 that `tests/pds/install.sh` installs, and stops it on
//! drop. The helpers call the PDS's XRPC methods with reqwest and panic with
//! the PDS's answer when a call fails, since they only set up tests.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long the network may take to print its URLs, from spawn.
const READY_TIMEOUT: Duration = Duration::from_secs(90);
/// How long a stopping network gets to shut down cleanly after its stdin closes.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A running PLC directory and PDS (a `node start.mjs` child process).
/// Dropping it closes the child's stdin, which makes it stop both servers and
/// delete its data directory; if it has not exited within 10 s it is killed
/// (by PID).
pub struct LocalNetwork {
    /// Base URL of the PLC directory, `http://127.0.0.1:<port>`.
    pub plc_url: String,
    /// Base URL of the PDS, `http://localhost:<port>`: the `#atproto_pds`
    /// endpoint of every DID it creates.
    pub pds_url: String,
    /// Password of the PDS's `admin` user (HTTP basic auth on `com.atproto.admin.*`).
    pub admin_password: String,
    child: Child,
}

/// An account created on the PDS with [`LocalNetwork::create_account`].
#[derive(Debug, Clone)]
pub struct Account {
    /// `did:plc:…`, registered on the local PLC directory.
    pub did: String,
    /// The handle, `*.test`.
    pub handle: String,
    /// The account password.
    pub password: String,
    /// An access token for authenticated XRPC calls (Bearer).
    pub access_jwt: String,
}

/// `tests/pds/` at the repository root.
fn network_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/pds")
}

/// Runs `tests/pds/install.sh` once per test process (it returns at once when
/// the install is already complete); panics with its output if it fails.
fn install() {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    let result = INSTALLED.get_or_init(|| {
        let output = Command::new("bash")
            .arg(network_dir().join("install.sh"))
            .output()
            .map_err(|e| format!("cannot run bash tests/pds/install.sh: {e}"))?;
        if output.status.success() {
            return Ok(());
        }
        Err(format!(
            "tests/pds/install.sh failed with {}:\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    });
    if let Err(message) = result {
        panic!("{message}");
    }
}

impl LocalNetwork {
    /// Installs the network if needed, starts it on free random ports and
    /// waits (up to 90 s) for its `{"plcUrl", "pdsUrl", "adminPassword"}` line.
    ///
    /// Panics, quoting the child's stderr, if it exits or times out first.
    pub fn start() -> Self {
        install();
        let dir = network_dir();
        let mut child = Command::new(dir.join("node_modules/.bin/node"))
            .arg(dir.join("start.mjs"))
            .current_dir(&dir)
            .env_remove("ATFN_PLC_PORT")
            .env_remove("ATFN_PDS_PORT")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot spawn tests/pds/node_modules/.bin/node start.mjs");

        let stderr = Arc::new(Mutex::new(String::new()));
        let mut child_stderr = child.stderr.take().expect("piped stderr");
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = child_stderr.read(&mut buf) {
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let (lines, ready) = mpsc::channel();
        let stdout = child.stdout.take().expect("piped stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });

        let started = Instant::now();
        let line = match ready.recv_timeout(READY_TIMEOUT) {
            Ok(line) => line,
            Err(error) => {
                let _ = child.kill();
                let _ = child.wait();
                let why = match error {
                    mpsc::RecvTimeoutError::Timeout => "timed out",
                    mpsc::RecvTimeoutError::Disconnected => "it exited",
                };
                panic!(
                    "the local PDS/PLC network did not report ready ({why} after {:?}); its stderr:\n{}",
                    started.elapsed(),
                    stderr.lock().unwrap()
                );
            }
        };
        let urls: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("start.mjs printed {line:?}, not JSON ({e})"));
        let field = |name: &str| {
            urls[name]
                .as_str()
                .unwrap_or_else(|| panic!("start.mjs printed no {name}: {line}"))
                .to_owned()
        };
        Self {
            plc_url: field("plcUrl"),
            pds_url: field("pdsUrl"),
            admin_password: field("adminPassword"),
            child,
        }
    }

    /// `com.atproto.server.createAccount` with `handle` (must end in `.test`),
    /// `password` and the email `<handle>@example.com` (the PDS requires one;
    /// no invite code is needed).
    pub async fn create_account(&self, handle: &str, password: &str) -> Account {
        let body = json!({"handle": handle, "password": password, "email": format!("{handle}@example.com")});
        let out = self
            .xrpc_post("com.atproto.server.createAccount", None, &body)
            .await;
        Account {
            did: out["did"].as_str().expect("createAccount: did").to_owned(),
            handle: out["handle"]
                .as_str()
                .expect("createAccount: handle")
                .to_owned(),
            password: password.to_owned(),
            access_jwt: out["accessJwt"]
                .as_str()
                .expect("createAccount: accessJwt")
                .to_owned(),
        }
    }

    /// `com.atproto.repo.uploadBlob` of `bytes` labelled `mime_type`; returns
    /// the blob reference `{"$type": "blob", "ref": {"$link": cid}, "mimeType", "size"}`.
    pub async fn upload_blob(&self, account: &Account, bytes: Vec<u8>, mime_type: &str) -> Value {
        let url = format!("{}/xrpc/com.atproto.repo.uploadBlob", self.pds_url);
        let request = reqwest::Client::new()
            .post(&url)
            .bearer_auth(&account.access_jwt)
            .header(reqwest::header::CONTENT_TYPE, mime_type)
            .body(bytes);
        json_of(&url, request).await["blob"].clone()
    }

    /// `com.atproto.repo.putRecord` of `record` at `collection`/`rkey` in the
    /// account's repo, without lexicon validation; returns `{uri, cid, …}`.
    pub async fn put_record(
        &self,
        account: &Account,
        collection: &str,
        rkey: &str,
        record: &Value,
    ) -> Value {
        let body =
            json!({"repo": account.did, "collection": collection, "rkey": rkey, "record": record});
        self.xrpc_post(
            "com.atproto.repo.putRecord",
            Some(&account.access_jwt),
            &body,
        )
        .await
    }

    /// `com.atproto.repo.getRecord`; returns `{uri, cid, value}`.
    pub async fn get_record(&self, repo: &str, collection: &str, rkey: &str) -> Value {
        let url = format!("{}/xrpc/com.atproto.repo.getRecord", self.pds_url);
        let request = reqwest::Client::new().get(&url).query(&[
            ("repo", repo),
            ("collection", collection),
            ("rkey", rkey),
        ]);
        json_of(&url, request).await
    }

    /// `com.atproto.sync.getBlob`: the bytes of blob `cid` in `did`'s repo.
    pub async fn get_blob(&self, did: &str, cid: &str) -> Vec<u8> {
        let url = format!("{}/xrpc/com.atproto.sync.getBlob", self.pds_url);
        let response = reqwest::Client::new()
            .get(&url)
            .query(&[("did", did), ("cid", cid)])
            .send()
            .await;
        let response = response.unwrap_or_else(|e| panic!("GET {url}: {e}"));
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        assert!(
            status.is_success(),
            "GET {url} ({cid}): {status}: {}",
            String::from_utf8_lossy(&bytes)
        );
        bytes.to_vec()
    }

    /// The DID document of `did` from the PLC directory (`GET {plc}/{did}`).
    pub async fn resolve_did(&self, did: &str) -> Value {
        let url = format!("{}/{did}", self.plc_url);
        json_of(&url, reqwest::Client::new().get(&url)).await
    }

    async fn xrpc_post(&self, method: &str, token: Option<&str>, body: &Value) -> Value {
        let url = format!("{}/xrpc/{method}", self.pds_url);
        let mut request = reqwest::Client::new().post(&url).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        json_of(&url, request).await
    }
}

/// Sends `request` and returns its JSON body; panics with the status and body
/// unless the status is 2xx.
async fn json_of(url: &str, request: reqwest::RequestBuilder) -> Value {
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = response.status();
    let text = response
        .text()
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    assert!(status.is_success(), "{url}: {status}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: not JSON ({e}): {text}"))
}

impl Drop for LocalNetwork {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
