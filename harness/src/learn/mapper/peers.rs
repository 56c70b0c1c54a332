//! Connections for the server learner: the reference engine in memory, a
//! TCP address, or a profile's command started here (once, or once per
//! connection for a server that serves one connection).

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use shakedown_engine::crypto::SeededRandom;
use shakedown_engine::{ClientConfig, Connection, ServerConfig};

use super::link::{Link, TcpLink};
use super::sul::Connect;
use crate::peer::listen::accept_client;
use crate::peer::memory::MemoryPeer;
use crate::peer::process::{PeerProcess, free_port};
use crate::peer::profile::{Profile, StartMode};
use crate::run::configs::NOW;
use crate::vector::Version;

/// How long a finished TCP query waits for the server to close its end.
const LINGER: Duration = Duration::from_secs(2);

/// The built-in server; every connection gets the same randomness, so the
/// same inputs get the same bytes back.
pub fn builtin(config: Arc<ServerConfig>, seed: u64) -> Connect {
    Box::new(move || {
        let rng = Box::new(SeededRandom::from_seed(seed));
        let conn = Connection::server(config.clone(), rng, NOW);
        Ok(Box::new(MemoryPeer::new(conn)) as Box<dyn Link>)
    })
}

/// The built-in client; every connection gets the same randomness.
pub fn builtin_client(config: Arc<ClientConfig>, seed: u64) -> Connect {
    Box::new(move || {
        let rng = Box::new(SeededRandom::from_seed(seed));
        let conn = Connection::client(config.clone(), rng, NOW).map_err(|e| format!("the client: {e}"))?;
        Ok(Box::new(MemoryPeer::new(conn)) as Box<dyn Link>)
    })
}

pub fn tcp(addr: String, timeout: Duration) -> Connect {
    Box::new(move || TcpLink::connect(&addr, timeout, LINGER).map(|t| Box::new(t) as Box<dyn Link>))
}

fn start(profile: &Profile, group: &str, certs: &Path) -> Result<PeerProcess, String> {
    let port = free_port()?;
    let argv = profile.argv_for(group, None, port, certs);
    let mut p = PeerProcess::spawn(profile, &argv, port)?;
    p.wait_ready(&profile.ready, Duration::from_millis(profile.startup_timeout_ms))
        .map_err(|e| format!("{}: {e}", profile.name))?;
    Ok(p)
}

/// A profile's server: started once (per_group) or for every connection
/// (per_test), killed when the learner is done with it.
pub fn profile(profile: Profile, group: String, certs: std::path::PathBuf, timeout: Duration) -> Connect {
    let mut running: Option<PeerProcess> = None;
    Box::new(move || {
        let per_group = profile.start == StartMode::PerGroup;
        // A server that died mid-run is reported, not restarted: the input
        // that killed it is the finding.
        if per_group
            && let Some(p) = running.as_mut()
            && !p.alive()
        {
            return Err(format!("{} died: {}", profile.name, p.exit_note()));
        }
        if !per_group || running.is_none() {
            running = None;
            running = Some(start(&profile, &group, &certs)?);
        }
        let port = running.as_ref().map(|p| p.port).ok_or("the peer did not start")?;
        TcpLink::connect(&format!("127.0.0.1:{port}"), timeout, LINGER)
            .map(|t| Box::new(t) as Box<dyn Link>)
            .map_err(|e| {
                let note = running.as_mut().map(PeerProcess::exit_note).unwrap_or_default();
                format!("{e}; {note}")
            })
    })
}

/// A client profile (`role: client`): every connection is a new process,
/// started with the `with_cert` group and `version`'s arguments against a
/// fresh loopback listener; the first connection that sends a whole first
/// record within the profile's startup time (at least `timeout`) is the
/// query's. A profile with `reset_by_line` is started once instead
/// ([`line_client`]).
pub fn profile_client(
    profile: Profile,
    version: Version,
    certs: std::path::PathBuf,
    timeout: Duration,
) -> Connect {
    if let Some(extra) = profile.reset_by_line.clone() {
        return line_client(profile, version, certs, timeout, extra);
    }
    Box::new(move || {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("listen: {e}"))?;
        let port = listener.local_addr().map_err(|e| format!("listen: {e}"))?.port();
        let argv = profile.argv_for("with_cert", Some(version), port, &certs);
        let mut process = PeerProcess::spawn(&profile, &argv, port)?;
        // As the runner does: the process may take its startup time
        // (a JVM's) before it connects.
        let startup = Duration::from_millis(profile.startup_timeout_ms);
        let peer = accept_client(&listener, Instant::now() + startup.max(timeout), timeout, false)
            .map_err(|e| format!("{}: {e}; {}", profile.name, process.exit_note()))?;
        Ok(Box::new(TcpLink::accepted(peer, process)) as Box<dyn Link>)
    })
}

/// A client that stays up (`reset_by_line`): started once, with `extra`
/// after its arguments, against one loopback listener; each connection is
/// asked for with a line on its standard input and accepted as in
/// [`profile_client`]. A client that died is reported, not started again:
/// the query that killed it is the finding. The process is killed when
/// the learner drops the connector.
fn line_client(
    profile: Profile,
    version: Version,
    certs: std::path::PathBuf,
    timeout: Duration,
    extra: Vec<String>,
) -> Connect {
    let mut running: Option<(TcpListener, PeerProcess)> = None;
    Box::new(move || {
        if running.is_none() {
            let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("listen: {e}"))?;
            let port = listener.local_addr().map_err(|e| format!("listen: {e}"))?.port();
            let mut argv = profile.argv_for("with_cert", Some(version), port, &certs);
            argv.extend(extra.iter().cloned());
            running = Some((listener, PeerProcess::spawn(&profile, &argv, port)?));
        }
        let (listener, process) = running.as_mut().ok_or("the client did not start")?;
        if !process.alive() {
            return Err(format!("{} died: {}", profile.name, process.exit_note()));
        }
        process
            .write_line("connect")
            .map_err(|e| format!("{}: {e}; {}", profile.name, process.exit_note()))?;
        // The first connection waits for the process's startup too.
        let startup = Duration::from_millis(profile.startup_timeout_ms);
        let peer = accept_client(listener, Instant::now() + startup.max(timeout), timeout, false)
            .map_err(|e| format!("{}: {e}; {}", profile.name, process.exit_note()))?;
        Ok(Box::new(TcpLink::from_running_client(peer)) as Box<dyn Link>)
    })
}
