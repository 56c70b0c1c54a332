//! The runner's listening side, when a peer *client* connects to the
//! engine: every connection that arrives is read at once (up to a bound),
//! each with its own deadline, and the case goes to the first one that
//! delivers a whole first record that can be a ClientHello. An idle, trickling or garbage
//! client on the port never stalls the case; it is dropped at its
//! deadline, or when the case has its connection.

use std::io::{ErrorKind, Read};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use shakedown_engine::msgs::Deframer;
use shakedown_engine::msgs::enums::ContentType;

use super::tcp::TcpPeer;

/// Connections read at once; more wait in the kernel's backlog until one
/// of these is dropped. Well under the usual 1,024 descriptors a process
/// gets, as several cases listen at once.
pub const MAX_PENDING: usize = 256;

/// The first byte of a handshake record (RFC 5246 6.2.1).
const HANDSHAKE: u8 = ContentType::Handshake.get();

/// How long a waiting pass sleeps when no connection had anything new:
/// short next to any deadline, long enough not to spin.
const POLL: Duration = Duration::from_millis(2);

/// One connection that has not yet sent a whole first record.
#[derive(Debug)]
struct Pending {
    stream: TcpStream,
    /// Every byte read so far, replayed to the engine if this one wins.
    read: Vec<u8>,
    /// The engine's own deframer, to tell when the first record is whole
    /// (an SSLv2-compatible hello included, RFC 5246 E.2).
    deframer: Deframer,
    deadline: Instant,
}

enum Polled {
    Waiting,
    /// A whole first record: this connection is the case's.
    Ready,
    /// Closed, failed, or too slow: dropped.
    Gone,
}

impl Pending {
    fn poll(&mut self, buf: &mut [u8], now: Instant) -> Polled {
        loop {
            match self.stream.read(buf) {
                Ok(0) => return Polled::Gone,
                Ok(n) => {
                    let got = buf.get(..n).unwrap_or_default();
                    self.read.extend_from_slice(got);
                    self.deframer.push(got);
                    // A client opens with a ClientHello (RFC 5246 7.4.1.2),
                    // in a handshake record or an SSLv2-compatible one (E.2):
                    // any other opening is not the peer under test.
                    if !self.read.first().is_some_and(|&b| b == HANDSHAKE || b & 0x80 != 0) {
                        return Polled::Gone;
                    }
                    match self.deframer.pop() {
                        Ok(Some(_)) => return Polled::Ready,
                        Ok(None) => {}
                        Err(_) => return Polled::Gone,
                    }
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    return match now >= self.deadline {
                        true => Polled::Gone,
                        false => Polled::Waiting,
                    };
                }
                Err(_) => return Polled::Gone,
            }
        }
    }
}

/// Waits until `deadline` for the connection that carries the peer
/// client's first record, serving every connection meanwhile; each gets
/// `per_connection` to send it.
pub fn accept_client(
    listener: &TcpListener,
    deadline: Instant,
    per_connection: Duration,
    echoes: bool,
) -> Result<TcpPeer, String> {
    listener.set_nonblocking(true).map_err(|e| format!("listen: {e}"))?;
    let mut pending: Vec<Pending> = Vec::new();
    let mut buf = vec![0u8; 1 << 14];
    loop {
        let now = Instant::now();
        while pending.len() < MAX_PENDING {
            match listener.accept() {
                Ok((stream, _)) => {
                    // A socket we cannot make non-blocking cannot be polled.
                    if stream.set_nonblocking(true).is_ok() {
                        pending.push(Pending {
                            stream,
                            read: Vec::new(),
                            deframer: Deframer::server(),
                            deadline: now + per_connection,
                        });
                    }
                }
                // Out of descriptors (EMFILE) and the like pass with the
                // connections that hold them: try again next round.
                Err(_) => break,
            }
        }
        let mut winner = None;
        let mut i = 0;
        while i < pending.len() {
            let Some(p) = pending.get_mut(i) else { break };
            match p.poll(&mut buf, now) {
                Polled::Waiting => i += 1,
                Polled::Gone => {
                    pending.swap_remove(i);
                }
                Polled::Ready => {
                    winner = Some(pending.swap_remove(i));
                    break;
                }
            }
        }
        if let Some(w) = winner {
            // The others are closed as `pending` drops.
            w.stream.set_nonblocking(false).map_err(|e| e.to_string())?;
            return Ok(TcpPeer::with_prefix(w.stream, echoes, w.read));
        }
        if now >= deadline {
            return Err(format!(
                "no peer client sent a first record in time ({} connection(s) still waiting)",
                pending.len()
            ));
        }
        std::thread::sleep(POLL);
    }
}
