//! The publish client behind `atfn publish` and `atfn dev`: it logs in to a PDS
//! (`com.atproto.server.createSession`), uploads a `.wasm` module as a blob
//! (`com.atproto.repo.uploadBlob`) and writes the `at.functions.metadata`
//! record that points at it (`com.atproto.repo.putRecord`). It talks XRPC over
//! plain HTTP with reqwest, using atrium-api's generated `com.atproto.*` input
//! and output types; the record itself is built here from the lexicon
//! `lexicons/at.functions.metadata.json`. Any PDS works: the embedded registry
//! of `atfn serve` or the official one.

use std::path::{Path, PathBuf};

use atrium_api::com::atproto::{repo, server};
use atrium_api::types::string::{AtIdentifier, Nsid, RecordKey};
use atrium_api::types::{BlobRef, Unknown};
use bytes::Bytes;
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

#[cfg(test)]
mod tests;

/// NSID of the function record collection (lexicon `at.functions.metadata`).
pub const COLLECTION: &str = "at.functions.metadata";

/// Default PDS: the embedded registry of `atfn serve`/`atfn dev` on its default port.
pub const DEFAULT_PDS: &str = "http://127.0.0.1:2584";

/// Longest `name`, in characters (lexicon `at.functions.metadata`, `maxLength`).
const MAX_NAME: usize = 128;
/// Longest `version`, in characters (lexicon `at.functions.metadata`, `maxLength`).
const MAX_VERSION: usize = 32;
/// Longest `description`, in characters (lexicon `at.functions.metadata`).
const MAX_DESCRIPTION: usize = 2048;
/// Longest record key, in characters (AT Protocol spec, "Record Key").
const MAX_RKEY: usize = 512;
/// Size of the chunks the blob body is streamed in, in bytes.
const CHUNK: usize = 64 * 1024;

/// Arguments of `atfn publish`: the module, the record fields, where to publish
/// and as whom.
///
/// Record fields follow the lexicon `at.functions.metadata`; optional ones are
/// written only when given. Credentials come from `ATPROTO_IDENTIFIER` and
/// `ATPROTO_PASSWORD` (or the matching flags).
#[derive(Debug, Clone, clap::Args)]
pub struct PublishArgs {
    /// The compiled WebAssembly module (.wasm) to upload as the record's `code` blob.
    pub wasm: PathBuf,
    /// Human-readable function name (`name`, at most 128 characters).
    #[arg(long)]
    pub name: String,
    /// Semantic version of this release (`version`, e.g. 1.0.0, at most 32 characters).
    #[arg(long, value_parser = parse_version)]
    pub version: String,
    /// Execution mode (`mode`): pure-v1, host-v1 or component-v1.
    #[arg(long, default_value = "pure-v1")]
    pub mode: String,
    /// Record key of the record; default: derived from --name (lowercase, runs
    /// of characters not allowed in a record key become `-`).
    #[arg(long, value_parser = parse_rkey)]
    pub rkey: Option<String>,
    /// What the function does (`description`, at most 2048 characters).
    #[arg(long)]
    pub description: Option<String>,
    /// JSON Schema file for the input (`inputSchema`).
    #[arg(long, value_name = "FILE")]
    pub input_schema: Option<PathBuf>,
    /// JSON Schema file for the output (`outputSchema`).
    #[arg(long, value_name = "FILE")]
    pub output_schema: Option<PathBuf>,
    /// Memory limit in MiB (`maxMemoryMb`, 1..=256; runtime default 32).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub max_memory_mb: Option<u32>,
    /// Time limit per call in ms (`maxDurationMs`, 1..=5000; runtime default 100).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=5000))]
    pub max_duration_ms: Option<u32>,
    /// An at:// URI the function may read (`allowedHosts`, host-v1); repeatable.
    #[arg(long = "allowed-host", value_name = "URI", value_parser = parse_allowed_host)]
    pub allowed_hosts: Vec<String>,
    /// Base URL of the PDS to publish to.
    #[arg(long, default_value = DEFAULT_PDS)]
    pub pds: String,
    /// Handle or DID of the account to publish with.
    #[arg(long, env = "ATPROTO_IDENTIFIER")]
    pub identifier: String,
    /// Password (or app password) of that account.
    #[arg(long, env = "ATPROTO_PASSWORD", hide_env_values = true)]
    pub password: String,
}

