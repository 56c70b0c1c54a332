//! `shakedown timing` end to end. The proof tests use the built-in peer in
//! memory, timed with the thread's CPU clock, so other processes on the
//! machine do not drown the flaw; they assert on the statistics' verdicts,
//! never on a time. The socket path gets a smoke test of its outputs.

use std::path::{Path, PathBuf};
use std::process::Command;

use shakedown::cli::timing::{TimingArgs, measure};
use shakedown::timing::analysis::Verdict;
use shakedown::timing::probe::ProbeKind;
use shakedown_engine::flaw::Flaw;
use shakedown_engine::msgs::enums::ProtocolVersion;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn args(peer: &str, probe: ProbeKind, samples: usize, flaws: Vec<Flaw>) -> TimingArgs {
    TimingArgs {
        peer: peer.into(),
        probe,
        version: ProtocolVersion::Tls12,
        suite: "AES128-SHA".into(),
        samples,
        classes: Vec::new(),
        seed: 7,
        out: PathBuf::from("unused"),
        flaws,
        resamples: 500,
        timeout: 10,
        clock: "socket".into(),
        certs: root().join("vectors/certs"),
        provider: std::sync::Arc::new(shakedown_engine::crypto::provider::RustCrypto),
    }
}

/// Marvin classes the slow_bad_padding server spends extra time on: every
/// one whose premaster is not a well-formed 48-byte message with the
/// offered version.
const BAD: [&str; 7] = [
    "wrong_first_byte",
    "wrong_block_type",
    "no_separator",
    "separator_too_early",
    "wrong_premaster_version",
    "premaster_too_short",
    "premaster_too_long",
];

/// How far from zero a pair's median difference could lie: the far edge
/// of its 95% interval (unbounded without one, which fails every bound).
fn farthest_ns(pair: &shakedown::timing::analysis::Pair) -> f64 {
    pair.median.map_or(f64::INFINITY, |m| m.low.abs().max(m.high.abs()))
}

/// 60 samples per class of each peer: the flaw (about 100 us in a release
/// build, some milliseconds in a debug one, where its hashing is
/// unoptimised) is found with its size and sign, and the honest server
/// shows no difference as large as the flaw: its bound, the widest
/// interval, is below the flaw's size, so the flaw would have shown.
#[test]
fn marvin_finds_the_slow_padding_flaw_and_clears_the_honest_server() {
    let samples = 60;
    let (_, flawed_run, flawed) =
        measure(&args("memory", ProbeKind::Marvin, samples, vec![Flaw::SlowBadPadding]), false).unwrap();
    let public = flawed_run.public_classes();
    assert_eq!(public, ["ciphertext_too_short"]);
    let size = match flawed.verdict_without(&public) {
        Verdict::Difference { a, b, size_ns, low_ns, high_ns } => {
            // Bad padding is the slow side, whichever way the pair is named.
            let (good, bad) = if a == "valid" || a == "valid_control" { (a, b) } else { (b, a) };
            assert!(good == "valid" || good == "valid_control", "{good} vs {bad}");
            assert!(BAD.contains(&bad.as_str()), "{bad}");
            assert!(low_ns.abs() > 0.0 && low_ns.signum() == high_ns.signum(), "{low_ns}..{high_ns}");
            size_ns.abs()
        }
        v => panic!("flaw not found with {samples} samples per class: {v}"),
    };
    for bad in BAD {
        let pair = flawed.pairs.iter().find(|p| p.a == "valid" && p.b == bad).unwrap();
        assert!(pair.significant, "valid vs {bad} not told apart: {pair:?}");
        assert!(pair.median.unwrap().low > 0.0, "valid vs {bad}: {pair:?}");
    }
    // Two valid premasters must not differ by anything near the flaw. A
    // significant difference of a few hundred nanoseconds can come from
    // other load on the machine; the claim is about size, not p-values.
    let control = flawed.pairs.iter().find(|p| p.b == "valid_control" && p.a == "valid").unwrap();
    let reach = farthest_ns(control);
    assert!(
        reach < size / 2.0,
        "valid vs valid_control reaches {reach} ns, the flaw is {size} ns: {control:?}"
    );

    let (_, honest_run, honest) =
        measure(&args("memory", ProbeKind::Marvin, samples, vec![]), false).unwrap();
    let public = honest_run.public_classes();
    match honest.verdict_without(&public) {
        Verdict::NoDifference { bound_ns } => {
            assert!(bound_ns < size / 2.0, "honest bound {bound_ns} ns vs flaw {size} ns")
        }
        Verdict::Difference { size_ns, .. } => {
            assert!(
                size_ns.abs() < size / 2.0,
                "the honest server differs by {size_ns} ns, the flaw by {size} ns"
            )
        }
        Verdict::Inconclusive => panic!("the honest run is inconclusive with {samples} samples per class"),
    }
    // No secret-dependent pair of the honest server comes within half the
    // flaw: each interval's far edge stays below it.
    for pair in honest.pairs.iter().filter(|p| !public.contains(&p.a) && !public.contains(&p.b)) {
        let reach = farthest_ns(pair);
        assert!(
            reach < size / 2.0,
            "honest {} vs {} reaches {reach} ns, the flaw is {size} ns",
            pair.a,
            pair.b
        );
    }
    // Every class is answered the same way: no alert oracle either.
    assert!(honest_run.samples.iter().all(|s| s.answer.to_string() == "alert:bad_record_mac"));
}

