//! The interop matrix: the reference engine against OpenSSL, GnuTLS and
//! tlslite-ng, in both roles, over every version x suite the peer supports,
//! without and with a client certificate, each cell a full handshake with
//! application data both ways and then a resumed handshake. Botan, Go
//! crypto/tls, JSSE, mbed TLS and wolfSSL (interop_support/programs.rs) run
//! the smoke subset [`SMOKE`] of those cells.
//!
//! What a peer supports is asked of the peer (`Peer::capabilities`, the one
//! place that knows); an engine suite or version the peer lacks is a skipped
//! row with the reason. Each test prints its table (run with
//! `--nocapture`, or `ci/interop.sh`). A missing tool prints SKIPPED and
//! passes, unless SHAKEDOWN_REQUIRE_PEERS=1.
//!
//! Every peer starts through its profile, vectors/peers/NAME-server.json
//! or NAME-client.json, the one place its command line is written down. A
//! peer client offers what its profile offers, at the cell's version, and
//! the engine server of the cell selects the cell's suite; it resumes the
//! way its profile's `client_resumption` says (or the cell is one full
//! handshake, saying why in the profile).
//!
//! Every peer process is loopback-only where the tool allows it (gnutls-serv
//! cannot be told an address: it listens on the wildcard address, on a
//! free port, for the duration of one test), has a deadline, and is killed
//! when its guard drops.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod interop_support;

use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use interop_support::programs::Program;
use interop_support::{
    ChildGuard, EngineServer, Outcome, Row, Table, Talk, TempDir, cert, free_port, now_unix, peers_required,
    query, run, suite_name, wait_listening, which,
};
use shakedown::peer::profile::{ClientResumption, Profile, Ready};
use shakedown::session::{DriveError, Session};
use shakedown::vector::{Feature, Version};
use shakedown_engine::config::CertifiedKey;
use shakedown_engine::crypto::SeededRandom;
use shakedown_engine::msgs::enums::ProtocolVersion;
use shakedown_engine::suites::{ALL_SUITES, SuiteInfo};
use shakedown_engine::x509::TrustAnchors;
use shakedown_engine::{ClientAuthMode, ClientConfig, Connection, ServerConfig, VersionRange};

/// Every network step of the engine and every peer run.
const STEP: Duration = Duration::from_secs(10);
/// A whole peer client run (two handshakes).
const RUN: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Auth {
    /// No CertificateRequest.
    None,
    /// The server requires and verifies a client certificate; the client
    /// sends vectors/certs/client.pem.
    ClientCert,
}

impl Auth {
    const ALL: [Self; 2] = [Self::None, Self::ClientCert];

    fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::ClientCert => "client-cert",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Peer {
    OpenSsl,
    GnuTls,
    Tlslite,
    /// Botan, Go, JSSE, mbed TLS, wolfSSL: a smoke subset of cells.
    Prog(Program),
}

/// The cells run on the peers of ci/peers/install.sh: one or two suites per
/// version, CBC and GCM, SHA-1 and SHA-2, so CI stays short; the full
/// suite per peer is ci/run-suite.sh.
const SMOKE: [(ProtocolVersion, &str); 7] = [
    (ProtocolVersion::Ssl3, "AES128-SHA"),
    (ProtocolVersion::Tls10, "AES128-SHA"),
    (ProtocolVersion::Tls11, "AES256-SHA"),
    (ProtocolVersion::Tls12, "DES-CBC3-SHA"),
    (ProtocolVersion::Tls12, "AES128-SHA256"),
    (ProtocolVersion::Tls12, "AES128-GCM-SHA256"),
    (ProtocolVersion::Tls12, "AES256-GCM-SHA384"),
];

/// Per version: the engine (OpenSSL-style) names of the suites the peer
/// does, or why the version is out.
#[derive(Debug)]
struct Caps {
    versions: Vec<(ProtocolVersion, Result<Vec<String>, String>)>,
    /// Why a suite missing from a version's list is missing.
    lacks_suite: String,
}

impl Caps {
    fn at(&self, v: ProtocolVersion) -> Result<&[String], String> {
        match self.versions.iter().find(|(x, _)| *x == v) {
            Some((_, Ok(list))) => Ok(list),
            Some((_, Err(why))) => Err(why.clone()),
            None => Err("not probed".into()),
        }
    }
}

/// The GnuTLS priority tokens of each engine suite: (cipher, MAC).
fn gnutls_tokens(s: &SuiteInfo) -> (&'static str, &'static str) {
    match s.openssl_name {
        "AES256-GCM-SHA384" => ("AES-256-GCM", "AEAD"),
        "AES128-GCM-SHA256" => ("AES-128-GCM", "AEAD"),
        "AES256-SHA256" => ("AES-256-CBC", "SHA256"),
        "AES128-SHA256" => ("AES-128-CBC", "SHA256"),
        "AES256-SHA" => ("AES-256-CBC", "SHA1"),
        "AES128-SHA" => ("AES-128-CBC", "SHA1"),
        "DES-CBC3-SHA" => ("3DES-CBC", "SHA1"),
        "RC4-SHA" => ("ARCFOUR-128", "SHA1"),
        "RC4-MD5" => ("ARCFOUR-128", "MD5"),
        "NULL-SHA256" => ("NULL", "SHA256"),
        "NULL-SHA" => ("NULL", "SHA1"),
        "NULL-MD5" => ("NULL", "MD5"),
        other => panic!("no GnuTLS tokens for {other}"),
    }
}

fn gnutls_version(v: ProtocolVersion) -> &'static str {
    match v {
        ProtocolVersion::Ssl3 => "VERS-SSL3.0",
        ProtocolVersion::Tls10 => "VERS-TLS1.0",
        ProtocolVersion::Tls11 => "VERS-TLS1.1",
        _ => "VERS-TLS1.2",
    }
}

