//! The peers whose programs live in ci/peers/ and are built by
//! ci/peers/install.sh (Go crypto/tls, JSSE, mbed TLS, wolfSSL), and Botan's
//! own command-line tool: how each is asked what it supports and run as a
//! client (as a server each is started through its profile,
//! vectors/peers/NAME-server.json). The interop matrix runs a smoke subset of cells on them.

use std::process::Command;
use std::time::Duration;

use shakedown_engine::suites::SuiteInfo;

use super::{TempDir, cert, query, root, run, which};

/// A whole peer client run (up to two handshakes).
const RUN: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Program {
    Botan,
    Go,
    Jsse,
    MbedTls,
    WolfSsl,
}

impl Program {
    pub fn name(self) -> &'static str {
        match self {
            Self::Botan => "botan",
            Self::Go => "go",
            Self::Jsse => "jsse",
            Self::MbedTls => "mbedtls",
            Self::WolfSsl => "wolfssl",
        }
    }

    /// argv of the peer program, before its subcommand.
    fn argv(self) -> Vec<String> {
        let built = |p: &str| root().join("target/peers").join(p).to_string_lossy().into_owned();
        match self {
            Self::Botan => vec!["botan".into()],
            Self::Go => vec![built("gopeer")],
            Self::MbedTls => vec![built("mbedtls_peer")],
            Self::WolfSsl => vec![built("wolfssl_peer")],
            Self::Jsse => vec![
                "java".into(),
                format!(
                    "-Djava.security.properties={}",
                    root().join("ci/peers/jsse/java.security").display()
                ),
                "-cp".into(),
                built("jsse"),
                "JssePeer".into(),
            ],
        }
    }

    fn command(self, args: &[&str]) -> Command {
        let argv = self.argv();
        let mut cmd = Command::new(&argv[0]);
        cmd.args(&argv[1..]).args(args);
        cmd
    }

    /// Whether the program is there (built by ci/peers/install.sh), and
    /// which release.
    pub fn available(self) -> Result<String, String> {
        let argv = self.argv();
        let found = match argv[0].contains('/') {
            true => std::path::Path::new(&argv[0]).is_file(),
            false => which(&argv[0]).is_some(),
        };
        let jsse_built = root().join("target/peers/jsse/JssePeer.class").is_file();
        if !found || (self == Self::Jsse && !jsse_built) {
            return Err(format!("`{}` is missing (run ci/peers/install.sh)", argv.join(" ")));
        }
        let out = match self {
            Self::Botan => query("botan", &["version"]).map(|v| format!("Botan {v}")),
            Self::Go => query("go", &["version"]),
            _ => {
                let argv = self.argv();
                let args: Vec<&str> = argv[1..].iter().map(String::as_str).chain(["version"]).collect();
                query(&argv[0], &args)
            }
        }?;
        Ok(out.lines().next().unwrap_or_default().trim().to_string())
    }

    /// Per version it has: the engine (OpenSSL) names of its RSA suites.
    pub fn list(self) -> Result<Vec<(String, Vec<String>)>, String> {
        if self == Self::Botan {
            return ["tls1.0", "tls1.1", "tls1.2"]
                .iter()
                .map(|v| {
                    let out = query(
                        "botan",
                        &["tls_ciphers", &format!("--policy={}", botan_policy()), &format!("--version={v}")],
                    )?;
                    let names = out
                        .lines()
                        .filter_map(|l| shakedown_engine::suites::by_name(&format!("TLS_{}", l.trim())))
                        .map(|s| s.openssl_name.to_string())
                        .collect();
                    Ok((v.to_string(), names))
                })
                .collect();
        }
        let argv = self.argv();
        let args: Vec<&str> = argv[1..].iter().map(String::as_str).chain(["list"]).collect();
        let out = query(&argv[0], &args)?;
        Ok(out
            .lines()
            .filter_map(|l| {
                let mut words = l.split_whitespace();
                let v = words.next()?.to_string();
                Some((v, words.map(String::from).collect()))
            })
            .collect())
    }

    /// Why this program cannot do client certificates in a role, if it cannot.
    pub fn no_client_cert(self, peer_is_server: bool) -> Option<&'static str> {
        match (self, peer_is_server) {
            (Self::Botan, true) => Some("`botan tls_server` never asks for a client certificate"),
            (Self::Botan, false) => Some("`botan tls_client` has no option for a client certificate"),
            _ => None,
        }
    }

    /// Whether a resumed handshake by session id is part of the cell, or why not.
    pub fn resumes(self, peer_is_server: bool, version: &str) -> Result<(), &'static str> {
        match (self, peer_is_server) {
            // A server may always decline to resume (RFC 6101 5.6.1.2).
            (Self::Jsse, true) if version == "ssl3" => {
                Err("the JSSE server does not resume SSL 3.0 sessions")
            }
            (Self::Go, _) => Err("crypto/tls resumes only through session tickets (RFC 5077)"),
            (Self::Botan, false) => Err("`botan tls_client` makes one connection per run"),
            (Self::WolfSsl, _) => Err("not run: no RSA key exchange to resume"),
            _ => Ok(()),
        }
    }

    /// Runs the program as a client against the engine server on `port`,
    /// pinned to one version and suite: a line out and its echo back, and
    /// a resumed handshake when [`Self::resumes`]. Returns how many
    /// connections the engine server should have seen.
    pub fn run_client(self, port: u16, v: &str, s: &SuiteInfo, with_cert: bool) -> Result<usize, String> {
        if self == Self::Botan {
            return botan_client(port, v, s);
        }
        let (port_s, ca) = (port.to_string(), cert("ca.pem"));
        let (c, k) = (cert("client.pem"), cert("client.key.pem"));
        let mut args = vec![
            "client",
            "--port",
            &port_s,
            "--ca",
            &ca,
            "--min",
            v,
            "--max",
            v,
            "--suite",
            s.openssl_name,
            "--ping",
        ];
        if with_cert {
            args.extend(["--cert", &c, "--key", &k]);
        }
        let resume = self.resumes(false, v).is_ok();
        if resume {
            args.push("--resume");
        }
        let out = run(&mut self.command(&args), b"", None, RUN)?;
        let want = format!("negotiated version={v} suite={}", s.openssl_name);
        let ok =
            out.success && out.stdout.contains(&want) && (!resume || out.stdout.contains("resumed=true"));
        if !ok {
            return Err(format!(
                "{} client: wanted `{want}`{}; exit ok={}; output:\n{}",
                self.name(),
                if resume { " and a resumed session" } else { "" },
                out.success,
                out.text()
            ));
        }
        Ok(if resume { 2 } else { 1 })
    }
}

