//! One driver: the runner, the CLI's session and the in-memory peer step a
//! connection the same way, so a peer that ends the transport gives the
//! same observation whether it closed (FIN) or reset (RST) the socket.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::io::Read;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use shakedown::cli::run::select;
use shakedown::expect::{End, Observed};
use shakedown::peer::PeerSpec;
use shakedown::run::{RunOptions, run_all};
use shakedown::session::{DriveError, Session};
use shakedown::vector::{expand, load_dir};
use shakedown_engine::crypto::SeededRandom;
use shakedown_engine::{ClientConfig, Connection, Error, Incoming};

#[derive(Debug, Clone, Copy)]
enum Ending {
    /// Read the ClientHello whole, then close: the client reads EOF.
    Eof,
    /// Close with the ClientHello unread: the kernel answers with an RST
    /// (RFC 793 3.5 and Linux's tcp_close), so the client's read fails
    /// with ECONNRESET.
    Reset,
}

/// A listener whose one connection waits for the ClientHello and ends as
/// told.
fn ending_server(ending: Ending) -> (String, std::thread::JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let t = std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut buf = [0u8; 4096];
        match ending {
            Ending::Eof => {
                // The whole first record: header, then its declared length.
                let mut got = Vec::new();
                while got.len() < 5 || got.len() < 5 + usize::from(u16::from_be_bytes([got[3], got[4]])) {
                    let n = s.read(&mut buf).unwrap();
                    assert!(n > 0, "the client closed first");
                    got.extend_from_slice(&buf[..n]);
                }
                s.shutdown(Shutdown::Both).unwrap();
            }
            Ending::Reset => {
                // Wait until the hello is in our receive buffer, unread.
                let n = s.peek(&mut buf).unwrap();
                assert!(n > 0, "the client closed first");
            }
        }
    });
    (addr, t)
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// What the runner observes of a case against a server that ends so.
fn runner_sees(ending: Ending) -> Observed {
    let (addr, t) = ending_server(ending);
    let files = load_dir(&root().join("vectors/scenarios")).unwrap();
    let cases = select(expand(&files).unwrap(), &["finished/corrupt-byte-00/tls1.2/AES128-SHA".into()], None)
        .unwrap();
    assert_eq!(cases.len(), 1);
    let opts = RunOptions {
        peer: PeerSpec::Tcp(addr),
        jobs: 1,
        seed: 1,
        timeout: Duration::from_secs(5),
        certs: root().join("vectors/certs"),
        keep_transcripts: false,
        seed_pool: None,
        provider: Arc::new(shakedown_engine::crypto::provider::RustCrypto),
        silence: None,
    };
    let r = run_all(&cases, &opts, &|_| {}).unwrap();
    t.join().unwrap();
    r.into_iter().next().unwrap().observed.unwrap()
}

/// What the CLI's session reports against a server that ends so.
fn session_sees(ending: Ending) -> DriveError {
    let (addr, t) = ending_server(ending);
    let conn = Connection::client(Arc::new(ClientConfig::default()), Box::new(SeededRandom::from_seed(1)), 0)
        .unwrap();
    let mut session = Session::new(conn, TcpStream::connect(addr).unwrap());
    let e = session.handshake(Duration::from_secs(5)).unwrap_err();
    t.join().unwrap();
    e
}

#[test]
fn reset_and_eof_give_the_same_observation_in_the_runner() {
    let mut eof = runner_sees(Ending::Eof);
    let mut reset = runner_sees(Ending::Reset);
    // Answer times are measurements of the machine, not behaviour.
    eof.slowest_answer = Duration::ZERO;
    reset.slowest_answer = Duration::ZERO;
    assert_eq!(eof.end, End::PeerEof, "{eof:?}");
    assert_eq!(eof, reset);
}

#[test]
fn reset_and_eof_give_the_same_error_in_the_session() {
    let eof = session_sees(Ending::Eof);
    let reset = session_sees(Ending::Reset);
    assert!(matches!(eof, DriveError::Eof), "{eof}");
    assert!(matches!(reset, DriveError::Eof), "{reset}");
}

/// The step every driver takes: a closed transport before close_notify is
/// the engine's unexpected EOF, reported once and kept; bytes after it are
/// not read.
#[test]
fn a_step_with_the_transport_closed_fails_the_connection_once() {
    let mut c =
        Connection::client(Arc::new(ClientConfig::default()), Box::new(SeededRandom::from_seed(1)), 0)
            .unwrap();
    let hello = c.step(Incoming::Nothing);
    assert!(!hello.output.is_empty() && hello.error.is_none());
    let closed = c.step(Incoming::Closed);
    assert_eq!(closed.error, Some(Error::UnexpectedEof));
    assert!(closed.events.is_empty());
    let after = c.step(Incoming::Bytes(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]));
    assert_eq!(after.error, Some(Error::UnexpectedEof));
    assert!(after.output.is_empty() && after.events.is_empty());
}
