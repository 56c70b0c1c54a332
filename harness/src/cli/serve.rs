//! `shakedown serve`: the reference server, echoing application data.

use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use clap::Args;
use shakedown_engine::{ClientAuthMode, Connection, ServerConfig};

use super::{CommonArgs, describe};
use crate::args::{load_anchors, load_identity, now_unix};
use crate::net::{DriveError, Session};

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
    if let Some(suites) = &args.common.suites {
        config.suites = suites.0.clone();
    }
    if let Some(ca) = &args.client_ca {
        config.client_trust = Some(load_anchors(ca)?);
    }
    let config = Arc::new(config);
    let listener = TcpListener::bind((args.bind.as_str(), args.port))
        .map_err(|e| format!("bind {}:{}: {e}", args.bind, args.port))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    println!("ready: listening on {local}");
    let mut served = 0u64;
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(s) => s,
            Err(e) => {
                eprintln!("accept: {e}");
                continue;
            }
        };
        // One connection at a time keeps the output readable and the
        // session cache the only state shared between connections.
        if let Err(e) = serve_one(args, config.clone(), stream, served) {
            println!("connection {served}: {e}");
        }
        served += 1;
        if args.count != 0 && served >= args.count {
            break;
        }
    }
    Ok(())
}

fn serve_one(args: &ServeArgs, config: Arc<ServerConfig>, stream: TcpStream, n: u64) -> Result<(), String> {
    let _ = stream.set_nodelay(true);
    let peer = stream.peer_addr().map(|a| a.to_string()).unwrap_or_default();
    let conn = Connection::server(config, args.common.rng(n), now_unix());
    let mut session = Session::new(conn, stream);
    let timeout = args.common.timeout();
    let summary = session
        .handshake(timeout)
        .map_err(|e| format!("handshake with {peer}: {e}"))?;
    println!("connection {n}: negotiated {}", describe(&summary));
    args.common.write_keylog(&summary);
    // Echo every piece of application data until the peer closes.
    loop {
        match session.next_data(timeout) {
            Ok(Some(d)) => {
                println!("connection {n}: echoing {} bytes", d.len());
                session.send(&d).map_err(|e| e.to_string())?;
            }
            Ok(None) => {
                println!("connection {n}: closed by peer");
                return Ok(());
            }
            Err(DriveError::Eof) => return Ok(()),
            Err(e) => return Err(e.to_string()),
        }
    }
}
