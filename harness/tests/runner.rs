//! The scenario runner end to end: the shipped vectors load and agree with
//! the reference engine, a seed fixes every byte, bad vectors are named,
//! and a peer that hangs, closes or crashes gives a verdict.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use shakedown::cli::run::select;
use shakedown::expect::{End, Verdict};
use shakedown::peer::PeerSpec;
use shakedown::peer::profile::{BuiltinProfile, Profile};
use shakedown::run::{CaseResult, RunOptions, run_all};
use shakedown::vector::{Case, expand, load_dir};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn cases(filter: &[&str]) -> Vec<Case> {
    let files = load_dir(&root().join("vectors/scenarios")).unwrap();
    let filter: Vec<String> = filter.iter().map(|s| s.to_string()).collect();
    select(expand(&files).unwrap(), &filter, None).unwrap()
}

fn opts(peer: PeerSpec, seed: u64) -> RunOptions {
    RunOptions {
        peer,
        jobs: 2,
        seed,
        timeout: Duration::from_secs(2),
        certs: root().join("vectors/certs"),
        keep_transcripts: true,
        seed_pool: None,
        provider: std::sync::Arc::new(shakedown_engine::crypto::provider::RustCrypto),
        silence: None,
    }
}

fn builtin() -> PeerSpec {
    PeerSpec::parse("builtin", &root().join("vectors/peers/builtin.json")).unwrap()
}

fn run(cases: &[Case], o: &RunOptions) -> Vec<CaseResult> {
    run_all(cases, o, &|_| {}).unwrap()
}

#[test]
fn shipped_vectors_cover_the_issue() {
    let files = load_dir(&root().join("vectors/scenarios")).unwrap();
    let defs: usize = files.iter().map(|(_, f)| f.tests.len()).sum();
    let all = expand(&files).unwrap();
    assert!(defs >= 60, "{defs} definitions");
    assert!(all.len() >= 400, "{} cases", all.len());
    for v in ["ssl3", "tls1.0", "tls1.1", "tls1.2"] {
        for role in [shakedown::vector::Role::Client, shakedown::vector::Role::Server] {
            assert!(
                all.iter().any(|c| c.version.name() == v && c.test.engine_role == role),
                "no {v} case with the engine as {role:?}"
            );
        }
    }
}

