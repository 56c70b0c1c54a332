//! A TLS client as a system under learning: each query is a new
//! connection from the client (a reset), whose ClientHello is read first
//! (it is no output: every word starts after it); each input is one
//! message from [`ServerState`], each output the client's abstracted
//! answer. `SHAKEDOWN_LEARN_DEBUG=1` prints every query with its answer.

use std::sync::Arc;
use std::time::{Duration, Instant};

use shakedown_engine::config::CertifiedKey;
use shakedown_engine::msgs::enums::ProtocolVersion;
use shakedown_engine::suites::SuiteInfo;

use super::output::{Incoming, SILENCE, label};
use super::server::{ServerState, ServerSymbol};
use super::sul::{Connect, answer};
use super::timing::Timing;
use crate::learn::oracle::{CLOSED, LearnError, MembershipOracle};
use crate::peer::Recv;

/// Mixed into the server side's seed ("server" in ASCII): its stream must
/// not be the built-in client's.
const SERVER_SEED_MASK: u64 = 0x7365_7276_6572;

/// How long a new connection may take to send its ClientHello.
const HELLO_PATIENCE: Duration = Duration::from_secs(5);

/// How often a query is asked again when its answers arrive late.
const LATE_RETRIES: usize = 4;

/// What the learner's server sends.
#[derive(Debug, Clone)]
pub struct ServerSetup {
    pub version: ProtocolVersion,
    pub suite: &'static SuiteInfo,
    /// Sent by Certificate; decrypts the ClientKeyExchange.
    pub identity: Arc<CertifiedKey>,
    /// Sent by CertificateUntrusted.
    pub untrusted: Option<Arc<CertifiedKey>>,
    pub seed: u64,
}

pub struct ClientSul {
    names: Vec<String>,
    symbols: Vec<ServerSymbol>,
    setup: ServerSetup,
    connect: Connect,
    pub timing: Timing,
}

impl std::fmt::Debug for ClientSul {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSul").field("inputs", &self.names).finish_non_exhaustive()
    }
}

impl ClientSul {
    pub fn new(symbols: Vec<ServerSymbol>, setup: ServerSetup, connect: Connect, timing: Timing) -> Self {
        Self { names: symbols.iter().map(|s| s.name().to_owned()).collect(), symbols, setup, connect, timing }
    }

    fn server(&self) -> Result<ServerState, LearnError> {
        let s = &self.setup;
        ServerState::new(
            s.version,
            s.suite,
            s.identity.clone(),
            s.untrusted.clone(),
            s.seed ^ SERVER_SEED_MASK,
        )
        .map_err(LearnError::System)
    }

    /// One connection; `None` when an answer came late.
    fn query_once(&mut self, word: &[usize]) -> Result<Option<Vec<String>>, LearnError> {
        let mut t = (self.connect)().map_err(LearnError::System)?;
        let mut st = self.server()?;
        let mut inc = Incoming::new();
        // The client speaks first: its hello is where every word starts.
        let mut hello = Vec::new();
        let deadline = Instant::now() + HELLO_PATIENCE;
        while st.client_random.is_none() && !inc.ended {
            match t.recv(deadline) {
                Recv::Data(d) => {
                    inc.absorb(&mut st, &d, &mut hello);
                }
                Recv::Failed(e) => return Err(LearnError::System(format!("the client failed: {e}"))),
                _ => break,
            }
        }
        if st.client_random.is_none() {
            let _ = t.finish();
            return Err(LearnError::System(format!(
                "the client sent no ClientHello on a new connection (got: {})",
                label(&hello, inc.ended)
            )));
        }
        let mut closed = false;
        let mut out = Vec::with_capacity(word.len());
        for &i in word {
            if closed {
                out.push(CLOSED.to_owned());
                continue;
            }
            // Bytes, or the end of the connection, before this input are
            // a late answer to the last one.
            if matches!(t.recv(Instant::now()), Recv::Data(_) | Recv::Eof) {
                let _ = t.finish();
                return Ok(None);
            }
            let sym = *self.symbols.get(i).ok_or_else(|| LearnError::System(format!("no input {i}")))?;
            let bytes = st.build(sym);
            if t.send(&bytes).is_err() {
                closed = true;
                out.push(CLOSED.to_owned());
                continue;
            }
            let (labels, ended) = answer(t.as_mut(), &mut st, &mut inc, &mut self.timing, i)?;
            closed = ended;
            out.push(label(&labels, ended));
        }
        let last = word.last().copied().unwrap_or_default();
        let late = !closed
            && out.last().is_some_and(|o| o == SILENCE)
            && matches!(t.recv(Instant::now() + self.timing.wait(last)), Recv::Data(_) | Recv::Eof);
        let _ = t.finish();
        if std::env::var_os("SHAKEDOWN_LEARN_DEBUG").is_some() {
            eprintln!("{word:?} -> {out:?}{}", if late { " (late bytes: asked again)" } else { "" });
        }
        Ok((!late).then_some(out))
    }
}

impl MembershipOracle for ClientSul {
    fn alphabet(&self) -> &[String] {
        &self.names
    }

    fn query(&mut self, word: &[usize]) -> Result<Vec<String>, LearnError> {
        for _ in 0..LATE_RETRIES {
            match self.query_once(word)? {
                Some(out) => return Ok(out),
                None => self.timing.be_patient(),
            }
        }
        Err(LearnError::System(format!(
            "answers to [{}] kept arriving after the wait for silence ({:?})",
            word.iter().filter_map(|&i| self.names.get(i).cloned()).collect::<Vec<_>>().join(", "),
            self.timing.floor()
        )))
    }

    fn be_patient(&mut self) {
        self.timing.be_patient();
    }

    fn is_terminal(&self, output: &str) -> bool {
        output == CLOSED || output.ends_with("+closed")
    }
}
