//! The peer a timing run measures, as an address: the built-in server on a
//! loopback port served by a thread of this process (the `shakedown serve`
//! loop), a TCP address, or a profile's server started for the run.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use shakedown_engine::crypto::SeededRandom;
use shakedown_engine::{Connection, ServerConfig};

use crate::args::now_unix;
use crate::peer::process::{PeerProcess, free_port};
use crate::peer::profile::Profile;
use crate::session::Session;
use crate::vector::Role;

/// A running peer; whatever was started stops when this is dropped.
#[derive(Debug)]
pub struct Target {
    pub address: String,
    pub description: String,
    _builtin: Option<BuiltinServer>,
    _process: Option<PeerProcess>,
}

impl Target {
    pub fn tcp(address: &str) -> Self {
        Self {
            address: address.to_owned(),
            description: format!("tcp:{address}"),
            _builtin: None,
            _process: None,
        }
    }

    /// The engine's server on a free loopback port, one connection at a
    /// time, in a thread of this process.
    pub fn builtin(config: ServerConfig, seed: u64, timeout: Duration) -> Result<Self, String> {
        let server = BuiltinServer::start(Arc::new(config), seed, timeout)?;
        Ok(Self {
            address: server.address.clone(),
            description: "builtin (in-process server thread on loopback)".into(),
            _builtin: Some(server),
            _process: None,
        })
    }

    /// A profile's server, started with its default group's arguments.
    pub fn profile(profile: &Profile, certs: &Path) -> Result<Self, String> {
        if profile.role != Role::Server {
            return Err(format!("{} is a client; timing needs a server", profile.name));
        }
        let port = free_port()?;
        let argv = profile.argv_for("default", None, port, certs);
        let mut process = PeerProcess::spawn(profile, &argv, port)?;
        process.wait_ready(&profile.ready, Duration::from_millis(profile.startup_timeout_ms))?;
        Ok(Self {
            address: format!("127.0.0.1:{port}"),
            description: format!("{} (`{}`)", profile.name, argv.join(" ")),
            _builtin: None,
            _process: Some(process),
        })
    }
}

#[derive(Debug)]
struct BuiltinServer {
    address: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl BuiltinServer {
    fn start(config: Arc<ServerConfig>, seed: u64, timeout: Duration) -> Result<Self, String> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?.to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                serve_one(config.clone(), stream, seed.wrapping_add(n as u64), timeout);
            }
        });
        Ok(Self { address, stop, thread: Some(thread) })
    }
}

/// As `shakedown serve`: handshake, then echo until the peer goes.
fn serve_one(config: Arc<ServerConfig>, stream: TcpStream, seed: u64, timeout: Duration) {
    let _ = stream.set_nodelay(true);
    let rng = Box::new(SeededRandom::from_seed(seed));
    let mut session = Session::new(Connection::server(config, rng, now_unix()), stream);
    if session.handshake(timeout).is_err() {
        return;
    }
    while let Ok(Some(data)) = session.next_data(timeout) {
        if session.send(&data).is_err() {
            return;
        }
    }
}

impl Drop for BuiltinServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept call so the thread sees the flag.
        let _ = TcpStream::connect_timeout(
            &self.address.parse().unwrap_or(std::net::SocketAddr::from(([127, 0, 0, 1], 0))),
            Duration::from_secs(1),
        );
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
