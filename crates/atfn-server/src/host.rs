//! `host-v1` reads served by the registry client: the bridge between the
//! runtime's [`HostApi`] and [`Registry`] (design.md §1.2).
//!
//! `allowedHosts` is enforced by the runtime before these are called, so this
//! bridge only fetches; registry errors become the `error` string the guest sees.

use atfn_registry::{AtUri, Registry};
use atfn_runtime::{HostApi, HostBlob, HostFuture, HostPage, HostRecord};

/// [`HostApi`] over a [`Registry`]: records and listings via the author's PDS,
/// blobs CID-verified, all through the registry's caches.
pub struct RegistryHost {
    registry: Registry,
}

impl RegistryHost {
    /// Reads through `registry`.
    pub fn new(registry: Registry) -> Self {
        Self { registry }
    }
}

impl HostApi for RegistryHost {
    fn read_record(&self, at_uri: String) -> HostFuture<HostRecord> {
        let registry = self.registry.clone();
        Box::pin(async move {
            let uri: AtUri = at_uri.parse().map_err(|e| format!("{e}"))?;
            let record = registry.get_record(&uri).await.map_err(|e| e.to_string())?;
            Ok(host_record(record))
        })
    }

    fn read_blob(&self, cid: String, repo: Option<String>) -> HostFuture<HostBlob> {
        let registry = self.registry.clone();
        Box::pin(async move {
            let repo = repo.ok_or("read_blob needs the repo (DID) that holds the blob")?;
            let blob = registry
                .get_blob(&repo, &cid)
                .await
                .map_err(|e| e.to_string())?;
            Ok(HostBlob {
                mime_type: blob
                    .mime_type
                    .unwrap_or_else(|| "application/octet-stream".to_owned()),
                bytes: blob.bytes,
            })
        })
    }

    fn list_collection(
        &self,
        repo: String,
        collection: String,
        cursor: Option<String>,
        limit: u32,
    ) -> HostFuture<HostPage> {
        let registry = self.registry.clone();
        Box::pin(async move {
            let page = registry
                .list_records(&repo, &collection, cursor.as_deref(), limit)
                .await
                .map_err(|e| e.to_string())?;
            let records = page.records.into_iter().map(host_record).collect();
            Ok(HostPage {
                records,
                cursor: page.cursor,
            })
        })
    }
}

fn host_record(record: atfn_registry::Record) -> HostRecord {
    HostRecord {
        uri: Some(record.uri),
        cid: record.cid,
        value: record.value,
    }
}
