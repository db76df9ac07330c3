//! Shared helpers for atfn's integration tests: [`pds`] runs the official
//! AT Protocol PDS and PLC on loopback (see `tests/pds/`), and
//! [`assert_text_eq`]/[`stdout_ok`] compare command output the way a reader
//! would, printing "expected" and "got" in full.
// Each test binary uses a subset of these helpers.
#![allow(dead_code)]

pub mod pds;

/// Panics unless `got == expected`, printing both texts in full, one after
/// the other, so a difference in whitespace or a line is easy to spot.
#[track_caller]
pub fn assert_text_eq(expected: &str, got: &str) {
    if expected != got {
        let rule = "~".repeat(40);
        panic!("\n\nexpected:\n{rule}\n{expected}\n{rule}\n\ngot:\n{rule}\n{got}\n{rule}\n");
    }
}

/// Runs `cmd`, panics with its exit status and stderr unless it succeeded,
/// and returns its stdout (UTF-8).
#[track_caller]
pub fn stdout_ok(cmd: &mut assert_cmd::Command) -> String {
    let output = cmd.output().expect("the command could not be started");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "command {cmd:?} failed with {}\nstderr:\n{stderr}",
        output.status
    );
    String::from_utf8(output.stdout).expect("stdout is not UTF-8")
}

/// Runs `cmd`, panics unless it failed, and returns its stderr (UTF-8).
#[track_caller]
pub fn stderr_err(cmd: &mut assert_cmd::Command) -> String {
    let output = cmd.output().expect("the command could not be started");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        !output.status.success(),
        "command {cmd:?} succeeded but should fail\nstdout:\n{stdout}"
    );
    String::from_utf8(output.stderr).expect("stderr is not UTF-8")
}