/// A GnuTLS priority string: RSA key exchange, these versions and suites.
fn gnutls_priority(versions: &[ProtocolVersion], suites: &[&SuiteInfo]) -> String {
    let mut p = String::from("NONE:+RSA:+COMP-NULL:+SIGN-ALL:+CTYPE-X509");
    for v in versions {
        p.push_str(&format!(":+{}", gnutls_version(*v)));
    }
    for s in suites {
        let (c, m) = gnutls_tokens(s);
        for t in [c, m] {
            let tok = format!(":+{t}");
            if !p.contains(&format!("{tok}:")) && !p.ends_with(&tok) {
                p.push_str(&tok);
            }
        }
    }
    p
}

fn openssl_flag(v: ProtocolVersion) -> &'static str {
    match v {
        ProtocolVersion::Ssl3 => "-ssl3",
        ProtocolVersion::Tls10 => "-tls1",
        ProtocolVersion::Tls11 => "-tls1_1",
        _ => "-tls1_2",
    }
}

/// How `openssl s_client` names a version.
fn openssl_version_name(v: ProtocolVersion) -> &'static str {
    match v {
        ProtocolVersion::Ssl3 => "SSLv3",
        ProtocolVersion::Tls10 => "TLSv1",
        ProtocolVersion::Tls11 => "TLSv1.1",
        _ => "TLSv1.2",
    }
}

/// OpenSSL 3 refuses TLS 1.0 / 1.1 and NULL suites unless security level 0.
const OPENSSL_ALL: &str = "ALL:COMPLEMENTOFALL:@SECLEVEL=0";

fn tlslite_script() -> String {
    interop_support::root().join("ci/peers/tlslite_peer.py").to_string_lossy().into_owned()
}

