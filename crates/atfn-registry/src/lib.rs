//! The AT Proto side of atfn. A function is an `at.functions.metadata` record in its author's
//! repo whose `code` blob is a WebAssembly module; this crate turns an `at://` URI into a
//! verified [`Function`]: it parses the URI ([`AtUri`]), resolves the authority (handle → DID →
//! PDS, see [`Registry::resolve_did`] and [`Registry::resolve_pds`]), fetches the record and
//! the blob from the PDS, checks both against their CIDs, validates the record against the
//! lexicon ([`FunctionRecord`]) and caches what it fetched. The [`embedded`] module hosts a tiny
//! PDS so a single `atfn` binary can publish and run functions with no network.
//!
//! ```no_run
//! # async fn demo() -> Result<(), atfn_registry::RegistryError> {
//! use atfn_registry::{AtUri, Registry, RegistryConfig};
//! let registry = Registry::new(RegistryConfig::default())?;
//! let uri: AtUri = "at://did:plc:abc/at.functions.metadata/hello".parse()?;
//! let function = registry.load_function(&uri).await?;
//! println!("{} {} bytes", function.record.name, function.code.bytes.len());
//! # Ok(()) }
//! ```

mod aturi;
mod config;
pub mod content;
pub mod embedded;
mod error;
mod http;
mod identity;
mod lexicon;
mod pds;
mod registry;

pub use atrium_api::types::string::{AtIdentifier, Did, Handle, Nsid, RecordKey};
pub use aturi::AtUri;
pub use config::{MAX_TTL, RegistryConfig};
pub use content::{blob_cid, record_cid};
pub use embedded::EmbeddedRegistry;
pub use error::{AtUriError, DataModelError, EmbeddedError, LexiconError, RegistryError};
pub use lexicon::{BlobRef, FUNCTION_NSID, FunctionRecord};
pub use registry::{Blob, Function, Record, RecordPage, Registry};