#[test]
fn shipped_profiles_parse() {
    for entry in std::fs::read_dir(root().join("vectors/peers")).unwrap() {
        let p = entry.unwrap().path();
        if p.file_name().unwrap() == "builtin.json" {
            BuiltinProfile::load(&p).unwrap();
        } else {
            Profile::load(&p).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// A known deviation that matches no case of a role the profile can play
/// skips nothing and says nothing: a renamed vector would leave it behind
/// silently. Every glob of every shipped profile must match a case the
/// profile would otherwise run (the engine plays the other role).
#[test]
fn every_known_deviation_of_a_shipped_profile_matches_a_case() {
    let all = cases(&[]);
    let mut checked = 0;
    for entry in std::fs::read_dir(root().join("vectors/peers")).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() == "builtin.json" {
            continue;
        }
        let profile = Profile::load(&path).unwrap();
        for d in &profile.known_deviations {
            let glob = globset::Glob::new(&d.tests).unwrap().compile_matcher();
            let hit = all.iter().any(|c| c.test.engine_role != profile.role && glob.is_match(&c.id));
            assert!(
                hit,
                "{}: known deviation `{}` matches no case with the engine as the {}'s peer",
                path.display(),
                d.tests,
                profile.role.name()
            );
            assert!(d.reason.contains("RFC"), "{}: `{}`: the reason cites no RFC", path.display(), d.tests);
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} known deviations checked");
}

/// A sample over every topic and both roles (the whole suite runs in the
/// release build in CI: `shakedown run`).
#[test]
fn a_sample_of_every_topic_passes_against_the_reference_engine() {
    let sample: Vec<Case> = cases(&["*/tls1.2/AES128-SHA", "*/ssl3/AES128-SHA"])
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % 3 == 0)
        .map(|(_, c)| c)
        .collect();
    assert!(sample.len() > 50);
    let results = run(&sample, &opts(builtin(), 1));
    let bad: Vec<String> = results
        .iter()
        .filter(|r| !matches!(r.verdict, Verdict::Pass { .. } | Verdict::Skip { .. }))
        .map(|r| format!("{}: {:?}", r.case.id, r.verdict))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn the_same_seed_gives_byte_identical_transcripts() {
    let sample = cases(&[
        "finished/corrupt-byte-03/*",
        "bleichenbacher/block-type-01/tls1.0/*",
        "resumption/resume/tls1.2/AES128-SHA",
    ]);
    assert!(sample.len() >= 5);
    let render = |rs: &[CaseResult]| -> Vec<String> {
        rs.iter().map(|r| r.transcript.as_ref().unwrap().render()).collect()
    };
    let a = render(&run(&sample, &opts(builtin(), 7)));
    let b = render(&run(&sample, &opts(builtin(), 7)));
    let c = render(&run(&sample, &opts(builtin(), 8)));
    assert!(a.iter().all(|t| t.lines().count() > 4));
    assert_eq!(a, b);
    assert_ne!(a, c);
}

fn shakedown(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_shakedown")).current_dir(root()).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const VECTOR: &str = r#"{
  "topic": "t",
  "tests": [
    {
      "id": "t/ok",
      "description": "d",
      "rfc": "RFC 5246 7.4.9",
      "engine_role": "client",
      "versions": ["tls1.2"],
      "knobs": [{"corrupt_finished": {"index": 0, "xor": 1}}],
      "expect": [{"peer_alert": ["decrypt_error"]}]
    }
  ]
}
"#;

/// `shakedown run` over one vector file `name` holding `text`.
fn run_vector_file(name: &str, text: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join(name);
    std::fs::write(&f, text).unwrap();
    shakedown(&["run", "--vectors", f.to_str().unwrap()])
}

fn bad_vector(from: &str, to: &str) -> (i32, String) {
    let (code, _, err) = run_vector_file("t.json", &VECTOR.replace(from, to));
    (code, err)
}

#[test]
fn a_bad_vector_is_exit_2_naming_file_line_test_and_field() {
    let (code, err) = bad_vector("corrupt_finished", "corrupt_finishd");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("t.json:10:"), "{err}");
    assert!(err.contains("test `t/ok`"), "{err}");
    assert!(err.contains("tests[0].knobs[0]"), "{err}");
    assert!(err.contains("corrupt_finishd"), "{err}");

    let (code, err) = bad_vector("\"rfc\": \"RFC 5246 7.4.9\",", "");
    assert_eq!(code, 2);
    assert!(err.contains("missing field `rfc`") && err.contains("t/ok"), "{err}");

    let (code, err) = bad_vector("\"versions\"", "\"verions\"");
    assert_eq!(code, 2);
    assert!(err.contains("verions") && err.contains("tests[0]"), "{err}");

    let (code, _) = bad_vector("", "");
    assert_eq!(code, 0);
}

/// Each way a vector could silently test nothing is a load error: exit 2,
/// naming the file, the line, the test and the field.
#[test]
fn vectors_that_would_lie_are_load_errors_naming_file_line_test_and_field() {
    let knob = r#"{"corrupt_finished": {"index": 0, "xor": 1}}"#;
    let cases: [(&str, String, &str, &str); 3] = [
        (
            "bad hex",
            r#"{"inject_record": {"at": "after_handshake", "content_type": 23, "payload": {"hex": "zz1"}}}"#
                .into(),
            "tests[0].knobs[0]",
            "hex",
        ),
        (
            "oversized filler",
            r#"{"pad_body": {"message": "finished", "bytes": {"filler": 16777217}}}"#.into(),
            "tests[0].knobs[0]",
            "limit",
        ),
        (
            "duplicate single-value knob",
            r#"{"select_suite": "TLS_RSA_WITH_NULL_MD5"}, {"select_suite": "TLS_RSA_WITH_NULL_SHA"}"#.into(),
            "tests[0].knobs[1]",
            "select_suite",
        ),
    ];
    for (what, knobs, field, says) in &cases {
        let (code, err) = bad_vector(knob, knobs);
        assert_eq!(code, 2, "{what}: {err}");
        assert!(err.contains("t.json:"), "{what}: {err}");
        assert!(err.contains("test `t/ok`"), "{what}: {err}");
        assert!(err.contains(field), "{what}: {err}");
        assert!(err.contains(says), "{what}: {err}");
    }

    let expect = r#""expect": [{"peer_alert": ["decrypt_error"]}]"#;
    let others: [(&str, &str, String, &str, &str); 4] = [
        (
            "peer_closes false",
            expect,
            r#""expect": [{"peer_closes": false}]"#.into(),
            "tests[0].expect[0].peer_closes",
            "only `true`",
        ),
        (
            "dead expect_for",
            expect,
            format!(r#"{expect}, "expect_for": {{"ssl3": [{{"peer_alert": ["handshake_failure"]}}]}}"#),
            "tests[0].expect_for.ssl3",
            "never runs",
        ),
        (
            "min above max",
            r#""engine_role": "client","#,
            r#""engine_role": "client", "engine": {"versions": {"min": "tls1.2", "max": "tls1.0"}},"#.into(),
            "tests[0].engine.versions",
            "above max",
        ),
        (
            "rfc without a section",
            r#""RFC 5246 7.4.9""#,
            r#""RFC 5246""#.into(),
            "tests[0].rfc",
            "no section",
        ),
    ];
    for (what, from, to, field, says) in &others {
        let (code, err) = bad_vector(from, to);
        assert_eq!(code, 2, "{what}: {err}");
        assert!(err.contains("t.json:"), "{what}: {err}");
        assert!(err.contains("t/ok"), "{what}: {err}");
        assert!(err.contains(field), "{what}: {err}");
        assert!(err.contains(says), "{what}: {err}");
    }

    // A file must be named after its topic.
    let (code, _, err) = run_vector_file("other.json", VECTOR);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("other.json") && err.contains("t.json"), "{err}");
}

/// A sweep stands for one test per value, with the ids the pasted tests had.
#[test]
fn a_sweep_expands_into_one_test_per_value() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("t.json");
    let swept = VECTOR.replace(
        r#""expect": [{"peer_alert": ["decrypt_error"]}]"#,
        r#""expect": [{"peer_alert": ["decrypt_error"]}], "sweep": {"knob": 0, "field": "corrupt_finished.index", "values": [0, 5, 11]}"#,
    );
    std::fs::write(&f, &swept).unwrap();
    let (code, out, err) = shakedown(&["run", "--vectors", f.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("3 cases: 3 passed"), "{out}");
    let files = load_dir(dir.path()).unwrap();
    let ids: Vec<&str> = files[0].1.tests.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["t/ok-00", "t/ok-05", "t/ok-11"]);
    assert_eq!(
        files[0].1.tests[2].knobs[0],
        shakedown_engine::deviate::Knob::CorruptFinished(shakedown_engine::crypto::record::ByteFlip {
            index: 11,
            xor: 1
        })
    );
    let (code, _, err) =
        run_vector_file("t.json", &swept.replace("corrupt_finished.index", "corrupt_finished.indx"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("tests[0].sweep.field") && err.contains("indx"), "{err}");
}

#[test]
fn exit_codes_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("j.xml");
    let json = dir.path().join("r.json");
    let (code, out, err) = shakedown(&[
        "run",
        "--filter",
        "finished/corrupt-byte-0[01]/tls1.*/AES128-SHA",
        "--junit",
        junit.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("6 cases: 6 passed"), "{out}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("finished/corrupt-byte-00/tls1.2/AES128-SHA"), "{xml}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["counts"]["pass"], 6);
    assert_eq!(shakedown(&["run", "--shard", "3/2"]).0, 2);
}

/// A server on loopback that takes one connection, reads the client's
/// first bytes, then does `then` with the stream.
fn one_connection_peer(
    then: impl FnOnce(&mut std::net::TcpStream) + Send + 'static,
) -> (std::net::SocketAddr, std::thread::JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let t = std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf);
        then(&mut s);
    });
    (addr, t)
}

