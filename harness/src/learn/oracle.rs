//! The two questions an active learner asks (Angluin's minimally adequate
//! teacher, for Mealy machines): what does the system answer to this word,
//! and is this hypothesis right.

use super::mealy::Mealy;

/// Why learning stopped without a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LearnError {
    /// The same input word got different answers.
    NonDeterministic { word: Vec<String>, answers: Vec<Vec<String>> },
    /// The system could not be asked (peer unreachable, died, mapper
    /// failure), with the reason.
    System(String),
    /// The time budget ran out.
    TimeUp,
}

impl std::fmt::Display for LearnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NonDeterministic { word, answers } => {
                write!(f, "non-deterministic answers to [{}]:", word.join(", "))?;
                for a in answers {
                    write!(f, " [{}]", a.join(", "))?;
                }
                Ok(())
            }
            Self::System(e) => write!(f, "{e}"),
            Self::TimeUp => write!(f, "the time budget ran out"),
        }
    }
}

impl std::error::Error for LearnError {}

/// The system under learning: every query starts from a reset (a new
/// connection), sends the word's inputs in order and returns one output
/// per input.
pub trait MembershipOracle {
    /// The input names; words are indices into this list.
    fn alphabet(&self) -> &[String];

    /// Reset, then the outputs of `word` (same length as `word`).
    fn query(&mut self, word: &[usize]) -> Result<Vec<String>, LearnError>;

    /// Whether an output ends the conversation: every later input answers
    /// [`CLOSED`] without being sent (a closed connection stays closed).
    fn is_terminal(&self, _output: &str) -> bool {
        false
    }

    /// Two answers to one word differed: wait longer for silence from now
    /// on (a late answer looks like a different one).
    fn be_patient(&mut self) {}
}

/// The output of every input after a terminal output.
pub const CLOSED: &str = "closed";

/// Asks one membership query (through the learner's cache).
pub type Ask<'a> = dyn FnMut(&[usize]) -> Result<Vec<String>, LearnError> + 'a;

/// Answers "is `hypothesis` right?" with a counterexample word on which the
/// system and the hypothesis differ, or `None`.
pub trait EquivalenceOracle {
    fn find_counterexample(
        &mut self,
        hypothesis: &Mealy,
        ask: &mut Ask<'_>,
    ) -> Result<Option<Vec<usize>>, LearnError>;
}

/// What learning cost.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stats {
    /// Queries the learner asked (answered from the cache or the system).
    pub membership_queries: u64,
    /// Hypotheses submitted to the equivalence oracle.
    pub equivalence_queries: u64,
    /// Queries sent to the system, one reset (connection) each.
    pub resets: u64,
    /// Input symbols sent to the system.
    pub symbols: u64,
    /// Queries answered from the observation tree without a reset.
    pub cache_hits: u64,
    /// Queries repeated to check determinism (on a sample and on conflict).
    pub repeats: u64,
    pub millis: u64,
}
