//! The harness's fuzz targets as ordinary tests: every seed of the scenario
//! vector and peer profile corpora replays, and the seeds taken from the
//! shipped files are accepted (so the fuzzer starts from valid inputs).
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::Path;

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus").join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn scenario_vector_seeds_load_and_expand() {
    let all = seeds("scenario_vector");
    assert!(all.len() >= 15, "one seed per topic file, got {}", all.len());
    for (name, data) in all {
        assert!(shakedown::fuzzing::scenario_vector(&data) > 0, "{name} expands to no case");
    }
}

#[test]
fn peer_profile_seeds_replay() {
    let all = seeds("peer_profile");
    assert!(!all.is_empty());
    let accepted = all.iter().filter(|(_, d)| shakedown::fuzzing::peer_profile(d)).count();
    // builtin.json is a deviation list, not a profile: every other seed is.
    assert_eq!(accepted, all.len() - 1, "{:?}", all.iter().map(|s| &s.0).collect::<Vec<_>>());
}

#[test]
fn malformed_inputs_are_rejected_not_panicked() {
    for bad in [&b""[..], b"{", b"\xff\xfe", b"{\"tests\": 5}", b"[]", b"{\"topic\": \"x\", \"tests\": [{}]}"]
    {
        assert_eq!(shakedown::fuzzing::scenario_vector(bad), 0);
        assert!(!shakedown::fuzzing::peer_profile(bad));
    }
}