impl Peer {
    fn name(self) -> &'static str {
        match self {
            Self::OpenSsl => "openssl",
            Self::GnuTls => "gnutls",
            Self::Tlslite => "tlslite-ng",
            Self::Prog(p) => p.name(),
        }
    }

    /// Whether the peer's tools are installed, and which release.
    fn available(self) -> Result<String, String> {
        if let Self::Prog(p) = self {
            return p.available();
        }
        let tools: &[&str] = match self {
            Self::OpenSsl => &["openssl"],
            Self::GnuTls => &["gnutls-serv", "gnutls-cli"],
            Self::Tlslite => &["python3"],
            Self::Prog(_) => &[],
        };
        for t in tools {
            which(t).ok_or_else(|| format!("`{t}` is not on PATH"))?;
        }
        let version = match self {
            Self::OpenSsl => query("openssl", &["version"])?,
            Self::GnuTls => query("gnutls-cli", &["--version"])?,
            Self::Tlslite => {
                query("python3", &["-c", "import tlslite; print('tlslite-ng', tlslite.__version__)"])
                    .map_err(|e| format!("tlslite-ng is not importable (pip install tlslite-ng): {e}"))?
            }
            Self::Prog(p) => p.available()?,
        };
        Ok(version.lines().next().unwrap_or_default().trim().to_string())
    }

    /// What the peer supports, asked of the peer itself. On the reference
    /// machine (OpenSSL 3.0.19, GnuTLS 3.7.9, tlslite-ng 0.8.2) this says:
    /// OpenSSL has no SSL 3.0, no DES-CBC3-SHA and no RC4 (compiled out);
    /// GnuTLS has no SSL 3.0 (compiled out) but every engine suite in TLS;
    /// tlslite-ng has everything.
    fn capabilities(self) -> Result<Caps, String> {
        match self {
            Self::OpenSsl => {
                let disabled = query("openssl", &["list", "-disabled"])?;
                let mut versions = Vec::new();
                for v in ProtocolVersion::SUPPORTED {
                    if v == ProtocolVersion::Ssl3 && disabled.lines().any(|l| l.trim() == "SSL3") {
                        versions.push((v, Err("compiled out (`openssl list -disabled` lists SSL3)".into())));
                        continue;
                    }
                    let out = query("openssl", &["ciphers", "-s", "-v", openssl_flag(v), OPENSSL_ALL]);
                    let list: Vec<String> = out
                        .unwrap_or_default()
                        .lines()
                        .filter(|l| l.contains(" Kx=RSA ") && l.contains(" Au=RSA "))
                        .filter_map(|l| l.split_whitespace().next().map(String::from))
                        .collect();
                    versions.push((
                        v,
                        if list.is_empty() {
                            Err(format!("`openssl ciphers -s {}` lists no RSA suite", openssl_flag(v)))
                        } else {
                            Ok(list)
                        },
                    ));
                }
                Ok(Caps {
                    versions,
                    lacks_suite: format!("not in this OpenSSL (`openssl ciphers -s -v {OPENSSL_ALL}`)"),
                })
            }
            Self::GnuTls => {
                let all: Vec<&SuiteInfo> = ALL_SUITES.iter().collect();
                let prio = gnutls_priority(&ProtocolVersion::SUPPORTED, &all);
                let out = query("gnutls-cli", &["--list", "--priority", &prio])?;
                let protocols =
                    out.lines().find(|l| l.starts_with("Protocols:")).unwrap_or_default().to_string();
                // `TLS_RSA_AES_128_CBC_SHA1   0x00, 0x2f   TLS1.0`
                let mut suites: Vec<(String, String)> = Vec::new();
                for l in out.lines() {
                    let cols: Vec<&str> = l.split('\t').map(str::trim).collect();
                    if cols.len() == 3
                        && let Some((hi, lo)) = cols[1].split_once(", ")
                        && let (Ok(hi), Ok(lo)) = (
                            u8::from_str_radix(hi.trim_start_matches("0x"), 16),
                            u8::from_str_radix(lo.trim_start_matches("0x"), 16),
                        )
                        && let Some(info) =
                            shakedown_engine::suites::lookup(u16::from_be_bytes([hi, lo]).into())
                    {
                        suites.push((info.openssl_name.to_string(), cols[2].to_string()));
                    }
                }
                let versions = ProtocolVersion::SUPPORTED
                    .iter()
                    .map(|&v| {
                        let token = gnutls_version(v);
                        if !protocols.contains(token) {
                            return (v, Err(format!("compiled out (`gnutls-cli --list` has no {token})")));
                        }
                        let order = |name: &str| match name {
                            "SSL3.0" => 0,
                            "TLS1.0" => 1,
                            "TLS1.1" => 2,
                            _ => 3,
                        };
                        let here = order(token.trim_start_matches("VERS-"));
                        let list = suites
                            .iter()
                            .filter(|(_, min)| order(min) <= here)
                            .map(|(n, _)| n.clone())
                            .collect();
                        (v, Ok(list))
                    })
                    .collect();
                Ok(Caps {
                    versions,
                    lacks_suite: "not in this GnuTLS (`gnutls-cli --list --priority ...`)".into(),
                })
            }
            Self::Tlslite => {
                let out = query("python3", &[&tlslite_script(), "list"])?;
                let versions = ProtocolVersion::SUPPORTED
                    .iter()
                    .map(|&v| {
                        let line = out.lines().find(|l| l.split_whitespace().next() == Some(&v.to_string()));
                        match line {
                            Some(l) => (v, Ok(l.split_whitespace().skip(1).map(String::from).collect())),
                            None => (v, Err("not listed by tlslite_peer.py list".into())),
                        }
                    })
                    .collect();
                Ok(Caps {
                    versions,
                    lacks_suite: "not in tlslite-ng (`ci/peers/tlslite_peer.py list`)".into(),
                })
            }
            Self::Prog(p) => {
                let listed = p.list()?;
                let versions = ProtocolVersion::SUPPORTED
                    .iter()
                    .map(|&v| match listed.iter().find(|(name, _)| *name == v.to_string()) {
                        Some((_, suites)) => (v, Ok(suites.clone())),
                        None => (v, Err(format!("not listed by the {} peer's `list`", p.name()))),
                    })
                    .collect();
                Ok(Caps {
                    versions,
                    lacks_suite: format!("not in this build (the {} peer's `list`)", p.name()),
                })
            }
        }
    }

    /// The peer's profile for a role ("server" or "client"),
    /// vectors/peers/NAME-ROLE.json: the one place its command line is
    /// written down.
    fn profile(self, role: &str) -> Result<Profile, String> {
        let stem = match self {
            Self::OpenSsl => "openssl",
            Self::GnuTls => "gnutls",
            Self::Tlslite => "tlslite",
            Self::Prog(p) => p.name(),
        };
        Profile::load(&interop_support::root().join(format!("vectors/peers/{stem}-{role}.json")))
    }

    /// Starts the peer as a server through its profile (serving
    /// connections until dropped, on a free loopback port); returns it and
    /// its port.
    fn start_server(self, auth: Auth) -> Result<(ChildGuard, u16), String> {
        let name = format!("{} server", self.name());
        let profile = self.profile("server")?;
        let group = auth_group(&profile, auth)?;
        let port = free_port()?;
        let argv = profile.argv_for(group, None, port, &interop_support::root().join("vectors/certs"));
        let (program, args) = argv.split_first().ok_or("the profile has no command")?;
        let mut cmd = Command::new(program);
        // Profiles name their scripts and built programs from the root.
        cmd.args(args).envs(&profile.env).current_dir(interop_support::root());
        let mut g = ChildGuard::spawn(&name, &mut cmd)?;
        let startup = Duration::from_millis(profile.startup_timeout_ms).max(STEP);
        let ready = match &profile.ready {
            Ready::StdoutLine(text) => g.stdout.wait_for(text, startup, &mut g.child).map(drop),
            Ready::Connect => wait_listening(port, startup, &mut g.child),
        };
        ready.map_err(|e| format!("{e}\n{}", g.text()))?;
        Ok((g, port))
    }

    /// What the peer server sends back for a line of application data.
    fn reply(self, line: &str) -> String {
        match self {
            // s_server -rev answers each line reversed.
            Self::OpenSsl => format!("{}\n", line.trim_end().chars().rev().collect::<String>()),
            Self::GnuTls | Self::Tlslite | Self::Prog(_) => line.to_string(),
        }
    }

    /// What the peer client's own output (each process's stdout, run
    /// through its client profile) must show for a cell: the chain
    /// verified, the version and suite negotiated and, when it resumes,
    /// the resumed session, as far as the tool prints them. The engine
    /// server checks the same from its side.
    fn client_expects(self, v: ProtocolVersion, s: &SuiteInfo, resumes: bool) -> Vec<String> {
        let mut want: Vec<String> = Vec::new();
        match self {
            Self::OpenSsl => {
                // "New, SSLv3, ..." names the suite's first version: the
                // session lines say what was negotiated.
                want.push("New, ".into());
                if resumes {
                    want.push("Reused, ".into());
                }
                want.push(format!("Protocol  : {}\n", openssl_version_name(v)));
                want.push(format!("Cipher    : {}\n", s.openssl_name));
                want.push("Verify return code: 0 (ok)".into());
            }
            Self::GnuTls => {
                want.push("The certificate is trusted".into());
                if resumes {
                    want.push("*** This is a resumed session".into());
                }
            }
            Self::Prog(Program::Botan) => {
                let botan_version = match v {
                    ProtocolVersion::Tls10 => "TLS v1.0",
                    ProtocolVersion::Tls11 => "TLS v1.1",
                    _ => "TLS v1.2",
                };
                want.push("Certificate validation status: Verified".into());
                want.push(format!("Handshake complete, {botan_version} using {}", &s.iana_name[4..]));
            }
            Self::Tlslite | Self::Prog(_) => {
                want.push(format!("negotiated version={v} suite={} resumed=", s.openssl_name));
                if resumes {
                    // tlslite-ng prints Python's True.
                    want.push(if self == Self::Tlslite { "resumed=True" } else { "resumed=true" }.into());
                }
            }
        }
        want
    }
}

