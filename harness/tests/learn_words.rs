//! Every distinguishing sequence `shakedown learn --against-reference`
//! finds becomes a word test (vectors/learned-words.json) that `shakedown
//! run` replays through the learner's query loop: for each state-machine
//! or authentication flaw of the built-in peer that the learner shows, as
//! a server and as a client (the negotiation flaws through the misbehaving
//! ServerHello symbols), every word test fails against the flawed peer
//! (`--flaw NAME`) and passes against the honest one. All in memory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod peer_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use shakedown_engine::flaw::{Flaw, FlawFamily, FlawRole};

/// The server-learning alphabet of tests/learn_flaws.rs: enough to show
/// each server flaw.
const SERVER_ALPHABET: &str = "ClientHello,EmptyCertificate,ClientCertificate,ClientCertificateUntrusted,\
                               ClientKeyExchange,CertificateVerify,\
                               ChangeCipherSpec,Finished,FinishedBadVerifyData,ApplicationData";

/// The client-learning alphabet of tests/learn_client.rs.
const CLIENT_ALPHABET: &str = "ServerHello,Certificate,CertificateUntrusted,ServerHelloDone,\
                               ChangeCipherSpec,Finished,FinishedBadVerifyData,ApplicationData";

/// The misbehaving ServerHellos that show the client's negotiation flaws,
/// with the handshake.
const NEGOTIATION_ALPHABET: &str = "ServerHello,ServerHelloUnofferedVersion,ServerHelloUnofferedCompression,\
                                    ServerHelloUnsolicitedExtension,Certificate,ServerHelloDone,\
                                    ChangeCipherSpec,Finished";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn shakedown(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_shakedown")).current_dir(root()).args(args).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// `shakedown run --vectors FILE [--flaw F] --json R`: exit code and, for
/// each case, its id, verdict, reason and how many records its transcript
/// has (a failure keeps its transcript).
type Verdicts = Vec<(String, String, String, usize)>;

fn replay(file: &Path, flaw: Option<&str>, report: &Path) -> (i32, Verdicts) {
    let mut args = vec!["run", "--vectors", file.to_str().unwrap(), "--json", report.to_str().unwrap()];
    if let Some(f) = flaw {
        args.extend(["--flaw", f]);
    }
    let (code, text) = shakedown(&args);
    let json: Value = serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap_or_else(|e| {
        panic!("{e}: {text}");
    });
    let cases = json["cases"].as_array().unwrap();
    let verdicts = cases
        .iter()
        .map(|c| {
            let v = &c["verdict"];
            let reason = v["reason"].as_str().unwrap_or_default().to_owned();
            let records = c["transcript"].as_array().map_or(0, Vec::len);
            (c["id"].as_str().unwrap().to_owned(), v["verdict"].as_str().unwrap().to_owned(), reason, records)
        })
        .collect();
    (code, verdicts)
}

/// Learns the flawed built-in peer against the reference with `args`,
/// then replays the word tests written: all fail against the flawed peer,
/// all pass against the honest one (and so does every other vector
/// written); the knob tests written fail against the flawed peer too.
/// Returns how many word tests and knob cases there were.
fn learn_and_replay(dir: &Path, flaw: Flaw, args: &[&str]) -> (usize, usize) {
    let out = dir.join(flaw.name());
    let mut learn =
        vec!["learn", "--flaw", flaw.name(), "--against-reference", "--out", out.to_str().unwrap()];
    learn.extend(args);
    let (code, text) = shakedown(&learn);
    assert_eq!(code, 1, "{flaw}: the models should differ: {text}");
    let vectors = out.join("vectors");
    let words = vectors.join("learned-words.json");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&words).unwrap()).unwrap();
    let tests = file["tests"].as_array().unwrap();
    let findings = std::fs::read_dir(out.join("findings")).unwrap().count();
    assert_eq!(tests.len(), findings, "{flaw}: a word test per distinguishing sequence");
    assert!(!tests.is_empty(), "{flaw}");
    for t in tests {
        assert!(t["word"].as_array().is_some_and(|w| !w.is_empty()), "{t}");
    }

    let (code, honest) = replay(&vectors, None, &dir.join(format!("{flaw}-honest.json")));
    assert_eq!(code, 0, "{flaw}: honest peer: {honest:?}");
    assert!(honest.iter().all(|(_, v, _, _)| v == "pass"), "{flaw}: honest peer: {honest:?}");
    assert!(honest.iter().filter(|(id, _, _, _)| id.starts_with("learned-words/")).count() == tests.len());

    let (code, flawed) = replay(&words, Some(flaw.name()), &dir.join(format!("{flaw}-flawed.json")));
    assert_eq!(code, 1, "{flaw}: flawed peer: {flawed:?}");
    assert_eq!(flawed.len(), tests.len(), "{flawed:?}");
    for (id, verdict, reason, records) in &flawed {
        assert_eq!(verdict, "fail", "{flaw}: {id} against the flawed peer: {reason}");
        // The connection that answered is the failure's transcript.
        assert!(*records > 0, "{flaw}: {id} has no transcript");
        // A failure names the word, what was due and what came.
        assert!(reason.contains("expected outputs [") && reason.contains("got outputs ["), "{reason}");
        println!("{flaw}: {id}: {reason}");
    }

    // The knob tests (learned.json, where the knobs can say a sequence)
    // passed against the honest peer above; against the flawed one each
    // fails.
    let knobs = vectors.join("learned.json");
    let mut knob_tests = 0;
    if knobs.exists() {
        let (code, flawed) = replay(&knobs, Some(flaw.name()), &dir.join(format!("{flaw}-knobs.json")));
        assert_eq!(code, 1, "{flaw}: knob tests against the flawed peer: {flawed:?}");
        assert!(!flawed.is_empty(), "{flaw}");
        for (id, verdict, reason, _) in &flawed {
            assert_eq!(verdict, "fail", "{flaw}: {id} against the flawed peer: {reason}");
            println!("{flaw}: knob test {id}: {reason}");
        }
        knob_tests = flawed.len();
    }
    (tests.len(), knob_tests)
}

