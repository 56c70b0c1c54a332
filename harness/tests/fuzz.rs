//! `shakedown fuzz` against the built-in peer: with a fixed seed every
//! flaw (but the timing one, which no outcome shows) is found within a
//! stated number of cases, the honest peer gives no finding in the same
//! cases, a campaign replays from its seed whatever the number of jobs,
//! and a finding replays through `shakedown run` with a fail verdict; a
//! profile server that dies is restarted, and bad input exits 2.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod peer_support;

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use shakedown::fuzz::campaign::{self, CampaignOptions, Report};
use shakedown::fuzz::oracle::Oracle;
use shakedown::peer::PeerSpec;
use shakedown::peer::profile::BuiltinProfile;
use shakedown::vector::Role;
use shakedown_engine::flaw::{Flaw, Flaws};

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// One case at a time against the honest built-in peer, transcripts kept.
fn builtin_opts() -> shakedown::run::RunOptions {
    shakedown::run::RunOptions {
        peer: PeerSpec::Builtin(Box::default()),
        jobs: 1,
        seed: 1,
        timeout: Duration::from_secs(5),
        certs: root().join("vectors/certs"),
        keep_transcripts: true,
        seed_pool: None,
        provider: std::sync::Arc::new(shakedown_engine::crypto::provider::RustCrypto),
        silence: None,
    }
}

/// An engine-client fuzz case: no client authentication, the honest
/// identity.
fn client_case(
    version: shakedown::vector::Version,
    suite: &str,
    resume: bool,
    mutations: Vec<shakedown_engine::deviate::Knob>,
) -> shakedown::fuzz::case::FuzzCase {
    shakedown::fuzz::case::FuzzCase {
        version,
        suite: suite.into(),
        engine_role: Role::Client,
        client_auth: shakedown::vector::ClientAuth::Off,
        identity: None,
        resume,
        mutations,
    }
}

/// What one run of `case` against the built-in peer of `opts` observed.
fn observe(
    case: &shakedown::fuzz::case::FuzzCase,
    opts: &shakedown::run::RunOptions,
) -> shakedown::expect::Observed {
    use shakedown::fuzz::exec::{Ran, execute};
    let ids = shakedown::run::configs::Identities::load(&opts.certs).unwrap();
    match execute(case, opts, &ids, &mut shakedown::run::Worker::default()) {
        Ran::Run(run) => run.observed,
        Ran::Skipped(why) => panic!("the case runs: {why}"),
    }
}

/// `peer_role`: the role of the built-in peer under test.
fn campaign(flaws: &[Flaw], seed: u64, peer_role: Option<Role>, cases: u64, jobs: usize) -> Report {
    sharded(flaws, seed, peer_role, cases, jobs, (1, 1))
}

fn sharded(
    flaws: &[Flaw],
    seed: u64,
    peer_role: Option<Role>,
    cases: u64,
    jobs: usize,
    shard: (u64, u64),
) -> Report {
    let mut profile = BuiltinProfile::default();
    profile.flaws = flaws.iter().copied().collect::<Flaws>();
    let opts = CampaignOptions {
        peer_role,
        jobs,
        shard,
        ..options(vec![PeerSpec::Builtin(Box::new(profile))], seed, cases)
    };
    campaign::run(&opts, &AtomicBool::new(false), &|_| {}).expect("campaign runs")
}

/// A campaign of `cases` cases against `peers` in memory: both roles, two
/// jobs, one shard, nothing written.
fn options(peers: Vec<PeerSpec>, seed: u64, cases: u64) -> CampaignOptions {
    CampaignOptions {
        peers,
        peer_role: None,
        cases: Some(cases),
        time: None,
        seed,
        jobs: 2,
        out: None,
        shard: (1, 1),
        timeout: Duration::from_secs(5),
        certs: root().join("vectors/certs"),
        provider: std::sync::Arc::new(shakedown_engine::crypto::provider::RustCrypto),
    }
}