impl PublishArgs {
    /// Arguments to publish `wasm` with only the required record fields:
    /// version `1.0.0`, record key derived from `name`, no limits or schemas.
    pub fn for_file(
        wasm: PathBuf,
        name: &str,
        mode: &str,
        pds: &str,
        identifier: &str,
        password: &str,
    ) -> Self {
        Self {
            wasm,
            name: name.to_owned(),
            version: "1.0.0".to_owned(),
            mode: mode.to_owned(),
            rkey: None,
            description: None,
            input_schema: None,
            output_schema: None,
            max_memory_mb: None,
            max_duration_ms: None,
            allowed_hosts: Vec::new(),
            pds: pds.to_owned(),
            identifier: identifier.to_owned(),
            password: password.to_owned(),
        }
    }

    /// The record key: `--rkey` if given, else [`rkey_from_name`] of `--name`.
    ///
    /// # Errors
    /// [`PublishError::NoRecordKey`] when the name has no usable character.
    pub fn record_key(&self) -> Result<String, PublishError> {
        match &self.rkey {
            Some(rkey) => Ok(rkey.clone()),
            None => rkey_from_name(&self.name),
        }
    }
}

/// A published function: its record's at:// URI and the record's CID
/// (as returned by `com.atproto.repo.putRecord`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// `at://<did>/at.functions.metadata/<rkey>`.
    pub uri: String,
    /// CID of the record version just written (CIDv1, dag-cbor).
    pub cid: String,
}

/// Why publishing failed. XRPC errors carry the method and the PDS's own
/// error name and message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PublishError {
    /// The PDS answered an XRPC call with an error body `{error, message}`.
    #[error("{method} failed: {error}: {message}")]
    Xrpc {
        /// NSID of the XRPC method.
        method: &'static str,
        /// HTTP status code.
        status: u16,
        /// XRPC error name, e.g. `AuthenticationRequired`.
        error: String,
        /// Human-readable message from the PDS.
        message: String,
    },
    /// The PDS answered with a non-XRPC error or an unreadable body.
    #[error("{method} failed: HTTP {status}: {body}")]
    Http {
        /// NSID of the XRPC method.
        method: &'static str,
        /// HTTP status code.
        status: u16,
        /// The start of the response body.
        body: String,
    },
    /// The request did not complete (connection refused, timeout, ...).
    #[error("{method}: no response from {url}: {source}")]
    Request {
        /// NSID of the XRPC method.
        method: &'static str,
        /// The URL requested.
        url: String,
        /// The transport error.
        source: reqwest::Error,
    },
    /// A local file could not be read.
    #[error("reading {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A schema file is not JSON.
    #[error("{} is not JSON: {source}", path.display())]
    SchemaJson {
        /// The file.
        path: PathBuf,
        /// The parse error.
        source: serde_json::Error,
    },
    /// A record field is longer than the lexicon allows.
    #[error("--{field} is {len} characters, at most {max} allowed (lexicon at.functions.metadata)")]
    TooLong {
        /// The flag's name.
        field: &'static str,
        /// Its length in characters.
        len: usize,
        /// The lexicon's `maxLength`.
        max: usize,
    },
    /// No record key can be derived from the name.
    #[error("cannot derive a record key from the name {name:?}; pass --rkey")]
    NoRecordKey {
        /// The function name.
        name: String,
    },
}