/// Whether a client profile says how its client resumes.
fn client_resumes(profile: &Profile) -> bool {
    matches!(
        profile.client_resumption,
        Some(ClientResumption::Reconnect(_) | ClientResumption::SessionFile { .. })
    )
}

/// Runs a peer client through its profile (vectors/peers/NAME-client.json:
/// the command, the `no_cert`/`with_cert` group, the version's arguments)
/// against the engine server on `port`: the full handshake and, when the
/// profile says how its client resumes (`client_resumption`), the resumed
/// one, from the same process (`reconnect`) or a second one that reads the
/// first one's session file (`session_file`). A client that does not echo
/// gets `line` on stdin, and its stdin stays open until the echo shows or
/// it ends (the engine server closes once it has echoed a line). Each
/// process's output, once every one has ended well.
fn run_profile_client(
    profile: &Profile,
    port: u16,
    v: ProtocolVersion,
    auth: Auth,
    line: &str,
) -> Result<Vec<interop_support::Finished>, String> {
    let root = interop_support::root();
    let certs = root.join("vectors/certs");
    let group = match auth {
        Auth::None => "no_cert",
        Auth::ClientCert => "with_cert",
    };
    let version = Version::ALL.into_iter().find(|x| x.wire() == v).ok_or(format!("no version {v}"))?;
    let dir = TempDir::new(&format!("{}-{port}", profile.name))?;
    let session = dir.0.join("session");
    let passes = match profile.client_resumption {
        Some(ClientResumption::SessionFile { .. }) => 2,
        _ => 1,
    };
    let mut outputs = Vec::new();
    for pass in 0..passes {
        let mut argv = profile.argv_for(group, Some(version), port, &certs);
        argv.extend(profile.resumption_args(pass, port, &session).unwrap_or_default());
        let (program, args) = argv.split_first().ok_or("the profile has no command")?;
        let mut cmd = Command::new(program);
        // Profiles name their scripts and built programs from the root.
        cmd.args(args).envs(&profile.env).current_dir(&root);
        let out = match profile.echo {
            true => run(&mut cmd, b"", None, RUN)?,
            false => run(&mut cmd, line.as_bytes(), Some(line.trim_end()), RUN)?,
        };
        if !out.success {
            return Err(format!(
                "{} (process {}) failed: `{}`; output:\n{}",
                profile.name,
                pass + 1,
                argv.join(" "),
                out.text()
            ));
        }
        outputs.push(out);
    }
    Ok(outputs)
}

fn anchors() -> TrustAnchors {
    TrustAnchors::from_pem(&std::fs::read_to_string(cert("ca.pem")).unwrap()).unwrap()
}

fn identity(chain: &str, key: &str) -> CertifiedKey {
    CertifiedKey::from_pem(
        &std::fs::read_to_string(cert(chain)).unwrap(),
        &std::fs::read_to_string(cert(key)).unwrap(),
    )
    .unwrap()
}

/// One engine client connection: handshake, a line out, the reply back.
fn engine_connect(
    port: u16,
    config: ClientConfig,
    seed: u64,
    line: &str,
    reply: &str,
) -> Result<shakedown_engine::HandshakeSummary, String> {
    let stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    let _ = stream.set_nodelay(true);
    let conn = Connection::client(Arc::new(config), Box::new(SeededRandom::from_seed(seed)), now_unix())
        .map_err(|e| e.to_string())?;
    let mut session = Session::new(conn, stream);
    let summary = session.handshake(STEP).map_err(|e| format!("handshake: {e}"))?;
    session.send(line.as_bytes()).map_err(|e| format!("send: {e}"))?;
    let got = session.receive(reply.len(), STEP).map_err(|e| format!("receive: {e}"))?;
    if got != reply.as_bytes() {
        return Err(format!("sent {line:?}, wanted {reply:?} back, got {:?}", String::from_utf8_lossy(&got)));
    }
    session.close();
    Ok(summary)
}