/// A server that accepts and says nothing: inconclusive within the timeout.
#[test]
fn a_hanging_peer_is_inconclusive_not_stuck() {
    let (addr, t) = one_connection_peer(|_| std::thread::sleep(Duration::from_secs(3)));
    let sample = cases(&["finished/corrupt-byte-00/tls1.2/AES128-SHA"]);
    let mut o = opts(PeerSpec::Tcp(addr.to_string()), 1);
    o.timeout = Duration::from_millis(500);
    let started = Instant::now();
    let r = run(&sample, &o);
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(matches!(r[0].verdict, Verdict::Inconclusive { .. }), "{:?}", r[0].verdict);
    t.join().unwrap();
}

/// A server that closes mid-handshake: the case gets a verdict.
#[test]
fn a_peer_closing_mid_handshake_gives_a_verdict() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let t = std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        let mut buf = [0u8; 16];
        let _ = s.read(&mut buf);
        let _ = s.write_all(&[0x16, 0x03, 0x03, 0x00]);
    });
    let sample = cases(&["finished/corrupt-byte-00/tls1.2/AES128-SHA"]);
    let r = run(&sample, &opts(PeerSpec::Tcp(addr.to_string()), 1));
    t.join().unwrap();
    assert!(matches!(r[0].verdict, Verdict::Fail { .. }), "{:?}", r[0].verdict);
    assert_eq!(r[0].observed.as_ref().unwrap().end, End::PeerEof);
    assert!(r[0].transcript.as_ref().unwrap().render().contains("partial"));
}

