//! The mapper against the reference server in memory: the learned model
//! completes the RSA handshake along the path the RFC prescribes and
//! refuses everything else, for every version.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::time::Duration;

use shakedown::learn::cache::Checks;
use shakedown::learn::session::{ModelFile, Setup, Target, learn_server};
use shakedown::vector::{ClientAuth, Version};
use shakedown_engine::suites;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn setup(version: Version, suite: &str, alphabet: &str) -> Setup {
    Setup {
        version,
        suite: suites::by_name(suite).unwrap(),
        client_auth: ClientAuth::Off,
        alphabet: alphabet.into(),
        depth: 1,
        random_words: 50,
        seed: 1,
        time_budget: None,
        certs: root().join("vectors/certs"),
        min_wait: Duration::from_millis(10),
        connect_timeout: Duration::from_secs(2),
        checks: Checks::default(),
        guide: None,
    }
}

fn run(m: &ModelFile, word: &[&str]) -> Vec<String> {
    let idx = m.model.word(word).unwrap();
    m.model.run(&idx).unwrap()
}

#[test]
fn the_reference_server_model_follows_the_rfc_handshake() {
    let m = learn_server(&Target::Builtin, &setup(Version::Tls12, "AES128-SHA", "basic"), &|_| {}).unwrap();
    println!("{}", serde_json::to_string_pretty(&m.stats).unwrap());
    for (s, row) in m.model.trans.iter().enumerate() {
        for (i, t) in row.iter().enumerate() {
            println!("s{s} --{}/{}--> s{}", m.model.inputs[i], t.output, t.to);
        }
    }
    assert!(m.complete);
    let out =
        run(&m, &["ClientHello", "ClientKeyExchange", "ChangeCipherSpec", "Finished", "ApplicationData"]);
    assert_eq!(out[0], "ServerHello+Certificate+ServerHelloDone");
    assert_eq!(out[1], "silence");
    assert_eq!(out[2], "silence");
    assert_eq!(out[3], "ChangeCipherSpec+Finished");
    assert_eq!(out[4], "ApplicationData");
    // Finished before ChangeCipherSpec is refused (RFC 5246 7.1, 7.4.9).
    let out = run(&m, &["ClientHello", "ClientKeyExchange", "Finished"]);
    assert!(out[2].starts_with("Alert(fatal,"), "{out:?}");
    assert!(m.dropped_symbols.contains(&"NoCertificate".to_string()));
}

#[test]
fn a_bad_premaster_never_completes_the_reference_handshake() {
    // RFC 5246 7.4.7.1: a badly padded or mis-versioned premaster is replaced
    // by a random one, so the client's Finished must fail.
    let m = learn_server(
        &Target::Builtin,
        &setup(
            Version::Tls12,
            "AES128-SHA",
            "ClientHello,ClientKeyExchange,ClientKeyExchangeBadPkcs1,ClientKeyExchangeWrongVersion,ChangeCipherSpec,Finished",
        ),
        &|_| {},
    )
    .unwrap();
    for cke in ["ClientKeyExchangeBadPkcs1", "ClientKeyExchangeWrongVersion"] {
        let out = run(&m, &["ClientHello", cke, "ChangeCipherSpec", "Finished"]);
        assert!(out[3].starts_with("Alert(fatal,"), "{cke}: {out:?}");
    }
}

#[test]
fn ssl3_models_have_the_no_certificate_alert_and_complete_the_handshake() {
    let m = learn_server(&Target::Builtin, &setup(Version::Ssl3, "AES128-SHA", "basic"), &|_| {}).unwrap();
    assert!(m.model.inputs.iter().any(|i| i == "NoCertificate"));
    assert!(m.dropped_symbols.is_empty());
    // The SSL 3.0 key derivation, Finished and record MAC of the mapper
    // agree with the engine's (RFC 6101 5.6.9, 6.2).
    let out =
        run(&m, &["ClientHello", "ClientKeyExchange", "ChangeCipherSpec", "Finished", "ApplicationData"]);
    assert_eq!(out[3], "ChangeCipherSpec+Finished");
    assert_eq!(out[4], "ApplicationData");
}

/// The hellos and the honest handshake, for the renegotiation tests.
const RENEGOTIATION: &str = "ClientHello,ClientHelloWrongRenegotiationInfo,ClientKeyExchange,ChangeCipherSpec,Finished,ApplicationData";
const HANDSHAKE: [&str; 4] = ["ClientHello", "ClientKeyExchange", "ChangeCipherSpec", "Finished"];

#[test]
fn a_wrong_renegotiation_info_is_refused_and_the_right_one_renegotiates() {
    for version in [Version::Ssl3, Version::Tls10, Version::Tls12] {
        // RFC 5746 3.6: a non-empty renegotiation_info in a first hello
        // aborts the handshake with handshake_failure.
        let m =
            learn_server(&Target::Builtin, &setup(version, "AES128-SHA", RENEGOTIATION), &|_| {}).unwrap();
        assert!(m.complete);
        let out = run(&m, &["ClientHelloWrongRenegotiationInfo"]);
        assert_eq!(out[0], "Alert(fatal,handshake_failure)+closed", "{version:?}");
        // A server that declines renegotiation refuses either hello alike
        // (RFC 5246 7.4.1.2); SSL 3.0 has no no_renegotiation alert.
        let mut word = HANDSHAKE.to_vec();
        word.push("ClientHelloWrongRenegotiationInfo");
        let refused = run(&m, &word)[4].clone();
        word[4] = "ClientHello";
        assert_eq!(run(&m, &word)[4], refused, "{version:?}");

        // A server that renegotiates: the learner's hello carries the
        // client's verify_data (RFC 5746 3.5) and is accepted; with a
        // flipped byte it is refused (3.7).
        let allow = |c: &mut shakedown_engine::ServerConfig| c.allow_renegotiation = true;
        let m = learn_server(&Target::Builtin, &setup(version, "AES128-SHA", RENEGOTIATION), &allow).unwrap();
        assert!(m.complete);
        let mut word = HANDSHAKE.to_vec();
        word.push("ClientHello");
        assert_eq!(run(&m, &word)[4], "ServerHello+Certificate+ServerHelloDone", "{version:?}");
        // The renegotiated handshake completes under the first one's keys.
        word.extend(["ClientKeyExchange", "ChangeCipherSpec", "Finished", "ApplicationData"]);
        let out = run(&m, &word);
        assert_eq!(out[7..], ["ChangeCipherSpec+Finished", "ApplicationData"], "{version:?}");
        word.truncate(4);
        word.push("ClientHelloWrongRenegotiationInfo");
        assert_eq!(run(&m, &word)[4], "Alert(fatal,handshake_failure)+closed", "{version:?}");
    }
}