/// Engine client against a peer server: a full handshake and a resumed one.
fn engine_client_cell(
    peer: Peer,
    port: u16,
    v: ProtocolVersion,
    s: &SuiteInfo,
    auth: Auth,
    seed: u64,
) -> Result<(), String> {
    let mut config = ClientConfig {
        versions: VersionRange::only(v),
        suites: vec![s.suite],
        server_name: Some("localhost".into()),
        trust: Some(anchors()),
        client_cert: (auth == Auth::ClientCert).then(|| identity("client.pem", "client.key.pem")),
        ..ClientConfig::default()
    };
    let check = |sum: &shakedown_engine::HandshakeSummary, resumed: bool| {
        if (sum.version, sum.suite, sum.resumed) != (v, s.suite, resumed) {
            return Err(format!(
                "negotiated {} {} resumed={}, wanted {v} {} resumed={resumed}",
                sum.version,
                suite_name(sum.suite),
                sum.resumed,
                s.openssl_name
            ));
        }
        Ok(())
    };
    let line = "ping from the shakedown engine\n";
    let first = engine_connect(port, config.clone(), seed, line, &peer.reply(line))
        .map_err(|e| format!("full: {e}"))?;
    check(&first, false).map_err(|e| format!("full: {e}"))?;
    if let Peer::Prog(p) = peer
        && p.server_resumes(&v.to_string()).is_err()
    {
        return Ok(());
    }
    config.resume = Some(first.session.clone());
    let second = engine_connect(port, config, seed + 1, line, &peer.reply(line))
        .map_err(|e| format!("resumed: {e}"))?;
    check(&second, true).map_err(|e| format!("resumed: {e}"))?;
    Ok(())
}

/// The engine server of a cell: every version, one suite when given (the
/// cell's: the peer client offers what its profile offers and the engine
/// picks this one), and a client certificate required and verified for
/// [`Auth::ClientCert`].
fn engine_server_config(auth: Auth, suite: Option<&SuiteInfo>) -> ServerConfig {
    let base = ServerConfig::new(identity("server.chain.pem", "server.key.pem"));
    ServerConfig {
        versions: VersionRange::ALL,
        suites: suite.map_or(base.suites.clone(), |s| vec![s.suite]),
        client_auth: match auth {
            Auth::None => ClientAuthMode::Off,
            Auth::ClientCert => ClientAuthMode::Require,
        },
        client_trust: Some(anchors()),
        ..base
    }
}

/// How the engine server of a cell talks to a peer client (see [`Talk`]).
fn talk_to(profile: &Profile) -> Talk {
    match profile.echo {
        true => Talk::Greet(b"ping from the shakedown engine\n".to_vec()),
        false => Talk::EchoLine,
    }
}

