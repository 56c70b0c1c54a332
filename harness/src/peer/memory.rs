//! The built-in peer: an honest engine connection in memory that echoes
//! application data, like `shakedown serve`. It steps its connection as
//! every driver does (`Connection::step`).

use std::time::Instant;

use shakedown_engine::{Connection, ConnectionEvent, HandshakeSummary, Incoming};

use super::{Recv, Transport};

#[derive(Debug)]
pub struct MemoryPeer {
    pub conn: Connection,
    /// The peer's own handshake summaries (for resumption by a peer client).
    pub summaries: Vec<HandshakeSummary>,
    /// What the peer said and the other side has not read yet.
    outbox: Vec<u8>,
    gone: bool,
}

impl MemoryPeer {
    pub fn new(conn: Connection) -> Self {
        Self { conn, summaries: Vec::new(), outbox: Vec::new(), gone: false }
    }

    /// Steps the connection until it has nothing more to say: an echo
    /// queued by one step goes out with the next.
    fn step(&mut self, mut incoming: Incoming<'_>) {
        loop {
            let step = self.conn.step(incoming);
            incoming = Incoming::Nothing;
            self.outbox.extend_from_slice(&step.output);
            let mut echoed = false;
            for ev in step.events {
                match ev {
                    ConnectionEvent::ApplicationData(d) => {
                        echoed |= self.conn.send_application_data(&d).is_ok();
                    }
                    ConnectionEvent::HandshakeComplete(s) => self.summaries.push(*s),
                    ConnectionEvent::WarningAlert(_) | ConnectionEvent::PeerClosed => {}
                }
            }
            if !echoed {
                return;
            }
        }
    }
}

impl Transport for MemoryPeer {
    fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        if self.gone || self.conn.is_closed() {
            return Err("the peer closed the connection".into());
        }
        // A failure queues the peer's alert; it is read by `recv`.
        self.step(Incoming::Bytes(bytes));
        Ok(())
    }

    fn recv(&mut self, _deadline: Instant) -> Recv {
        self.step(Incoming::Nothing);
        if !self.outbox.is_empty() {
            return Recv::Data(std::mem::take(&mut self.outbox));
        }
        if self.conn.is_closed() {
            // A real peer closes its socket after a fatal error or after
            // answering close_notify.
            self.gone = true;
            return Recv::Eof;
        }
        Recv::Quiet
    }

    fn echoes(&self) -> bool {
        true
    }
}
