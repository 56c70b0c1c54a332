//! A TLS server as a system under learning: each query is a new
//! connection (a reset) through a [`Transport`], each input one message
//! from [`ClientState`], each output the abstracted answer.
//! `SHAKEDOWN_LEARN_DEBUG=1` prints every query with its answer.

use std::sync::Arc;
use std::time::Instant;

use shakedown_engine::config::CertifiedKey;
use shakedown_engine::msgs::enums::ProtocolVersion;
use shakedown_engine::suites::SuiteInfo;

use super::client::ClientState;
use super::link::Link;
use super::output::{Incoming, Reader, SILENCE, label};
use super::symbols::Symbol;
use super::timing::Timing;
use crate::learn::oracle::{CLOSED, LearnError, MembershipOracle};
use crate::peer::Recv;

/// Mixed into the client's seed ("client" in ASCII).
const CLIENT_SEED_MASK: u64 = 0x636c_6965_6e74;

/// How often a query is asked again, each time with a longer wait for
/// silence, when its answers arrive late.
const LATE_RETRIES: usize = 4;

/// Opens a new connection to the peer (starting it if need be).
pub type Connect = Box<dyn FnMut() -> Result<Box<dyn Link>, String>>;

/// What the learner's client offers.
#[derive(Debug, Clone)]
pub struct ClientSetup {
    pub version: ProtocolVersion,
    pub suite: &'static SuiteInfo,
    /// Sent by ClientCertificate, signs CertificateVerify.
    pub identity: Option<Arc<CertifiedKey>>,
    /// Sent by ClientCertificateUntrusted.
    pub untrusted: Option<Arc<CertifiedKey>>,
    /// Seeds the client's randomness, the same on every connection so the
    /// same word sends the same bytes.
    pub seed: u64,
}

pub struct ServerSul {
    names: Vec<String>,
    symbols: Vec<Symbol>,
    setup: ClientSetup,
    connect: Connect,
    pub timing: Timing,
}

impl std::fmt::Debug for ServerSul {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerSul").field("inputs", &self.names).finish_non_exhaustive()
    }
}

impl ServerSul {
    pub fn new(symbols: Vec<Symbol>, setup: ClientSetup, connect: Connect, timing: Timing) -> Self {
        Self { names: symbols.iter().map(|s| s.name().to_owned()).collect(), symbols, setup, connect, timing }
    }
}

/// The answer to one input: read until the peer is quiet (in memory), a
/// flight is complete, the connection ends, or the wait runs out.
pub fn answer<R: Reader>(
    t: &mut dyn Link,
    st: &mut R,
    inc: &mut Incoming,
    timing: &mut Timing,
    input: usize,
) -> Result<(Vec<String>, bool), LearnError> {
    let mut labels = Vec::new();
    let sent = Instant::now();
    let wait = timing.wait(input);
    let mut deadline = sent + wait;
    let mut first = true;
    loop {
        match t.recv(deadline) {
            Recv::Data(d) => {
                if first {
                    timing.observe(input, sent.elapsed());
                    first = false;
                }
                let flight_done = inc.absorb(st, &d, &mut labels);
                if inc.ended {
                    return Ok((labels, true));
                }
                if flight_done {
                    // In memory, read on: the next recv is exact.
                    deadline = Instant::now();
                } else {
                    deadline = Instant::now() + wait;
                }
            }
            Recv::Eof => return Ok((labels, true)),
            Recv::Quiet | Recv::Timeout => return Ok((labels, false)),
            Recv::Failed(e) => return Err(LearnError::System(format!("the peer failed: {e}"))),
        }
    }
}

impl ServerSul {
    fn client(&self) -> Result<ClientState, LearnError> {
        let s = &self.setup;
        // The client's stream must not be the built-in server's (same seed):
        // the server's random stand-in premaster for a bad ClientKeyExchange
        // would then equal the client's premaster and pass.
        ClientState::new(
            s.version,
            s.suite,
            s.identity.clone(),
            s.untrusted.clone(),
            s.seed ^ CLIENT_SEED_MASK,
        )
        .map_err(LearnError::System)
    }