fn botan_policy() -> String {
    root().join("ci/peers/botan/policy.txt").to_string_lossy().into_owned()
}

/// Botan's policy names for an engine suite: (cipher, MAC).
fn botan_tokens(s: &SuiteInfo) -> Option<(&'static str, &'static str)> {
    Some(match s.openssl_name {
        "AES256-GCM-SHA384" => ("AES-256/GCM", "AEAD"),
        "AES128-GCM-SHA256" => ("AES-128/GCM", "AEAD"),
        "AES256-SHA256" => ("AES-256", "SHA-256"),
        "AES128-SHA256" => ("AES-128", "SHA-256"),
        "AES256-SHA" => ("AES-256", "SHA-1"),
        "AES128-SHA" => ("AES-128", "SHA-1"),
        "DES-CBC3-SHA" => ("3DES", "SHA-1"),
        _ => return None,
    })
}

/// `botan tls_client` pinned to one version and suite by a policy file of
/// its own; it sends what it reads on stdin and prints what comes back.
fn botan_client(port: u16, v: &str, s: &SuiteInfo) -> Result<usize, String> {
    let (cipher, mac) = botan_tokens(s).ok_or_else(|| format!("no Botan name for {}", s.openssl_name))?;
    let dir = TempDir::new(&format!("botan-{port}"))?;
    let policy = dir.0.join("policy.txt");
    let base = std::fs::read_to_string(botan_policy()).map_err(|e| e.to_string())?;
    let pinned: String = base
        .lines()
        .filter(|l| !l.starts_with("ciphers") && !l.starts_with("macs") && !l.starts_with("allow_tls1"))
        .map(|l| format!("{l}\n"))
        .chain([
            format!("ciphers = {cipher}\nmacs = {mac}\n"),
            format!(
                "allow_tls10 = {}\nallow_tls11 = {}\nallow_tls12 = {}\n",
                v == "tls1.0",
                v == "tls1.1",
                v == "tls1.2"
            ),
        ])
        .collect();
    std::fs::write(&policy, pinned).map_err(|e| e.to_string())?;
    let line = "ping from botan tls_client\n";
    // Line-buffered, so the echo shows before stdin is closed (which ends
    // the client); a pipe would hold it until exit.
    let mut cmd = Command::new("stdbuf");
    cmd.args(["-oL", "botan", "tls_client", "localhost", &format!("--port={port}")])
        .arg(format!("--policy={}", policy.display()))
        .args(["--skip-system-cert-store", &format!("--trusted-cas={}", cert("ca.pem"))])
        .arg(format!("--{v}"));
    let out = run(&mut cmd, line.as_bytes(), Some(line.trim_end()), RUN)?;
    let botan_version = match v {
        "tls1.0" => "TLS v1.0",
        "tls1.1" => "TLS v1.1",
        _ => "TLS v1.2",
    };
    let want = format!("Handshake complete, {botan_version} using {}", &s.iana_name[4..]);
    let ok = out.success
        && out.stdout.contains("Certificate validation status: Verified")
        && out.stdout.contains(&want)
        && out.stdout.contains(line.trim_end());
    if !ok {
        return Err(format!(
            "botan tls_client: wanted a verified chain, `{want}` and the echo; exit ok={}; output:\n{}",
            out.success,
            out.text()
        ));
    }
    Ok(1)
}
