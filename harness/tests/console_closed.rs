//! A reader that goes away (`shakedown learn ... 2>&1 | head -1`) must not
//! make the CLI panic: the run finishes, writes its files, and exits with
//! the code its result deserves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `args` with stdout and stderr pipes whose read ends are closed
/// before the command writes anything; returns its exit code.
fn with_closed_output(args: &[&str]) -> Option<i32> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shakedown"))
        .current_dir(root())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    drop(child.stderr.take());
    child.wait().unwrap().code()
}

#[test]
fn learn_finishes_when_nobody_reads_its_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model");
    // 101 was Rust's panic exit code ("failed printing to stdout").
    assert_eq!(with_closed_output(&["learn", "--peer", "builtin", "--out", out.to_str().unwrap()]), Some(0));
    assert!(out.join("model.json").exists());
}

#[test]
fn a_harness_error_still_exits_2_when_nobody_reads_it() {
    assert_eq!(with_closed_output(&["run", "--vectors", "/nonexistent/vectors"]), Some(2));
}