/// (flaw, seed, role of the flawed peer, cases within which it is found).
/// The budgets are where seed and role first find each flaw, rounded up.
const BUDGETS: [(Flaw, u64, Option<Role>, u64); 11] = [
    (Flaw::AcceptBadFinished, 1, None, 20),
    (Flaw::SkipCertificateVerify, 1, Some(Role::Server), 190),
    (Flaw::CcsOptional, 1, None, 280),
    (Flaw::IgnoreTrailingBytes, 2, None, 20),
    (Flaw::AcceptUnofferedCompression, 1, Some(Role::Client), 20),
    (Flaw::AcceptUnsolicitedExtension, 1, Some(Role::Client), 40),
    (Flaw::AcceptUntrustedServer, 1, Some(Role::Client), 230),
    (Flaw::AcceptUntrustedClient, 1, Some(Role::Server), 230),
    (Flaw::AcceptUnknownRecordType, 3, None, 150),
    (Flaw::IgnoreFatalAlert, 1, None, 70),
    (Flaw::AcceptHigherVersion, 1, Some(Role::Client), 50),
];

fn finds(flaw: Flaw) {
    let (_, seed, role, cases) =
        BUDGETS.iter().copied().find(|b| b.0 == flaw).expect("a budget for every flaw the fuzzer can see");
    let report = campaign(&[flaw], seed, role, cases, 2);
    let spec: Vec<_> = report.findings.iter().filter(|f| f.oracle == Oracle::Spec).collect();
    assert!(!spec.is_empty(), "{flaw} not found in {cases} cases (seed {seed}): {}", report.stats.line());
    // Each finding is the minimal case, and replays from its vector alone.
    for f in spec {
        assert!(f.case.mutations.len() <= 2, "{:?}", f.case);
    }
}

macro_rules! flaw_tests {
    ($($name:ident => $flaw:expr,)*) => {
        $(#[test] fn $name() { finds($flaw) })*
    };
}

flaw_tests! {
    finds_accept_bad_finished => Flaw::AcceptBadFinished,
    finds_skip_certificate_verify => Flaw::SkipCertificateVerify,
    finds_ccs_optional => Flaw::CcsOptional,
    finds_ignore_trailing_bytes => Flaw::IgnoreTrailingBytes,
    finds_accept_unoffered_compression => Flaw::AcceptUnofferedCompression,
    finds_accept_unsolicited_extension => Flaw::AcceptUnsolicitedExtension,
    finds_accept_untrusted_server => Flaw::AcceptUntrustedServer,
    finds_accept_untrusted_client => Flaw::AcceptUntrustedClient,
    finds_accept_unknown_record_type => Flaw::AcceptUnknownRecordType,
    finds_ignore_fatal_alert => Flaw::IgnoreFatalAlert,
    finds_accept_higher_version => Flaw::AcceptHigherVersion,
}

/// Flaws no fuzz oracle can see, and what catches them instead.
const SEEN_ELSEWHERE: [(Flaw, &str); 4] = [
    // Only time differs: `shakedown timing` (harness/tests/timing.rs).
    (Flaw::SlowBadPadding, "timing"),
    (Flaw::SlowBadCbcPadding, "timing"),
    // Every answer is a refusal, as the spec demands; only the comparison
    // of bad padding with a wrong premaster shows it: the runner's oracle
    // group (harness/tests/runner.rs).
    (Flaw::PaddingAnswerOracle, "oracle group"),
    // Shows only across two connections, the first ended by a fatal alert:
    // the resumption vectors (harness/tests/runner.rs).
    (Flaw::ResumeInvalidatedSession, "resumption vectors"),
];

#[test]
fn every_flaw_has_a_budget_or_a_named_catcher() {
    for f in Flaw::ALL {
        let budgeted = BUDGETS.iter().any(|b| b.0 == *f);
        let elsewhere = SEEN_ELSEWHERE.iter().any(|e| e.0 == *f);
        assert!(budgeted != elsewhere, "{f}: a budget or a catcher, exactly one");
    }
    assert!(Flaw::ALL.len() >= 12);
}

#[test]
fn the_honest_peer_gives_no_finding_in_the_same_cases() {
    // Every (seed, role) of the budgets, at the largest budget it has.
    let mut runs: Vec<(u64, Option<Role>, u64)> = Vec::new();
    for (_, seed, role, n) in BUDGETS {
        match runs.iter_mut().find(|r| r.0 == seed && r.1 == role) {
            Some(r) => r.2 = r.2.max(n),
            None => runs.push((seed, role, n)),
        }
    }
    for (seed, role, n) in runs {
        let report = campaign(&[], seed, role, n, 2);
        assert!(
            report.findings.is_empty(),
            "seed {seed} role {role:?}: {:?}",
            report.findings.iter().map(|f| (&f.violation.reason, &f.case)).collect::<Vec<_>>()
        );
        assert_eq!(report.stats.cases, n);
    }
}

#[test]
fn the_same_seed_replays_the_same_campaign_whatever_the_jobs() {
    let a = campaign(&[Flaw::AcceptBadFinished], 7, None, 150, 1);
    let b = campaign(&[Flaw::AcceptBadFinished], 7, None, 150, 2);
    assert!(a.corpus.len() > 10, "{}", a.stats.line());
    assert_eq!(a.corpus, b.corpus);
    let names = |r: &Report| r.findings.iter().map(|f| f.name()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b));
    assert!(!names(&a).is_empty());
    let c = campaign(&[Flaw::AcceptBadFinished], 8, None, 150, 1);
    assert_ne!(a.corpus, c.corpus, "another seed, another campaign");
}

