//! `shakedown learn` end to end: the files it writes, its exit codes, and
//! `--diff`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn shakedown(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_shakedown")).current_dir(root()).args(args).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn a_flawed_builtin_differs_from_the_reference_and_the_files_say_where() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("flawed");
    let out_s = out.to_str().unwrap();
    let (code, text) = shakedown(&[
        "learn",
        "--flaw",
        "skip_certificate_verify",
        "--client-auth",
        "request",
        "--alphabet",
        "ClientHello,ClientCertificate,ClientKeyExchange,CertificateVerify,ChangeCipherSpec,Finished",
        "--against-reference",
        "--out",
        out_s,
    ]);
    assert_eq!(code, 1, "{text}");
    for f in ["model.json", "model.dot", "reference/model.json", "diff.json", "findings/000.json"] {
        assert!(out.join(f).exists(), "{f} missing: {text}");
    }
    let finding = std::fs::read_to_string(out.join("findings/000.json")).unwrap();
    assert!(finding.contains("ClientCertificate"), "{finding}");
    // A model equals itself; the two learned ones differ.
    let a = out.join("model.json");
    let b = out.join("reference/model.json");
    let d = dir.path().join("d");
    let (code, text) = shakedown(&[
        "learn",
        "--diff",
        a.to_str().unwrap(),
        a.to_str().unwrap(),
        "--out",
        d.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{text}");
    let (code, text) = shakedown(&[
        "learn",
        "--diff",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        d.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{text}");
}

#[test]
fn bad_arguments_are_errors_not_panics() {
    for args in [
        &["learn", "--alphabet", "NoSuchSymbol"][..],
        &["learn", "--role", "middlebox"],
        &["learn", "--role", "client", "--peer", "tcp:127.0.0.1:1"],
        &["learn", "--version", "ssl3", "--suite", "AES128-GCM-SHA256"],
        &["learn", "--depth", "9", "--alphabet", "full"],
        &["learn", "--flaw", "no_such_flaw"],
        &["learn", "--diff", "/nonexistent/a.json", "/nonexistent/b.json"],
    ] {
        let (code, text) = shakedown(args);
        assert_eq!(code, 2, "{args:?}: {text}");
        assert!(text.contains("error:"), "{args:?}: {text}");
    }
}

#[test]
fn the_reference_client_against_itself_has_no_difference() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c");
    let (code, text) =
        shakedown(&["learn", "--role", "client", "--against-reference", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("no difference"), "{text}");
    let json = std::fs::read_to_string(out.join("model.json")).unwrap();
    assert!(json.contains("\"role\": \"client\""), "{json}");
}

#[test]
fn a_spent_time_budget_writes_a_partial_model() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p");
    let (code, text) = shakedown(&["learn", "--time", "0", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("PARTIAL"), "{text}");
    let json = std::fs::read_to_string(out.join("model.json")).unwrap();
    assert!(json.contains("\"complete\": false"), "{json}");
}

/// A peer that refuses connections, or a profile's server that dies after
/// its ready line, stops learning with an error (exit 2) that says so;
/// no model is written.
#[test]
fn an_unreachable_or_dying_peer_is_an_error_not_a_model() {
    let dir = tempfile::tempdir().unwrap();
    // A loopback port nobody listens on: bound, then closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = dir.path().join("unreachable");
    let peer = format!("tcp:127.0.0.1:{port}");
    let (code, text) = shakedown(&["learn", "--peer", &peer, "--out", out.to_str().unwrap()]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("error:") && text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert!(!out.join("model.json").exists());

    let profile = dir.path().join("dies.json");
    let dies = serde_json::json!({
        "name": "dies",
        "role": "server",
        "command": ["sh", "-c", "echo ACCEPT; sleep 0.3; exit 3"],
        "ready": {"stdout_line": "ACCEPT"},
        "start": "per_group",
        "versions": ["tls1.2"],
        "suites": ["AES128-SHA"],
    });
    std::fs::write(&profile, dies.to_string()).unwrap();
    let out = dir.path().join("dies");
    let (code, text) =
        shakedown(&["learn", "--peer", profile.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("exit status: 3"), "{text}");
    assert!(!out.join("model.json").exists());
}

/// Kills the server it holds when dropped.
struct Served(std::process::Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_generated_vector_passes_against_the_honest_engine_and_fails_against_the_flawed_one() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("flawed");
    let (code, text) = shakedown(&[
        "learn",
        "--flaw",
        "skip_certificate_verify",
        "--client-auth",
        "request",
        "--alphabet",
        "ClientHello,ClientCertificate,ClientKeyExchange,CertificateVerify,ChangeCipherSpec,Finished",
        "--against-reference",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{text}");
    let vectors = out.join("vectors");
    let scenario = std::fs::read_to_string(vectors.join("learned.json")).unwrap();
    assert!(scenario.contains("certificate_verify"), "{scenario}");
    let (code, text) = shakedown(&["run", "--vectors", vectors.to_str().unwrap()]);
    assert_eq!(code, 0, "honest built-in: {text}");
    // The flawed server over TCP (loopback, a free port, killed on drop).
    let mut child = Command::new(env!("CARGO_BIN_EXE_shakedown"))
        .current_dir(root())
        .args([
            "serve",
            "--port",
            "0",
            "--flaw",
            "skip_certificate_verify",
            "--client-auth",
            "request",
            "--client-ca",
            "vectors/certs/ca.pem",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let served = Served(child);
    // The reader stays open while the server runs: it prints a line per
    // connection.
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let addr = line.trim().strip_prefix("ready: listening on ").unwrap().to_owned();
    let report = dir.path().join("tcp.json");
    let (code, text) = shakedown(&[
        "run",
        "--vectors",
        vectors.to_str().unwrap(),
        "--peer",
        &format!("tcp:{addr}"),
        "--json",
        report.to_str().unwrap(),
    ]);
    drop(served);
    drop(reader);
    assert_eq!(code, 1, "flawed server: {text}");
    // The word test (the learner's query loop over TCP, calibrated first)
    // fails too, as the knob test does.
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let cases = json["cases"].as_array().unwrap();
    let words: Vec<&serde_json::Value> =
        cases.iter().filter(|c| c["id"].as_str().unwrap().starts_with("learned-words/")).collect();
    assert!(!words.is_empty(), "{text}");
    for c in &words {
        assert_eq!(c["verdict"]["verdict"], "fail", "{c}");
    }
    assert!(cases.iter().all(|c| c["verdict"]["verdict"] == "fail"), "{text}");
}
