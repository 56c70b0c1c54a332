//! The CLI's session driver over a real socket.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use shakedown::session::{DriveError, Session};
use shakedown_engine::config::CertifiedKey;
use shakedown_engine::crypto::SeededRandom;
use shakedown_engine::deviate::{Anchor, Deviations, Knob};
use shakedown_engine::msgs::enums::{AlertDescription, AlertLevel, ProtocolVersion};
use shakedown_engine::{ClientConfig, Connection, ServerConfig, VersionRange};

fn certs(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../vectors/certs/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The TLS 1.0 `connect --send` race: a server whose close_notify rides
/// with its Finished. Sending must report the peer's close, not a
/// configuration error.
#[test]
fn close_notify_with_finished_is_reported_as_the_peers_close() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let identity = CertifiedKey::from_pem(&certs("server.chain.pem"), &certs("server.key.pem")).unwrap();
        let config = ServerConfig {
            versions: VersionRange::only(ProtocolVersion::Tls10),
            deviations: Deviations(vec![Knob::InjectAlert {
                at: Anchor::AfterHandshake,
                level: AlertLevel::Warning,
                description: AlertDescription::CloseNotify,
            }]),
            ..ServerConfig::new(identity)
        };
        let mut conn = Connection::server(Arc::new(config), Box::new(SeededRandom::from_seed(2)), 0);
        let mut buf = [0u8; 1 << 16];
        while conn.is_handshaking() {
            let n = s.read(&mut buf).unwrap();
            if n == 0 {
                return;
            }
            let _ = conn.feed(&buf[..n]);
            // One write per flight: Finished and close_notify arrive together.
            s.write_all(&conn.take_output()).unwrap();
        }
        let _ = s.read(&mut buf);
    });
    let client =
        ClientConfig { versions: VersionRange::only(ProtocolVersion::Tls10), ..ClientConfig::default() };
    let conn = Connection::client(Arc::new(client), Box::new(SeededRandom::from_seed(1)), 0).unwrap();
    let mut session = Session::new(conn, TcpStream::connect(addr).unwrap());
    session.handshake(Duration::from_secs(10)).unwrap();
    let e = session.send(b"hello").unwrap_err();
    assert!(matches!(e, DriveError::PeerClosed), "{e}");
    assert!(e.to_string().contains("close_notify"), "{e}");
    session.close();
    server.join().unwrap();
}

/// The same session driver runs over the built-in peer in memory: one
/// driver, any transport.
#[test]
fn a_session_runs_over_the_builtin_peer_in_memory() {
    use shakedown::peer::memory::MemoryPeer;
    let identity = CertifiedKey::from_pem(&certs("server.chain.pem"), &certs("server.key.pem")).unwrap();
    let server =
        Connection::server(Arc::new(ServerConfig::new(identity)), Box::new(SeededRandom::from_seed(5)), 0);
    let client =
        Connection::client(Arc::new(ClientConfig::default()), Box::new(SeededRandom::from_seed(6)), 0)
            .unwrap();
    let mut session = Session::over(client, MemoryPeer::new(server));
    let summary = session.handshake(Duration::from_secs(5)).unwrap();
    assert_eq!(summary.version, ProtocolVersion::Tls12);
    session.send(b"echo me").unwrap();
    assert_eq!(session.receive(7, Duration::from_secs(5)).unwrap(), b"echo me");
    session.close_notify();
}
