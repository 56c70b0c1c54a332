//! The `shakedown` command line.

pub mod bench;
pub mod connect;
pub mod fuzz;
pub mod learn;
pub mod run;
pub mod selfcheck;
pub mod serve;
pub mod timing;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "shakedown",
    version,
    about = "SSL 3.0 / TLS 1.0-1.2 conformance harness and reference engine"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the scenario vectors against a peer (default: the built-in
    /// reference engine, in memory).
    Run(run::RunArgs),
    /// Listen as the reference server.
    Serve(serve::ServeArgs),
    /// Connect as the reference client.
    Connect(connect::ConnectArgs),
    /// Handshakes per second and bulk throughput against a peer.
    Bench(bench::BenchArgs),
    /// Learn a peer's state machine (L#) and diff it against the reference.
    Learn(learn::LearnArgs),
    /// Timing side channels (Marvin, Lucky 13) measured with statistics.
    Timing(timing::TimingArgs),
    /// The interop fuzzer: mutated handshakes against peers, judged by
    /// spec, liveness and differential oracles.
    Fuzz(fuzz::FuzzArgs),
}

/// Options both roles share.
#[derive(Debug, Args, Clone)]
pub struct CommonArgs {
    /// Versions: one (tls1.2), a range (ssl3..tls1.2) or `all`.
    #[arg(long, default_value = "all", value_parser = crate::args::parse_versions)]
    pub versions: shakedown_engine::VersionRange,
    /// Cipher suites in preference order (OpenSSL or IANA names, or 0x hex).
    #[arg(long, value_parser = crate::args::parse_suites)]
    pub suites: Option<crate::args::SuiteList>,
    /// Seed of the engine's randomness: the same seed sends the same bytes.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Seconds to wait on the peer at each step.
    #[arg(long, default_value_t = 10)]
    pub timeout: u64,
    /// Append NSS key log lines (SSLKEYLOGFILE format) to this file.
    #[arg(long)]
    pub keylog: Option<String>,
    /// Do not offer / accept extended_master_secret (RFC 7627).
    #[arg(long)]
    pub no_ems: bool,
    /// Offer / accept encrypt_then_mac (RFC 7366).
    #[arg(long)]
    pub etm: bool,
    /// The engine's cryptography: `rustcrypto` (default) or `openssl`
    /// (only in a build with the `openssl-provider` feature).
    #[arg(long, default_value = "rustcrypto", value_parser = crate::args::parse_provider)]
    pub provider: std::sync::Arc<dyn shakedown_engine::crypto::provider::CryptoProvider>,
}

impl CommonArgs {
    pub fn rng(&self, n: u64) -> Box<dyn shakedown_engine::crypto::RandomSource + Send> {
        use shakedown_engine::crypto::SeededRandom;
        Box::new(match self.seed {
            Some(s) => SeededRandom::from_seed(s.wrapping_add(n)),
            None => SeededRandom::from_os(),
        })
    }

    /// The reference client these options describe, verifying the server
    /// against `ca` when given.
    pub fn client_config(
        &self,
        server_name: Option<String>,
        ca: Option<&str>,
    ) -> Result<shakedown_engine::ClientConfig, String> {
        let mut config = shakedown_engine::ClientConfig {
            versions: self.versions,
            server_name,
            extended_master_secret: !self.no_ems,
            encrypt_then_mac: self.etm,
            provider: self.provider.clone(),
            ..shakedown_engine::ClientConfig::default()
        };
        if let Some(suites) = &self.suites {
            config.suites = suites.0.clone();
        }
        if let Some(ca) = ca {
            config.trust = Some(crate::args::load_anchors(ca)?);
        }
        Ok(config)
    }

    pub fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.timeout)
    }

    pub fn write_keylog(&self, summary: &shakedown_engine::HandshakeSummary) {
        use std::io::Write;
        if let Some(path) = &self.keylog {
            let line = crate::session::keylog_line(summary);
            let written = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| f.write_all(line.as_bytes()));
            if let Err(e) = written {
                crate::tell!("warning: key log {path}: {e}");
            }
        }
    }
}

/// One line a script can parse: what a handshake settled.
pub fn describe(s: &shakedown_engine::HandshakeSummary) -> String {
    format!(
        "version={} suite={} session_id={} resumed={} ems={} etm={} secure_renegotiation={} peer_certs={}",
        s.version,
        shakedown_engine::suites::lookup(s.suite)
            .map_or_else(|| s.suite.to_string(), |i| i.openssl_name.into()),
        hex::encode(&s.session_id),
        s.resumed,
        s.extended_master_secret,
        s.encrypt_then_mac,
        s.secure_renegotiation,
        s.peer_certificates.len()
    )
}
