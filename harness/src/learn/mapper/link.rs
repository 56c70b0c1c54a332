//! A connection the learner can end cleanly. A server that serves one
//! connection at a time (`openssl s_server`) only accepts the next one
//! after it has seen the end of this one; a new query sent before that
//! waits in the listen queue and its first answer looks like silence. So
//! a TCP query ends by half-closing and waiting for the server's end.
//! `SHAKEDOWN_LEARN_DEBUG=1` prints how long that took.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::peer::memory::MemoryPeer;
use crate::peer::{Recv, Transport};

pub trait Link: Transport {
    /// Ends the connection; returns once the peer has let go of it, with
    /// whether bytes came in meanwhile.
    fn finish(&mut self) -> bool {
        false
    }
}

impl Link for MemoryPeer {}

#[derive(Debug)]
pub struct TcpLink {
    stream: TcpStream,
    linger: Duration,
}

impl TcpLink {
    pub fn connect(addr: &str, timeout: Duration, linger: Duration) -> Result<Self, String> {
        let deadline = Instant::now() + timeout;
        let addrs: Vec<_> = addr
            .to_socket_addrs()
            .map_err(|e| format!("{addr}: {e}"))?
            .collect();
        loop {
            let mut last = String::from("no address");
            for a in &addrs {
                let left = deadline
                    .saturating_duration_since(Instant::now())
                    .max(Duration::from_millis(10));
                match TcpStream::connect_timeout(a, left) {
                    Ok(stream) => {
                        let _ = stream.set_nodelay(true);
                        return Ok(Self { stream, linger });
                    }
                    Err(e) => last = e.to_string(),
                }
            }
            if Instant::now() >= deadline {
                return Err(format!("connect to {addr}: {last}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Transport for TcpLink {
    fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.stream.write_all(bytes).map_err(|e| e.to_string())
    }

    fn recv(&mut self, deadline: Instant) -> Recv {
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
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                    ) => {}
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
        false
    }
}

impl Link for TcpLink {
    fn finish(&mut self) -> bool {
        let _ = self.stream.shutdown(Shutdown::Write);
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
            eprintln!(
                "finish: {:?} after {:?}, late bytes: {late}",
                last,
                started.elapsed()
            );
        }
        late
    }
}