/// Peer client (through its profile) against an engine server of its own,
/// which selects the cell's suite: the peer's own checks, then the
/// engine's view of every connection the client made.
fn engine_server_cell(
    peer: Peer,
    profile: &Profile,
    v: ProtocolVersion,
    s: &SuiteInfo,
    auth: Auth,
) -> Result<(), String> {
    let server = EngineServer::start(engine_server_config(auth, Some(s)), STEP, talk_to(profile))
        .map_err(|e| format!("engine server did not start: {e}"))?;
    let line = format!("ping from the {} client\n", peer.name());
    let resumes = client_resumes(profile);
    let client = run_profile_client(profile, server.port, v, auth, &line);
    let mut seen = Vec::new();
    for _ in 0..server.accepted() {
        match server.next(if client.is_ok() { STEP } else { Duration::from_millis(200) }) {
            Ok(x) => seen.push(x),
            Err(e) if client.is_ok() => return Err(e),
            Err(_) => break,
        }
    }
    let engine_view = format!("{seen:?}");
    let outputs = client.map_err(|e| format!("{e}\nengine server saw: {engine_view}"))?;
    let stdout: String = outputs.iter().map(|o| o.stdout.as_str()).collect();
    let text: String = outputs.iter().map(interop_support::Finished::text).collect();
    let want = peer.client_expects(v, s, resumes);
    let echoed = profile.echo || outputs.iter().all(|o| o.stdout.contains(line.trim_end()));
    if !want.iter().all(|w| stdout.contains(w.as_str())) || !echoed {
        return Err(format!(
            "{}: wanted {want:?}{} in its output:\n{text}",
            profile.name,
            if profile.echo { String::new() } else { format!(" and {line:?} echoed") }
        ));
    }
    // One connection, or a full one and then resumed ones (s_client
    // -reconnect resumes five times).
    let connections_ok = match resumes {
        true => seen.len() >= 2,
        false => seen.len() == 1,
    };
    if !connections_ok {
        return Err(format!(
            "engine server saw {} connection(s) ({}), wanted {}: {engine_view}",
            seen.len(),
            server.accepted(),
            if resumes { "a full one and resumed ones" } else { "one" }
        ));
    }
    // OpenSSL sends the client certificate with its issuer (the root), so
    // "with a certificate" is one or more.
    let certs_ok = |n: usize| (n > 0) == (auth == Auth::ClientCert);
    for (i, x) in seen.iter().enumerate() {
        let resumed = i > 0;
        if (x.version.as_str(), x.suite.as_str(), x.resumed)
            != (v.to_string().as_str(), s.openssl_name, resumed)
        {
            return Err(format!("engine server saw {x:?}, wanted {v} {} resumed={resumed}", s.openssl_name));
        }
        if !resumed && !certs_ok(x.peer_certs) {
            return Err(format!(
                "engine server saw {} client certificates with auth {}",
                x.peer_certs,
                auth.name()
            ));
        }
    }
    // A greeting comes back on every connection (the server checks it);
    // a line the client sends arrives on one of them at least.
    if !profile.echo && !seen.iter().any(|x| x.received == line.as_bytes()) {
        return Err(format!("engine server did not receive {line:?}: {engine_view}"));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The engine is the client; the peer serves.
    EngineClient,
    /// The engine serves; the peer is the client.
    EngineServer,
}

impl Role {
    fn name(self, peer: Peer) -> String {
        match self {
            Self::EngineClient => format!("engine client -> {} server", peer.name()),
            Self::EngineServer => format!("{} client -> engine server", peer.name()),
        }
    }
}

/// Runs one peer x role: every engine version x suite x auth mode, skipping
/// what the peer lacks, and prints the table. Fails naming each failed cell.
fn matrix(peer: Peer, role: Role) {
    let start = Instant::now();
    let role_name = role.name(peer);
    let release = match peer.available() {
        Ok(r) => r,
        Err(why) if !peers_required() => {
            println!("SKIPPED: {role_name}: {why} (set SHAKEDOWN_REQUIRE_PEERS=1 to make this a failure)");
            return;
        }
        Err(why) => panic!("{role_name}: {why}, and SHAKEDOWN_REQUIRE_PEERS is set"),
    };
    let caps = peer
        .capabilities()
        .unwrap_or_else(|e| panic!("{role_name}: asking {} what it supports: {e}", peer.name()));

    // A peer client starts through its profile; the engine server of each
    // cell is its own.
    let client_profile = match role {
        Role::EngineServer => Some(
            peer.profile("client")
                .unwrap_or_else(|e| panic!("{role_name}: the client profile of {}: {e}", peer.name())),
        ),
        Role::EngineClient => None,
    };
    // One peer server per auth mode, for the whole matrix.
    let mut peer_servers = Vec::new();
    if role == Role::EngineClient {
        for auth in Auth::ALL {
            match no_client_cert(peer, role, auth, None) {
                Some(_) => peer_servers.push(Err("not started: no client certificates".into())),
                None => peer_servers.push(peer.start_server(auth)),
            }
        }
    }

    let mut table = Table::default();
    let row = |v: &str, s: &str, auth: &str, outcome: Outcome| Row {
        peer: peer.name().into(),
        role: role_name.clone(),
        version: v.into(),
        suite: s.into(),
        auth: auth.into(),
        outcome,
    };
    let mut seed = 0;
    let has_rsa = caps.versions.iter().any(|(_, l)| l.as_ref().is_ok_and(|l| !l.is_empty()));
    if let Peer::Prog(p) = peer
        && !has_rsa
    {
        // Nothing to interoperate on: what must hold is that the two sides
        // refuse each other cleanly.
        let outcome = match refusal(p, role, &peer_servers, client_profile.as_ref()) {
            Ok(how) => Outcome::Skip(format!("no RSA key-exchange suite in this build; {how}")),
            Err(e) => Outcome::Fail(e),
        };
        table.push(row("*", "*", "*", outcome));
    }
    for v in ProtocolVersion::SUPPORTED {
        if matches!(peer, Peer::Prog(_)) && !has_rsa {
            break;
        }
        let offered = match caps.at(v) {
            Ok(list) => list,
            Err(why) => {
                table.push(row(
                    &v.to_string(),
                    "*",
                    "*",
                    Outcome::Skip(format!("{} lacks {v}: {why}", peer.name())),
                ));
                continue;
            }
        };
        let smoke = |s: &&SuiteInfo| !matches!(peer, Peer::Prog(_)) || SMOKE.contains(&(v, s.openssl_name));
        for s in ALL_SUITES.iter().filter(|s| s.usable_with(v)).filter(smoke) {
            if !offered.iter().any(|o| o == s.openssl_name) {
                table.push(row(&v.to_string(), s.openssl_name, "*", Outcome::Skip(caps.lacks_suite.clone())));
                continue;
            }
            for (i, auth) in Auth::ALL.into_iter().enumerate() {
                seed += 2;
                if let Some(why) = no_client_cert(peer, role, auth, client_profile.as_ref()) {
                    table.push(row(&v.to_string(), s.openssl_name, auth.name(), Outcome::Skip(why)));
                    continue;
                }
                let result = match role {
                    Role::EngineClient => match &peer_servers[i] {
                        Ok((_, port)) => engine_client_cell(peer, *port, v, s, auth, seed),
                        Err(e) => Err(format!("peer server did not start: {e}")),
                    },
                    Role::EngineServer => match &client_profile {
                        Some(profile) => engine_server_cell(peer, profile, v, s, auth),
                        None => Err("no client profile".into()),
                    },
                };
                let outcome = match result {
                    Ok(()) => Outcome::Pass,
                    Err(e) => {
                        // The peer server's log explains most failures.
                        let log = match peer_servers.get(i) {
                            Some(Ok((g, _))) => format!("\n{} log:\n{}", g.name, g.text()),
                            _ => String::new(),
                        };
                        Outcome::Fail(format!("{e}{log}"))
                    }
                };
                table.push(row(&v.to_string(), s.openssl_name, auth.name(), outcome));
            }
        }
    }
    drop(peer_servers);
    println!("{}({release}; {:.1} s)", table.render(&role_name), start.elapsed().as_secs_f64());
    let failures = table.failures();
    assert!(
        failures.is_empty(),
        "{role_name}: {} combination(s) failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(table.count(true) > 0 || (matches!(peer, Peer::Prog(_)) && !has_rsa), "{role_name}: nothing ran");
}

/// The profile's configuration group for an auth mode: a server that
/// requires a client certificate, or (a profile without that group, like
/// tlslite-ng's) one that requests it; the engine client sends its
/// certificate either way.
fn auth_group(profile: &Profile, auth: Auth) -> Result<&'static str, String> {
    match auth {
        Auth::None => Ok("default"),
        Auth::ClientCert => ["client_auth_require", "client_auth_request"]
            .into_iter()
            .find(|g| profile.group_args.contains_key(*g))
            .ok_or_else(|| format!("{} has no group that asks for a client certificate", profile.name)),
    }
}

/// Why a client-certificate cell cannot run on this peer in this role: a
/// server that never asks, or a client whose profile
/// (`client_profile`) lacks the `client_certificate` feature.
fn no_client_cert(peer: Peer, role: Role, auth: Auth, client_profile: Option<&Profile>) -> Option<String> {
    if auth != Auth::ClientCert {
        return None;
    }
    match (role, peer, client_profile) {
        (Role::EngineClient, Peer::Prog(p), _) => p.server_without_client_auth().map(String::from),
        (Role::EngineServer, _, Some(profile)) if !profile.features.contains(&Feature::ClientCertificate) => {
            Some(format!(
                "{} lacks feature client_certificate (its profile has no way to send one)",
                profile.name
            ))
        }
        _ => None,
    }
}

/// A peer without RSA key exchange (Debian's wolfSSL): the engine client
/// offering only RSA suites must get handshake_failure (RFC 5246 7.4.1.3),
/// and the peer client must fail against the engine server, which refuses
/// its hello. Says how it went.
fn refusal(
    p: Program,
    role: Role,
    peer_servers: &[Result<(ChildGuard, u16), String>],
    client_profile: Option<&Profile>,
) -> Result<String, String> {
    let v = ProtocolVersion::Tls12;
    match role {
        Role::EngineClient => {
            let (_, port) = peer_servers.first().ok_or("no server")?.as_ref().map_err(Clone::clone)?;
            let config = ClientConfig {
                versions: VersionRange::only(v),
                server_name: Some("localhost".into()),
                trust: Some(anchors()),
                ..ClientConfig::default()
            };
            match engine_connect(*port, config, 1, "ping\n", "ping\n") {
                Err(e) if e.contains("handshake_failure") => {
                    Ok(format!("{} server refused the engine's RSA suites: {e}", p.name()))
                }
                other => Err(format!("wanted handshake_failure, got {other:?}")),
            }
        }
        Role::EngineServer => {
            let profile = client_profile.ok_or("no client profile")?;
            let server = EngineServer::start(engine_server_config(Auth::None, None), STEP, talk_to(profile))?;
            match run_profile_client(profile, server.port, v, Auth::None, "ping\n") {
                Ok(_) => Err(format!("{} completed a handshake without RSA suites?", profile.name)),
                Err(client) => match server.next(STEP) {
                    Err(e) if e.contains("handshake") => {
                        Ok(format!("the engine server refused the {} client's hello: {e}", p.name()))
                    }
                    other => Err(format!(
                        "wanted the engine server to refuse the hello, saw {other:?}; client: {client}"
                    )),
                },
            }
        }
    }
}

#[test]
fn engine_client_against_botan_server() {
    matrix(Peer::Prog(Program::Botan), Role::EngineClient);
}

#[test]
fn botan_client_against_engine_server() {
    matrix(Peer::Prog(Program::Botan), Role::EngineServer);
}

#[test]
fn engine_client_against_go_server() {
    matrix(Peer::Prog(Program::Go), Role::EngineClient);
}

#[test]
fn go_client_against_engine_server() {
    matrix(Peer::Prog(Program::Go), Role::EngineServer);
}

#[test]
fn engine_client_against_jsse_server() {
    matrix(Peer::Prog(Program::Jsse), Role::EngineClient);
}

#[test]
fn jsse_client_against_engine_server() {
    matrix(Peer::Prog(Program::Jsse), Role::EngineServer);
}

#[test]
fn engine_client_against_mbedtls_server() {
    matrix(Peer::Prog(Program::MbedTls), Role::EngineClient);
}

#[test]
fn mbedtls_client_against_engine_server() {
    matrix(Peer::Prog(Program::MbedTls), Role::EngineServer);
}

#[test]
fn engine_client_against_wolfssl_server() {
    matrix(Peer::Prog(Program::WolfSsl), Role::EngineClient);
}

#[test]
fn wolfssl_client_against_engine_server() {
    matrix(Peer::Prog(Program::WolfSsl), Role::EngineServer);
}

#[test]
fn engine_client_against_openssl_server() {
    matrix(Peer::OpenSsl, Role::EngineClient);
}

#[test]
fn openssl_client_against_engine_server() {
    matrix(Peer::OpenSsl, Role::EngineServer);
}

#[test]
fn engine_client_against_gnutls_server() {
    matrix(Peer::GnuTls, Role::EngineClient);
}

#[test]
fn gnutls_client_against_engine_server() {
    matrix(Peer::GnuTls, Role::EngineServer);
}

#[test]
fn engine_client_against_tlslite_server() {
    matrix(Peer::Tlslite, Role::EngineClient);
}

#[test]
fn tlslite_client_against_engine_server() {
    matrix(Peer::Tlslite, Role::EngineServer);
}

/// A server that accepts and never answers: the engine client gives up at
/// its deadline with a timeout, not a hang.
#[test]
fn engine_client_gives_up_on_a_stalled_server() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let holder = std::thread::spawn(move || {
        // Hold the accepted socket open, silent, until the client is gone.
        let (mut s, _) = listener.accept().unwrap();
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut s, &mut sink);
        sink.len()
    });
    let config =
        ClientConfig { versions: VersionRange::only(ProtocolVersion::Tls12), ..ClientConfig::default() };
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let conn =
        Connection::client(Arc::new(config), Box::new(SeededRandom::from_seed(1)), now_unix()).unwrap();
    let mut session = Session::new(conn, stream);
    let start = Instant::now();
    let timeout = Duration::from_secs(1);
    let err = session.handshake(timeout).unwrap_err();
    let took = start.elapsed();
    assert!(matches!(err, DriveError::Timeout), "stalled server: wanted a timeout, got {err}");
    assert_eq!(err.to_string(), "timed out waiting for the peer");
    assert!(
        took >= timeout && took < timeout + Duration::from_secs(2),
        "stalled server: gave up after {took:?}, deadline {timeout:?}"
    );
    drop(session);
    // The ClientHello went out before the silence.
    assert!(holder.join().unwrap() > 0);
}

