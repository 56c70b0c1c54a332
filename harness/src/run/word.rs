//! A scenario test with a learner `word` (vector/word.rs): the word is one
//! membership query of `shakedown learn`, asked of the peer through the
//! learner's own mapper and query loop (learn/mapper/sul.rs), the engine
//! side being the learner's client against a peer server or its server
//! against a peer client. No second handshake loop: what the learner saw,
//! the runner sees. The peer's answer word is the observation; the judge
//! compares it with `peer_outputs`. The connection that gave the answer is
//! the case's transcript.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use shakedown_engine::flaw::Flaws;
use shakedown_engine::suites;

use super::RunOptions;
use super::configs::Identities;
use super::transcript::{Direction, Transcript};
use crate::expect::{End, Observed};
use crate::learn::MembershipOracle;
use crate::learn::cache::Checks;
use crate::learn::mapper::link::Link;
use crate::learn::mapper::sul::Connect;
use crate::learn::session::{Setup, Target, client_sul, server_sul};
use crate::peer::{PeerSpec, Recv, Transport};
use crate::vector::{Case, Role, WordSymbol};

/// The least wait before a peer over TCP counts as silent, unless the run
/// gives one (`RunOptions::silence`) or the profile a longer one
/// (`silence_ms`). The learner's client profiles were
/// learned with 50 ms; a server's wait grows with its measured slowest
/// step (`ServerSul::calibrate`).
const MIN_WAIT: Duration = Duration::from_millis(50);

/// The least wait for silence: the run's, else the profile's when longer
/// than [`MIN_WAIT`], else [`MIN_WAIT`].
fn least_wait(run: Option<Duration>, peer: &PeerSpec) -> Duration {
    run.unwrap_or_else(|| match peer {
        PeerSpec::Profile(p) => p.silence_ms.map_or(MIN_WAIT, Duration::from_millis).max(MIN_WAIT),
        _ => MIN_WAIT,
    })
}

/// Asks `word` of the peer of `opts` (or of the server already listening
/// at `server`: a profile's, started by the runner's worker); the peer's
/// answer as an observation (`End::Done` with the outputs), or why it
/// could not be asked.
pub fn run_word(
    case: &Case,
    word: &[WordSymbol],
    ids: &Identities,
    opts: &RunOptions,
    seed: u64,
    server: Option<String>,
    transcript: &mut Transcript,
) -> Result<Observed, String> {
    let suite = suites::lookup(case.suite).ok_or_else(|| format!("no suite {}", case.suite_name))?;
    let setup = Setup {
        version: case.version,
        suite,
        client_auth: case.test.peer.client_auth,
        alphabet: String::new(),
        depth: 0,
        random_words: 0,
        seed,
        time_budget: None,
        certs: opts.certs.clone(),
        min_wait: least_wait(opts.silence, &opts.peer),
        connect_timeout: opts.timeout,
        checks: Checks::default(),
        guide: None,
    };
    let (target, flaws) = match (&opts.peer, server) {
        (_, Some(addr)) => (Target::Tcp(addr), Flaws::default()),
        (PeerSpec::Builtin(b), None) => (Target::Builtin, b.flaws.clone()),
        (PeerSpec::Tcp(addr), None) => (Target::Tcp(addr.clone()), Flaws::default()),
        (PeerSpec::Profile(p), None) => (Target::Profile(p.clone()), Flaws::default()),
    };
    let noted = Rc::new(RefCell::new(Transcript::new()));
    let record = |inner: Connect| recording(inner, noted.clone());
    let unknown = |s: &WordSymbol| format!("`{}` is no symbol of this role", s.name());
    let outputs = match case.test.engine_role {
        // The peer is a server: the engine side is the learner's client.
        Role::Client => {
            let inputs = word.iter().map(|s| s.to_client_input().ok_or_else(|| unknown(s)));
            // The honest handshake's symbols first: a real server's
            // slowest step is measured with them.
            use crate::learn::mapper::symbols::Symbol as S;
            let base = vec![S::ClientHello, S::ClientKeyExchange, S::ChangeCipherSpec, S::Finished];
            let (alphabet, indices) = alphabet_of(base, inputs.collect::<Result<Vec<_>, _>>()?);
            let hook = move |c: &mut shakedown_engine::ServerConfig| c.flaws = flaws.clone();
            let mut sul = server_sul(&target, &setup, ids, alphabet, &hook)?;
            if !matches!(target, Target::Builtin) {
                sul.calibrate().map_err(|e| e.to_string())?;
            }
            sul.wrap_connect(record);
            sul.query(&indices)
        }
        // The peer is a client: the engine side is the learner's server.
        Role::Server => {
            let inputs = word.iter().map(|s| s.to_server_input().ok_or_else(|| unknown(s)));
            use crate::learn::mapper::server::ServerSymbol as S;
            let base = vec![S::ServerHello, S::Certificate, S::ServerHelloDone];
            let (alphabet, indices) = alphabet_of(base, inputs.collect::<Result<Vec<_>, _>>()?);
            let hook = move |c: &mut shakedown_engine::ClientConfig| c.flaws = flaws.clone();
            let mut sul = client_sul(&target, &setup, ids, alphabet, &hook)?;
            // As for a server: a real client's slowest step is measured
            // first (its flight after ServerHelloDone).
            if !matches!(target, Target::Builtin) {
                sul.calibrate().map_err(|e| e.to_string())?;
            }
            sul.wrap_connect(record);
            sul.query(&indices)
        }
    };
    *transcript = noted.take();
    let outputs = outputs.map_err(|e| e.to_string())?;
    Ok(Observed { outputs: Some(outputs), ..Observed::new(End::Done) })
}

