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

mod peer_support;

use std::path::PathBuf;
use std::time::Duration;

use shakedown::learn::cache::Checks;
use shakedown::learn::differences;
use shakedown::learn::mapper::client_sul::{ClientSul, ServerSetup};
use shakedown::learn::mapper::link::Link;
use shakedown::learn::mapper::server::{ServerSymbol, parse_alphabet};
use shakedown::learn::mapper::sul::Connect;
use shakedown::learn::mapper::timing::Timing;
use shakedown::learn::session::{Setup, Target, learn_client};
use shakedown::peer::memory::MemoryPeer;
use shakedown::peer::profile::Profile;
use shakedown::peer::{Recv, Transport};
use shakedown::run::configs::Identities;
use shakedown::vector::{ClientAuth, Version};
use shakedown_engine::flaw::Flaw;
use shakedown_engine::suites;

/// The misbehaviour symbols these flaws answer to, with the handshake.
const FLAW_ALPHABET: &str = "ServerHello,Certificate,CertificateUntrusted,ServerHelloDone,\
                             ChangeCipherSpec,Finished,FinishedBadVerifyData,ApplicationData";

/// The server's side of an honest handshake, as learning symbols.
const HANDSHAKE: [&str; 5] =
    ["ServerHello", "Certificate", "ServerHelloDone", "ChangeCipherSpec", "Finished"];

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
        let word = a.model.word(&[&HANDSHAKE[..], &["ApplicationData"]].concat()).unwrap();
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
    if !peer_support::openssl_or_skip() {
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut profile = Profile::load(&root.join("vectors/peers/openssl-client.json")).unwrap();
    // The profile's wait for silence is the floor, above `--min-wait-ms`.
    profile.silence_ms = Some(70);
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
    // The client's flight after ServerHelloDone was timed before learning,
    // and the slowest answer seen to ServerHelloDone is at least that.
    let calibrated = m.calibration_us.expect("the client was not calibrated");
    let shd = m.model.inputs.iter().position(|i| i == "ServerHelloDone").unwrap();
    assert!(m.slowest_answer_us[shd] >= calibrated, "{:?} {calibrated}", m.slowest_answer_us);
    assert!(m.silence_floor_us >= 70_000, "floor {} us", m.silence_floor_us);
    let reference = learn_client(&Target::Builtin, &s, &|_| {}).unwrap();
    let word = m.model.word(&HANDSHAKE).unwrap();
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

#[test]
fn the_reference_client_refuses_a_record_with_bad_padding() {
    // RFC 5246 6.2.3.2 (RFC 6101 5.2.3.2 for SSL 3.0): a CBC record whose
    // padding does not check is refused with bad_record_mac.
    let alphabet = "ServerHello,Certificate,ServerHelloDone,ChangeCipherSpec,Finished,ApplicationData,\
                    ApplicationDataBadPadding";
    for version in [Version::Ssl3, Version::Tls10, Version::Tls11, Version::Tls12] {
        let m = learn_client(&Target::Builtin, &setup(version, alphabet), &|_| {}).unwrap();
        assert!(m.complete);
        let word = m.model.word(&[&HANDSHAKE[..], &["ApplicationDataBadPadding"]].concat()).unwrap();
        let out = m.model.run(&word).unwrap();
        assert_eq!(out[5], "Alert(fatal,bad_record_mac)+closed", "{}: {out:?}", version.name());
    }
}

/// The built-in client in memory, slow to answer one flight: the answer to
/// its first flight from us waits `delay` before it can be read.
struct SlowClient {
    inner: MemoryPeer,
    sends: usize,
    delay: Duration,
}

impl Transport for SlowClient {
    fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.sends += 1;
        self.inner.send(bytes)
    }

    fn recv(&mut self, deadline: std::time::Instant) -> Recv {
        if self.sends == 1 {
            std::thread::sleep(self.delay);
            self.sends += 1;
        }
        self.inner.recv(deadline)
    }

    fn echoes(&self) -> bool {
        self.inner.echoes()
    }
}

impl Link for SlowClient {}

