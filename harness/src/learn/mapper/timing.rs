//! When a silent peer is silent: a wait per input learned from the peer's
//! own answer times. A peer's slowest step (its RSA decryption) shows in the
//! time to the first byte of the answer to the input that follows it, so
//! the wait for an input covers three times the slowest answer ever seen
//! to it and twice the slowest answer to any input, never less than a floor.
//! In memory none of this is used: "no output after processing" is exact.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Timing {
    floor: Duration,
    per_input: Vec<Duration>,
    slowest: Duration,
}

impl Timing {
    pub fn new(inputs: usize, floor: Duration) -> Self {
        Self { floor, per_input: vec![Duration::ZERO; inputs], slowest: Duration::ZERO }
    }

    /// How long to wait for (more of) the answer to `input`.
    pub fn wait(&self, input: usize) -> Duration {
        let own = self.per_input.get(input).copied().unwrap_or_default();
        self.floor.max(own * 3).max(self.slowest * 2)
    }

    /// The first byte of an answer to `input` came `after` it was sent.
    pub fn observe(&mut self, input: usize, after: Duration) {
        if let Some(d) = self.per_input.get_mut(input) {
            *d = (*d).max(after);
        }
        self.slowest = self.slowest.max(after);
    }

    /// Doubles the floor (at most a second): answers came later than the
    /// waits allowed for.
    pub fn be_patient(&mut self) {
        self.floor = (self.floor * 2).min(Duration::from_secs(1));
    }

    pub fn floor(&self) -> Duration {
        self.floor
    }

    /// The slowest answer seen per input, for the statistics.
    pub fn slowest_per_input(&self) -> &[Duration] {
        &self.per_input
    }
}