/// A profile whose command dies at once: an error verdict, quickly.
#[test]
fn a_crashing_peer_is_an_error_not_a_hang() {
    let profile = Profile::parse(
        r#"{"name": "crasher", "role": "server", "command": ["sh", "-c", "exit 3"],
            "versions": ["tls1.2"], "suites": ["AES128-SHA"], "startup_timeout_ms": 2000}"#,
    )
    .unwrap();
    let sample = cases(&["finished/corrupt-byte-00/tls1.2/AES128-SHA"]);
    let started = Instant::now();
    let r = run(&sample, &opts(PeerSpec::Profile(Box::new(profile)), 1));
    assert!(started.elapsed() < Duration::from_secs(4));
    match &r[0].verdict {
        Verdict::Error { reason } => assert!(reason.contains("exited"), "{reason}"),
        v => panic!("{v:?}"),
    }
}

#[test]
fn profiles_skip_what_the_peer_lacks_and_known_deviations() {
    let profile = Profile::parse(
        r#"{"name": "p", "role": "server", "command": ["true"], "versions": ["tls1.2"],
            "suites": ["AES128-SHA"], "features": [],
            "known_deviations": [{"tests": "finished/corrupt-byte-01/*", "reason": "RFC 5246 7.4.9: why"}]}"#,
    )
    .unwrap();
    let all = cases(&["finished/corrupt-byte-0[01]/*", "resumption/resume/tls1.2/AES128-SHA"]);
    let reasons: Vec<Option<String>> = all.iter().map(|c| profile.skip_reason(c)).collect();
    let by_id = |id: &str| reasons[all.iter().position(|c| c.id == id).unwrap()].clone();
    assert_eq!(by_id("finished/corrupt-byte-00/tls1.2/AES128-SHA"), None);
    assert!(by_id("finished/corrupt-byte-00/ssl3/AES128-SHA").unwrap().contains("ssl3"));
    assert!(by_id("finished/corrupt-byte-00/tls1.2/DES-CBC3-SHA").unwrap().contains("DES-CBC3-SHA"));
    assert!(by_id("finished/corrupt-byte-01/tls1.2/AES128-SHA").unwrap().contains("RFC 5246 7.4.9"));
    assert!(by_id("resumption/resume/tls1.2/AES128-SHA").unwrap().contains("resumption"));
    // A server is started in the case's client-auth group, or the case skips.
    let request = cases(&["client-auth/corrupt-certificate-verify/tls1.2/AES128-SHA"]).pop().unwrap();
    let why = profile.skip_reason(&request).unwrap();
    assert!(why.contains("client_auth_request"), "{why}");
}

