//! The atfn HTTP server: `POST /xrpc/at.functions.run` (lexicon
//! `at.functions.run`), `GET /xrpc/_health`, Prometheus `/metrics`, and, by
//! default, an embedded registry answering the `com.atproto.*` methods that
//! publishing and fetching need.
//!
//! ```no_run
//! # async fn example() -> Result<(), atfn_server::ServerError> {
//! let config = atfn_server::ServerConfig::new("/tmp/atfn-data".into());
//! let server = atfn_server::Server::bind(config).await?;
//! println!("listening on {}", server.local_addr());
//! server.run(atfn_server::shutdown_signal()).await
//! # }
//! ```

mod app;
mod error;
mod host;
mod invoke;
mod metrics;
mod schema;
mod server;

pub use app::{AppState, HttpLimits, app};
pub use error::XrpcError;
pub use host::RegistryHost;
pub use invoke::{Invocation, InvokeError, Invoker};
pub use schema::SchemaError;
pub use server::{EmbeddedAccount, Server, ServerConfig, ServerError, shutdown_signal};
