//! The runner's listening side serves every connection: a peer client
//! whose port already holds idle, trickling and garbage connections still
//! gets its case run (a pass, not an inconclusive wait on the first
//! stranger), and the listener leaves no descriptor behind. Loopback only,
//! bounded counts; the peer client is our own `shakedown connect`, started
//! through a profile like any other.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use shakedown::cli::run::select;
use shakedown::expect::Verdict;
use shakedown::peer::PeerSpec;
use shakedown::peer::listen::MAX_PENDING;
use shakedown::peer::profile::Profile;
use shakedown::run::{RunOptions, run_all};
use shakedown::vector::{expand, load_dir};

/// Strangers on the port before the real client, below the bound.
const IDLE: usize = 150;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map(Iterator::count).unwrap_or(0)
}

/// A client profile whose command first fills the engine's port with
/// strangers (held open, inherited, for the whole handshake), then
/// becomes the real client.
fn hostile_profile() -> Profile {
    let script = format!(
        r#"port=$1; shift
for i in $(seq 1 {IDLE}); do exec {{fd}}<>/dev/tcp/127.0.0.1/$port || exit 3; done
exec {{t}}<>/dev/tcp/127.0.0.1/$port; printf '\x16\x03' >&$t
exec {{g}}<>/dev/tcp/127.0.0.1/$port; printf 'GET / HTTP/1.1\r\n\r\n' >&$g
exec {{p}}<>/dev/tcp/127.0.0.1/$port; printf '\x16\x03\x01\x00\x40\x01' >&$p
sleep 0.2
exec "$@""#
    );
    let profile = serde_json::json!({
        "name": "hostile-then-shakedown-client",
        "role": "client",
        "command": ["bash", "-c", script, "hostile", "{port}", env!("CARGO_BIN_EXE_shakedown"),
                    "connect", "127.0.0.1:{port}", "--timeout", "20"],
        "version_args": {"tls1.0": ["--versions", "tls1.0"], "tls1.2": ["--versions", "tls1.2"]},
        "start": "per_test",
        "echo": false,
        "versions": ["tls1.0", "tls1.2"],
        "suites": ["AES128-SHA"]
    });
    Profile::parse(&profile.to_string()).unwrap()
}

#[test]
fn strangers_on_the_port_do_not_stall_a_peer_client_case() {
    const { assert!(IDLE + 3 < MAX_PENDING) };
    let files = load_dir(&root().join("vectors/scenarios")).unwrap();
    let cases = select(
        expand(&files).unwrap(),
        &[
            "record/server-coalesce/tls1.2/AES128-SHA".into(),
            "record/server-coalesce/tls1.0/AES128-SHA".into(),
        ],
        None,
    )
    .unwrap();
    assert_eq!(cases.len(), 2);
    let opts = RunOptions {
        peer: PeerSpec::Profile(Box::new(hostile_profile())),
        jobs: 1,
        seed: 1,
        timeout: Duration::from_secs(20),
        certs: root().join("vectors/certs"),
        keep_transcripts: false,
        seed_pool: None,
        provider: std::sync::Arc::new(shakedown_engine::crypto::provider::RustCrypto),
        silence: None,
    };
    let before = open_fds();
    let results = run_all(&cases, &opts, &|_| {}).unwrap();
    for r in &results {
        assert!(
            matches!(r.verdict, Verdict::Pass { .. }),
            "{}: {:?} (peer: {:?})",
            r.case.id,
            r.verdict,
            r.note
        );
    }
    // Every stranger's socket was closed with its case. The peer process's
    // output pipes close when its reader threads see the end, a moment
    // after the kill: wait for that (bounded), never for a time.
    let mut after = open_fds();
    for _ in 0..100 {
        if after <= before + 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
        after = open_fds();
    }
    assert!(after <= before + 2, "{before} descriptors before the run, {after} after");
}