/// A peer that fails the honest first handshake of a resumption case has
/// failed the case: a fail with the reason, never a harness error (exit 2
/// means the harness could not run).
#[test]
fn a_peer_failing_the_setup_handshake_fails_the_case() {
    // A fatal handshake_failure alert to the honest ClientHello.
    let (addr, t) = one_connection_peer(|s| {
        let _ = s.write_all(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);
    });
    let sample = cases(&["resumption/resume/tls1.2/AES128-SHA"]);
    assert_eq!(sample.len(), 1);
    assert!(sample[0].test.resume);
    let r = run(&sample, &opts(PeerSpec::Tcp(addr.to_string()), 1));
    t.join().unwrap();
    match &r[0].verdict {
        Verdict::Fail { reason } => {
            assert!(reason.contains("setup") && reason.contains("handshake_failure"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert!(r[0].transcript.is_some());
}

/// A peer that does not answer the honest first handshake in time (a slow
/// start on a loaded machine) has shown nothing: inconclusive, not a fail.
#[test]
fn a_peer_silent_in_the_setup_handshake_is_inconclusive() {
    // Silent until the runner gives up (its timeout is 2 s).
    let (addr, t) = one_connection_peer(|_| std::thread::sleep(Duration::from_secs(3)));
    let sample = cases(&["resumption/resume/tls1.2/AES128-SHA"]);
    let r = run(&sample, &opts(PeerSpec::Tcp(addr.to_string()), 1));
    t.join().unwrap();
    assert!(matches!(&r[0].verdict, Verdict::Inconclusive { .. }), "{:?}", r[0].verdict);
}

/// Our engine refuses the peer's message first; the peer's fatal alert,
/// sent a moment later, is still what the case observes.
#[test]
fn the_peers_alert_after_our_own_failure_is_observed() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let t = std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf);
        // A ServerHello whose body is one byte: our engine's decode_error.
        s.write_all(&[0x16, 0x03, 0x03, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x03]).unwrap();
        // Our alert arrives; then the peer's own fatal alert, separately.
        let _ = s.read(&mut buf);
        std::thread::sleep(Duration::from_millis(50));
        let _ = s.write_all(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x33]);
        let _ = s.read(&mut buf);
    });
    let sample = cases(&["finished/corrupt-byte-00/tls1.2/AES128-SHA"]);
    let r = run(&sample, &opts(PeerSpec::Tcp(addr.to_string()), 1));
    t.join().unwrap();
    let observed = r[0].observed.as_ref().unwrap();
    assert_eq!(
        observed.fatal(),
        Some(shakedown_engine::msgs::enums::AlertDescription::DecryptError),
        "{observed:?}"
    );
}