/// 60 samples per class: the lucky13 probe finds slow_bad_cbc_padding in
/// the in-memory built-in peer, with its sign (the bad-padding record is
/// the slow one, its interval clear of zero) and its size (the honest
/// peer, measured the same way, shows nothing half as large). Only the
/// verdicts are asserted on.
#[test]
fn lucky13_finds_the_slow_cbc_padding_flaw() {
    let samples = 60;
    let (_, flawed_run, flawed) =
        measure(&args("memory", ProbeKind::Lucky13, samples, vec![Flaw::SlowBadCbcPadding]), false).unwrap();
    // The flaw changes the time only: every record is still refused alike.
    assert!(flawed_run.samples.iter().all(|s| s.answer.to_string() == "record:21"));
    println!("flawed: {}", flawed.verdict);
    let size = match &flawed.verdict {
        // Differences are b minus a: bad padding is the slower side
        // whichever way the pair is named.
        Verdict::Difference { a, b, size_ns, low_ns, high_ns } => {
            let slower = if *size_ns > 0.0 { b } else { a };
            assert_eq!(slower, "bad_padding", "{}", flawed.verdict);
            assert!(low_ns.signum() == high_ns.signum() && *low_ns != 0.0, "{}", flawed.verdict);
            size_ns.abs()
        }
        v => panic!("flaw not found with {samples} samples per class: {v}"),
    };
    for p in flawed.pairs.iter().filter(|p| p.a == "bad_padding" || p.b == "bad_padding") {
        assert!(p.significant, "{p:?}");
    }
    let control =
        flawed.pairs.iter().find(|p| p.a == "pad_1_bad_mac" && p.b == "pad_1_bad_mac_control").unwrap();
    let reach = farthest_ns(control);
    assert!(reach < size / 2.0, "the control pair reaches {reach} ns, the flaw is {size} ns: {control:?}");

    let (_, _, honest) = measure(&args("memory", ProbeKind::Lucky13, samples, vec![]), false).unwrap();
    println!("honest: {}", honest.verdict);
    match honest.verdict {
        Verdict::NoDifference { bound_ns } => assert!(bound_ns < size / 2.0, "{bound_ns} vs {size}"),
        Verdict::Difference { size_ns, .. } => assert!(size_ns.abs() < size / 2.0, "{size_ns} vs {size}"),
        Verdict::Inconclusive => panic!("honest peer: inconclusive"),
    }
}

