//! A peer process: started with its port templated in, watched for
//! readiness, and always killed and reaped (Drop).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wait_timeout::ChildExt;

use super::profile::{Profile, Ready};

/// The last lines a peer printed, for failure reports.
type Tail = Arc<Mutex<VecDeque<String>>>;

const TAIL_LINES: usize = 20;

/// A running peer; killed and reaped when dropped.
#[derive(Debug)]
pub struct PeerProcess {
    child: Child,
    pub port: u16,
    tail: Tail,
    lines: Option<Receiver<String>>,
}

/// A free loopback port (bound and released: a small race, fine for tests).
pub fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn pump_lines<R: Read + Send + 'static>(r: R, tail: Tail, tx: Option<mpsc::Sender<String>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines() {
            let Ok(line) = line else { break };
            if let Ok(mut t) = tail.lock() {
                if t.len() >= TAIL_LINES {
                    t.pop_front();
                }
                t.push_back(line.clone());
            }
            if let Some(tx) = &tx {
                let _ = tx.send(line);
            }
        }
    });
}

impl PeerProcess {
    /// Starts `argv` (stdin kept open, output collected).
    pub fn spawn(profile: &Profile, argv: &[String], port: u16) -> Result<Self, String> {
        let (prog, args) = argv.split_first().ok_or("empty command")?;
        let mut child = Command::new(prog)
            .args(args)
            .envs(&profile.env)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("start `{}`: {e}", argv.join(" ")))?;
        let tail: Tail = Arc::default();
        let (tx, rx) = mpsc::channel();
        if let Some(out) = child.stdout.take() {
            pump_lines(out, tail.clone(), Some(tx));
        }
        if let Some(err) = child.stderr.take() {
            pump_lines(err, tail.clone(), None);
        }
        Ok(Self { child, port, tail, lines: Some(rx) })
    }

    /// Waits until a server is ready (see [`Ready`]).
    pub fn wait_ready(&mut self, ready: &Ready, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        match ready {
            Ready::StdoutLine(text) => {
                let rx = self.lines.as_ref().ok_or("no stdout")?;
                loop {
                    let left = deadline.saturating_duration_since(Instant::now());
                    match rx.recv_timeout(left) {
                        Ok(line) if line.contains(text.as_str()) => return Ok(()),
                        Ok(_) => {}
                        Err(_) => {
                            return Err(format!("not ready (no line with `{text}`): {}", self.exit_note()));
                        }
                    }
                }
            }
            Ready::Connect => loop {
                let addr = std::net::SocketAddr::from(([127, 0, 0, 1], self.port));
                if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                    return Ok(());
                }
                if let Ok(Some(status)) = self.child.try_wait() {
                    return Err(format!("exited before listening ({status}): {}", self.tail()));
                }
                if Instant::now() >= deadline {
                    return Err(format!("not listening on {} in time: {}", self.port, self.tail()));
                }
                std::thread::sleep(Duration::from_millis(50));
            },
        }
    }

    /// Waits up to `timeout` for it to end by itself (a client that stores
    /// its session on the way out).
    pub fn wait_exit(&mut self, timeout: Duration) {
        let _ = self.child.wait_timeout(timeout);
    }

    /// Writes `line` and a newline to its standard input.
    pub fn write_line(&mut self, line: &str) -> Result<(), String> {
        let stdin = self.child.stdin.as_mut().ok_or("no standard input")?;
        writeln!(stdin, "{line}").and_then(|()| stdin.flush()).map_err(|e| format!("write to the peer: {e}"))
    }

    /// Whether it still runs.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// "exited with X" or "running", and its last lines.
    pub fn exit_note(&mut self) -> String {
        match self.child.try_wait() {
            Ok(Some(s)) => format!("peer exited ({s}); last output: {}", self.tail()),
            _ => format!("peer running; last output: {}", self.tail()),
        }
    }

    pub fn tail(&self) -> String {
        self.tail.lock().map(|t| t.iter().cloned().collect::<Vec<_>>().join(" | ")).unwrap_or_default()
    }
}

impl Drop for PeerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        if !matches!(self.child.wait_timeout(Duration::from_secs(5)), Ok(Some(_))) {
            let _ = self.child.wait();
        }
    }
}