/// `shakedown run --flaw FLAW --filter FILTER`, which must fail (exit 1):
/// the cases of its JSON report.
fn run_flawed(flaw: &str, filter: &str) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let (code, out, err) =
        shakedown(&["run", "--flaw", flaw, "--filter", filter, "--json", json.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    report["cases"].as_array().unwrap().clone()
}

/// A server that answers bad padding differently (the ROBOT answer
/// oracle) passes each Bleichenbacher case on its own grade, and fails the
/// oracle group: every member fails, each with its own transcript.
#[test]
fn an_answer_oracle_fails_the_group_and_keeps_every_transcript() {
    let filter = "bleichenbacher/*/tls1.2/AES128-SHA";
    let cases = run_flawed("padding_answer_oracle", filter);
    let grouped: Vec<&serde_json::Value> =
        cases.iter().filter(|c| !c["id"].as_str().unwrap().contains("ciphertext-one")).collect();
    assert!(grouped.len() >= 10, "{}", grouped.len());
    for c in grouped {
        assert_eq!(c["verdict"]["verdict"], "fail", "{c}");
        assert!(c["verdict"]["reason"].as_str().unwrap().contains("oracle group"), "{c}");
        let records = c["transcript"].as_array().map_or(0, Vec::len);
        assert!(records > 2, "{}: {records} records", c["id"]);
    }
    let (code, out, _) = shakedown(&["run", "--filter", filter]);
    assert_eq!(code, 0, "{out}");
}

/// A session whose connection ended in a fatal alert is never resumed
/// (RFC 5246 7.2.2): the built-in peer passes both resumption vectors in
/// both roles, and with the flaw that keeps such sessions it fails every
/// one of them (its server resumes, its client offers the session again).
#[test]
fn a_peer_that_resumes_an_invalidated_session_fails_both_roles() {
    let filter = "resumption/*resume-after-fatal-alert/*";
    let (code, out, err) = shakedown(&["run", "--filter", filter]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("8 cases: 8 passed"), "{out}");
    let cases = run_flawed("resume_invalidated_session", filter);
    assert_eq!(cases.len(), 8);
    for c in cases {
        assert_eq!(c["verdict"]["verdict"], "fail", "{c}");
        assert!(c["actual_text"].as_str().unwrap().contains("resumed"), "{c}");
    }
}

/// A case that limits the peer's versions runs on a profile with
/// `version_range_args`, its ends moved inside what the profile supports,
/// and in a group of its own; without them it skips with the reason.
#[test]
fn a_profile_sets_the_peer_version_range_a_case_asks_for() {
    let case = cases(&["version/server-picks-above-offer/tls1.2/AES128-SHA"]).pop().unwrap();
    let text = r#"{"name": "p", "role": "client", "command": ["peer", "--port", "{port}"],
        "version_args": {"tls1.2": ["--only", "tls1.2"]},
        "version_range_args": ["--min", "{min}", "--max", "{max}"],
        "versions": ["tls1.0", "tls1.1", "tls1.2"], "suites": ["AES128-SHA"]}"#;
    let p = Profile::parse(text).unwrap();
    assert_eq!(p.skip_reason(&case), None);
    // ssl3..tls1.1 asked; this peer has no SSL 3.0.
    assert_eq!(
        p.argv(&case, 7, Path::new("/c")),
        ["peer", "--port", "7", "--min", "tls1.0", "--max", "tls1.1"]
    );
    assert!(p.group_of(&case).ends_with("+tls1.0..tls1.1"));
    let without =
        Profile::parse(&text.replace(r#""version_range_args": ["--min", "{min}", "--max", "{max}"],"#, ""))
            .unwrap();
    let why = without.skip_reason(&case).unwrap();
    assert!(why.contains("ssl3..tls1.1") && why.contains("version_range_args"), "{why}");
    let tls12_only = Profile::parse(&text.replace(r#""tls1.0", "tls1.1", "#, "")).unwrap();
    assert!(tls12_only.skip_reason(&case).unwrap().contains("supports none of"));
}

/// The reference client (`shakedown connect`) as a client profile, with
/// the given `client_resumption`.
fn self_client(resumption: &str) -> Profile {
    let text = r#"{"name": "self-client", "role": "client",
        "command": ["BIN", "connect", "127.0.0.1:{port}", "--ca", "{ca}", "--server-name", "localhost",
                    "--timeout", "2"],
        "version_args": {"tls1.2": ["--versions", "tls1.2"]},
        "versions": ["tls1.2"], "suites": ["AES128-SHA"], "features": ["resumption"],
        "client_resumption": RESUMPTION}"#;
    Profile::parse(&text.replace("BIN", env!("CARGO_BIN_EXE_shakedown")).replace("RESUMPTION", resumption))
        .unwrap()
}

/// A peer client is driven through resumption: the engine server accepts
/// an honest first connection and judges the second, resumed or refused
/// per the vector. Two processes whose second does not resume fail the
/// case that wants it resumed.
#[test]
fn a_peer_client_is_driven_through_resumption() {
    let sample = cases(&[
        "resumption/server-resume/tls1.2/AES128-SHA",
        "resumption/server-resume-corrupt-finished/tls1.2/AES128-SHA",
        "resumption/server-resume-ccs-missing/tls1.2/AES128-SHA",
    ]);
    assert_eq!(sample.len(), 3);
    let p = self_client(r#"{"reconnect": ["--resume"]}"#);
    for r in run(&sample, &opts(PeerSpec::Profile(Box::new(p)), 1)) {
        assert!(matches!(r.verdict, Verdict::Pass { .. }), "{}: {:?}", r.case.id, r.verdict);
        assert!(r.case.test.resume);
        // Both connections are in the transcript; the judged one is the second.
        assert_eq!(r.keylog.len(), 2 - usize::from(!r.case.id.contains("server-resume/")), "{}", r.case.id);
    }
    let honest = cases(&["resumption/server-resume/tls1.2/AES128-SHA"]);
    let p = self_client(r#"{"session_file": {"save": [], "load": []}}"#);
    let r = run(&honest, &opts(PeerSpec::Profile(Box::new(p)), 1));
    match &r[0].verdict {
        Verdict::Fail { reason } => assert!(reason.contains("resumed=true"), "{reason}"),
        v => panic!("{v:?}"),
    }
    assert!(!r[0].observed.as_ref().unwrap().negotiated.as_ref().unwrap().resumed);
}

/// A client profile says how it resumes, or why it cannot: the skip reason.
#[test]
fn a_client_profile_says_how_it_resumes_or_why_not() {
    let case = cases(&["resumption/server-resume/tls1.2/AES128-SHA"]).pop().unwrap();
    let p =
        self_client(r#"{"session_file": {"save": ["--out", "{session}"], "load": ["--in", "{session}"]}}"#);
    assert_eq!(p.skip_reason(&case), None);
    let f = Path::new("/tmp/s");
    assert!(
        p.resume_argv(&case, 7, Path::new("/c"), 0, f).unwrap().ends_with(&["--out".into(), "/tmp/s".into()])
    );
    assert!(
        p.resume_argv(&case, 7, Path::new("/c"), 1, f).unwrap().ends_with(&["--in".into(), "/tmp/s".into()])
    );
    let reconnect = self_client(r#"{"reconnect": ["--resume"]}"#);
    assert!(reconnect.resume_argv(&case, 7, Path::new("/c"), 1, f).is_none());
    let text = r#"{"name": "c", "role": "client", "command": ["c"], "versions": ["tls1.2"],
        "suites": ["AES128-SHA"], "features": FEATURES, "client_resumption": RESUMPTION}"#;
    let parse = |features: &str, resumption: &str| {
        Profile::parse(&text.replace("FEATURES", features).replace("RESUMPTION", resumption))
    };
    let why =
        parse("[]", r#"{"unsupported": "tickets only (RFC 5077)"}"#).unwrap().skip_reason(&case).unwrap();
    assert!(why.contains("cannot resume") && why.contains("tickets only"), "{why}");
    let why = parse("[]", "null").unwrap().skip_reason(&case).unwrap();
    assert!(why.contains("client_resumption"), "{why}");
    // The `resumption` feature and a way to resume go together.
    assert!(parse(r#"["resumption"]"#, "null").unwrap_err().contains("client_resumption"));
    assert!(parse("[]", r#"{"reconnect": []}"#).unwrap_err().contains("client_resumption"));
}
