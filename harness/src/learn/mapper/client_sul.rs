//! Learning a client: the learner is the server ([`ServerState`]), each
//! query a new connection from the client, whose ClientHello is read first
//! (it is no output: every word starts after it).

use std::sync::Arc;
use std::time::{Duration, Instant};

use shakedown_engine::config::CertifiedKey;
use shakedown_engine::msgs::enums::ProtocolVersion;
use shakedown_engine::suites::SuiteInfo;

use super::link::Link;
use super::output::{Incoming, label};
use super::server::{ServerState, ServerSymbol};
use super::sul::{Input, Side, Sul};
use crate::learn::oracle::LearnError;
use crate::peer::Recv;

/// Mixed into the server side's seed ("server" in ASCII): its stream must
/// not be the built-in client's.
const SERVER_SEED_MASK: u64 = 0x7365_7276_6572;

/// How long a new connection may take to send its ClientHello.
const HELLO_PATIENCE: Duration = Duration::from_secs(5);

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

impl Input for ServerSymbol {
    fn name(self) -> &'static str {
        ServerSymbol::name(self)
    }
}

impl Side for ServerSetup {
    type Input = ServerSymbol;
    type State = ServerState;
    const EOF_IS_LATE: bool = true;

    fn fresh(&self) -> Result<ServerState, LearnError> {
        ServerState::new(
            self.version,
            self.suite,
            self.identity.clone(),
            self.untrusted.clone(),
            self.seed ^ SERVER_SEED_MASK,
        )
        .map_err(LearnError::System)
    }

    fn build(st: &mut ServerState, input: ServerSymbol) -> Vec<u8> {
        st.build(input)
    }

    /// The client speaks first: its hello is where every word starts.
    fn open(&self, t: &mut dyn Link, st: &mut ServerState, inc: &mut Incoming) -> Result<(), LearnError> {
        let mut hello = Vec::new();
        let deadline = Instant::now() + HELLO_PATIENCE;
        while st.client_random.is_none() && !inc.ended {
            match t.recv(deadline) {
                Recv::Data(d) => {
                    inc.absorb(st, &d, &mut hello);
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
        Ok(())
    }
}

/// A client under learning.
pub type ClientSul = Sul<ServerSetup>;

impl ClientSul {
    /// Measures the client's slowest step before learning, with the same
    /// code as a server's ([`Sul::calibrate_flights`]): ServerHello,
    /// Certificate and ServerHelloDone sent together, timed to the first
    /// byte of the client's flight (its certificate check and RSA
    /// encryption; a JVM's first use of them). Later waits for these
    /// inputs cover three times that, for any input twice. Needs the three
    /// symbols in the alphabet; `None` if they are not.
    pub fn calibrate(&mut self) -> Result<Option<Duration>, LearnError> {
        use ServerSymbol as S;
        self.calibrate_flights(&[&[S::ServerHello, S::Certificate, S::ServerHelloDone]])
    }
}