#[test]
fn server_flaw_words_fail_against_the_flawed_server_and_pass_against_the_honest_one() {
    let dir = tempfile::tempdir().unwrap();
    let flaws: Vec<Flaw> = Flaw::ALL
        .iter()
        .copied()
        .filter(|f| matches!(f.family(), FlawFamily::State | FlawFamily::Authentication))
        .filter(|f| f.role() != FlawRole::Client)
        .collect();
    assert!(flaws.contains(&Flaw::SkipCertificateVerify), "{flaws:?}");
    for flaw in flaws {
        let (n, k) = learn_and_replay(
            dir.path(),
            flaw,
            &[
                "--client-auth",
                "request",
                "--alphabet",
                SERVER_ALPHABET,
                "--random-words",
                "30",
                "--seed",
                "3",
            ],
        );
        println!("{flaw} (server): {n} word tests, {k} knob cases");
    }
}

#[test]
fn client_flaw_words_and_knob_tests_fail_against_the_flawed_client_and_pass_against_the_honest_one() {
    let dir = tempfile::tempdir().unwrap();
    for (flaw, alphabet) in [
        (Flaw::AcceptBadFinished, CLIENT_ALPHABET),
        (Flaw::CcsOptional, CLIENT_ALPHABET),
        (Flaw::AcceptUntrustedServer, CLIENT_ALPHABET),
        (Flaw::AcceptHigherVersion, NEGOTIATION_ALPHABET),
        (Flaw::AcceptUnofferedCompression, NEGOTIATION_ALPHABET),
        (Flaw::AcceptUnsolicitedExtension, NEGOTIATION_ALPHABET),
    ] {
        let (n, k) = learn_and_replay(
            dir.path(),
            flaw,
            &["--role", "client", "--alphabet", alphabet, "--random-words", "30"],
        );
        // Each of these flaws shows in a sequence the engine's server
        // knobs can say (knobs.rs), so each has a knob test too.
        assert!(k > 0, "{flaw} (client): no knob test written");
        println!("{flaw} (client): {n} word tests, {k} knob cases");
    }
}

