//! The built-in peer: an honest engine connection in memory that echoes
//! application data, like `shakedown serve`.

use std::time::Instant;

use shakedown_engine::{Connection, ConnectionEvent, HandshakeSummary};

use super::{Recv, Transport};

#[derive(Debug)]
pub struct MemoryPeer {
    pub conn: Connection,
    /// The peer's own handshake summaries (for resumption by a peer client).
    pub summaries: Vec<HandshakeSummary>,
    gone: bool,
}

impl MemoryPeer {
    pub fn new(conn: Connection) -> Self {
        Self { conn, summaries: Vec::new(), gone: false }
    }

    fn drain_events(&mut self) {
        while let Some(ev) = self.conn.next_event() {
            match ev {
                ConnectionEvent::ApplicationData(d) => {
                    let _ = self.conn.send_application_data(&d);
                }
                ConnectionEvent::HandshakeComplete(s) => self.summaries.push(*s),
                ConnectionEvent::WarningAlert(_) | ConnectionEvent::PeerClosed => {}
            }
        }
    }
}

impl Transport for MemoryPeer {
    fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        if self.gone || self.conn.is_closed() {
            return Err("the peer closed the connection".into());
        }
        // An error queues the peer's alert; it is read by `recv`.
        let _ = self.conn.feed(bytes);
        self.drain_events();
        Ok(())
    }

    fn recv(&mut self, _deadline: Instant) -> Recv {
        self.drain_events();
        let out = self.conn.take_output();
        if !out.is_empty() {
            return Recv::Data(out);
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
