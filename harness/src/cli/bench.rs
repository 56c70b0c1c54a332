//! `shakedown bench`: handshakes per second and bulk throughput against a
//! peer over loopback, with the harness's own CPU time beside each figure so
//! a user can tell whether the load side is the bottleneck.

use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use cpu_time::ProcessTime;
use shakedown_engine::{ClientConfig, Connection, ServerConfig};

use super::CommonArgs;
use crate::args::{load_identity, now_unix};
use crate::session::Session;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// `builtin` (the engine's own server on a loopback port, in this
    /// process) or `tcp:HOST:PORT` (a running server; bulk needs it to echo).
    #[arg(long, default_value = "builtin")]
    pub peer: String,
    #[command(flatten)]
    pub common: CommonArgs,
    /// Seconds for each handshake measurement.
    #[arg(long, default_value_t = 3)]
    pub seconds: u64,
    /// MiB of application data to send (and read back) for the bulk figure;
    /// 0 skips it.
    #[arg(long, default_value_t = 32)]
    pub bulk_mib: usize,
    /// Trust anchors for the server's chain (default: not verified).
    #[arg(long)]
    pub ca: Option<String>,
    /// server_name to send.
    #[arg(long)]
    pub server_name: Option<String>,
    /// Certificate directory for the builtin peer.
    #[arg(long, default_value = "vectors/certs")]
    pub certs: String,
}

/// One measurement: work done, wall time, and this process's CPU time.
struct Measured {
    count: f64,
    wall: Duration,
    cpu: Duration,
}

impl Measured {
    fn line(&self, what: &str, unit: &str, builtin: bool) -> String {
        let wall = self.wall.as_secs_f64().max(f64::EPSILON);
        let share = 100.0 * self.cpu.as_secs_f64() / wall;
        let whose = if builtin { "harness + builtin peer" } else { "harness" };
        format!(
            "{what:<20} {:>12.1} {unit}  ({:.0} in {:.2} s; {whose} CPU {:.2} s = {share:.0}% of one core)",
            self.count / wall,
            self.count,
            wall,
            self.cpu.as_secs_f64()
        )
    }
}

pub fn run(args: &BenchArgs) -> Result<(), String> {
    let builtin = args.peer == "builtin";
    let address = match args.peer.strip_prefix("tcp:") {
        Some(a) => a.to_string(),
        None if builtin => start_builtin(args)?,
        None => return Err(format!("--peer {}: use builtin or tcp:HOST:PORT", args.peer)),
    };
    let config = args.common.client_config(args.server_name.clone(), args.ca.as_deref())?;
    crate::say!("shakedown bench against {} ({address})", args.peer);
    let window = Duration::from_secs(args.seconds.max(1));
    let (full, session) = handshakes(args, &address, &config, window, false)?;
    crate::say!("{}", full.line("full handshakes", "/s", builtin));
    if let Some(session) = session {
        let resumed_config = ClientConfig { resume: Some(session), ..config.clone() };
        let (resumed, _) = handshakes(args, &address, &resumed_config, window, true)?;
        crate::say!("{}", resumed.line("resumed handshakes", "/s", builtin));
    }
    if args.bulk_mib > 0 {
        let bulk = bulk(args, &address, &config)?;
        crate::say!("{}", bulk.line("bulk echo", "MiB/s", builtin));
    }
    Ok(())
}

fn connect(args: &BenchArgs, address: &str, config: &ClientConfig, n: u64) -> Result<Session, String> {
    let stream = TcpStream::connect(address).map_err(|e| format!("connect {address}: {e}"))?;
    let _ = stream.set_nodelay(true);
    let conn = Connection::client(Arc::new(config.clone()), args.common.rng(n), now_unix())
        .map_err(|e| e.to_string())?;
    Ok(Session::new(conn, stream))
}

/// Handshakes back to back for `window`; returns the rate and a session to
/// resume.
fn handshakes(
    args: &BenchArgs,
    address: &str,
    config: &ClientConfig,
    window: Duration,
    must_resume: bool,
) -> Result<(Measured, Option<shakedown_engine::SessionData>), String> {
    let (start, cpu) = (Instant::now(), ProcessTime::now());
    let mut count = 0u64;
    let mut session = None;
    while start.elapsed() < window {
        let mut s = connect(args, address, config, count)?;
        let summary = s.handshake(args.common.timeout()).map_err(|e| format!("handshake {count}: {e}"))?;
        if must_resume && !summary.resumed {
            return Err("the peer did not resume the session".into());
        }
        session = Some(summary.session);
        s.close();
        count += 1;
    }
    Ok((Measured { count: count as f64, wall: start.elapsed(), cpu: cpu.elapsed() }, session))
}

/// Sends `bulk_mib` MiB in 16 KiB records and reads the echo back.
fn bulk(args: &BenchArgs, address: &str, config: &ClientConfig) -> Result<Measured, String> {
    let mut s = connect(args, address, config, u64::MAX / 2)?;
    s.handshake(args.common.timeout()).map_err(|e| format!("handshake: {e}"))?;
    // Each record is one line: line-oriented echo servers (gnutls-serv
    // --echo) answer per line.
    let mut chunk = vec![0x61u8; 16 * 1024];
    if let Some(last) = chunk.last_mut() {
        *last = b'\n';
    }
    let total = args.bulk_mib * 1024 * 1024;
    let (start, cpu) = (Instant::now(), ProcessTime::now());
    let (mut sent, mut received) = (0usize, 0usize);
    while sent < total {
        s.send(&chunk).map_err(|e| format!("send: {e}"))?;
        sent += chunk.len();
        // Keep at most 1 MiB in flight so neither socket buffer fills up.
        while sent - received > 1024 * 1024 {
            received += s.receive(1, args.common.timeout()).map_err(|e| format!("echo: {e}"))?.len();
        }
    }
    while received < total {
        received +=
            s.receive(total - received, args.common.timeout()).map_err(|e| format!("echo: {e}"))?.len();
    }
    s.close();
    let mib = (sent + received) as f64 / 2.0 / (1024.0 * 1024.0);
    Ok(Measured { count: mib, wall: start.elapsed(), cpu: cpu.elapsed() })
}

/// The engine's own echo server on a free loopback port, in a thread.
fn start_builtin(args: &BenchArgs) -> Result<String, String> {
    let dir = &args.certs;
    let mut config = ServerConfig::new(load_identity(
        &format!("{dir}/server.chain.pem"),
        &format!("{dir}/server.key.pem"),
    )?);
    config.versions = args.common.versions;
    config.provider = args.common.provider.clone();
    if let Some(suites) = &args.common.suites {
        config.suites = suites.0.clone();
    }
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let address = listener.local_addr().map_err(|e| e.to_string())?.to_string();
    let timeout = args.common.timeout();
    let seed = args.common.seed;
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(stream) = stream else { continue };
            let _ = stream.set_nodelay(true);
            let rng = Box::new(match seed {
                Some(s) => shakedown_engine::crypto::SeededRandom::from_seed(s.wrapping_add(n as u64)),
                None => shakedown_engine::crypto::SeededRandom::from_os(),
            });
            let mut s = Session::new(Connection::server(config.clone(), rng, now_unix()), stream);
            if s.handshake(timeout).is_err() {
                continue;
            }
            while let Ok(Some(data)) = s.next_data(timeout) {
                if s.send(&data).is_err() {
                    break;
                }
            }
        }
    });
    Ok(address)
}
