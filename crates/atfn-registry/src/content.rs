//! Content addressing as AT Proto uses it (spec "Data Model", "Link and CID Formats"): a blob is
//! named by a CIDv1 with the raw codec (0x55) and a sha2-256 multihash; a record by a CIDv1 with
//! the DAG-CBOR codec (0x71) over its DAG-CBOR encoding. Records travel as JSON, where a link is
//! `{"$link": "<cid>"}` and bytes are `{"$bytes": "<base64>"}`; [`json_to_ipld`] maps that form
//! onto the IPLD data model so the encoding (and hence the CID) is the one the PDS computed.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use cid::Cid;
use ipld_core::ipld::Ipld;
use multihash::Multihash;
use sha2::{Digest, Sha256};

pub use crate::error::DataModelError;

/// Multicodec code of raw bytes, used for blob CIDs.
pub const RAW_CODEC: u64 = 0x55;
/// Multicodec code of DAG-CBOR, used for record CIDs.
pub const DAG_CBOR_CODEC: u64 = 0x71;
/// Multihash code of sha2-256.
pub const SHA2_256: u64 = 0x12;

/// Standard base64 alphabet accepting input with or without padding, as `$bytes` is written
/// unpadded by the reference implementation but padding is harmless.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The sha2-256 multihash of `bytes`.
fn sha256_multihash(bytes: &[u8]) -> Multihash<64> {
    Multihash::wrap(SHA2_256, &Sha256::digest(bytes)).expect("a 32-byte digest fits in 64 bytes")
}

/// CID of a blob: CIDv1, raw codec (0x55), sha2-256 of `bytes`. Renders as `bafkrei…` in
/// base32. Example: `"hello"` → `bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq`.
pub fn blob_cid(bytes: &[u8]) -> Cid {
    Cid::new_v1(RAW_CODEC, sha256_multihash(bytes))
}

/// True if the multihash in `cid` is the sha2-256 multihash of `bytes`. Only sha2-256 is
/// recognised; a CID with any other hash function yields false. The codec is not checked.
pub fn cid_matches(cid: &Cid, bytes: &[u8]) -> bool {
    *cid.hash() == sha256_multihash(bytes)
}

/// Converts a record in AT Proto JSON form to the IPLD data model: `{"$link"}` objects become
/// links, `{"$bytes"}` objects become bytes, integers stay integers. Errors with
/// [`DataModelError`] on floats, bad CIDs and bad base64.
pub fn json_to_ipld(value: &serde_json::Value) -> Result<Ipld, DataModelError> {
    use serde_json::Value;
    Ok(match value {
        Value::Null => Ipld::Null,
        Value::Bool(b) => Ipld::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Ipld::Integer(i.into()),
            (None, Some(u)) => Ipld::Integer(u.into()),
            (None, None) => return Err(DataModelError::Float),
        },
        Value::String(s) => Ipld::String(s.clone()),
        Value::Array(items) => {
            Ipld::List(items.iter().map(json_to_ipld).collect::<Result<_, _>>()?)
        }
        Value::Object(map) => match (map.len(), map.get("$link"), map.get("$bytes")) {
            (1, Some(Value::String(link)), _) => Ipld::Link(
                link.parse::<Cid>()
                    .map_err(|_| DataModelError::Link(link.clone()))?,
            ),
            (1, _, Some(Value::String(b64))) => {
                Ipld::Bytes(BASE64.decode(b64).map_err(|_| DataModelError::Bytes)?)
            }
            _ => Ipld::Map(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), json_to_ipld(v)?)))
                    .collect::<Result<_, _>>()?,
            ),
        },
    })
}

/// DAG-CBOR encoding of a record in JSON form (map keys in canonical length-first order, as
/// `serde_ipld_dagcbor` writes them). Errors as [`json_to_ipld`].
pub fn record_dag_cbor(value: &serde_json::Value) -> Result<Vec<u8>, DataModelError> {
    let ipld = json_to_ipld(value)?;
    Ok(serde_ipld_dagcbor::to_vec(&ipld).expect("IPLD values always encode to a Vec"))
}

/// CID of a record: CIDv1, DAG-CBOR codec (0x71), sha2-256 of [`record_dag_cbor`]. Renders as
/// `bafyrei…`. Errors as [`json_to_ipld`].
pub fn record_cid(value: &serde_json::Value) -> Result<Cid, DataModelError> {
    Ok(Cid::new_v1(
        DAG_CBOR_CODEC,
        sha256_multihash(&record_dag_cbor(value)?),
    ))
}

#[cfg(test)]
mod tests;
