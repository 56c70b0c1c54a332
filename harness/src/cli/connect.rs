//! `shakedown connect`: the reference client against any server.

use std::net::TcpStream;
use std::sync::Arc;

use clap::Args;
use shakedown_engine::{ClientConfig, Connection};

use super::{CommonArgs, describe};
use crate::args::{load_identity, now_unix};
use crate::session::Session;

#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// host:port of the server.
    pub address: String,
    #[command(flatten)]
    pub common: CommonArgs,
    /// Trust anchors (PEM) to verify the server's chain; without it the
    /// chain is not verified.
    #[arg(long)]
    pub ca: Option<String>,
    /// server_name to send and to check the certificate against.
    #[arg(long)]
    pub server_name: Option<String>,
    /// Client certificate chain (PEM), sent when the server asks.
    #[arg(long, requires = "key")]
    pub cert: Option<String>,
    /// The client certificate's private key (PEM).
    #[arg(long, requires = "cert")]
    pub key: Option<String>,
    /// Application data to send once connected.
    #[arg(long)]
    pub send: Option<String>,
    /// Wait for at least this many bytes of application data back.
    #[arg(long, default_value_t = 0)]
    pub expect_bytes: usize,
    /// Connect a second time, resuming the first session.
    #[arg(long)]
    pub resume: bool,
}

pub fn run(args: &ConnectArgs) -> Result<(), String> {
    let mut config = args.common.client_config(args.server_name.clone(), args.ca.as_deref())?;
    if let (Some(cert), Some(key)) = (&args.cert, &args.key) {
        config.client_cert = Some(load_identity(cert, key)?);
    }
    let first = connect_once(args, config.clone(), 0)?;
    if args.resume {
        config.resume = Some(first.session.clone());
        let second = connect_once(args, config, 1)?;
        if !second.resumed {
            return Err("the server did not resume the session".into());
        }
    }
    Ok(())
}

fn connect_once(
    args: &ConnectArgs,
    config: ClientConfig,
    n: u64,
) -> Result<shakedown_engine::HandshakeSummary, String> {
    let stream = TcpStream::connect(&args.address).map_err(|e| format!("connect {}: {e}", args.address))?;
    let _ = stream.set_nodelay(true);
    let conn =
        Connection::client(Arc::new(config), args.common.rng(n), now_unix()).map_err(|e| e.to_string())?;
    let mut session = Session::new(conn, stream);
    let timeout = args.common.timeout();
    let summary = session.handshake(timeout).map_err(|e| format!("handshake: {e}"))?;
    crate::say!("negotiated {}", describe(&summary));
    args.common.write_keylog(&summary);
    if let Some(text) = &args.send {
        session.send(text.as_bytes()).map_err(|e| format!("send: {e}"))?;
    }
    if args.expect_bytes > 0 {
        let got = session.receive(args.expect_bytes, timeout).map_err(|e| format!("receive: {e}"))?;
        crate::say!("received {} bytes: {}", got.len(), String::from_utf8_lossy(&got).trim_end());
        if got.len() < args.expect_bytes {
            return Err(format!("expected {} bytes, got {}", args.expect_bytes, got.len()));
        }
    }
    session.close();
    Ok(summary)
}
