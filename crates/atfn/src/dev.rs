//! `atfn dev`: the server with the embedded registry, the bundled examples
//! published into it, and ready-to-paste commands to invoke them.

use anyhow::Context;
use atfn_server::{Server, shutdown_signal};

use crate::serve::{ServeArgs, print_banner};

/// The bundled examples `atfn dev` publishes: (rkey, mode, module bytes).
const EXAMPLES: &[(&str, &str, &[u8])] = &[
    ("echo", "pure-v1", atfn_examples::ECHO),
    ("lister", "host-v1", atfn_examples::LISTER),
];

#[derive(clap::Args, Debug)]
pub struct DevArgs {
    #[command(flatten)]
    pub serve: ServeArgs,
}

pub async fn dev(args: DevArgs) -> anyhow::Result<()> {
    let mut serve = args.serve;
    serve.no_embedded = false;
    let config = serve.config()?;
    let account = config
        .embedded
        .clone()
        .expect("dev always embeds the registry");
    let data_dir = config.data_dir.clone();
    let server = Server::bind(config).await?;
    print_banner(&server);
    let url = format!("http://{}", server.local_addr());
    let serving = tokio::spawn(server.run(shutdown_signal()));

    let examples_dir = data_dir.join("examples");
    std::fs::create_dir_all(&examples_dir)
        .with_context(|| format!("creating {}", examples_dir.display()))?;
    let mut uris = Vec::new();
    for (name, mode, wasm) in EXAMPLES {
        let path = examples_dir.join(format!("{name}.wasm"));
        std::fs::write(&path, wasm).with_context(|| format!("writing {}", path.display()))?;
        let args = atfn::publish::PublishArgs::for_file(
            path,
            name,
            mode,
            &url,
            &account.handle,
            &account.password,
        );
        let published = atfn::publish::publish(&args, false)
            .await
            .with_context(|| format!("publishing example {name}"))?;
        uris.push((*name, published.uri));
    }

    println!("Published examples:");
    for (name, uri) in &uris {
        println!("  {name:<7} {uri}");
    }
    let (_, echo) = &uris[0];
    let (_, lister) = &uris[1];
    let did = echo
        .trim_start_matches("at://")
        .split('/')
        .next()
        .unwrap_or_default();
    println!();
    println!("Try:");
    println!(
        "  curl -s {url}/xrpc/at.functions.run -H 'content-type: application/json' \\\n    -d '{{\"function\":\"{echo}\",\"input\":{{\"hello\":\"world\"}}}}'"
    );
    println!("  atfn invoke {echo} --input '{{\"hello\":\"world\"}}' --server {url}");
    println!(
        "  atfn invoke {lister} --input '{{\"repo\":\"{did}\",\"collection\":\"at.functions.metadata\"}}' --server {url}"
    );
    println!();
    println!("Publish your own:");
    println!(
        "  ATPROTO_IDENTIFIER={} ATPROTO_PASSWORD=$(cat {}) \\\n    atfn publish <file.wasm> --pds {url} --name my-fn --version 0.1.0 --mode pure-v1",
        account.handle,
        data_dir.join("password").display()
    );
    println!("Press Ctrl-C to stop.");
    serving.await.context("server task")??;
    Ok(())
}
