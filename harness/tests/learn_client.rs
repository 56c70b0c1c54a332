//! Learning a client (`--role client`): the built-in reference client in
//! memory, every version, gives a deterministic model of a sane size that
//! equals itself; each state or authentication flaw of the built-in client
//! that the alphabet can show gives a model that differs from the
//! reference, where the reference sends a fatal alert and the flawed
//! client goes on; `openssl s_client` (vectors/peers/openssl-client.json,
//! a process per query against a loopback listener of the learner's) is
//! learned and every process it started is gone afterwards. That last test
//! is skipped without `openssl` unless SHAKEDOWN_REQUIRE_PEERS is set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::time::Duration;

use shakedown::learn::cache::Checks;
use shakedown::learn::differences;
use shakedown::learn::session::{Setup, Target, learn_client};
use shakedown::peer::profile::Profile;
use shakedown::vector::{ClientAuth, Version};
use shakedown_engine::flaw::Flaw;
use shakedown_engine::suites;

/// The misbehaviour symbols these flaws answer to, with the handshake.
const FLAW_ALPHABET: &str = "ServerHello,Certificate,CertificateUntrusted,ServerHelloDone,\
                             ChangeCipherSpec,Finished,FinishedBadVerifyData,ApplicationData";

fn setup(version: Version, alphabet: &str) -> Setup {
    Setup {
        version,
        suite: suites::by_name("AES128-SHA").unwrap(),
        client_auth: ClientAuth::Off,
        alphabet: alphabet.into(),
        depth: 1,
        random_words: 30,
        seed: 1,
        time_budget: None,
        certs: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/certs"),
        min_wait: Duration::from_millis(10),
        connect_timeout: Duration::from_secs(2),
        checks: Checks::default(),
        guide: None,
    }
}

#[test]
fn the_reference_client_is_learned_for_every_version() {
    for version in [Version::Ssl3, Version::Tls10, Version::Tls11, Version::Tls12] {
        let s = setup(version, "basic");
        let a = learn_client(&Target::Builtin, &s, &|_| {}).unwrap();
        let mut other = s.clone();
        other.seed = 7;
        let b = learn_client(&Target::Builtin, &other, &|_| {}).unwrap();
        println!(
            "{}: {} states, {} MQ, {} resets",
            version.name(),
            a.model.states(),
            a.stats.membership_queries,
            a.stats.resets
        );
        assert!(a.complete);
        assert_eq!(a.role, "client");
        // Start, after ServerHello, Certificate, CertificateRequest,
        // ServerHelloDone, ChangeCipherSpec, Finished, closed: about 8.
        assert!((6..=12).contains(&a.model.states()), "{} states", a.model.states());
        assert!(differences(&a.model, &b.model, 5).unwrap().equivalent(), "{}: seeds differ", version.name());
        // The honest handshake completes and data is echoed after it.
        let word: Vec<usize> = [
            "ServerHello",
            "Certificate",
            "ServerHelloDone",
            "ChangeCipherSpec",
            "Finished",
            "ApplicationData",
        ]
        .iter()
        .map(|n| a.model.inputs.iter().position(|i| i == n).unwrap())
        .collect();
        let out = a.model.run(&word).unwrap();
        assert_eq!(out[2], "ClientKeyExchange+ChangeCipherSpec+Finished", "{out:?}");
        assert_eq!(out[5], "ApplicationData", "{out:?}");
    }
}

#[test]
fn client_flaws_change_the_learned_model() {
    let s = setup(Version::Tls12, FLAW_ALPHABET);
    let reference = learn_client(&Target::Builtin, &s, &|_| {}).unwrap();
    for flaw in [Flaw::AcceptBadFinished, Flaw::CcsOptional, Flaw::AcceptUntrustedServer] {
        let flawed = learn_client(&Target::Builtin, &s, &|c| c.flaws = [flaw].into_iter().collect()).unwrap();
        let diff = differences(&flawed.model, &reference.model, 20).unwrap();
        for d in &diff.found {
            println!(
                "{flaw}: [{}] flawed {:?} reference {:?}",
                d.inputs.join(", "),
                d.left.last(),
                d.right.last()
            );
        }
        assert!(
            diff.found.iter().any(|d| {
                d.right.last().is_some_and(|o| o.starts_with("Alert(fatal"))
                    && d.left.last().is_some_and(|o| !o.contains("Alert(fatal"))
            }),
            "{flaw}: {:?}",
            diff.found
        );
    }
}

fn have_openssl() -> bool {
    std::process::Command::new("openssl").arg("version").output().is_ok_and(|o| o.status.success())
}

/// Processes whose parent is this test process and whose name is `name`.
fn children_named(name: &str) -> usize {
    let me = std::process::id().to_string();
    let Ok(dir) = std::fs::read_dir("/proc") else { return 0 };
    dir.filter_map(Result::ok)
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .filter(|stat| {
            // pid (comm) state ppid ...
            let Some((head, rest)) = stat.rsplit_once(") ") else { return false };
            let comm = head.split_once(" (").map_or("", |(_, c)| c);
            let alive = !rest.starts_with('Z');
            comm == name && alive && rest.split_whitespace().nth(1) == Some(me.as_str())
        })
        .count()
}

#[test]
fn openssl_s_client_is_learned_a_process_per_query() {
    if !have_openssl() {
        assert!(std::env::var("SHAKEDOWN_REQUIRE_PEERS").is_err(), "openssl is required");
        eprintln!("skipped: no openssl");
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let profile = Profile::load(&root.join("vectors/peers/openssl-client.json")).unwrap();
    let mut s = setup(
        Version::Tls12,
        "ServerHello,Certificate,ServerHelloDone,ChangeCipherSpec,Finished,ApplicationData",
    );
    s.min_wait = Duration::from_millis(50);
    s.random_words = 10;
    s.time_budget = Some(Duration::from_secs(180));
    s.connect_timeout = Duration::from_secs(5);
    let m = learn_client(&Target::Profile(Box::new(profile)), &s, &|_| {}).unwrap();
    println!("openssl s_client: {} states, {:?}", m.model.states(), m.stats);
    assert!(m.complete);
    assert_eq!(children_named("openssl"), 0, "an s_client outlived its query");
    let reference = learn_client(&Target::Builtin, &s, &|_| {}).unwrap();
    let word: Vec<usize> = ["ServerHello", "Certificate", "ServerHelloDone", "ChangeCipherSpec", "Finished"]
        .iter()
        .map(|n| m.model.inputs.iter().position(|i| i == n).unwrap())
        .collect();
    let out = m.model.run(&word).unwrap();
    assert_eq!(out, reference.model.run(&word).unwrap());
    assert_eq!(out[2], "ClientKeyExchange+ChangeCipherSpec+Finished", "{out:?}");
    // s_client prints application data instead of echoing it: that is
    // where the models differ, and only there.
    let diff = differences(&m.model, &reference.model, 20).unwrap();
    for d in &diff.found {
        println!("[{}] s_client {:?} reference {:?}", d.inputs.join(", "), d.left.last(), d.right.last());
        assert_eq!(d.inputs.last().map(String::as_str), Some("ApplicationData"), "{d:?}");
    }
}
