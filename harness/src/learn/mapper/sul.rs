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
use super::output::{Incoming, label};
use super::symbols::Symbol;
use super::timing::Timing;
use crate::learn::oracle::{CLOSED, LearnError, MembershipOracle};
use crate::peer::Recv;

/// Mixed into the client's seed ("client" in ASCII).
const CLIENT_SEED_MASK: u64 = 0x636c_6965_6e74;

/// Opens a new connection to the peer (starting it if need be).
pub type Connect = Box<dyn FnMut() -> Result<Box<dyn Link>, String>>;

/// What the learner's client offers.
#[derive(Debug, Clone)]
pub struct ClientSetup {
    pub version: ProtocolVersion,
    pub suite: &'static SuiteInfo,
    /// Sent by ClientCertificate, signs CertificateVerify.
    pub identity: Option<Arc<CertifiedKey>>,
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
        f.debug_struct("ServerSul")
            .field("inputs", &self.names)
            .finish_non_exhaustive()
    }
}

impl ServerSul {
    pub fn new(symbols: Vec<Symbol>, setup: ClientSetup, connect: Connect, timing: Timing) -> Self {
        Self {
            names: symbols.iter().map(|s| s.name().to_owned()).collect(),
            symbols,
            setup,
            connect,
            timing,
        }
    }

    /// The answer to one input: read until the peer is quiet (in memory),
    /// a flight is complete, the connection ends, or the wait runs out.
    fn answer(
        &mut self,
        t: &mut dyn Link,
        st: &mut ClientState,
        inc: &mut Incoming,
        input: usize,
    ) -> Result<(Vec<String>, bool), LearnError> {
        let mut labels = Vec::new();
        let sent = Instant::now();
        let wait = self.timing.wait(input);
        let mut deadline = sent + wait;
        let mut first = true;
        loop {
            match t.recv(deadline) {
                Recv::Data(d) => {
                    if first {
                        self.timing.observe(input, sent.elapsed());
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
}

impl MembershipOracle for ServerSul {
    fn alphabet(&self) -> &[String] {
        &self.names
    }

    fn query(&mut self, word: &[usize]) -> Result<Vec<String>, LearnError> {
        let mut t = (self.connect)().map_err(LearnError::System)?;
        let s = &self.setup;
        // The client's stream must not be the built-in server's (same seed):
        // the server's random stand-in premaster for a bad ClientKeyExchange
        // would then equal the client's premaster and pass.
        let client_seed = s.seed ^ CLIENT_SEED_MASK;
        let mut st = ClientState::new(s.version, s.suite, s.identity.clone(), client_seed)
            .map_err(LearnError::System)?;
        let mut inc = Incoming::new();
        let mut closed = false;
        let mut out = Vec::with_capacity(word.len());
        for &i in word {
            if closed {
                out.push(CLOSED.to_owned());
                continue;
            }
            let sym = *self
                .symbols
                .get(i)
                .ok_or_else(|| LearnError::System(format!("no input {i}")))?;
            let bytes = st.build(sym);
            if t.send(&bytes).is_err() {
                closed = true;
                out.push(CLOSED.to_owned());
                continue;
            }
            let (labels, ended) = self.answer(t.as_mut(), &mut st, &mut inc, i)?;
            closed = ended;
            out.push(label(&labels, ended));
        }
        t.finish();
        if std::env::var_os("SHAKEDOWN_LEARN_DEBUG").is_some() {
            eprintln!("{:?} -> {:?}", word, out);
        }
        Ok(out)
    }

    fn be_patient(&mut self) {
        self.timing.be_patient();
    }

    fn is_terminal(&self, output: &str) -> bool {
        output == CLOSED || output.ends_with("+closed")
    }
}