#[test]
fn an_in_memory_campaign_remembers_most_rsa_results() {
    // The connections' randoms come from a small pool per version and
    // suite, so ClientKeyExchanges repeat and their decryption is looked
    // up instead of redone (engine crypto::memo).
    let report = campaign(&[], 3, None, 300, 2);
    let (hits, all) = report.stats.rsa_remembered.expect("an in-memory campaign remembers");
    assert!(all > 300, "every full handshake asks for RSA: {all}");
    assert!(hits * 4 > all, "{hits} of {all} answered from memory");
    assert!(report.stats.line().contains("RSA remembered"), "{}", report.stats.line());
}

#[test]
fn shards_of_one_seed_run_different_cases() {
    let digests = |r: &Report| r.corpus.iter().map(|c| c.0.clone()).collect::<Vec<_>>();
    let one = digests(&sharded(&[], 5, None, 64, 2, (1, 2)));
    let two = digests(&sharded(&[], 5, None, 64, 2, (2, 2)));
    assert!(!one.is_empty() && !two.is_empty());
    assert!(one.iter().all(|d| !two.contains(d)), "{one:?} {two:?}");
}

#[test]
fn a_known_deviation_of_the_profile_explains_a_finding() {
    let (_, seed, role, cases) =
        BUDGETS.iter().copied().find(|b| b.0 == Flaw::AcceptUnsolicitedExtension).expect("a budget");
    let found = campaign(&[Flaw::AcceptUnsolicitedExtension], seed, role, cases, 2);
    let kinds: Vec<String> = found
        .findings
        .iter()
        .filter(|f| f.oracle == Oracle::Spec)
        .map(|f| f.case.kinds().join("+"))
        .collect();
    assert!(kinds.iter().any(|k| k == "add_extension"), "{kinds:?}");
    // The same campaign, the deviation now known to the peer's profile.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("builtin.json");
    std::fs::write(
        &path,
        r#"{"known_deviations": [{"tests": "extensions/server-hello-unsolicited/*",
            "fuzz": "spec/add_extension", "reason": "RFC 5246 7.4.1.4, for the test"}]}"#,
    )
    .unwrap();
    let mut profile = BuiltinProfile::load(&path).unwrap();
    profile.flaws = [Flaw::AcceptUnsolicitedExtension].into_iter().collect::<Flaws>();
    let opts = CampaignOptions {
        peer_role: role,
        out: Some(shakedown::fuzz::findings::OutDir::create(dir.path()).unwrap()),
        ..options(vec![PeerSpec::Builtin(Box::new(profile))], seed, cases)
    };
    let known = campaign::run(&opts, &AtomicBool::new(false), &|_| {}).expect("campaign runs");
    let left: Vec<String> = known
        .findings
        .iter()
        .filter(|f| f.oracle == Oracle::Spec)
        .map(|f| f.case.kinds().join("+"))
        .collect();
    assert!(!left.iter().any(|k| k == "add_extension"), "{left:?}");
    assert!(known.stats.known >= 1, "{}", known.stats.line());
    let listed = std::fs::read_to_string(dir.path().join("known.txt")).unwrap();
    assert!(
        listed.contains(
            "spec/add_extension against builtin+accept_unsolicited_extension, known: RFC 5246 7.4.1.4"
        ),
        "{listed}"
    );
}