/// Publishes `args.wasm` as an `at.functions.metadata` record:
/// createSession, uploadBlob (`Content-Type: application/wasm`, with a progress
/// bar on stderr when `progress`), then putRecord at `args.record_key()` in the
/// logged-in account's repo (replacing any record already there).
///
/// # Errors
/// [`PublishError`] (inside the `anyhow::Error`): a bad field or unreadable
/// file before any request; `Xrpc`/`Http`/`Request` naming the failing method,
/// e.g. "com.atproto.server.createSession failed: AuthenticationRequired:
/// Invalid identifier or password".
pub async fn publish(args: &PublishArgs, progress: bool) -> anyhow::Result<Published> {
    let rkey = args.record_key()?;
    let fields = RecordFields::from_args(args)?;
    let wasm = read(&args.wasm)?;
    let pds = Pds {
        base: args.pds.trim_end_matches('/'),
        http: reqwest::Client::new(),
    };

    let session: server::create_session::OutputData = pds
        .call(
            "com.atproto.server.createSession",
            None,
            Body::Json(serde_json::to_value(server::create_session::InputData {
                allow_takendown: None,
                auth_factor_token: None,
                identifier: args.identifier.clone(),
                password: args.password.clone(),
            })?),
        )
        .await?;
    let token = Some(session.access_jwt.as_str());

    let uploaded: repo::upload_blob::OutputData = pds
        .call(
            "com.atproto.repo.uploadBlob",
            token,
            Body::Wasm(wasm, progress),
        )
        .await?;

    let record = fields.into_record(&uploaded.blob)?;
    let put: repo::put_record::OutputData = pds
        .call(
            "com.atproto.repo.putRecord",
            token,
            Body::Json(serde_json::to_value(repo::put_record::InputData {
                collection: Nsid::new(COLLECTION.to_owned()).map_err(anyhow::Error::msg)?,
                record,
                repo: AtIdentifier::Did(session.did.clone()),
                rkey: RecordKey::new(rkey).map_err(anyhow::Error::msg)?,
                swap_commit: None,
                swap_record: None,
                validate: None,
            })?),
        )
        .await?;
    Ok(Published {
        uri: put.uri.clone(),
        cid: put.cid.as_ref().to_string(),
    })
}

/// The record fields taken from the arguments, checked against the lexicon
/// and with schema files already read.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordFields {
    fields: Map<String, Value>,
}

impl RecordFields {
    /// Checks lengths and reads `--input-schema`/`--output-schema`.
    ///
    /// # Errors
    /// [`PublishError::TooLong`] for `name`, `version` or `description` past the
    /// lexicon's `maxLength`; `Read`/`SchemaJson` for a schema file.
    pub fn from_args(args: &PublishArgs) -> Result<Self, PublishError> {
        check_len("name", &args.name, MAX_NAME)?;
        check_len("version", &args.version, MAX_VERSION)?;
        let mut fields = Map::new();
        fields.insert("$type".into(), json!(COLLECTION));
        fields.insert("name".into(), json!(args.name));
        fields.insert("version".into(), json!(args.version));
        fields.insert("mode".into(), json!(args.mode));
        fields.insert("entrypoint".into(), json!("run"));
        fields.insert("inputEncoding".into(), json!("application/json"));
        fields.insert("outputEncoding".into(), json!("application/json"));
        if let Some(description) = &args.description {
            check_len("description", description, MAX_DESCRIPTION)?;
            fields.insert("description".into(), json!(description));
        }
        for (key, path) in [
            ("inputSchema", &args.input_schema),
            ("outputSchema", &args.output_schema),
        ] {
            if let Some(path) = path {
                let schema: Value = serde_json::from_slice(&read(path)?).map_err(|source| {
                    PublishError::SchemaJson {
                        path: path.clone(),
                        source,
                    }
                })?;
                fields.insert(key.into(), schema);
            }
        }
        if let Some(mb) = args.max_memory_mb {
            fields.insert("maxMemoryMb".into(), json!(mb));
        }
        if let Some(ms) = args.max_duration_ms {
            fields.insert("maxDurationMs".into(), json!(ms));
        }
        if !args.allowed_hosts.is_empty() {
            fields.insert("allowedHosts".into(), json!(args.allowed_hosts));
        }
        Ok(Self { fields })
    }

    /// The record as JSON with `code` set to the uploaded blob's reference
    /// (`{"$type": "blob", "ref": {"$link": cid}, "mimeType", "size"}`).
    pub fn to_json(&self, code: &BlobRef) -> serde_json::Result<Value> {
        let mut fields = self.fields.clone();
        fields.insert("code".into(), serde_json::to_value(code)?);
        Ok(Value::Object(fields))
    }

    fn into_record(self, code: &BlobRef) -> serde_json::Result<Unknown> {
        serde_json::from_value(self.to_json(code)?)
    }
}

