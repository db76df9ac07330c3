//! `atfn serve`: the server, configured from flags and environment.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use atfn_server::{EmbeddedAccount, Server, ServerConfig, shutdown_signal};

use crate::engine::EngineArg;

/// Handle of the embedded registry's account unless `--handle` says otherwise.
pub const DEFAULT_HANDLE: &str = "dev.atfn.test";

#[derive(clap::Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on. Loopback by default: put a TLS proxy in front
    /// before exposing it.
    #[arg(long, env = "ATFN_LISTEN", default_value = "127.0.0.1:2584")]
    pub listen: SocketAddr,
    /// Directory for the embedded registry (registry.sqlite), the compiled
    /// module cache (modules/) and the generated password. Default: the
    /// platform data directory, e.g. ~/.local/share/atfn.
    #[arg(long, env = "ATFN_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// PLC directory used to resolve did:plc identities.
    #[arg(long, env = "ATFN_PLC_URL", default_value = "https://plc.directory")]
    pub plc_url: String,
    /// How long a fetched function record is reused before it is fetched
    /// again, in ms. Modules are cached by CID and never refetched.
    #[arg(long, env = "ATFN_RECORD_TTL_MS", default_value_t = 5000)]
    pub record_ttl_ms: u64,
    /// Do not serve the embedded registry (com.atproto.* for a local account).
    #[arg(long)]
    pub no_embedded: bool,
    /// Handle of the embedded registry's account.
    #[arg(long, env = "ATFN_HANDLE", default_value = DEFAULT_HANDLE)]
    pub handle: String,
    /// Password of the embedded registry's account. Default: generated on
    /// first start and kept in <data-dir>/password.
    #[arg(long, env = "ATFN_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// Largest request body, in bytes (larger requests get 413).
    #[arg(long, default_value_t = (1 << 20) + (64 << 10))]
    pub max_body_bytes: usize,
    /// Most function invocations served at once; more wait in line (at most
    /// the runtime's pool of 100 instances).
    #[arg(long, default_value_t = 100)]
    pub max_concurrency: usize,
    /// Largest function input and output, in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    pub max_io_bytes: usize,
    /// Most compiled functions kept in memory; past it the least useful one
    /// is evicted and reloaded from <data-dir>/modules (or recompiled) when next
    /// called.
    #[arg(long, env = "ATFN_MODULE_CACHE_ENTRIES", default_value_t = 256)]
    pub module_cache_entries: usize,
    #[command(flatten)]
    pub engine: EngineArg,
}

impl ServeArgs {
    /// The data directory: `--data-dir`, else the platform data dir + `atfn`.
    pub fn data_dir(&self) -> anyhow::Result<PathBuf> {
        match &self.data_dir {
            Some(dir) => Ok(dir.clone()),
            None => dirs::data_local_dir()
                .map(|dir| dir.join("atfn"))
                .context("no platform data directory; pass --data-dir"),
        }
    }

    /// The server configuration these flags describe.
    pub fn config(&self) -> anyhow::Result<ServerConfig> {
        let data_dir = self.data_dir()?;
        let mut config = ServerConfig::new(data_dir.clone());
        config.listen = self.listen;
        config.registry.plc_url = self.plc_url.clone();
        config.registry.record_ttl = Duration::from_millis(self.record_ttl_ms);
        config.runtime.max_input_bytes = self.max_io_bytes;
        config.runtime.max_output_bytes = self.max_io_bytes;
        config.runtime.engine = self.engine.engine;
        config.runtime.module_cache_entries = self.module_cache_entries;
        config.http.max_body_bytes = self.max_body_bytes;
        config.http.max_concurrency = self.max_concurrency;
        if !self.no_embedded {
            let password = match &self.password {
                Some(password) => password.clone(),
                None => stored_password(&data_dir)?,
            };
            config.embedded = Some(EmbeddedAccount {
                handle: self.handle.clone(),
                password,
            });
        }
        Ok(config)
    }
}

/// The embedded account's password kept in `<data_dir>/password`, generated
/// (24 random alphanumerics) on first use and readable only by the owner.
fn stored_password(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join("password");
    if let Ok(password) = std::fs::read_to_string(&path) {
        return Ok(password.trim().to_owned());
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating data directory {}", data_dir.display()))?;
    let password: String = {
        use rand::distr::{Alphanumeric, SampleString};
        Alphanumeric.sample_string(&mut rand::rng(), 24)
    };
    std::fs::write(&path, &password).with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("restricting {}", path.display()))?;
    }
    Ok(password)
}

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let server = Server::bind(args.config()?).await?;
    print_banner(&server);
    server.run(shutdown_signal()).await?;
    Ok(())
}

/// Tells where the server listens, in one line that tests and scripts parse:
/// `atfn: serving on <url>[ with embedded registry <did>]`.
pub fn print_banner(server: &Server) {
    let url = format!("http://{}", server.local_addr());
    match server.embedded() {
        Some(embedded) => eprintln!(
            "atfn: serving on {url} with embedded registry {}",
            embedded.did()
        ),
        None => eprintln!("atfn: serving on {url}"),
    }
}
