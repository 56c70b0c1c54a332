//! The CLI's session driver: a sans-IO [`Connection`] over a TCP stream,
//! with a deadline on every step: a peer that stalls is cut off, never
//! waited on forever. (`run::drive` is the runner's: it runs a case to its
//! outcome.)

use std::net::TcpStream;
use std::time::{Duration, Instant};

use shakedown_engine::error::CannotSend;

use crate::peer::tcp::TcpPeer;
use crate::peer::{Recv, Transport};
use shakedown_engine::{Connection, ConnectionEvent, Error, HandshakeSummary, Incoming};

/// Why driving a connection stopped short.
#[derive(Debug)]
pub enum DriveError {
    /// The engine refused the peer's bytes (and sent the alert it names).
    Engine(Error),
    /// Sending failed: the peer is gone.
    Send(String),
    Io(String),
    /// The deadline passed with the peer silent.
    Timeout,
    /// The peer closed the transport.
    Eof,
    /// The peer sent close_notify (right after its Finished, say) before
    /// we could send: the connection is closed for writing (RFC 5246 7.2.1).
    PeerClosed,
}

impl std::fmt::Display for DriveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Engine(e) => write!(f, "{e}"),
            Self::Send(e) => write!(f, "send: {e}"),
            Self::Io(e) => write!(f, "i/o: {e}"),
            Self::Timeout => f.write_str("timed out waiting for the peer"),
            Self::Eof => f.write_str("peer closed the connection"),
            Self::PeerClosed => f.write_str("peer sent close_notify before our data could go out"),
        }
    }
}

impl std::error::Error for DriveError {}

/// What the transport gave on the last turn, owned until the next step.
#[derive(Debug)]
pub(crate) enum Arrived {
    Nothing,
    Bytes(Vec<u8>),
    /// EOF or reset (the transport maps both to `Recv::Eof`).
    Closed,
}

impl Arrived {
    pub(crate) fn incoming(&self) -> Incoming<'_> {
        match self {
            Self::Nothing => Incoming::Nothing,
            Self::Bytes(b) => Incoming::Bytes(b),
            Self::Closed => Incoming::Closed,
        }
    }
}

/// One connection over one transport: a TCP socket for the CLI, or any
/// [`Transport`] (the built-in peer in memory). The runner's
/// [`crate::run::drive`] reads the same transports, so a reset is the
/// peer closing in both.
#[derive(Debug)]
pub struct Session<T: Transport = TcpPeer> {
    pub conn: Connection,
    transport: T,
    /// Every event seen so far, in order.
    pub events: Vec<ConnectionEvent>,
    /// Events before this index have been returned by `next_data`.
    read_cursor: usize,
    eof: bool,
}

impl Session<TcpPeer> {
    /// A session on a connected socket.
    pub fn new(conn: Connection, stream: TcpStream) -> Self {
        Self::over(conn, TcpPeer::new(stream, true))
    }

    /// Shuts the socket's write side (after close_notify).
    fn shutdown_write(&mut self) {
        self.transport.shutdown_write();
    }
}

impl<T: Transport> Session<T> {
    pub fn over(conn: Connection, transport: T) -> Self {
        Self { conn, transport, events: Vec::new(), read_cursor: 0, eof: false }
    }

    /// Writes whatever the engine queued.
    pub fn flush(&mut self) -> Result<(), DriveError> {
        let out = self.conn.take_output();
        if !out.is_empty() {
            self.transport.send(&out).map_err(DriveError::Send)?;
        }
        Ok(())
    }