/// Derives a record key from a function name: lowercased, each run of
/// characters outside `[a-z0-9._~-]` (the record key alphabet minus `:`)
/// becomes one `-`, leading and trailing `-` are dropped, and the result is cut
/// to 512 characters. `"My Echo!"` → `"my-echo"`.
///
/// # Errors
/// [`PublishError::NoRecordKey`] when nothing usable remains, or only `.`/`..`
/// (AT Protocol spec, "Record Key": those two are not valid keys).
pub fn rkey_from_name(name: &str) -> Result<String, PublishError> {
    let mut key = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '~' | '-') {
            key.push(c);
        } else if !key.ends_with('-') {
            key.push('-');
        }
    }
    let key: String = key.trim_matches('-').chars().take(MAX_RKEY).collect();
    match key.as_str() {
        "" | "." | ".." => Err(PublishError::NoRecordKey {
            name: name.to_owned(),
        }),
        _ => Ok(key),
    }
}

fn parse_rkey(value: &str) -> Result<String, String> {
    RecordKey::new(value.to_owned())
        .map(|key| key.as_str().to_owned())
        .map_err(|e| e.to_string())
}

fn parse_version(value: &str) -> Result<String, String> {
    semver::Version::parse(value).map_err(|e| format!("not a semantic version: {e}"))?;
    Ok(value.to_owned())
}

fn parse_allowed_host(value: &str) -> Result<String, String> {
    match value.strip_prefix("at://") {
        Some(rest) if !rest.is_empty() => Ok(value.to_owned()),
        _ => Err("expected an at:// URI".to_owned()),
    }
}

fn check_len(field: &'static str, value: &str, max: usize) -> Result<(), PublishError> {
    let len = value.chars().count();
    if len > max {
        return Err(PublishError::TooLong { field, len, max });
    }
    Ok(())
}

fn read(path: &Path) -> Result<Bytes, PublishError> {
    std::fs::read(path)
        .map(Bytes::from)
        .map_err(|source| PublishError::Read {
            path: path.to_owned(),
            source,
        })
}

/// An XRPC request body.
enum Body {
    Json(Value),
    /// Module bytes, streamed with a progress bar when the flag is set.
    Wasm(Bytes, bool),
}

/// A PDS reached over XRPC.
struct Pds<'a> {
    base: &'a str,
    http: reqwest::Client,
}

impl Pds<'_> {
    /// POSTs `body` to `/xrpc/<method>` and decodes a JSON output.
    async fn call<T: DeserializeOwned>(
        &self,
        method: &'static str,
        token: Option<&str>,
        body: Body,
    ) -> Result<T, PublishError> {
        let url = format!("{}/xrpc/{method}", self.base);
        let mut request = self.http.post(&url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let mut bar = None;
        request = match body {
            Body::Json(value) => request.json(&value),
            Body::Wasm(bytes, progress) => {
                let total = bytes.len();
                let progress_bar = upload_bar(total as u64, progress);
                bar = Some(progress_bar.clone());
                let chunks = (0..total)
                    .step_by(CHUNK)
                    .map(move |at| bytes.slice(at..total.min(at + CHUNK)));
                let stream = futures_util::stream::iter(chunks).map(move |chunk| {
                    progress_bar.inc(chunk.len() as u64);
                    Ok::<_, std::io::Error>(chunk)
                });
                request
                    .header(reqwest::header::CONTENT_TYPE, "application/wasm")
                    .header(reqwest::header::CONTENT_LENGTH, total)
                    .body(reqwest::Body::wrap_stream(stream))
            }
        };
        let response = request.send().await;
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        let transport = |source| PublishError::Request {
            method,
            url: url.clone(),
            source,
        };
        let response = response.map_err(transport)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(transport)?;
        if status.is_success() {
            if let Ok(output) = serde_json::from_slice(&bytes) {
                return Ok(output);
            }
        } else if let Ok(error) = serde_json::from_slice::<XrpcError>(&bytes) {
            return Err(PublishError::Xrpc {
                method,
                status: status.as_u16(),
                error: error.error,
                message: error.message.unwrap_or_default(),
            });
        }
        let body = String::from_utf8_lossy(&bytes).chars().take(512).collect();
        Err(PublishError::Http {
            method,
            status: status.as_u16(),
            body,
        })
    }
}

/// The body of an XRPC error response (AT Protocol spec, "HTTP API (XRPC)").
#[derive(serde::Deserialize)]
struct XrpcError {
    error: String,
    message: Option<String>,
}

fn upload_bar(total: u64, visible: bool) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) =
        ProgressStyle::with_template("uploading {bar:30} {bytes}/{total_bytes} {bytes_per_sec}")
    {
        bar.set_style(style);
    }
    bar
}
