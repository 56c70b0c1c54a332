//! `shakedown bench` against its built-in peer: every figure is printed with
//! the harness's CPU share, and a peer that is not there is a clear error.
//! Rates are printed, never asserted.

#![allow(clippy::expect_used, clippy::panic)]

use std::process::Command;

fn shakedown(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_shakedown"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("shakedown runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn bench_reports_handshakes_and_bulk_with_cpu_share() {
    let (code, out) =
        shakedown(&["bench", "--seconds", "1", "--bulk-mib", "1", "--versions", "tls1.2", "--seed", "1"]);
    assert_eq!(code, 0, "{out}");
    for what in ["full handshakes", "resumed handshakes", "bulk echo"] {
        let line =
            out.lines().find(|l| l.starts_with(what)).unwrap_or_else(|| panic!("no {what} line: {out}"));
        assert!(line.contains("% of one core"), "{line}");
    }
}

#[test]
fn bench_against_a_closed_port_is_an_error() {
    let (code, out) = shakedown(&["bench", "--peer", "tcp:127.0.0.1:1", "--seconds", "1"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("connect 127.0.0.1:1"), "{out}");
}
