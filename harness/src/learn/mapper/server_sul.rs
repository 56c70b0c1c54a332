//! Learning a server: the learner is the client ([`ClientState`]), each
//! query a new connection to the server; and the calibration of the
//! server's slowest step before learning.

use std::sync::Arc;
use std::time::Duration;

use shakedown_engine::config::CertifiedKey;
use shakedown_engine::msgs::enums::ProtocolVersion;
use shakedown_engine::suites::SuiteInfo;

use super::client::ClientState;
use super::sul::{Input, Side, Sul};
use super::symbols::Symbol;
use crate::learn::oracle::LearnError;

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
    /// Measures the peer's slowest step before learning: the hello, then
    /// the honest handshake with ClientKeyExchange, ChangeCipherSpec and
    /// Finished sent together, each timed to the first byte of the answer
    /// (the second: the server's RSA decryption and Finished check). Later
    /// waits cover twice that. Needs those four symbols in the alphabet;
    /// `None` if they are not.
    pub fn calibrate(&mut self) -> Result<Option<Duration>, LearnError> {
        use Symbol as S;
        let first = [S::ClientHello];
        let second = [S::ClientKeyExchange, S::ChangeCipherSpec, S::Finished];
        self.calibrate_flights(&[&first, &second])
    }
}