    /// One connection; `None` when an answer came late (bytes already
    /// waiting before the next input was sent).
    fn query_once(&mut self, word: &[usize]) -> Result<Option<Vec<String>>, LearnError> {
        let mut t = (self.connect)().map_err(LearnError::System)?;
        let mut st = self.client()?;
        let mut inc = Incoming::new();
        let mut closed = false;
        let mut out = Vec::with_capacity(word.len());
        for &i in word {
            if closed {
                out.push(CLOSED.to_owned());
                continue;
            }
            if let Recv::Data(_) = t.recv(Instant::now()) {
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
        // A last answer of silence gets one more wait: bytes then are a late
        // answer. (Bytes after our half-close are not: some servers answer
        // the end of the connection itself.)
        let last = word.last().copied().unwrap_or_default();
        let late = !closed
            && out.last().is_some_and(|o| o == SILENCE)
            && matches!(t.recv(Instant::now() + self.timing.wait(last)), Recv::Data(_));
        let _ = t.finish();
        if std::env::var_os("SHAKEDOWN_LEARN_DEBUG").is_some() {
            eprintln!("{word:?} -> {out:?}{}", if late { " (late bytes: asked again)" } else { "" });
        }
        Ok((!late).then_some(out))
    }

    /// Measures the peer's slowest step before learning: the honest
    /// handshake with ClientKeyExchange, ChangeCipherSpec and Finished sent
    /// together, timed to the first byte of the answer (the server's RSA
    /// decryption and Finished check). Later waits cover twice that. Needs
    /// those four symbols in the alphabet; `None` if they are not.
    pub fn calibrate(&mut self) -> Result<Option<std::time::Duration>, LearnError> {
        use super::symbols::Symbol as S;
        let find = |s: S| self.symbols.iter().position(|x| *x == s);
        let (Some(ch), Some(cke), Some(ccs), Some(fin)) =
            (find(S::ClientHello), find(S::ClientKeyExchange), find(S::ChangeCipherSpec), find(S::Finished))
        else {
            return Ok(None);
        };
        let mut t = (self.connect)().map_err(LearnError::System)?;
        let mut st = self.client()?;
        let mut inc = Incoming::new();
        let mut labels = Vec::new();
        let patience = std::time::Duration::from_secs(5);
        let timed = |t: &mut dyn Link, st: &mut ClientState, inc: &mut Incoming, labels: &mut Vec<String>| {
            let sent = Instant::now();
            match t.recv(sent + patience) {
                Recv::Data(d) => {
                    let took = sent.elapsed();
                    inc.absorb(st, &d, labels);
                    Some(took)
                }
                _ => None,
            }
        };
        let hello = st.build(self.symbols.get(ch).copied().unwrap_or(S::ClientHello));
        t.send(&hello).map_err(LearnError::System)?;
        let Some(first) = timed(t.as_mut(), &mut st, &mut inc, &mut labels) else {
            let _ = t.finish();
            return Ok(None);
        };
        self.timing.observe(ch, first);
        // The rest of the first flight may still be on its way.
        while !labels.iter().any(|l| l == "ServerHelloDone") && !inc.ended {
            match t.recv(Instant::now() + patience) {
                Recv::Data(d) => {
                    inc.absorb(&mut st, &d, &mut labels);
                }
                _ => break,
            }
        }
        let mut flight = st.build(S::ClientKeyExchange);
        flight.extend(st.build(S::ChangeCipherSpec));
        flight.extend(st.build(S::Finished));
        t.send(&flight).map_err(LearnError::System)?;
        let slow = timed(t.as_mut(), &mut st, &mut inc, &mut labels);
        let _ = t.finish();
        if let Some(d) = slow {
            for i in [cke, ccs, fin] {
                self.timing.observe(i, d);
            }
        }
        Ok(slow)
    }
}

impl MembershipOracle for ServerSul {
    fn alphabet(&self) -> &[String] {
        &self.names
    }

    /// Asks again with longer waits while answers arrive late.
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
