//! The fuzz targets' entry points as ordinary tests: every seed of
//! fuzz/corpus replays without a panic, the stateful seeds reach
//! ClientKeyExchange processing and Finished verification, the checked-in
//! corpus is what `fuzzing::seed_corpus` makes, and every crash the fuzzers
//! found replays (fuzz/regressions/<target>/, plus a named test each).
//!
//! `SHAKEDOWN_WRITE_CORPUS=1 cargo test -p shakedown-engine --test
//! fuzz_regressions seed_corpus` rewrites fuzz/corpus (fuzz/gen-corpus.sh).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use shakedown_engine::fuzzing::{self, Progress, Script};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// Targets whose entry points live in the harness crate.
const HARNESS_TARGETS: [&str; 2] = ["scenario_vector", "peer_profile"];

/// Runs `data` through the entry point of `target`; the stateful targets
/// say how far they got.
fn run(target: &str, data: &[u8]) -> Option<Progress> {
    match target {
        "record" => drop(fuzzing::record(data)),
        "record_open" => drop(fuzzing::record_open(data)),
        "reassembly" => drop(fuzzing::reassembly(data)),
        "client_hello" => drop(fuzzing::client_hello(data)),
        "server_hello" => drop(fuzzing::server_hello(data)),
        "certificate" => drop(fuzzing::certificate(data)),
        "certificate_request" => drop(fuzzing::certificate_request(data)),
        "client_key_exchange" => drop(fuzzing::client_key_exchange(data)),
        "certificate_verify" => drop(fuzzing::certificate_verify(data)),
        "finished" => drop(fuzzing::finished(data)),
        "sslv2_client_hello" => drop(fuzzing::sslv2_client_hello(data)),
        "alert_ccs" => drop(fuzzing::alert_ccs(data)),
        "extensions" => drop(fuzzing::extensions(data)),
        "x509_chain" => drop(fuzzing::x509_chain(data)),
        "server" => return Some(fuzzing::server(data)),
        "client" => return Some(fuzzing::client(data)),
        "server_structured" => return Some(fuzzing::server_script(&Script::from_fuzz_bytes(data))),
        "client_structured" => return Some(fuzzing::client_script(&Script::from_fuzz_bytes(data))),
        other => panic!("no fuzz target {other}"),
    }
    None
}

/// Every file under `dir/<target>/`, by target.
fn files_by_target(dir: &Path) -> BTreeMap<String, Vec<(PathBuf, Vec<u8>)>> {
    let mut out = BTreeMap::new();
    // A missing directory must fail the test, not make it pass vacuously.
    let targets = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for target in targets {
        let target = target.unwrap().path();
        if !target.is_dir() {
            continue;
        }
        let name = target.file_name().unwrap().to_string_lossy().into_owned();
        let mut files: Vec<_> = std::fs::read_dir(&target)
            .unwrap()
            .map(|f| f.unwrap().path())
            .filter(|p| p.is_file())
            .map(|p| {
                let data = std::fs::read(&p).unwrap();
                (p, data)
            })
            .collect();
        files.sort();
        out.insert(name, files);
    }
    out
}

#[test]
fn seed_corpus_matches_the_generator() {
    let corpus = fuzz_dir().join("corpus");
    let seeds = fuzzing::seed_corpus();
    if std::env::var_os("SHAKEDOWN_WRITE_CORPUS").is_some() {
        for seed in &seeds {
            let dir = corpus.join(seed.target);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(seed.name()), &seed.data).unwrap();
        }
        // Generated seeds that the generator no longer makes go.
        let wanted: std::collections::BTreeSet<PathBuf> =
            seeds.iter().map(|s| corpus.join(s.target).join(s.name())).collect();
        for (path, _) in files_by_target(&corpus).into_values().flatten() {
            let generated = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("seed-"));
            if generated && !wanted.contains(&path) {
                std::fs::remove_file(path).unwrap();
            }
        }
    }
    for seed in &seeds {
        let path = corpus.join(seed.target).join(seed.name());
        let on_disk = std::fs::read(&path).unwrap_or_default();
        assert!(on_disk == seed.data, "{} is stale or missing: run fuzz/gen-corpus.sh", path.display());
    }
    let total: usize = seeds.iter().map(|s| s.data.len()).sum();
    assert!(total < 400_000, "the seed corpus grew to {total} bytes");
}

