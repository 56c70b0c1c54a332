//! Plumbing for the interop matrix: peer processes that are always killed,
//! runs with deadlines, an in-process engine server, and the printed table.
#![allow(dead_code)]

pub mod programs;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use shakedown::session::{DriveError, Session};
use shakedown_engine::crypto::SeededRandom;
use shakedown_engine::{Connection, ServerConfig};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A file under vectors/certs/, as a string for a command line.
pub fn cert(name: &str) -> String {
    root().join("vectors/certs").join(name).to_string_lossy().into_owned()
}

/// Whether `SHAKEDOWN_REQUIRE_PEERS` asks for every peer tool to be there.
pub fn peers_required() -> bool {
    std::env::var("SHAKEDOWN_REQUIRE_PEERS").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The path of `name` on PATH, if it is there.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file())
}

/// Runs a short query command (a capability probe) to completion.
pub fn query(program: &str, args: &[&str]) -> Result<String, String> {
    let out = run(Command::new(program).args(args), b"", None, Duration::from_secs(20))?;
    if !out.success {
        return Err(format!("`{program} {}` failed: {}", args.join(" "), out.text()));
    }
    Ok(out.stdout)
}

/// Lines a child printed, collected by a reader thread.
#[derive(Debug, Clone, Default)]
pub struct Lines(Arc<Mutex<String>>);

