//! Compiles the `examples/` workspace (release profile of that workspace: opt-level "s", LTO)
//! and copies every module to `$OUT_DIR/<name>.wasm`: every member for
//! `wasm32-unknown-unknown` but the JavaScript guest, which is built for `wasm32-wasip1`, and
//! only with this crate's `js` feature (on by default; see [`BUILDS`]).
//!
//! The nested cargo uses its own target directory under `$OUT_DIR` (the outer cargo holds the
//! lock on its own), `--locked` against `examples/Cargo.lock`, and an environment cleared of the
//! variables the outer build sets for this script or for the outer crate (`CARGO_*` build-script
//! variables, `RUSTFLAGS`, clippy's `RUSTC_WORKSPACE_WRAPPER`), so flags meant for the host build
//! do not leak into the wasm build. Jobserver, network, registry and home settings are kept.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The nested builds, in order: a target triple, the package selection built for it, and the
/// feature of this crate that enables the build (as in `CARGO_FEATURE_<name>`; `None`: always).
const BUILDS: &[(&str, &[&str], Option<&str>)] = &[
    (
        "wasm32-unknown-unknown",
        &["--workspace", "--exclude", "atfn-example-js"],
        None,
    ),
    (
        "wasm32-wasip1",
        &["--package", "atfn-example-js"],
        Some("JS"),
    ),
];

/// `CARGO_*` variables passed on to the nested cargo; every other `CARGO_*` is removed.
const KEPT_CARGO_VARS: &[&str] = &[
    "CARGO_HOME",
    "CARGO_MAKEFLAGS",
    "CARGO_NET_",
    "CARGO_HTTP_",
    "CARGO_REGISTRIES_",
    "CARGO_REGISTRY_",
];

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    let examples = manifest_dir.join("../../examples");
    let guest = manifest_dir.join("../atfn-guest");
    for path in [
        examples.clone(),
        guest.join("src"),
        guest.join("Cargo.toml"),
    ] {
        println!("cargo:rerun-if-changed={}", path.display());
    }

    let target_dir = out_dir.join("target");
    for &(target, packages, feature) in BUILDS {
        if feature.is_some_and(|f| env::var_os(format!("CARGO_FEATURE_{f}")).is_none()) {
            continue;
        }
        ensure_target(target);
        build(&examples, &target_dir, target, packages);
        copy_modules(&target_dir.join(target).join("release"), &out_dir);
    }
}

/// Runs `cargo build --release --locked --target <target> <packages>` in `examples`.
fn build(examples: &Path, target_dir: &Path, target: &str, packages: &[&str]) {
    let mut cargo = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    clear_inherited_env(&mut cargo);
    cargo
        .current_dir(examples)
        .args(["build", "--release", "--locked", "--target", target])
        .args(packages)
        .env("CARGO_TARGET_DIR", target_dir);
    let status = cargo.status().expect("spawn cargo for examples/");
    assert!(
        status.success(),
        "building examples/ for {target} failed: {status}"
    );
}

/// Makes sure the standard library for `target` is installed: if the sysroot lacks it and
/// rustup is on the PATH, runs `rustup target add` (what a new user would otherwise be told to
/// do); otherwise fails with that instruction.
fn ensure_target(target: &str) {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let sysroot = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    let installed = sysroot.is_some_and(|root| root.join("lib/rustlib").join(target).exists());
    if installed {
        return;
    }
    let added = Command::new("rustup")
        .args(["target", "add", target])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        added,
        "the {target} standard library is missing: run `rustup target add {target}`"
    );
}

fn clear_inherited_env(cargo: &mut Command) {
    for (key, _) in env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        let inherited_cargo =
            key.starts_with("CARGO_") && !KEPT_CARGO_VARS.iter().any(|k| key.starts_with(k));
        if inherited_cargo
            || matches!(
                key,
                "RUSTFLAGS" | "RUSTC_WORKSPACE_WRAPPER" | "RUSTDOCFLAGS"
            )
        {
            cargo.env_remove(key);
        }
    }
}

/// Copies each `*.wasm` of `release_dir` to `out_dir`.
fn copy_modules(release_dir: &Path, out_dir: &Path) {
    for entry in fs::read_dir(release_dir).expect("read the examples' release dir") {
        let path = entry.expect("list the examples' release dir").path();
        if path.extension().is_some_and(|e| e == "wasm") {
            let name = path.file_name().expect("a file name");
            fs::copy(&path, out_dir.join(name)).expect("copy a module to OUT_DIR");
        }
    }
}