#[test]
fn every_seed_replays_through_its_target() {
    let corpus = files_by_target(&fuzz_dir().join("corpus"));
    assert!(corpus.len() >= 17, "targets with seeds: {:?}", corpus.keys());
    for (target, files) in &corpus {
        assert!(!files.is_empty(), "{target} has no seeds");
        // The harness's loader targets replay in harness/tests/fuzz_seeds.rs.
        if HARNESS_TARGETS.contains(&target.as_str()) {
            continue;
        }
        for (_, data) in files {
            run(target, data);
        }
    }
}

/// The bar for the stateful targets: some seed takes each one
/// through ClientKeyExchange processing and Finished verification (and on
/// to a completed handshake and application data).
#[test]
fn stateful_seeds_reach_key_exchange_and_finished() {
    let corpus = files_by_target(&fuzz_dir().join("corpus"));
    for target in ["server", "client", "server_structured", "client_structured"] {
        let mut counts = [0usize; 4];
        let files = &corpus[target];
        for (_, data) in files {
            let p = run(target, data).unwrap();
            for (count, reached) in
                counts.iter_mut().zip([p.key_exchange, p.finished_checked, p.complete, p.application_data])
            {
                *count += usize::from(reached);
            }
        }
        println!(
            "{target}: {} seeds; ClientKeyExchange {}, Finished checked {}, complete {}, application data {}",
            files.len(),
            counts[0],
            counts[1],
            counts[2],
            counts[3]
        );
        assert!(counts.iter().all(|&c| c > 0), "{target}: {counts:?}");
    }
}

#[test]
fn every_saved_crash_replays_without_panic() {
    let by_target = files_by_target(&fuzz_dir().join("regressions"));
    let saved: usize = by_target.values().map(Vec::len).sum();
    assert!(saved > 0, "no saved crash under fuzz/regressions: the replay would test nothing");
    for (target, files) in by_target {
        for (path, data) in files {
            println!("replaying {}", path.display());
            run(&target, &data);
        }
    }
}

/// record (found in the first minute): an SSLv2-compatible hello whose
/// cipher specs hold no TLS suite (first byte never 0) converts to a
/// ClientHello with an empty suite list, which no ClientHello may carry;
/// the target's oracle demanded that it round-trip. The engine was right
/// (the server answers such a hello with handshake_failure); the oracle now
/// checks only hellos that have suites.
#[test]
fn sslv2_hello_without_tls_suites() {
    let data = std::fs::read(fuzz_dir().join("regressions/record/sslv2-hello-without-tls-suites")).unwrap();
    assert!(fuzzing::record(&data));
    // The stream opens with the 66-byte SSLv2 record (header 0x8040).
    let v2 = &data[1..67];
    assert!(fuzzing::sslv2_client_hello(v2));
    let p = fuzzing::server(&[&[0u8][..], v2].concat());
    assert!(p.error.is_some() && !p.key_exchange, "{p:?}");
}

/// Every `record_open` seed opens its honest record under the target's
/// keys, so the fuzzer starts past the MAC check as well as before it.
#[test]
fn record_open_seeds_open_under_the_targets_keys() {
    let corpus = files_by_target(&fuzz_dir().join("corpus"));
    let files = &corpus["record_open"];
    assert_eq!(files.len(), fuzzing::record_open_configs());
    for (path, data) in files {
        assert!(fuzzing::record_open(data), "{}", path.display());
    }
}