/// The socket path, end to end through the binary: the built-in server on
/// a loopback thread, every output written, every sample answered with
/// bad_record_mac.
#[test]
fn timing_over_loopback_writes_its_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_shakedown"))
        .current_dir(root())
        .args(["timing", "--peer", "builtin", "--probe", "marvin", "--samples", "4", "--resamples", "50"])
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("4 samples per class, 10 classes"), "{stdout}");
    for f in ["samples.csv", "summary.json", "report.md", "ecdf.svg", "box.svg", "intervals.svg"] {
        assert!(dir.path().join(f).is_file(), "{f} missing");
    }
    let csv = std::fs::read_to_string(dir.path().join("samples.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 40);
    assert!(rows.iter().all(|r| r.ends_with(",alert:bad_record_mac")), "{csv}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["analysis"]["pairs"].as_array().unwrap().len(), 45);
    // The ciphertexts of the wrong length differ publicly, so a second
    // Friedman test runs over the others alone.
    let classes = summary["classes"].as_array().unwrap();
    let secret = classes.iter().filter(|c| c["public"].is_null()).count();
    assert!((3..classes.len()).contains(&secret), "{secret} secret classes of {}", classes.len());
    assert_eq!(summary["analysis"]["friedman"]["df"], classes.len() - 1);
    assert_eq!(summary["friedman_secret_classes"]["df"], secret - 1);
    let report = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(report.contains("Friedman test over the classes that differ only in secret content"), "{report}");
    assert!(report.contains("**Verdict: "), "{report}");
    assert!(report.contains("(ecdf.svg)") && report.contains("(samples.csv)"));
}

/// The packet clock on loopback: tcpdump captures the built-in server's
/// port; every sample gets exactly one connection from the capture, whose
/// answer is the one the socket read, and the socket's time is kept
/// beside it. Structure only, never a time.
#[test]
fn the_pcap_clock_times_every_connection_once() {
    if Command::new("tcpdump").arg("--version").output().is_err() {
        // CI installs tcpdump and sets SHAKEDOWN_REQUIRE_PEERS: never a
        // silent skip there.
        assert!(std::env::var_os("SHAKEDOWN_REQUIRE_PEERS").is_none(), "tcpdump is missing");
        eprintln!("tcpdump not installed: skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for probe in [ProbeKind::Marvin, ProbeKind::Lucky13] {
        let samples = 8;
        let mut a = args("builtin", probe, samples, vec![]);
        a.clock = "pcap".into();
        a.out = dir.path().join(format!("{probe:?}"));
        let (info, run, analysis) = measure(&a, false).unwrap();
        assert!(info.clock.contains("tcpdump"), "{}", info.clock);
        let k = run.classes.len();
        assert_eq!(analysis.samples_per_class, samples, "{}", info.clock);
        assert_eq!(run.samples.len(), samples * k, "{}", info.clock);
        let mut seen = std::collections::BTreeSet::new();
        for s in &run.samples {
            assert!(s.socket_nanos.is_some(), "{s:?}");
            assert_eq!(s.capture_answer.as_ref(), Some(&s.answer), "{s:?}");
            // One connection per sample: no client port serves two samples
            // at one write time.
            let w = s.wire.unwrap();
            assert!(seen.insert((w.port, w.written_at_ns)), "{s:?}");
            assert!(s.nanos > 0);
        }
        assert!(a.out.join("capture.pcap").is_file());
    }
    let mut m = args("memory", ProbeKind::Marvin, 1, vec![]);
    m.clock = "pcap".into();
    assert!(measure(&m, false).unwrap_err().contains("socket peer"));
}

/// Lucky 13 runs after a completed handshake; every record is refused
/// with an (encrypted) alert.
#[test]
fn lucky13_records_are_all_refused() {
    let (_, run, analysis) = measure(&args("memory", ProbeKind::Lucky13, 10, vec![]), false).unwrap();
    assert_eq!(run.classes.len(), 5);
    assert_eq!(analysis.samples_per_class, 10);
    assert!(run.samples.iter().all(|s| s.answer.to_string() == "record:21"), "{:?}", run.samples);
}

/// The primitive peer times the operation alone: every Lucky 13 record is
/// refused with the alert its error maps to, and the premaster decryption
/// returns a premaster for every Marvin class, malformed blocks and the
/// short ciphertext included (RFC 5246 7.4.7.1: it never fails).
#[test]
fn the_primitive_peer_runs_the_operation_alone() {
    let (_, run, analysis) = measure(&args("primitive", ProbeKind::Lucky13, 10, vec![]), false).unwrap();
    assert_eq!((run.classes.len(), analysis.samples_per_class), (5, 10));
    assert!(run.samples.iter().all(|s| s.answer.to_string() == "alert:bad_record_mac"), "{:?}", run.samples);
    let (_, run, analysis) = measure(&args("primitive", ProbeKind::Marvin, 10, vec![]), false).unwrap();
    assert_eq!((run.classes.len(), analysis.samples_per_class), (10, 10));
    assert!(run.samples.iter().all(|s| s.answer.to_string() == "returned"), "{:?}", run.samples);
    assert!(run.samples.iter().all(|s| s.nanos > 0));
    // Flaws are the connection's, which this peer leaves out.
    let e =
        measure(&args("primitive", ProbeKind::Lucky13, 1, vec![Flaw::SlowBadCbcPadding]), false).unwrap_err();
    assert!(e.contains("--flaw"), "{e}");
}

#[test]
fn flaws_need_the_builtin_peer_and_lucky13_a_cbc_suite() {
    let e = measure(&args("tcp:127.0.0.1:1", ProbeKind::Marvin, 1, vec![Flaw::SlowBadPadding]), false)
        .unwrap_err();
    assert!(e.contains("--flaw"), "{e}");
    let mut a = args("memory", ProbeKind::Lucky13, 1, vec![]);
    a.suite = "AES128-GCM-SHA256".into();
    assert!(measure(&a, false).unwrap_err().contains("CBC"));
}

/// `--classes` keeps the named classes only, and refuses a name the probe
/// does not have, or a single class, before any connection.
#[test]
fn classes_option_keeps_only_the_named_classes() {
    let dir = tempfile::tempdir().unwrap();
    let run = |classes: &str| {
        Command::new(env!("CARGO_BIN_EXE_shakedown"))
            .current_dir(root())
            .args(["timing", "--peer", "memory", "--probe", "marvin", "--samples", "3", "--resamples", "20"])
            .args(["--classes", classes])
            .arg("--out")
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let out = run("valid,wrong_first_byte,valid_control");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("3 samples per class, 3 classes"), "{stdout}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap()).unwrap();
    let names: Vec<&str> =
        summary["classes"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["valid", "wrong_first_byte", "valid_control"]);
    assert_eq!(summary["analysis"]["pairs"].as_array().unwrap().len(), 3);

    for (classes, says) in [("valid,no_such_class", "no class `no_such_class`"), ("valid", "at least two")] {
        let out = run(classes);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{classes}: {stderr}");
        assert!(stderr.contains(says), "{classes}: {stderr}");
    }
}

/// `--provider` picks the built-in peer's cryptography; a socket peer has
/// its own, so naming one there is refused before any connection.
#[test]
fn provider_applies_to_the_builtin_peers_only() {
    let out = Command::new(env!("CARGO_BIN_EXE_shakedown"))
        .current_dir(root())
        .args(["timing", "--peer", "tcp:127.0.0.1:9", "--probe", "marvin", "--provider", "openssl"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    // Without the openssl-provider feature the name itself is refused.
    assert!(
        stderr.contains("--provider applies to the builtin, memory and primitive peers only")
            || stderr.contains("openssl-provider"),
        "{stderr}"
    );
}
