//! A peer over TCP: every read has a deadline, a reset is the peer closing.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use super::{Recv, Transport};

#[derive(Debug)]
pub struct TcpPeer {
    stream: TcpStream,
    echoes: bool,
    /// Bytes already read off the stream (by the listening side, to pick
    /// the connection), handed out by the first `recv`.
    prefix: Vec<u8>,
}

impl TcpPeer {
    pub fn new(stream: TcpStream, echoes: bool) -> Self {
        Self::with_prefix(stream, echoes, Vec::new())
    }

    /// A peer whose first bytes were already read.
    pub fn with_prefix(stream: TcpStream, echoes: bool, prefix: Vec<u8>) -> Self {
        let _ = stream.set_nodelay(true);
        Self { stream, echoes, prefix }
    }

    /// Shuts the write side: the peer reads EOF after what was sent.
    pub fn shutdown_write(&mut self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Write);
    }

    /// Connects, retrying until `timeout` (a peer just started may not be
    /// listening yet).
    pub fn connect(addr: &str, timeout: Duration, echoes: bool) -> Result<Self, String> {
        let deadline = Instant::now() + timeout;
        let addrs: Vec<_> = addr.to_socket_addrs().map_err(|e| format!("{addr}: {e}"))?.collect();
        loop {
            let mut last = String::from("no address");
            for a in &addrs {
                let left = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(10));
                match TcpStream::connect_timeout(a, left) {
                    Ok(s) => return Ok(Self::new(s, echoes)),
                    Err(e) => last = e.to_string(),
                }
            }
            if Instant::now() >= deadline {
                return Err(format!("connect to {addr}: {last}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Transport for TcpPeer {
    fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.stream.write_all(bytes).map_err(|e| e.to_string())
    }

    fn recv(&mut self, deadline: Instant) -> Recv {
        if !self.prefix.is_empty() {
            return Recv::Data(std::mem::take(&mut self.prefix));
        }
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Recv::Timeout;
            }
            if let Err(e) = self.stream.set_read_timeout(Some(left)) {
                return Recv::Failed(e.to_string());
            }
            match self.stream.read(&mut buf) {
                Ok(0) => return Recv::Eof,
                Ok(n) => {
                    buf.truncate(n);
                    return Recv::Data(buf);
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe
                    ) =>
                {
                    return Recv::Eof;
                }
                Err(e) => return Recv::Failed(e.to_string()),
            }
        }
    }

    fn echoes(&self) -> bool {
        self.echoes
    }
}
