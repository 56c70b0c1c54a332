//! `shakedown serve`: the reference server, echoing application data.
//!
//! Every connection gets its own thread and its own deadline, so an idle,
//! trickling or hostile client never delays another; the number in flight
//! is bounded, and a connection over the bound is closed at once rather
//! than left waiting.

use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Args;
use shakedown_engine::{ClientAuthMode, Connection, ServerConfig};

use super::{CommonArgs, describe};
use crate::args::{load_anchors, load_identity, now_unix};
use crate::session::{DriveError, Session};

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Port; 0 picks a free one (printed on the `ready` line).
    #[arg(long, default_value_t = 4433)]
    pub port: u16,
    /// Certificate chain (PEM, leaf first).
    #[arg(long, default_value = "vectors/certs/server.chain.pem")]
    pub cert: String,
    /// The leaf's private key (PEM).
    #[arg(long, default_value = "vectors/certs/server.key.pem")]
    pub key: String,
    /// Ask for a client certificate: off, request or require.
    #[arg(long, default_value = "off", value_parser = parse_client_auth)]
    pub client_auth: ClientAuthMode,
    /// Trust anchors (PEM) for client certificates.
    #[arg(long)]
    pub client_ca: Option<String>,
    /// Pick the client's most preferred acceptable suite.
    #[arg(long)]
    pub prefer_client_order: bool,
    /// Serve this many connections, then exit (0: forever).
    #[arg(long, default_value_t = 0)]
    pub count: u64,
    /// Connections served at once; one more is closed on arrival.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=65536))]
    pub max_connections: u64,
    /// Flaws of the reference server (the engine playing a broken
    /// implementation, `shakedown_engine::flaw`), by name; repeatable.
    #[arg(long = "flaw", value_parser = parse_flaw)]
    pub flaws: Vec<shakedown_engine::flaw::Flaw>,
}

pub fn parse_flaw(s: &str) -> Result<shakedown_engine::flaw::Flaw, String> {
    shakedown_engine::flaw::Flaw::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = shakedown_engine::flaw::Flaw::ALL.iter().map(|f| f.name()).collect();
        format!("unknown flaw `{s}` (known: {})", names.join(", "))
    })
}

fn parse_client_auth(s: &str) -> Result<ClientAuthMode, String> {
    match s {
        "off" => Ok(ClientAuthMode::Off),
        "request" => Ok(ClientAuthMode::Request),
        "require" => Ok(ClientAuthMode::Require),
        other => Err(format!("client auth `{other}`: use off, request or require")),
    }
}

pub fn run(args: &ServeArgs) -> Result<(), String> {
    let mut config = ServerConfig::new(load_identity(&args.cert, &args.key)?);
    config.versions = args.common.versions;
    config.client_auth = args.client_auth;
    config.prefer_client_order = args.prefer_client_order;
    config.extended_master_secret = !args.common.no_ems;
    config.encrypt_then_mac = args.common.etm;
    config.provider = args.common.provider.clone();
    if let Some(suites) = &args.common.suites {
        config.suites = suites.0.clone();
    }
    if let Some(ca) = &args.client_ca {
        config.client_trust = Some(load_anchors(ca)?);
    }
    config.flaws = args.flaws.iter().copied().collect();
    let config = Arc::new(config);
    let listener = TcpListener::bind((args.bind.as_str(), args.port))
        .map_err(|e| format!("bind {}:{}: {e}", args.bind, args.port))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    crate::say!("ready: listening on {local}");
    let in_flight = AtomicUsize::new(0);
    let in_flight = &in_flight;
    let max = usize::try_from(args.max_connections).unwrap_or(usize::MAX);
    std::thread::scope(|scope| {
        let mut accepted = 0u64;
        for stream in listener.incoming() {
            let stream = match stream {
                Ok(s) => s,
                Err(e) => {
                    crate::tell!("accept: {e}");
                    continue;
                }
            };
            let n = accepted;
            accepted += 1;
            if in_flight.fetch_add(1, Ordering::AcqRel) >= max {
                in_flight.fetch_sub(1, Ordering::AcqRel);
                crate::say!("connection {n}: refused, {max} connections in flight (--max-connections)");
                drop(stream);
            } else {
                let config = config.clone();
                let spawned = std::thread::Builder::new()
                    .name(format!("conn-{n}"))
                    .stack_size(256 * 1024)
                    .spawn_scoped(scope, move || {
                        if let Err(e) = serve_one(args, config, stream, n) {
                            crate::say!("connection {n}: {e}");
                        }
                        in_flight.fetch_sub(1, Ordering::AcqRel);
                    });
                if let Err(e) = spawned {
                    in_flight.fetch_sub(1, Ordering::AcqRel);
                    crate::tell!("connection {n}: no thread for it: {e}");
                }
            }
            if args.count != 0 && accepted >= args.count {
                break;
            }
        }
    });
    Ok(())
}

fn serve_one(args: &ServeArgs, config: Arc<ServerConfig>, stream: TcpStream, n: u64) -> Result<(), String> {
    let _ = stream.set_nodelay(true);
    let peer = stream.peer_addr().map(|a| a.to_string()).unwrap_or_default();
    let conn = Connection::server(config, args.common.rng(n), now_unix());
    let mut session = Session::new(conn, stream);
    let timeout = args.common.timeout();
    let summary = session.handshake(timeout).map_err(|e| format!("handshake with {peer}: {e}"))?;
    crate::say!("connection {n}: negotiated {}", describe(&summary));
    args.common.write_keylog(&summary);
    // Echo application data until the peer closes: what arrived together
    // goes back as one write, as `openssl s_server` echoes.
    loop {
        match session.next_data(timeout) {
            Ok(Some(mut d)) => {
                while let Some(more) = session.pending_data() {
                    d.extend_from_slice(&more);
                }
                crate::say!("connection {n}: echoing {} bytes", d.len());
                session.send(&d).map_err(|e| e.to_string())?;
            }
            Ok(None) => {
                crate::say!("connection {n}: closed by peer");
                return Ok(());
            }
            Err(DriveError::Eof) => return Ok(()),
            Err(e) => return Err(e.to_string()),
        }
    }
}
