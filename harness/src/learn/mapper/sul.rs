//! A TLS peer as a system under learning, whichever its role: each query
//! is a new connection (a reset) through a [`Link`], each input one message
//! computed by the learner's side of the connection ([`Side`]: a client
//! for learning a server, in `server_sul.rs`; a server for learning a
//! client, in `client_sul.rs`), each output the abstracted answer. A query
//! whose answer arrives after the wait for silence is asked again with a
//! longer wait. `SHAKEDOWN_LEARN_DEBUG=1` prints every query with its answer.

use std::time::{Duration, Instant};

use super::link::Link;
use super::output::{Incoming, Reader, SILENCE, label};
use super::timing::Timing;
use crate::learn::oracle::{CLOSED, LearnError, MembershipOracle};
use crate::peer::Recv;

/// How often a query is asked again, each time with a longer wait for
/// silence, when its answers arrive late.
const LATE_RETRIES: usize = 4;

/// How long a calibration waits for each answer.
const CALIBRATION_PATIENCE: Duration = Duration::from_secs(5);

/// Opens a new connection to the peer (starting it if need be).
pub type Connect = Box<dyn FnMut() -> Result<Box<dyn Link>, String>>;

/// An abstract input symbol.
pub trait Input: Copy {
    fn name(self) -> &'static str;
}

/// The learner's side of the connection: what it sends, and how the peer
/// opens and ends a connection.
pub trait Side {
    type Input: Input;
    type State: Reader;
    /// Whether the peer ending the connection with no bytes, before the
    /// next input or after a final silence, is a late answer too. Learning
    /// a client, it is: `s_client` closes after a close_notify without
    /// answering it, later than the wait. Learning a server it is not
    /// (the server models in the README were learned that way).
    const EOF_IS_LATE: bool;
    /// The state of a new connection.
    fn fresh(&self) -> Result<Self::State, LearnError>;
    /// The bytes for `input`, computed from the connection so far.
    fn build(st: &mut Self::State, input: Self::Input) -> Vec<u8>;
    /// Reads what the peer says before any input (a client's hello);
    /// nothing by default.
    fn open(&self, _t: &mut dyn Link, _st: &mut Self::State, _inc: &mut Incoming) -> Result<(), LearnError> {
        Ok(())
    }
}

pub struct Sul<S: Side> {
    names: Vec<String>,
    pub(super) inputs: Vec<S::Input>,
    pub(super) side: S,
    pub(super) connect: Connect,
    pub timing: Timing,
}

impl<S: Side> std::fmt::Debug for Sul<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sul").field("inputs", &self.names).finish_non_exhaustive()
    }
}

impl<S: Side> Sul<S> {
    pub fn new(inputs: Vec<S::Input>, side: S, connect: Connect, timing: Timing) -> Self {
        Self { names: inputs.iter().map(|s| s.name().to_owned()).collect(), inputs, side, connect, timing }
    }

    /// Puts `wrap` around the way connections are opened (the runner
    /// records a word test's bytes so).
    pub fn wrap_connect(&mut self, wrap: impl FnOnce(Connect) -> Connect) {
        let inner = std::mem::replace(&mut self.connect, Box::new(|| Err("no connection".into())));
        self.connect = wrap(inner);
    }

    /// Measures the peer's answer times before learning, on one
    /// connection: each of `flights` (inputs sent at once) is timed to the
    /// first byte of its answer, which every input of the flight is then
    /// taken to have taken (the wait for each grows from it, see
    /// [`Timing`]); the rest of the answer is read up to the end of the
    /// peer's flight. The slowest of those times; `None` when an input is
    /// not in the alphabet or a flight got no answer within the patience
    /// (what was measured before it is kept).
    pub fn calibrate_flights(&mut self, flights: &[&[S::Input]]) -> Result<Option<Duration>, LearnError>
    where
        S::Input: PartialEq,
    {
        let mut indexed = Vec::with_capacity(flights.len());
        for flight in flights {
            let found: Option<Vec<usize>> =
                flight.iter().map(|s| self.inputs.iter().position(|x| x == s)).collect();
            let Some(found) = found else { return Ok(None) };
            indexed.push(found);
        }
        let mut t = (self.connect)().map_err(LearnError::System)?;
        let mut st = self.side.fresh()?;
        let mut inc = Incoming::new();
        self.side.open(t.as_mut(), &mut st, &mut inc)?;
        let mut labels = Vec::new();
        let mut slowest = None;
        for (flight, indices) in flights.iter().zip(&indexed) {
            let bytes: Vec<u8> = flight.iter().flat_map(|&s| S::build(&mut st, s)).collect();
            t.send(&bytes).map_err(LearnError::System)?;
            let sent = Instant::now();
            let Recv::Data(d) = t.recv(sent + CALIBRATION_PATIENCE) else {
                break;
            };
            let took = sent.elapsed();
            for &i in indices {
                self.timing.observe(i, took);
            }
            slowest = slowest.max(Some(took));
            // The rest of the answer may still be on its way.
            let mut done = inc.absorb(&mut st, &d, &mut labels);
            while !done && !inc.ended {
                match t.recv(Instant::now() + CALIBRATION_PATIENCE) {
                    Recv::Data(d) => done = inc.absorb(&mut st, &d, &mut labels),
                    _ => break,
                }
            }
            if inc.ended {
                break;
            }
        }
        let _ = t.finish();
        Ok(slowest)
    }

    /// Whether `r` is the start of a late answer.
    fn late(r: &Recv) -> bool {
        matches!(r, Recv::Data(_)) || (S::EOF_IS_LATE && matches!(r, Recv::Eof))
    }

    /// One connection; `None` when an answer came late (bytes, or the end
    /// of the connection where that counts, already waiting before the
    /// next input was sent).
    fn query_once(&mut self, word: &[usize]) -> Result<Option<Vec<String>>, LearnError> {
        let mut t = (self.connect)().map_err(LearnError::System)?;
        let mut st = self.side.fresh()?;
        let mut inc = Incoming::new();
        self.side.open(t.as_mut(), &mut st, &mut inc)?;
        let mut closed = false;
        let mut out = Vec::with_capacity(word.len());
        for &i in word {
            if closed {
                out.push(CLOSED.to_owned());
                continue;
            }
            if Self::late(&t.recv(Instant::now())) {
                let _ = t.finish();
                return Ok(None);
            }
            let sym = *self.inputs.get(i).ok_or_else(|| LearnError::System(format!("no input {i}")))?;
            let bytes = S::build(&mut st, sym);
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
            && Self::late(&t.recv(Instant::now() + self.timing.wait(last)));
        let _ = t.finish();
        if std::env::var_os("SHAKEDOWN_LEARN_DEBUG").is_some() {
            crate::tell!("{word:?} -> {out:?}{}", if late { " (late bytes: asked again)" } else { "" });
        }
        Ok((!late).then_some(out))
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

impl<S: Side> MembershipOracle for Sul<S> {
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