/// A word test names its symbols; a bad one stops the run before anything
/// runs, naming the file, the test and the field (exit 2).
#[test]
fn a_bad_symbol_in_a_word_test_is_a_load_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("learned-words.json");
    let good = r#"{
  "topic": "learned-words",
  "tests": [
    {
      "id": "learned-words/ccs-first",
      "description": "d",
      "rfc": "RFC 5246 7.3, RFC 5246 7.1",
      "engine_role": "client",
      "versions": ["tls1.2"],
      "word": ["ClientHello", "ChangeCipherSpec"],
      "expect": [{"peer_outputs": ["ServerHello+Certificate+ServerHelloDone", "Alert(fatal,unexpected_message)+closed"]}]
    }
  ]
}"#;
    std::fs::write(&file, good).unwrap();
    let (code, text) = shakedown(&["run", "--vectors", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    for (bad, field) in [
        (good.replace("\"ChangeCipherSpec\"]", "\"ChangeCipherSpek\"]"), "tests[0].word[1]"),
        // A symbol of the other role's alphabet.
        (good.replace("\"ChangeCipherSpec\"]", "\"ServerHelloDone\"]"), "tests[0].word[1]"),
        (good.replace(", \"Alert(fatal,unexpected_message)+closed\"", ""), "tests[0].expect[0].peer_outputs"),
    ] {
        std::fs::write(&file, &bad).unwrap();
        let (code, text) = shakedown(&["run", "--vectors", file.to_str().unwrap()]);
        assert_eq!(code, 2, "{text}");
        assert!(text.contains("learned-words.json"), "{text}");
        assert!(text.contains("test `learned-words/ccs-first`"), "{text}");
        assert!(text.contains(&format!("field `{field}`")), "{text}");
    }
}

/// Word tests against a real server: `openssl s_server` started by the
/// runner from its learning profile (loopback, a free port, killed at the
/// end of the run). Two words answered as OpenSSL answers them pass; the
/// reference's answer to a lone close_notify fails, with both words.
/// Skipped without `openssl` unless SHAKEDOWN_REQUIRE_PEERS is set.
#[test]
fn word_tests_run_against_a_server_profile() {
    if !peer_support::openssl_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("learned-words.json");
    let test = |id: &str, word: &[&str], outputs: &[&str]| {
        serde_json::json!({
            "id": format!("learned-words/{id}"),
            "description": "d",
            "rfc": "RFC 5246 7.2.1",
            "engine_role": "client",
            "versions": ["tls1.2"],
            "word": word,
            "expect": [{"peer_outputs": outputs}],
        })
    };
    let vectors = serde_json::json!({
        "topic": "learned-words",
        "tests": [
            test(
                "honest",
                &["ClientHello", "ClientKeyExchange", "ChangeCipherSpec", "Finished"],
                &["ServerHello+Certificate+ServerHelloDone", "silence", "silence", "ChangeCipherSpec+Finished"],
            ),
            test("openssl-close-notify", &["CloseNotify"], &["Alert(fatal,unexpected_message)+closed"]),
            test("reference-close-notify", &["CloseNotify"], &["Alert(warning,close_notify)+closed"]),
        ],
    });
    std::fs::write(&file, serde_json::to_string_pretty(&vectors).unwrap()).unwrap();
    let report = dir.path().join("r.json");
    let (code, text) = shakedown(&[
        "run",
        "--vectors",
        file.to_str().unwrap(),
        "--peer",
        "vectors/peers/openssl-server-learn.json",
        "--json",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{text}");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    for c in json["cases"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let verdict = c["verdict"]["verdict"].as_str().unwrap();
        let want = if id.starts_with("learned-words/reference-") { "fail" } else { "pass" };
        assert_eq!(verdict, want, "{id}: {c}");
        if want == "fail" {
            let reason = c["verdict"]["reason"].as_str().unwrap();
            assert!(reason.contains("got outputs [Alert(fatal,unexpected_message)+closed]"), "{reason}");
        }
    }
}