#[test]
fn a_slow_client_step_sets_the_waits_for_silence_of_its_inputs() {
    let s = setup(
        Version::Tls12,
        "ServerHello,Certificate,ServerHelloDone,ChangeCipherSpec,Finished,ApplicationData",
    );
    let ids = Identities::load(&s.certs).unwrap();
    let config = std::sync::Arc::new(shakedown_engine::ClientConfig {
        versions: shakedown_engine::VersionRange::only(s.version.wire()),
        suites: vec![s.suite.suite],
        server_name: Some("localhost".into()),
        trust: Some(ids.anchors.clone()),
        ..shakedown_engine::ClientConfig::default()
    });
    let connect: Connect = Box::new(move || {
        let rng = Box::new(shakedown_engine::crypto::SeededRandom::from_seed(1));
        let conn = shakedown_engine::Connection::client(config.clone(), rng, shakedown::run::configs::NOW)
            .map_err(|e| e.to_string())?;
        let slow = SlowClient { inner: MemoryPeer::new(conn), sends: 0, delay: Duration::from_millis(20) };
        Ok(Box::new(slow) as Box<dyn Link>)
    });
    let symbols = parse_alphabet(&s.alphabet).unwrap();
    let server = ServerSetup {
        version: s.version.wire(),
        suite: s.suite,
        identity: ids.by_name.get("server").cloned().map(std::sync::Arc::new).unwrap(),
        untrusted: None,
        seed: 1,
    };
    let floor = Duration::from_micros(1);
    let mut sul = ClientSul::new(symbols.clone(), server, connect, Timing::new(symbols.len(), floor));
    let slowest = sul.calibrate().unwrap().expect("the client answered its flight");
    let at = |sym: ServerSymbol| symbols.iter().position(|x| *x == sym).unwrap();
    let per = sul.timing.slowest_per_input().to_vec();
    // The flight's three inputs took what was measured; the others are
    // not measured yet.
    for sym in [ServerSymbol::ServerHello, ServerSymbol::Certificate, ServerSymbol::ServerHelloDone] {
        assert_eq!(per[at(sym)], slowest, "{sym:?}");
    }
    assert_eq!(per[at(ServerSymbol::ApplicationData)], Duration::ZERO);
    // The wait after the slow input covers three times its answer, any
    // other input's twice the slowest answer; neither is below the floor.
    let shd = sul.timing.wait(at(ServerSymbol::ServerHelloDone));
    let data = sul.timing.wait(at(ServerSymbol::ApplicationData));
    assert_eq!(shd, (slowest * 3).max(floor));
    assert_eq!(data, (slowest * 2).max(floor));
    assert!(shd > data && data > floor, "{shd:?} {data:?}");
}

#[test]
fn a_client_that_stays_up_is_started_once_and_reset_by_a_line() {
    if !peer_support::openssl_or_skip() {
        return;
    }
    // s_client in a shell loop: one connection per line on the loop's
    // standard input (`reset_by_line`, as JssePeer's --per-line); each
    // start of the loop leaves a line in `starts`.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let starts = std::env::temp_dir().join(format!("shakedown-line-client-{}", std::process::id()));
    let _ = std::fs::remove_file(&starts);
    let mut profile = Profile::load(&root.join("vectors/peers/openssl-client.json")).unwrap();
    let script = format!(
        "echo started >> '{}'; while read l; do \"$@\" </dev/null >/dev/null 2>&1; done",
        starts.display()
    );
    let mut command = vec!["sh".to_owned(), "-c".to_owned(), script, "sh".to_owned()];
    command.append(&mut profile.command);
    profile.command = command;
    // -ign_eof: s_client stays connected until the learner ends the query.
    profile.reset_by_line = Some(vec!["-ign_eof".into()]);
    let mut s = setup(Version::Tls12, "ServerHello,Certificate,ServerHelloDone,ChangeCipherSpec,Finished");
    s.min_wait = Duration::from_millis(50);
    s.random_words = 10;
    s.time_budget = Some(Duration::from_secs(180));
    s.connect_timeout = Duration::from_secs(5);
    let m = learn_client(&Target::Profile(Box::new(profile)), &s, &|_| {}).unwrap();
    println!("s_client in a loop: {} states, {:?}", m.model.states(), m.stats);
    assert!(m.complete);
    assert!(m.stats.resets > 10, "{:?}", m.stats);
    let started = std::fs::read_to_string(&starts).unwrap();
    let _ = std::fs::remove_file(&starts);
    assert_eq!(started.lines().count(), 1, "the client was started again");
    // (Its s_client processes are the loop's children, not ours; another
    // test's s_client may be running beside this one.)
    assert_eq!(children_named("sh"), 0, "the client outlived the learner");
    // The same model as a process per query gives (that test's word).
    let reference = learn_client(&Target::Builtin, &s, &|_| {}).unwrap();
    let word = m.model.word(&HANDSHAKE).unwrap();
    let out = m.model.run(&word).unwrap();
    assert_eq!(out, reference.model.run(&word).unwrap());
    assert!(differences(&m.model, &reference.model, 20).unwrap().equivalent());
}