#[test]
fn a_differential_finding_keeps_both_peers_transcripts() {
    let mut flawed = BuiltinProfile::default();
    flawed.flaws = [Flaw::AcceptBadFinished].into_iter().collect::<Flaws>();
    let dir = tempfile::tempdir().unwrap();
    let opts = CampaignOptions {
        out: Some(shakedown::fuzz::findings::OutDir::create(dir.path()).unwrap()),
        ..options(vec![PeerSpec::Builtin(Box::default()), PeerSpec::Builtin(Box::new(flawed))], 1, 20)
    };
    let report = campaign::run(&opts, &AtomicBool::new(false), &|_| {}).expect("campaign runs");
    let diff: Vec<_> = report.findings.iter().filter(|f| f.oracle == Oracle::Differential).collect();
    assert!(!diff.is_empty(), "{}", report.stats.line());
    for f in diff {
        // The flawed peer is the one that deviates, and the honest one's
        // run of the same case is kept beside it.
        assert_eq!(f.peer, "builtin+accept_bad_finished");
        assert_eq!(f.others.len(), 1);
        assert_eq!(f.others[0].peer, "builtin");
        assert_ne!(f.others[0].outcome, f.run.as_ref().unwrap().outcome);
        let text = std::fs::read_to_string(dir.path().join(format!("findings/{}.transcript.txt", f.name())))
            .unwrap();
        assert!(text.contains("--- the same case against builtin ---"), "{text}");
        assert_eq!(text.matches("[client_hello]").count(), 2, "two transcripts: {text}");
    }
    // Two honest peers never disagree.
    let honest = CampaignOptions {
        peers: vec![PeerSpec::Builtin(Box::default()), PeerSpec::Builtin(Box::default())],
        out: None,
        ..opts
    };
    let report = campaign::run(&honest, &AtomicBool::new(false), &|_| {}).expect("campaign runs");
    assert!(
        report.findings.is_empty(),
        "{:?}",
        report.findings.iter().map(|f| &f.violation.reason).collect::<Vec<_>>()
    );
}