/// Connections that note their bytes in `noted`, which holds the last
/// connection's only: a query asked again (its answer came late) is
/// answered by its last connection.
fn recording(mut inner: Connect, noted: Rc<RefCell<Transcript>>) -> Connect {
    Box::new(move || {
        let link = inner()?;
        *noted.borrow_mut() = Transcript::new();
        Ok(Box::new(Recording { inner: link, noted: noted.clone() }) as Box<dyn Link>)
    })
}

struct Recording {
    inner: Box<dyn Link>,
    noted: Rc<RefCell<Transcript>>,
}

impl Transport for Recording {
    fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.noted.borrow_mut().add(Direction::ToPeer, bytes);
        self.inner.send(bytes)
    }

    fn recv(&mut self, deadline: Instant) -> Recv {
        let r = self.inner.recv(deadline);
        if let Recv::Data(d) = &r {
            self.noted.borrow_mut().add(Direction::FromPeer, d);
        }
        r
    }

    fn echoes(&self) -> bool {
        self.inner.echoes()
    }
}

impl Link for Recording {
    fn finish(&mut self) -> bool {
        self.inner.finish()
    }
}

/// The query's alphabet (`base`, then the word's other symbols) and the
/// word as indices into it.
fn alphabet_of<T: PartialEq + Copy>(base: Vec<T>, word: Vec<T>) -> (Vec<T>, Vec<usize>) {
    let mut alphabet = base;
    let mut indices = Vec::with_capacity(word.len());
    for s in word {
        let i = match alphabet.iter().position(|x| *x == s) {
            Some(i) => i,
            None => {
                alphabet.push(s);
                alphabet.len() - 1
            }
        };
        indices.push(i);
    }
    (alphabet, indices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peer::profile::Profile;

    fn profile(name: &str) -> PeerSpec {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../vectors/peers/{name}.json"));
        PeerSpec::Profile(Box::new(Profile::load(&path).unwrap_or_else(|e| panic!("{e}"))))
    }

    #[test]
    fn a_profile_may_ask_for_a_longer_wait_for_silence_but_not_a_shorter_one() {
        // jsse-client.json: a JVM per query answers after the runner's 50 ms.
        assert_eq!(least_wait(None, &profile("jsse-client")), Duration::from_millis(500));
        assert_eq!(least_wait(None, &profile("openssl-client")), MIN_WAIT);
        assert_eq!(least_wait(None, &PeerSpec::Tcp("127.0.0.1:1".into())), MIN_WAIT);
        // The run's own wait wins.
        let run = Some(Duration::from_millis(20));
        assert_eq!(least_wait(run, &profile("jsse-client")), Duration::from_millis(20));
        let mut short = profile("openssl-client");
        if let PeerSpec::Profile(p) = &mut short {
            p.silence_ms = Some(5);
        }
        assert_eq!(least_wait(None, &short), MIN_WAIT);
    }
}