/// The same through the binary: `shakedown connect --timeout 1` exits non-zero
/// with the reason.
#[test]
fn connect_command_gives_up_on_a_stalled_server() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let holder = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut s, &mut sink);
    });
    let start = Instant::now();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shakedown"));
    cmd.args(["connect", &format!("127.0.0.1:{port}"), "--timeout", "1"]);
    let out = run(&mut cmd, b"", None, Duration::from_secs(20)).unwrap();
    assert!(!out.success, "stalled server: connect succeeded?\n{}", out.text());
    assert!(out.text().contains("timed out waiting for the peer"), "stalled server: {}", out.text());
    assert!(start.elapsed() < Duration::from_secs(10), "took {:?}", start.elapsed());
    holder.join().unwrap();
}

/// A client that connects and never speaks: the engine server gives up.
#[test]
fn engine_server_gives_up_on_a_stalled_client() {
    let server = EngineServer::start(
        ServerConfig::new(identity("server.chain.pem", "server.key.pem")),
        Duration::from_secs(1),
        Talk::EchoLine,
    )
    .unwrap();
    let start = Instant::now();
    let _silent = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let err = server.next(Duration::from_secs(10)).unwrap_err();
    assert!(err.contains("timed out waiting for the peer"), "stalled client: {err}");
    assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());
}

