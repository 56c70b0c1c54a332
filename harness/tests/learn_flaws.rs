//! Proof that learning finds what it should: every state-machine and
//! authentication flaw of the built-in server (engine/src/flaw.rs) gives a
//! learned model that differs from the reference model, and the difference
//! is the flaw's own. Timing flaws change no output and are out of scope
//! for a Mealy model.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::time::Duration;

use shakedown::learn::cache::Checks;
use shakedown::learn::differences;
use shakedown::learn::session::{Setup, Target, learn_server};
use shakedown::vector::{ClientAuth, Version};
use shakedown_engine::flaw::{Flaw, FlawFamily, FlawRole};
use shakedown_engine::suites;

const ALPHABET: &str = "ClientHello,EmptyCertificate,ClientCertificate,ClientCertificateUntrusted,\
                        ClientKeyExchange,CertificateVerify,\
                        ChangeCipherSpec,Finished,FinishedBadVerifyData,ApplicationData";

fn setup() -> Setup {
    Setup {
        version: Version::Tls12,
        suite: suites::by_name("AES128-SHA").unwrap(),
        client_auth: ClientAuth::Request,
        alphabet: ALPHABET.into(),
        depth: 1,
        random_words: 30,
        seed: 3,
        time_budget: None,
        certs: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/certs"),
        min_wait: Duration::from_millis(10),
        connect_timeout: Duration::from_secs(2),
        checks: Checks::default(),
        guide: None,
    }
}

#[test]
fn every_state_machine_flaw_changes_the_learned_model() {
    let s = setup();
    let reference = learn_server(&Target::Builtin, &s, &|_| {}).unwrap();
    let flaws: Vec<Flaw> = Flaw::ALL
        .iter()
        .copied()
        .filter(|f| matches!(f.family(), FlawFamily::State | FlawFamily::Authentication))
        .filter(|f| f.role() != FlawRole::Client)
        .collect();
    assert!(flaws.contains(&Flaw::SkipCertificateVerify));
    // Guided by the reference, as `--against-reference` learns: every
    // difference below was asked of the flawed server, not inferred.
    let guided = Setup { guide: Some(reference.model.clone()), ..s.clone() };
    for flaw in flaws {
        let flawed =
            learn_server(&Target::Builtin, &guided, &|c| c.flaws = [flaw].into_iter().collect()).unwrap();
        let diff = differences(&flawed.model, &reference.model, 20).unwrap();
        println!("{flaw}: {} vs {} states", flawed.model.states(), reference.model.states());
        for d in &diff.found {
            println!("  [{}] flawed {:?} reference {:?}", d.inputs.join(", "), d.left.last(), d.right.last());
        }
        assert!(!diff.equivalent(), "{flaw}: the learned model equals the reference");
        // The flawed server goes on where the reference sends a fatal alert.
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

#[test]
fn the_reference_server_equals_itself_across_seeds() {
    let a = learn_server(&Target::Builtin, &setup(), &|_| {}).unwrap();
    let mut s = setup();
    s.seed = 9;
    let b = learn_server(&Target::Builtin, &s, &|_| {}).unwrap();
    assert!(differences(&a.model, &b.model, 5).unwrap().equivalent());
}
