//! The main job against the official PDS and PLC (from npm, on loopback):
//! publish with `atfn publish`, run through `atfn serve --no-embedded`.

use crate::atfn_server::AtfnServer;
use crate::flow::{Author, RECORD_TTL_MS, run_flow};
use crate::support::pds::LocalNetwork;

#[tokio::test(flavor = "multi_thread")]
async fn main_job_on_official_pds() {
    let net = LocalNetwork::start();
    let account = net.create_account("author.test", "author-password").await;
    let ttl = RECORD_TTL_MS.to_string();
    let server = AtfnServer::start(&[
        "--no-embedded",
        "--plc-url",
        &net.plc_url,
        "--record-ttl-ms",
        &ttl,
    ]);
    let author = Author {
        pds: net.pds_url.clone(),
        identifier: account.handle.clone(),
        password: account.password.clone(),
        did: account.did.clone(),
    };
    run_flow(&server, &author).await;
}