/// No byte sequence from a peer may panic the engine: a real OpenSSL
/// server's first flight (ServerHello .. ServerHelloDone), fed to engine
/// clients with each byte flipped in turn and cut at every length. Every
/// case must end in an error or a state waiting for more, never a panic.
#[test]
fn engine_client_survives_every_mutation_of_a_real_openssl_flight() {
    let peer = Peer::OpenSsl;
    if let Err(why) = peer.available() {
        assert!(!peers_required(), "openssl: {why}, and SHAKEDOWN_REQUIRE_PEERS is set");
        println!("SKIPPED: mutations of an openssl flight: {why}");
        return;
    }
    let (_server, port) = peer.start_server(Auth::None).unwrap();
    let now = now_unix();
    let config = Arc::new(ClientConfig {
        versions: VersionRange::only(ProtocolVersion::Tls12),
        suites: vec![shakedown_engine::msgs::enums::CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256],
        server_name: Some("localhost".into()),
        trust: Some(anchors()),
        ..ClientConfig::default()
    });
    let client = || Connection::client(config.clone(), Box::new(SeededRandom::from_seed(99)), now).unwrap();

    // Record the flight with a real client, byte for byte.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut real = client();
    std::io::Write::write_all(&mut stream, &real.take_output()).unwrap();
    stream.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    let mut flight = Vec::new();
    let deadline = Instant::now() + STEP;
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        match std::io::Read::read(&mut stream, &mut buf) {
            Ok(0) => break,
            Ok(n) => flight.extend_from_slice(&buf[..n]),
            Err(_) if !flight.is_empty() => break,
            Err(_) => {}
        }
    }
    drop(stream);
    // The unmodified flight is accepted: the client moves on to its key exchange.
    real.feed(&flight).unwrap();
    assert!(real.has_output(), "openssl flight: the engine client did not answer");

    let mut cases = 0;
    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    let mut try_case = |what: String, bytes: &[u8]| {
        let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut c = client();
            c.take_output();
            c.feed(bytes).err()
        }));
        match got {
            Ok(err) => {
                let key = err.map_or_else(
                    || "no error (waiting or done)".to_string(),
                    |e| format!("{e:?}").split('(').next().unwrap_or_default().to_string(),
                );
                *outcomes.entry(key).or_default() += 1;
            }
            Err(_) => panic!("openssl flight: the engine client panicked on {what}"),
        }
        cases += 1;
    };
    for i in 0..flight.len() {
        let mut m = flight.clone();
        m[i] ^= 0xff;
        try_case(format!("byte {i} flipped"), &m);
        try_case(format!("cut at {i}"), &flight[..i]);
    }
    println!(
        "\n== engine client vs {} mutated openssl flights ({} bytes): no panic; outcomes {outcomes:?}",
        cases,
        flight.len()
    );
}
