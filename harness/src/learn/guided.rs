//! Equivalence guided by a model the system is expected to resemble (the
//! reference's, with `--against-reference`): before the Wp suite, every
//! word on which the hypothesis and that model differ (the shortest first,
//! up to a limit) is asked of the system; one the system does not answer
//! as the hypothesis does is a counterexample. So each difference the
//! final model shows from the guide was asked and observed, never inferred
//! from a merged state: it is a finding, and the word test written for it
//! (learn/vectors.rs) fails against the peer when replayed.

use super::diff::differences;
use super::mealy::Mealy;
use super::oracle::{Ask, EquivalenceOracle, LearnError};

/// As many differences as `shakedown learn` writes.
pub const DIFF_LIMIT: usize = 50;

#[derive(Debug)]
pub struct Guided<E> {
    pub guide: Mealy,
    /// Asked once the differences from the guide are all confirmed.
    pub then: E,
}

impl<E: EquivalenceOracle> EquivalenceOracle for Guided<E> {
    fn find_counterexample(
        &mut self,
        h: &Mealy,
        ask: &mut Ask<'_>,
    ) -> Result<Option<Vec<usize>>, LearnError> {
        let diff = differences(h, &self.guide, DIFF_LIMIT).map_err(LearnError::System)?;
        for d in diff.found {
            // Indices into the hypothesis's inputs: the system's alphabet.
            let w = d.input_indices;
            if Some(ask(&w)?) != h.run(&w) {
                return Ok(Some(w));
            }
        }
        self.then.find_counterexample(h, ask)
    }
}