    /// Runs until `done` holds for some event, the deadline passes, or the
    /// connection fails. Events stay in `self.events`. Each turn steps the
    /// connection (`Connection::step`) with what the transport gave.
    pub fn run_until(
        &mut self,
        timeout: Duration,
        mut done: impl FnMut(&ConnectionEvent) -> bool,
    ) -> Result<(), DriveError> {
        let deadline = Instant::now() + timeout;
        let mut checked = self.events.len();
        let mut arrived = Arrived::Nothing;
        loop {
            let step = self.conn.step(arrived.incoming());
            let failed_on_these = matches!(arrived, Arrived::Bytes(_)) && step.error.is_some();
            if !step.output.is_empty() {
                let sent = self.transport.send(&step.output).map_err(DriveError::Send);
                // The alert a failure queued goes out before the failure
                // is reported; whether it arrives no longer matters.
                if !failed_on_these {
                    sent?;
                }
            }
            if let Some(e) = step.error.filter(|_| failed_on_these) {
                return Err(DriveError::Engine(e));
            }
            self.events.extend(step.events);
            if self.events.get(checked..).unwrap_or_default().iter().any(&mut done) {
                return Ok(());
            }
            checked = self.events.len();
            if self.eof {
                return Err(DriveError::Eof);
            }
            arrived = match self.transport.recv(deadline) {
                Recv::Eof => {
                    self.eof = true;
                    Arrived::Closed
                }
                Recv::Data(bytes) => Arrived::Bytes(bytes),
                Recv::Timeout => return Err(DriveError::Timeout),
                // In memory, a quiet peer waits for us: nothing will come.
                Recv::Quiet => return Err(DriveError::Timeout),
                Recv::Failed(e) => return Err(DriveError::Io(e)),
            };
        }
    }

    /// Completes the handshake.
    pub fn handshake(&mut self, timeout: Duration) -> Result<HandshakeSummary, DriveError> {
        self.run_until(timeout, |e| matches!(e, ConnectionEvent::HandshakeComplete(_)))?;
        self.events
            .iter()
            .find_map(|e| match e {
                ConnectionEvent::HandshakeComplete(s) => Some(s.as_ref().clone()),
                _ => None,
            })
            .ok_or(DriveError::Timeout)
    }

    pub fn send(&mut self, data: &[u8]) -> Result<(), DriveError> {
        // A close_notify that came with the peer's Finished closed the
        // connection before the caller saw the handshake complete.
        let peer_closed = self.events.iter().any(|e| matches!(e, ConnectionEvent::PeerClosed));
        match self.conn.send_application_data(data) {
            Err(Error::CannotSend(CannotSend::Closed)) if peer_closed => Err(DriveError::PeerClosed),
            Err(e) => Err(DriveError::Engine(e)),
            Ok(()) => self.flush(),
        }
    }

    /// The next piece of application data not yet returned, waiting up to
    /// `timeout` for it; `None` once the peer sent close_notify.
    pub fn next_data(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>, DriveError> {
        loop {
            while let Some(ev) = self.events.get(self.read_cursor) {
                self.read_cursor += 1;
                match ev {
                    ConnectionEvent::ApplicationData(d) => return Ok(Some(d.clone())),
                    ConnectionEvent::PeerClosed => return Ok(None),
                    _ => {}
                }
            }
            self.run_until(timeout, |e| {
                matches!(e, ConnectionEvent::ApplicationData(_) | ConnectionEvent::PeerClosed)
            })?;
        }
    }

    /// Application data already received and not yet returned, without
    /// reading the socket.
    pub fn pending_data(&mut self) -> Option<Vec<u8>> {
        while let Some(ev) = self.conn.next_event() {
            self.events.push(ev);
        }
        while let Some(ev) = self.events.get(self.read_cursor) {
            match ev {
                ConnectionEvent::ApplicationData(d) => {
                    self.read_cursor += 1;
                    return Some(d.clone());
                }
                ConnectionEvent::PeerClosed => return None,
                _ => self.read_cursor += 1,
            }
        }
        None
    }

    /// Reads application data until at least `min` bytes arrived, or
    /// close_notify, or the deadline (what arrived by then is returned).
    pub fn receive(&mut self, min: usize, timeout: Duration) -> Result<Vec<u8>, DriveError> {
        let deadline = Instant::now() + timeout;
        let mut data = Vec::new();
        while data.len() < min {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next_data(left) {
                Ok(Some(d)) => data.extend_from_slice(&d),
                Ok(None) => break,
                Err(_) if !data.is_empty() => break,
                Err(e) => return Err(e),
            }
        }
        Ok(data)
    }

    /// Sends close_notify.
    pub fn close_notify(&mut self) {
        self.conn.close();
        let _ = self.flush();
    }
}

impl Session<TcpPeer> {
    /// Sends close_notify and shuts the write side.
    pub fn close(&mut self) {
        self.close_notify();
        self.shutdown_write();
    }
}

/// An NSS key log line (SSLKEYLOGFILE format) for Wireshark.
pub fn keylog_line(summary: &HandshakeSummary) -> String {
    format!(
        "CLIENT_RANDOM {} {}\n",
        hex::encode(summary.client_random),
        hex::encode(summary.session.master_secret)
    )
}
