//! Binding, wiring and running the server: configuration, the embedded
//! registry, graceful shutdown.

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use atfn_registry::embedded::{EmbeddedError, EmbeddedRegistry};
use atfn_registry::{Registry, RegistryConfig, RegistryError};
use atfn_runtime::{Runtime, RuntimeConfig, RuntimeError};
use tokio::net::TcpListener;

use crate::app::{AppState, HttpLimits, app};
use crate::invoke::Invoker;

/// Default listen address: loopback only, port 2584.
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 2584);

/// The local account of the embedded registry.
#[derive(Debug, Clone)]
pub struct EmbeddedAccount {
    /// Handle of the account, e.g. `dev.atfn.test`; used as the
    /// `createSession` identifier (the DID works too).
    pub handle: String,
    /// Password for `com.atproto.server.createSession`.
    pub password: String,
}

/// Everything `atfn serve` can be told.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on. Default [`DEFAULT_LISTEN`] (`127.0.0.1:2584`).
    pub listen: SocketAddr,
    /// Directory for the embedded registry's SQLite database (`registry.sqlite`)
    /// and the compiled-module cache (`modules/`). Created if missing.
    pub data_dir: PathBuf,
    /// Serve the embedded registry with this account. Default `None` (no
    /// embedded registry); `atfn serve` turns it on unless told otherwise.
    pub embedded: Option<EmbeddedAccount>,
    /// Public base URL of this server, used in the embedded registry's
    /// `did:web` document. Default: `http://<listen address>` with an
    /// unspecified IP replaced by 127.0.0.1.
    pub public_url: Option<String>,
    /// Registry client settings (PLC directory, record TTL, …).
    pub registry: RegistryConfig,
    /// Runtime settings (input/output limits, pooling, …). Its `cache_dir`
    /// defaults to `<data_dir>/modules`.
    pub runtime: RuntimeConfig,
    /// HTTP limits.
    pub http: HttpLimits,
}

impl ServerConfig {
    /// Defaults for everything but the data directory.
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            listen: DEFAULT_LISTEN,
            data_dir,
            embedded: None,
            public_url: None,
            registry: RegistryConfig::default(),
            runtime: RuntimeConfig::default(),
            http: HttpLimits::default(),
        }
    }
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// Binding the listen address failed (in use, not permitted, …).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address from the configuration.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The data directory could not be created.
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The registry client could not be built.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The embedded registry could not be opened.
    #[error(transparent)]
    Embedded(#[from] EmbeddedError),
    /// The runtime could not be built.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// Serving failed.
    #[error("server error: {0}")]
    Serve(std::io::Error),
}

/// A bound, not yet running server.
pub struct Server {
    listener: TcpListener,
    router: axum::Router,
    embedded: Option<EmbeddedRegistry>,
    invoker: Invoker,
}

impl Server {
    /// Binds the listen address, opens the embedded registry (if configured)
    /// and builds the registry client and runtime.
    pub async fn bind(mut config: ServerConfig) -> Result<Self, ServerError> {
        let data_dir = config.data_dir.clone();
        std::fs::create_dir_all(&data_dir).map_err(|source| ServerError::DataDir {
            path: data_dir.clone(),
            source,
        })?;
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| ServerError::Bind {
                    addr: config.listen,
                    source,
                })?;
        let local_addr = listener.local_addr().map_err(ServerError::Serve)?;
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| loopback_url(local_addr));

        let embedded = match &config.embedded {
            Some(account) => {
                let registry =
                    EmbeddedRegistry::open(&data_dir.join("registry.sqlite"), &public_url).await?;
                registry
                    .ensure_account(&account.handle, &account.password)
                    .await?;
                Some(registry)
            }
            None => None,
        };
        config
            .runtime
            .cache_dir
            .get_or_insert_with(|| data_dir.join("modules"));
        // Requests past the runtime's instance pool would fail as `Busy`; let them wait in line.
        let pool = usize::try_from(config.runtime.max_instances).unwrap_or(usize::MAX);
        config.http.max_concurrency = config.http.max_concurrency.min(pool);
        let invoker = Invoker::new(
            Registry::new(config.registry)?,
            Runtime::new(config.runtime)?,
        );
        let state = AppState {
            invoker: invoker.clone(),
            limits: config.http,
        };
        let router = app(state, embedded.as_ref().map(EmbeddedRegistry::router));
        Ok(Self {
            listener,
            router,
            embedded,
            invoker,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The embedded registry, when configured.
    pub fn embedded(&self) -> Option<&EmbeddedRegistry> {
        self.embedded.as_ref()
    }

    /// The invocation path this server uses.
    pub fn invoker(&self) -> &Invoker {
        &self.invoker
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let engine = self.invoker.runtime().engine_kind();
        tracing::info!(addr = %self.local_addr(), %engine, "serving");
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(ServerError::Serve)
    }
}

/// `http://<addr>`, with an unspecified IP (0.0.0.0, ::) replaced by 127.0.0.1.
fn loopback_url(addr: SocketAddr) -> String {
    let mut addr = addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(Ipv4Addr::LOCALHOST.into());
    }
    format!("http://{addr}")
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
