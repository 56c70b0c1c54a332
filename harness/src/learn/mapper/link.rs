//! A connection the learner can end cleanly. A server that serves one
//! connection at a time (`openssl s_server`) only accepts the next one
//! after it has seen the end of this one; a new query sent before that
//! waits in the listen queue and its first answer looks like silence. So
//! a TCP query ends by half-closing and waiting for the server's end.
//! `SHAKEDOWN_LEARN_DEBUG=1` prints how long that took.

use std::time::{Duration, Instant};

use crate::peer::memory::MemoryPeer;
use crate::peer::process::PeerProcess;
use crate::peer::tcp::TcpPeer;
use crate::peer::{Recv, Transport};

pub trait Link: Transport {
    /// Ends the connection; returns once the peer has let go of it, with
    /// whether bytes came in meanwhile.
    fn finish(&mut self) -> bool {
        false
    }
}

impl Link for MemoryPeer {}

/// A TCP peer (its connect retries and its reads: a reset is the peer
/// closing) that ends a query by half-closing and waiting.
#[derive(Debug)]
pub struct TcpLink {
    peer: TcpPeer,
    linger: Duration,
    /// A client's process started for this connection alone: killed (and
    /// reaped) when the query drops the link.
    _process: Option<PeerProcess>,
}

impl TcpLink {
    pub fn connect(addr: &str, timeout: Duration, linger: Duration) -> Result<Self, String> {
        // The learner's outputs are message types: data is never echoed.
        TcpPeer::connect(addr, timeout, false).map(|peer| Self { peer, linger, _process: None })
    }

    /// A connection a client that stays up made to us: dropping it ends
    /// the connection, and the client waits for its next line.
    pub fn from_running_client(peer: TcpPeer) -> Self {
        Self { peer, linger: Duration::ZERO, _process: None }
    }

    /// A connection `process` made to us. Nothing waits for it after the
    /// query: the process is killed.
    pub fn accepted(peer: TcpPeer, process: PeerProcess) -> Self {
        Self { peer, linger: Duration::ZERO, _process: Some(process) }
    }
}

impl Transport for TcpLink {
    fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.peer.send(bytes)
    }

    fn recv(&mut self, deadline: Instant) -> Recv {
        self.peer.recv(deadline)
    }

    fn echoes(&self) -> bool {
        false
    }
}

impl Link for TcpLink {
    fn finish(&mut self) -> bool {
        self.peer.shutdown_write();
        let mut late = false;
        let started = Instant::now();
        let deadline = started + self.linger;
        let last = loop {
            match self.recv(deadline) {
                Recv::Data(_) => late = true,
                other => break other,
            }
        };
        if std::env::var_os("SHAKEDOWN_LEARN_DEBUG").is_some() {
            crate::tell!("finish: {:?} after {:?}, late bytes: {late}", last, started.elapsed());
        }
        late
    }
}
