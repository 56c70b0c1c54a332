//! Learning a server: the learner is the client ([`ClientState`]), each
//! query a new connection to the server; and the calibration of the
//! server's slowest step before learning.

use std::sync::Arc;
use std::time::{Duration, Instant};

use shakedown_engine::config::CertifiedKey;
use shakedown_engine::msgs::enums::ProtocolVersion;
use shakedown_engine::suites::SuiteInfo;

use super::client::ClientState;
use super::link::Link;
use super::output::Incoming;
use super::sul::{Input, Side, Sul};
use super::symbols::Symbol;
use crate::learn::oracle::LearnError;
use crate::peer::Recv;

/// Mixed into the client's seed ("client" in ASCII).
const CLIENT_SEED_MASK: u64 = 0x636c_6965_6e74;

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

impl Input for Symbol {
    fn name(self) -> &'static str {
        Symbol::name(self)
    }
}

impl Side for ClientSetup {
    type Input = Symbol;
    type State = ClientState;
    const EOF_IS_LATE: bool = false;

    fn fresh(&self) -> Result<ClientState, LearnError> {
        // The client's stream must not be the built-in server's (same seed):
        // the server's random stand-in premaster for a bad ClientKeyExchange
        // would then equal the client's premaster and pass.
        ClientState::new(
            self.version,
            self.suite,
            self.identity.clone(),
            self.untrusted.clone(),
            self.seed ^ CLIENT_SEED_MASK,
        )
        .map_err(LearnError::System)
    }

    fn build(st: &mut ClientState, input: Symbol) -> Vec<u8> {
        st.build(input)
    }
}

/// A server under learning.
pub type ServerSul = Sul<ClientSetup>;

impl ServerSul {
    /// Measures the peer's slowest step before learning: the honest
    /// handshake with ClientKeyExchange, ChangeCipherSpec and Finished sent
    /// together, timed to the first byte of the answer (the server's RSA
    /// decryption and Finished check). Later waits cover twice that. Needs
    /// those four symbols in the alphabet; `None` if they are not.
    pub fn calibrate(&mut self) -> Result<Option<Duration>, LearnError> {
        use Symbol as S;
        let find = |s: S| self.inputs.iter().position(|x| *x == s);
        let (Some(ch), Some(cke), Some(ccs), Some(fin)) =
            (find(S::ClientHello), find(S::ClientKeyExchange), find(S::ChangeCipherSpec), find(S::Finished))
        else {
            return Ok(None);
        };
        let mut t = (self.connect)().map_err(LearnError::System)?;
        let mut st = self.side.fresh()?;
        let mut inc = Incoming::new();
        let mut labels = Vec::new();
        let patience = Duration::from_secs(5);
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
        t.send(&st.build(S::ClientHello)).map_err(LearnError::System)?;
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
