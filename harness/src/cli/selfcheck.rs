//! `shakedown run`, first form: the reference engine against itself over
//! every version, suite and client-authentication mode, plus resumption, in
//! memory. The scenario runner replaces the body of this command; the
//! command itself stays the README's first one.

use std::sync::Arc;
use std::time::Instant;

use clap::Args;
use shakedown_engine::config::CertifiedKey;
use shakedown_engine::msgs::enums::ProtocolVersion;
use shakedown_engine::pair::Pair;
use shakedown_engine::suites::ALL_SUITES;
use shakedown_engine::x509::TrustAnchors;
use shakedown_engine::{ClientAuthMode, ClientConfig, ServerConfig, VersionRange};

use crate::args::{load_anchors, load_identity, now_unix};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Directory of the shipped certificates.
    #[arg(long, default_value = "vectors/certs")]
    pub certs: String,
    /// Seed for every case (case n uses seed + n).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

struct Identities {
    server: CertifiedKey,
    client: CertifiedKey,
    anchors: TrustAnchors,
}

/// One case's verdict line.
struct Verdict {
    name: String,
    version: ProtocolVersion,
    pass: bool,
    detail: String,
}

pub fn run(args: &RunArgs) -> Result<bool, String> {
    let dir = &args.certs;
    let ids = Identities {
        server: load_identity(&format!("{dir}/server.chain.pem"), &format!("{dir}/server.key.pem"))?,
        client: load_identity(&format!("{dir}/client.pem"), &format!("{dir}/client.key.pem"))?,
        anchors: load_anchors(&format!("{dir}/ca.pem"))?,
    };
    let now = now_unix();
    let started = Instant::now();
    let mut verdicts = Vec::new();
    let mut seed = args.seed;
    for version in ProtocolVersion::SUPPORTED {
        for suite in ALL_SUITES.iter().filter(|s| s.usable_with(version)) {
            for mode in [ClientAuthMode::Off, ClientAuthMode::Request, ClientAuthMode::Require] {
                seed += 1;
                verdicts.push(full_handshake(&ids, version, suite.suite, mode, seed, now));
            }
        }
        seed += 1;
        verdicts.push(resumption(&ids, version, seed, now));
    }
    print_table(&verdicts);
    let failed: Vec<&Verdict> = verdicts.iter().filter(|v| !v.pass).collect();
    for v in &failed {
        crate::say!("FAIL {}: {}", v.name, v.detail);
    }
    crate::say!(
        "engine self-check: {} passed, {} failed in {:.2}s",
        verdicts.len() - failed.len(),
        failed.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(failed.is_empty())
}

fn configs(ids: &Identities, version: ProtocolVersion) -> (ClientConfig, ServerConfig) {
    let client = ClientConfig {
        versions: VersionRange::only(version),
        server_name: Some("localhost".into()),
        trust: Some(ids.anchors.clone()),
        client_cert: Some(ids.client.clone()),
        ..ClientConfig::default()
    };
    let server = ServerConfig {
        versions: VersionRange::only(version),
        client_trust: Some(ids.anchors.clone()),
        ..ServerConfig::new(ids.server.clone())
    };
    (client, server)
}

fn full_handshake(
    ids: &Identities,
    version: ProtocolVersion,
    suite: shakedown_engine::msgs::enums::CipherSuite,
    mode: ClientAuthMode,
    seed: u64,
    now: i64,
) -> Verdict {
    let (mut client, mut server) = configs(ids, version);
    client.suites = vec![suite];
    server.client_auth = mode;
    let name = format!("{version}/{suite}/client-auth-{mode:?}").to_lowercase();
    let mut pair = match Pair::new(Arc::new(client), Arc::new(server), seed, now) {
        Ok(p) => p,
        Err(e) => {
            return Verdict { name, version, pass: false, detail: e.to_string() };
        }
    };
    let exchanged = pair.handshake_and_exchange(b"ping", b"pong");
    let negotiated = pair.summary(true).map(|s| (s.version, s.suite));
    let pass = exchanged && negotiated == Some((version, suite));
    let detail = format!(
        "negotiated {negotiated:?}, client error {:?}, server error {:?}",
        pair.client_error, pair.server_error
    );
    Verdict { name, version, pass, detail }
}

fn resumption(ids: &Identities, version: ProtocolVersion, seed: u64, now: i64) -> Verdict {
    let name = format!("{version}/resumption").to_lowercase();
    let (client, server) = configs(ids, version);
    let server = Arc::new(server);
    let first = Pair::new(Arc::new(client.clone()), server.clone(), seed, now).map(|mut p| {
        p.pump();
        p.summary(true).map(|s| s.session.clone())
    });
    let Ok(Some(session)) = first else {
        return Verdict { name, version, pass: false, detail: "first handshake failed".into() };
    };
    let resumed =
        Pair::new(Arc::new(ClientConfig { resume: Some(session), ..client }), server, seed + 1000, now).map(
            |mut p| {
                let ok = p.handshake_and_exchange(b"again", b"welcome back");
                ok && p.summary(true).is_some_and(|s| s.resumed)
                    && p.summary(false).is_some_and(|s| s.resumed)
            },
        );
    let pass = matches!(resumed, Ok(true));
    Verdict { name, version, pass, detail: format!("resumed handshake: {resumed:?}") }
}

fn print_table(verdicts: &[Verdict]) {
    crate::say!("{:<8} {:>6} {:>6}", "version", "pass", "fail");
    for version in ProtocolVersion::SUPPORTED {
        let of: Vec<&Verdict> = verdicts.iter().filter(|v| v.version == version).collect();
        let pass = of.iter().filter(|v| v.pass).count();
        crate::say!("{:<8} {:>6} {:>6}", version.to_string(), pass, of.len() - pass);
    }
}