fn shakedown(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_shakedown"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("shakedown runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn a_finding_replays_through_run_with_a_fail_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("campaign");
    let out_s = out.to_str().unwrap();
    let (code, text) =
        shakedown(&["fuzz", "--flaw", "accept_bad_finished", "--cases", "20", "--seed", "1", "--out", out_s]);
    assert_eq!(code, 1, "{text}");
    let findings = out.join("findings");
    let vectors: Vec<_> = std::fs::read_dir(&findings)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert!(!vectors.is_empty(), "{text}");
    // One file per finding counted: none minimised to a case already kept.
    assert!(text.contains(&format!("findings: spec {},", vectors.len())), "{text}");
    for v in &vectors {
        let stem = v.file_stem().unwrap().to_str().unwrap();
        assert!(findings.join(format!("{stem}.transcript.txt")).exists());
        let pcap = std::fs::read(findings.join(format!("{stem}.pcapng"))).unwrap();
        // A pcapng section header block, little-endian.
        assert_eq!(pcap.get(..4), Some(&[0x0a, 0x0d, 0x0d, 0x0a][..]));
        assert_eq!(pcap.get(8..12), Some(&[0x4d, 0x3c, 0x2b, 0x1a][..]));
    }
    let f = findings.to_str().unwrap();
    let (code, text) = shakedown(&["run", "--vectors", f, "--flaw", "accept_bad_finished"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("FAIL"), "{text}");
    assert!(!text.contains(" 0 failed"), "{text}");
    // The honest peer passes the same vectors: the flaw is what fails.
    let (code, text) = shakedown(&["run", "--vectors", f]);
    assert_eq!(code, 0, "{text}");
    // Merging the campaign into another directory keeps the finding.
    let merged = dir.path().join("merged");
    let (code, text) = shakedown(&["fuzz", "--merge", merged.to_str().unwrap(), out_s]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains(&format!("{} findings", vectors.len())), "{text}");
}

#[test]
fn bad_input_is_a_clear_error_with_exit_2() {
    let (code, text) = shakedown(&["fuzz", "--list-flaws"]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(text.lines().count(), Flaw::ALL.len());
    let (code, text) = shakedown(&["fuzz", "--flaw", "no_such_flaw", "--cases", "1"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("unknown flaw `no_such_flaw`"), "{text}");
    let (code, text) = shakedown(&["run", "--flaw", "no_such_flaw"]);
    assert_eq!(code, 2, "{text}");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let peer = format!("tcp:127.0.0.1:{port}");
    let (code, text) = shakedown(&["fuzz", "--peer", &peer, "--cases", "1", "--timeout", "1"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("unreachable"), "{text}");
    let (code, text) = shakedown(&["fuzz", "--cases", "1", "--out", "/proc/no/such/dir"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("--out"), "{text}");
    let (code, text) = shakedown(&["fuzz", "--no-such-flag"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("unexpected argument '--no-such-flag'"), "{text}");
    let (code, text) = shakedown(&["fuzz", "--peer", "/no/such/profile.json", "--cases", "1"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("/no/such/profile.json"), "{text}");
    // A profile whose command does not exist, and one that exits before
    // it is ready.
    let dir = tempfile::tempdir().unwrap();
    for (name, command) in [
        ("no-binary", serde_json::json!(["/no/such/tls-server", "{port}"])),
        ("exits-at-once", serde_json::json!(["sh", "-c", "echo starting; exit 3"])),
    ] {
        let path = openssl_server_profile(dir.path(), name, command);
        let (code, text) = shakedown(&["fuzz", "--peer", &path, "--cases", "1", "--timeout", "1"]);
        assert_eq!(code, 2, "{text}");
        assert!(text.contains(&format!("peer {name} failed to start")), "{text}");
    }
}

/// The OpenSSL server profile started through `sh -c SCRIPT`, where the
/// script counts its starts in `starts` (`{0}`) and ends by exec'ing
/// `openssl s_server "$@"`; gives the profile's path.
fn scripted_openssl_server(
    dir: &std::path::Path,
    name: &str,
    script: &str,
    starts: &std::path::Path,
) -> String {
    let script = script.replace("{0}", &starts.display().to_string());
    let base = std::fs::read_to_string(root().join("vectors/peers/openssl-server.json")).unwrap();
    let base: serde_json::Value = serde_json::from_str(&base).unwrap();
    let mut command = vec![serde_json::json!("sh"), "-c".into(), script.into(), "sh".into()];
    command.extend(base["command"].as_array().unwrap().iter().skip(2).cloned());
    openssl_server_profile(dir, name, command.into())
}

/// The OpenSSL server profile under another name and command; gives its path.
fn openssl_server_profile(dir: &std::path::Path, name: &str, command: serde_json::Value) -> String {
    let base = std::fs::read_to_string(root().join("vectors/peers/openssl-server.json")).unwrap();
    let mut profile: serde_json::Value = serde_json::from_str(&base).unwrap();
    profile["name"] = name.into();
    profile["command"] = command;
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, profile.to_string()).unwrap();
    path.to_str().unwrap().to_string()
}

/// A profile server that dies and cannot be started again ends the
/// campaign with exit 2 and a clear message; the corpus found before is
/// on disk. Skipped without `openssl`.
#[test]
fn a_peer_that_cannot_restart_ends_the_campaign_with_exit_2_keeping_the_corpus() {
    if !peer_support::openssl_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let starts = dir.path().join("starts");
    // Two starts (the probe's and the campaign's first), three connections
    // each; the third start fails.
    let script = "n=$(cat {0} 2>/dev/null || echo 0); if [ $n -ge 2 ]; then echo no more starts; exit 1; fi; \
                  echo $((n+1)) > {0}; exec openssl s_server \"$@\" -naccept 3";
    let path = scripted_openssl_server(dir.path(), "openssl-server-twice", script, &starts);
    let out = dir.path().join("out");
    let (code, text) = shakedown(&[
        "fuzz",
        "--peer",
        &path,
        "--cases",
        "1000",
        "--timeout",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("peer openssl-server-twice failed to start"), "{text}");
    assert!(text.contains("no more starts"), "{text}");
    // Stopped after the batch in flight, with what it found kept.
    assert!(!text.contains("1000 cases"), "{text}");
    let corpus = std::fs::read_dir(out.join("corpus")).unwrap().count();
    assert!(corpus >= 2, "{text}");
}

/// A server that exits before it is ready (as one does when another
/// process took its port between the port's choice and its bind) is
/// started again on a new port, not reported as a peer that cannot start.
#[test]
fn a_server_that_exits_before_it_is_ready_is_started_again() {
    if !peer_support::openssl_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let starts = dir.path().join("starts");
    // Every odd start exits at once, as a lost port race does.
    let script = "n=$(cat {0} 2>/dev/null || echo 0); echo $((n+1)) > {0}; \
                  if [ $((n % 2)) -eq 0 ]; then echo bind: Address already in use >&2; exit 0; fi; \
                  exec openssl s_server \"$@\"";
    let path = scripted_openssl_server(dir.path(), "openssl-server-second-try", script, &starts);
    let (code, text) = shakedown(&["fuzz", "--peer", &path, "--cases", "8", "--jobs", "1", "--timeout", "2"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("8 cases"), "{text}");
    let n: u32 = std::fs::read_to_string(&starts).unwrap().trim().parse().unwrap();
    assert!(n >= 2 && n.is_multiple_of(2), "every failed start was followed by a good one: {n}");
}

/// The first finding of a one-minute campaign against the honest peer was
/// the engine's own: coalescing a resumed client's Finished dropped its
/// corrupt-MAC tweak, so the peer saw an intact Finished. Replayed here.
#[test]
fn a_coalesced_finished_keeps_its_corrupt_mac() {
    use shakedown::fuzz::oracle::peer_accepted;
    use shakedown::vector::Version;
    use shakedown_engine::crypto::record::{ByteFlip, SealTweak};
    use shakedown_engine::deviate::Knob;
    use shakedown_engine::msgs::enums::HandshakeType;

    let tweak = SealTweak { corrupt_mac: Some(ByteFlip { index: 46, xor: 63 }), ..SealTweak::default() };
    let case = client_case(
        Version::Tls12,
        "AES128-SHA256",
        true,
        vec![Knob::TweakRecord { on: Some(HandshakeType::Finished), tweak }, Knob::CoalesceHandshake],
    );
    let obs = observe(&case, &builtin_opts());
    assert!(!peer_accepted(&case, &obs, true), "{}", obs.describe());
}

/// A field mutation with integrity kept reaches the end of the handshake
/// (the transcript follows the wire); the same mutation without it is
/// caught by the peer's Finished check (RFC 5246 7.4.9).
#[test]
fn field_mutations_keep_or_break_the_transcript_as_asked() {
    use shakedown::vector::Version;
    use shakedown_engine::crypto::record::ByteFlip;
    use shakedown_engine::deviate::field::{FieldMutation, FieldOp};
    use shakedown_engine::deviate::{Knob, Payload};
    use shakedown_engine::msgs::enums::HandshakeType;

    let session_id = |op, integrity| FieldMutation {
        message: HandshakeType::ClientHello,
        path: "session_id".into(),
        op,
        fix_lengths: true,
        integrity,
    };
    let set = || FieldOp::Set(Payload::Hex(vec![0x5a; 32]));
    let run = |mutations: Vec<FieldMutation>| {
        let case = client_case(
            Version::Tls12,
            "AES128-SHA",
            false,
            mutations.iter().cloned().map(Knob::MutateField).collect(),
        );
        let obs = observe(&case, &builtin_opts());
        assert_eq!(obs.applied_field_mutations, mutations);
        obs
    };
    let kept = run(vec![session_id(set(), true)]);
    assert!(kept.negotiated.is_some() && kept.echoed, "{}", kept.describe());
    let broken = run(vec![session_id(set(), false)]);
    assert!(broken.negotiated.is_none(), "{}", broken.describe());
    assert!(broken.fatal().is_some(), "{}", broken.describe());

    // Found by a ten-minute campaign against Botan's server: a mutation
    // without integrity followed by one with it on the same message. The
    // second used to copy the whole wire message into the transcript, the
    // first's change with it, so the Finished matched and a conformant
    // peer completed a case the spec oracle called must-refuse.
    let flip = FieldOp::Flip(ByteFlip { index: 1, xor: 0x40 });
    let both = run(vec![session_id(set(), false), session_id(flip, true)]);
    assert!(both.negotiated.is_none(), "{}", both.describe());
    assert!(both.fatal().is_some(), "{}", both.describe());
}

#[test]
fn knobs_that_undo_each_other_owe_no_refusal() {
    use shakedown::fuzz::oracle::{peer_accepted, spec};
    use shakedown::vector::Version;
    use shakedown_engine::deviate::field::{FieldMutation, FieldOp};
    use shakedown_engine::deviate::{Knob, Payload};
    use shakedown_engine::msgs::enums::HandshakeType;

    let cut = |by| {
        Knob::MutateField(FieldMutation {
            message: HandshakeType::Finished,
            path: "verify_data".into(),
            op: FieldOp::Truncate(by),
            fix_lengths: true,
            integrity: true,
        })
    };
    let pad =
        Knob::PadBody { message: HandshakeType::Finished, bytes: Payload::Hex(vec![0xf6, 0xfb, 0xc0, 0xfc]) };
    // (version, suite, knobs, whether they undo each other). Found by
    // `shakedown fuzz --peer builtin --cases 3000 --seed 1` against the
    // honest peer: a pad of four bytes on Finished, then a cut of four from
    // verify_data, sent the honest Finished; the peer rightly completed,
    // and the spec oracle called that a must-refuse breach. Then by a
    // ten-minute campaign against gnutls-serv: a verify_data made 13 bytes
    // long, then cut by one, is the honest Finished again. Not undone (one
    // byte of the pad stays, a cut of two), the peer refuses, as it must.
    let cases = [
        (Version::Ssl3, "NULL-SHA", vec![cut(4), pad.clone()], true),
        (Version::Ssl3, "NULL-SHA", vec![cut(3), pad], false),
        (Version::Tls10, "AES256-SHA", vec![Knob::FinishedLength(13), cut(1)], true),
        (Version::Tls10, "AES256-SHA", vec![Knob::FinishedLength(13), cut(2)], false),
    ];
    for (version, suite, mutations, cancelled) in cases {
        let case = client_case(version, suite, false, mutations);
        let obs = &observe(&case, &builtin_opts());
        assert_eq!(
            obs.cancelled_messages.contains(&HandshakeType::Finished),
            cancelled,
            "{}",
            obs.describe()
        );
        assert_eq!(peer_accepted(&case, obs, true), cancelled, "{}", obs.describe());
        assert!(spec(&case, obs, true).is_none(), "{}", obs.describe());
    }
}

/// Found by a ten-minute campaign against the tlslite-ng server (which does
/// not echo): the engine client sent a fatal alert after the handshake and
/// the server answered with close_notify. Both Finished messages were
/// already out, so only data could show the peer ignored the alert; a
/// quiet close is no acceptance. The flaw that ignores the alert and
/// echoes is still found.
#[test]
fn a_fatal_alert_after_the_handshake_is_judged_by_the_data_alone() {
    use shakedown::fuzz::oracle::spec;
    use shakedown::vector::Version;
    use shakedown_engine::deviate::{Anchor, Knob};
    use shakedown_engine::msgs::enums::{AlertDescription, AlertLevel};

    let case = |description| {
        let alert = Knob::InjectAlert { at: Anchor::AfterHandshake, level: AlertLevel::Fatal, description };
        client_case(Version::Tls10, "AES128-SHA", false, vec![alert])
    };
    for description in [AlertDescription::CloseNotify, AlertDescription::InternalError] {
        let case = case(description);
        let obs = observe(&case, &builtin_opts());
        assert!(!obs.echoed, "{}", obs.describe());
        // Judged as a peer that does not echo, and as one that does.
        assert!(spec(&case, &obs, false).is_none(), "{}", obs.describe());
        assert!(spec(&case, &obs, true).is_none(), "{}", obs.describe());
    }
    let case = case(AlertDescription::InternalError);
    let mut profile = BuiltinProfile::default();
    profile.flaws = [Flaw::IgnoreFatalAlert].into_iter().collect::<Flaws>();
    let flawed = shakedown::run::RunOptions { peer: PeerSpec::Builtin(Box::new(profile)), ..builtin_opts() };
    let obs = observe(&case, &flawed);
    assert!(obs.echoed, "{}", obs.describe());
    let v = spec(&case, &obs, true).expect("the flawed peer echoes after a fatal alert");
    assert_eq!(v.rfc, "RFC 5246 7.2.2");
}

/// A profile server that exits after three connections (`s_server
/// -naccept 3`) is started again through its profile for the next case:
/// the campaign runs every case, counts the restarts and notes each death
/// found between cases in `restarts.txt`. Skipped without `openssl`.
#[test]
fn a_peer_that_dies_mid_campaign_is_restarted_and_counted() {
    if !peer_support::openssl_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(root().join("vectors/peers/openssl-server.json")).unwrap();
    let mut profile: serde_json::Value = serde_json::from_str(&base).unwrap();
    profile["name"] = "openssl-server-dies".into();
    let command = profile["command"].as_array_mut().unwrap();
    command.extend(["-naccept".into(), "3".into()]);
    let path = dir.path().join("dies.json");
    std::fs::write(&path, profile.to_string()).unwrap();
    let peer = PeerSpec::parse(path.to_str().unwrap(), &root().join("vectors/peers/builtin.json")).unwrap();
    let out = dir.path().join("out");
    let opts = CampaignOptions {
        peers: vec![peer],
        peer_role: None,
        cases: Some(24),
        time: None,
        seed: 1,
        jobs: 1,
        out: Some(shakedown::fuzz::findings::OutDir::create(&out).unwrap()),
        shard: (1, 1),
        timeout: Duration::from_secs(2),
        certs: root().join("vectors/certs"),
        provider: std::sync::Arc::new(shakedown_engine::crypto::provider::RustCrypto),
    };
    let report = campaign::run(&opts, &AtomicBool::new(false), &|_| {}).expect("campaign runs");
    let s = &report.stats;
    assert_eq!(s.cases, 24, "{}", s.line());
    // Every case ran (none lost to the dead server), a few were skipped
    // for features the profile lacks.
    assert_eq!(s.cases, s.execs + s.skipped, "{}", s.line());
    let restarts: u64 = s.restarts.iter().map(|(_, n)| n).sum();
    assert!(restarts >= 3, "{}", s.line());
    assert!(s.line().contains("restarts: openssl-server-dies"), "{}", s.line());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.findings.is_empty(), "{}", s.line());
}
