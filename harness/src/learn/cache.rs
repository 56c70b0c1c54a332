//! Queries through the observation tree: answered from it when the path is
//! known (a cache hit) or lies past a terminal output, else sent to the
//! system and added. Determinism is checked on a sample of sent queries
//! and on every conflict with the tree; a conflict is reported with all
//! the answers, never learned.

use std::time::Instant;

use shakedown_engine::crypto::{RandomSource, SeededRandom};

use super::oracle::{CLOSED, LearnError, MembershipOracle, Stats};
use super::tree::ObservationTree;

/// How often sent queries are repeated, and how often on a conflict.
#[derive(Debug, Clone, Copy)]
pub struct Checks {
    /// Repeat one sent query in this many (0: never).
    pub sample_one_in: u32,
    /// Extra repeats of a query whose answer conflicts.
    pub confirm: usize,
}

impl Default for Checks {
    fn default() -> Self {
        Self {
            sample_one_in: 20,
            confirm: 2,
        }
    }
}

pub struct Cache<'a> {
    pub sul: &'a mut dyn MembershipOracle,
    pub tree: ObservationTree,
    pub stats: Stats,
    /// Nodes whose observations changed since the learner last looked.
    pub touched: Vec<usize>,
    checks: Checks,
    rng: SeededRandom,
    deadline: Option<Instant>,
}

impl std::fmt::Debug for Cache<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl<'a> Cache<'a> {
    pub fn new(
        sul: &'a mut dyn MembershipOracle,
        checks: Checks,
        seed: u64,
        deadline: Option<Instant>,
    ) -> Self {
        let inputs = sul.alphabet().len();
        Self {
            sul,
            tree: ObservationTree::new(inputs),
            stats: Stats::default(),
            touched: Vec::new(),
            checks,
            rng: SeededRandom::from_seed(seed),
            deadline,
        }
    }

    pub fn names(&self, word: &[usize]) -> Vec<String> {
        let a = self.sul.alphabet();
        word.iter()
            .map(|&i| a.get(i).cloned().unwrap_or_else(|| format!("#{i}")))
            .collect()
    }

    /// The outputs of `word`.
    pub fn query(&mut self, word: &[usize]) -> Result<Vec<String>, LearnError> {
        self.stats.membership_queries += 1;
        let (node, mut known) = self.tree.known_prefix(word);
        if known.len() == word.len() {
            self.stats.cache_hits += 1;
            return Ok(known);
        }
        if self.tree.is_terminal(node) {
            // A closed connection stays closed: no reset needed.
            self.stats.cache_hits += 1;
            known.resize(word.len(), CLOSED.to_owned());
            self.add(word, &known)?;
            return Ok(known);
        }
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(LearnError::TimeUp);
        }
        let answer = self.ask(word)?;
        if self.sample() {
            let again = self.ask(word)?;
            self.stats.repeats += 1;
            if again != answer {
                return Err(self.non_deterministic(word, vec![answer, again]));
            }
        }
        self.add(word, &answer)?;
        Ok(answer)
    }

    fn sample(&mut self) -> bool {
        if self.checks.sample_one_in == 0 {
            return false;
        }
        let mut b = [0u8; 4];
        self.rng.fill(&mut b);
        u32::from_le_bytes(b).is_multiple_of(self.checks.sample_one_in)
    }

    /// One reset and the word, outputs after a terminal one made `closed`.
    fn ask(&mut self, word: &[usize]) -> Result<Vec<String>, LearnError> {
        self.stats.resets += 1;
        self.stats.symbols += word.len() as u64;
        let mut out = self.sul.query(word)?;
        if out.len() != word.len() {
            return Err(LearnError::System(format!(
                "the system answered {} outputs to {} inputs",
                out.len(),
                word.len()
            )));
        }
        if let Some(end) = out.iter().position(|o| self.sul.is_terminal(o)) {
            for o in out.iter_mut().skip(end + 1) {
                *o = CLOSED.to_owned();
            }
        }
        Ok(out)
    }

    fn add(&mut self, word: &[usize], outs: &[String]) -> Result<(), LearnError> {
        let sul = &*self.sul;
        let terminal = |o: &str| sul.is_terminal(o);
        match self.tree.insert(word, outs, &terminal, &mut self.touched) {
            Ok(()) => Ok(()),
            Err(_) => {
                let (_, before) = self.tree.known_prefix(word);
                Err(self.non_deterministic(word, vec![before, outs.to_vec()]))
            }
        }
    }

    /// Asks `word` `confirm` more times and reports every answer seen.
    fn non_deterministic(&mut self, word: &[usize], mut answers: Vec<Vec<String>>) -> LearnError {
        for _ in 0..self.checks.confirm {
            self.stats.repeats += 1;
            match self.ask(word) {
                Ok(a) => answers.push(a),
                Err(e) => return e,
            }
        }
        answers.dedup();
        LearnError::NonDeterministic {
            word: self.names(word),
            answers,
        }
    }
}