impl Lines {
    fn collect(&self, stream: impl Read + Send + 'static) -> JoinHandle<()> {
        let lines = self.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stream);
            let mut line = String::new();
            while r.read_line(&mut line).is_ok_and(|n| n > 0) {
                if let Ok(mut all) = lines.0.lock() {
                    all.push_str(&line);
                }
                line.clear();
            }
        })
    }

    pub fn text(&self) -> String {
        self.0.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Waits until the text contains `needle`; the text on success.
    pub fn wait_for(&self, needle: &str, timeout: Duration, child: &mut Child) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let text = self.text();
            if text.contains(needle) {
                return Ok(text);
            }
            if let Ok(Some(status)) = child.try_wait() {
                // Give the reader a moment to catch the last lines.
                std::thread::sleep(Duration::from_millis(50));
                let text = self.text();
                if text.contains(needle) {
                    return Ok(text);
                }
                return Err(format!("exited ({status}) before printing `{needle}`"));
            }
            if Instant::now() >= deadline {
                return Err(format!("no `{needle}` within {timeout:?}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A child process that is killed and reaped when dropped, whatever happened.
#[derive(Debug)]
pub struct ChildGuard {
    pub name: String,
    pub child: Child,
    pub stdin: Option<ChildStdin>,
    pub stdout: Lines,
    pub stderr: Lines,
    readers: Vec<JoinHandle<()>>,
}

impl ChildGuard {
    pub fn spawn(name: &str, cmd: &mut Command) -> Result<Self, String> {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{name}: cannot start {cmd:?}: {e}"))?;
        let (stdout, stderr) = (Lines::default(), Lines::default());
        let mut readers = Vec::new();
        if let Some(out) = child.stdout.take() {
            readers.push(stdout.collect(out));
        }
        if let Some(err) = child.stderr.take() {
            readers.push(stderr.collect(err));
        }
        Ok(Self { name: name.into(), stdin: child.stdin.take(), child, stdout, stderr, readers })
    }

    /// stdout and stderr so far, for a failure message.
    pub fn text(&self) -> String {
        format!("{}{}", self.stdout.text(), self.stderr.text())
    }

    /// Waits for the exit, killing the child at the deadline.
    pub fn wait(mut self, timeout: Duration) -> Result<Finished, String> {
        drop(self.stdin.take());
        let deadline = Instant::now() + timeout;
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    return Err(format!(
                        "{}: still running after {timeout:?}, killed; output:\n{}",
                        self.name,
                        self.text()
                    ));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(e) => return Err(format!("{}: wait: {e}", self.name)),
            }
        };
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        Ok(Finished { success: status.success(), stdout: self.stdout.text(), stderr: self.stderr.text() })
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        drop(self.stdin.take());
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
    }
}

#[derive(Debug)]
pub struct Finished {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    pub fn text(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Runs a command with `input` on stdin. With `hold_until`, stdin stays open
/// until stdout shows that text (a client that quits at end of input would
/// otherwise leave before the echo arrives). Killed at the deadline.
pub fn run(
    cmd: &mut Command,
    input: &[u8],
    hold_until: Option<&str>,
    timeout: Duration,
) -> Result<Finished, String> {
    let name = format!("{:?}", cmd.get_program());
    let mut guard = ChildGuard::spawn(&name, cmd)?;
    if let Some(stdin) = guard.stdin.as_mut() {
        let _ = stdin.write_all(input).and_then(|()| stdin.flush());
    }
    let start = Instant::now();
    if let Some(needle) = hold_until {
        // A miss is reported by the caller's check on the output.
        let _ = guard.stdout.wait_for(needle, timeout, &mut guard.child);
    }
    guard.wait(timeout.saturating_sub(start.elapsed()))
}

/// A scratch directory, removed when dropped.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Result<Self, String> {
        let dir = std::env::temp_dir().join(format!("shakedown-interop-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(Self(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A free loopback port, for tools that cannot be told to pick one.
pub fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// Waits until something accepts on 127.0.0.1:port.
pub fn wait_listening(port: u16, timeout: Duration, child: &mut Child) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("exited ({status}) before listening"));
        }
        if Instant::now() >= deadline {
            return Err(format!("not listening on {port} within {timeout:?}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// What the in-process engine server saw on one connection.
#[derive(Debug, Clone)]
pub struct Served {
    pub version: String,
    pub suite: String,
    pub resumed: bool,
    pub peer_certs: usize,
    pub received: Vec<u8>,
}

/// How the engine server exchanges application data after each handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Talk {
    /// Echo what arrives, and close once a whole line has gone back (or
    /// when the peer closes): for a client that sends first and prints
    /// what it reads (profile `echo: false`).
    EchoLine,
    /// Send these bytes, read the same back, close: for a client that
    /// echoes (profile `echo: true`).
    Greet(Vec<u8>),
}

/// The reference engine as a server on a loopback port, in a thread,
/// serving one connection at a time (see [`Talk`]). Stopped when dropped.
#[derive(Debug)]
pub struct EngineServer {
    pub port: u16,
    stop: Arc<AtomicBool>,
    accepted: Arc<AtomicUsize>,
    results: mpsc::Receiver<Result<Served, String>>,
    thread: Option<JoinHandle<()>>,
}

impl EngineServer {
    pub fn start(config: ServerConfig, timeout: Duration, talk: Talk) -> Result<Self, String> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, results) = mpsc::channel();
        let config = Arc::new(config);
        let flag = stop.clone();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        let thread = std::thread::spawn(move || {
            let mut n = 0u64;
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        count.fetch_add(1, Ordering::Relaxed);
                        let _ = tx.send(serve_one(config.clone(), stream, n, timeout, &talk));
                        n += 1;
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Ok(Self { port, stop, accepted, results, thread: Some(thread) })
    }

    /// Connections accepted so far. A client's connections are all
    /// accepted by the time it has ended well: each one's handshake needed
    /// this server.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::Relaxed)
    }

    /// The next connection's outcome, waiting up to `timeout`.
    pub fn next(&self, timeout: Duration) -> Result<Served, String> {
        self.results
            .recv_timeout(timeout)
            .map_err(|_| format!("engine server: no connection finished within {timeout:?}"))?
    }

    /// Outcomes already reported (and not yet taken).
    pub fn drain(&self) -> Vec<Result<Served, String>> {
        self.results.try_iter().collect()
    }
}

impl Drop for EngineServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve_one(
    config: Arc<ServerConfig>,
    stream: TcpStream,
    n: u64,
    timeout: Duration,
    talk: &Talk,
) -> Result<Served, String> {
    stream.set_nonblocking(false).map_err(|e| e.to_string())?;
    let _ = stream.set_nodelay(true);
    let conn = Connection::server(config, Box::new(SeededRandom::from_seed(n)), now_unix());
    let mut session = Session::new(conn, stream);
    let summary = session.handshake(timeout).map_err(|e| format!("engine server: handshake: {e}"))?;
    let mut received = Vec::new();
    match talk {
        Talk::EchoLine => loop {
            match session.next_data(timeout) {
                Ok(Some(d)) => {
                    received.extend_from_slice(&d);
                    session.send(&d).map_err(|e| format!("engine server: echo: {e}"))?;
                    if d.contains(&b'\n') {
                        break;
                    }
                }
                Ok(None) | Err(DriveError::Eof) => break,
                Err(e) => return Err(format!("engine server: after the handshake: {e}")),
            }
        },
        Talk::Greet(line) => {
            session.send(line).map_err(|e| format!("engine server: send: {e}"))?;
            received = session
                .receive(line.len(), timeout)
                .map_err(|e| format!("engine server: reading the echo: {e}"))?;
            if received != *line {
                return Err(format!(
                    "engine server: sent {:?}, got {:?} back",
                    String::from_utf8_lossy(line),
                    String::from_utf8_lossy(&received)
                ));
            }
        }
    }
    session.close();
    Ok(Served {
        version: summary.version.to_string(),
        suite: suite_name(summary.suite),
        resumed: summary.resumed,
        peer_certs: summary.peer_certificates.len(),
        received,
    })
}

pub fn suite_name(s: shakedown_engine::msgs::enums::CipherSuite) -> String {
    shakedown_engine::suites::lookup(s).map_or_else(|| s.to_string(), |i| i.openssl_name.into())
}

pub fn now_unix() -> i64 {
    shakedown::args::now_unix()
}

/// How one cell of the matrix ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Skip(String),
    Fail(String),
}

#[derive(Debug, Clone)]
pub struct Row {
    pub peer: String,
    pub role: String,
    pub version: String,
    pub suite: String,
    pub auth: String,
    pub outcome: Outcome,
}

impl Row {
    pub fn name(&self) -> String {
        format!("{} / {} / {} / {} / {}", self.peer, self.role, self.version, self.suite, self.auth)
    }
}

/// The matrix as it ran.
#[derive(Debug, Default)]
pub struct Table {
    pub rows: Vec<Row>,
}

impl Table {
    pub fn push(&mut self, row: Row) {
        self.rows.push(row);
    }

    pub fn count(&self, pass: bool) -> usize {
        self.rows
            .iter()
            .filter(|r| match r.outcome {
                Outcome::Pass => pass,
                Outcome::Skip(_) => !pass,
                Outcome::Fail(_) => false,
            })
            .count()
    }

    pub fn failures(&self) -> Vec<String> {
        self.rows
            .iter()
            .filter_map(|r| match &r.outcome {
                Outcome::Fail(why) => Some(format!("{}: {why}", r.name())),
                _ => None,
            })
            .collect()
    }

    pub fn render(&self, title: &str) -> String {
        let mut s = format!(
            "\n== interop: {title}\n{:<11} {:<30} {:<7} {:<18} {:<12} result\n",
            "peer", "role", "version", "suite", "auth"
        );
        for r in &self.rows {
            let result = match &r.outcome {
                Outcome::Pass => "pass".to_string(),
                Outcome::Skip(why) => format!("skip: {why}"),
                Outcome::Fail(why) => format!("FAIL: {}", why.lines().next().unwrap_or_default()),
            };
            s.push_str(&format!(
                "{:<11} {:<30} {:<7} {:<18} {:<12} {result}\n",
                r.peer, r.role, r.version, r.suite, r.auth
            ));
        }
        let failed = self.failures().len();
        s.push_str(&format!(
            "-- {title}: {} pass, {} skip, {failed} fail\n",
            self.count(true),
            self.count(false)
        ));
        s
    }
}
