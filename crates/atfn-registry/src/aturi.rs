//! `at://` URIs in the restricted syntax that names repos, collections and records
//! (AT Protocol spec, "AT URI Scheme"): `at://<did-or-handle>[/<collection-nsid>[/<rkey>]]`.
//! Parsing checks each part with atrium's DID, handle, NSID and record-key validators and
//! rejects queries, fragments, empty and extra segments.

use std::fmt;
use std::str::FromStr;

use atrium_api::types::string::{AtIdentifier, Nsid, RecordKey};

use crate::error::AtUriError;

/// Longest accepted at-uri, in bytes (spec: "overall URI is restricted to 8 KBytes").
const MAX_LEN: usize = 8 * 1024;

/// A parsed `at://` URI. The authority is a DID or a handle (kept as written); the collection
/// (an NSID) and the record key are optional, but a key requires a collection.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AtUri {
    authority: AtIdentifier,
    collection: Option<Nsid>,
    rkey: Option<RecordKey>,
}

impl AtUri {
    /// The URI of record `rkey` in `collection` of the repo `authority`.
    pub fn record(authority: AtIdentifier, collection: Nsid, rkey: RecordKey) -> Self {
        Self {
            authority,
            collection: Some(collection),
            rkey: Some(rkey),
        }
    }

    /// The authority: a DID (`did:plc:…`, `did:web:…`) or a handle.
    pub fn authority(&self) -> &AtIdentifier {
        &self.authority
    }

    /// The authority as text.
    pub fn authority_str(&self) -> &str {
        self.authority.as_ref()
    }

    /// The collection NSID, if the URI names one.
    pub fn collection(&self) -> Option<&Nsid> {
        self.collection.as_ref()
    }

    /// The record key, if the URI names a record.
    pub fn rkey(&self) -> Option<&RecordKey> {
        self.rkey.as_ref()
    }
}

impl FromStr for AtUri {
    type Err = AtUriError;

    /// Parses the restricted syntax. Errors: [`AtUriError::NotAtUri`] without the `at://`
    /// prefix, [`AtUriError::TooLong`] past 8 KiB, [`AtUriError::QueryOrFragment`] for `?`/`#`,
    /// [`AtUriError::ExtraSegments`] for empty or more than three segments, and
    /// [`AtUriError::BadAuthority`], [`AtUriError::BadCollection`], [`AtUriError::BadRecordKey`]
    /// when a part fails its syntax.
    fn from_str(uri: &str) -> Result<Self, Self::Err> {
        let owned = || uri.to_owned();
        let rest = uri
            .strip_prefix("at://")
            .ok_or_else(|| AtUriError::NotAtUri { uri: owned() })?;
        if uri.len() > MAX_LEN {
            return Err(AtUriError::TooLong);
        }
        if rest.contains(['?', '#']) {
            return Err(AtUriError::QueryOrFragment { uri: owned() });
        }
        let segments: Vec<&str> = rest.split('/').collect();
        if segments.len() > 3 || segments.iter().skip(1).any(|s| s.is_empty()) {
            return Err(AtUriError::ExtraSegments { uri: owned() });
        }
        let authority =
            segments[0]
                .parse::<AtIdentifier>()
                .map_err(|_| AtUriError::BadAuthority {
                    uri: owned(),
                    authority: segments[0].into(),
                })?;
        let collection = segments
            .get(1)
            .map(|s| {
                Nsid::new((*s).to_owned()).map_err(|_| AtUriError::BadCollection {
                    uri: owned(),
                    nsid: (*s).into(),
                })
            })
            .transpose()?;
        let rkey = segments
            .get(2)
            .map(|s| {
                RecordKey::new((*s).to_owned()).map_err(|_| AtUriError::BadRecordKey {
                    uri: owned(),
                    rkey: (*s).into(),
                })
            })
            .transpose()?;
        Ok(Self {
            authority,
            collection,
            rkey,
        })
    }
}

impl fmt::Display for AtUri {
    /// Writes `at://authority[/collection[/rkey]]`, the form parsed by [`AtUri::from_str`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at://{}", self.authority_str())?;
        if let Some(collection) = &self.collection {
            write!(f, "/{}", collection.as_str())?;
        }
        if let Some(rkey) = &self.rkey {
            write!(f, "/{}", rkey.as_str())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
