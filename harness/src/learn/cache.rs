//! Queries through the observation tree: answered from it when the path is
//! known (a cache hit) or lies past a terminal output, else sent to the
//! system and added. Determinism is checked on a sample of sent queries
//! and on every conflict with the tree: the word is asked again with a
//! longer wait for silence, and a conflict that does not settle is
//! reported with all the answers, never learned.

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
        Self { sample_one_in: 20, confirm: 2 }
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
        f.debug_struct("Cache").field("stats", &self.stats).finish_non_exhaustive()
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
        word.iter().map(|&i| a.get(i).cloned().unwrap_or_else(|| format!("#{i}"))).collect()
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
        let mut answer = self.ask(word)?;
        if self.sample() {
            let again = self.ask(word)?;
            self.stats.repeats += 1;
            if again != answer {
                answer = self.settle(word, vec![answer, again])?;
            }
        }
        if self.consistent(word, &answer) {
            self.add(word, &answer)?;
            return Ok(answer);
        }
        let (_, before) = self.tree.known_prefix(word);
        let settled = self.settle(word, vec![before, answer])?;
        self.add(word, &settled)?;
        Ok(settled)
    }

    /// Whether `outs` agrees with what the tree already holds for `word`.
    fn consistent(&self, word: &[usize], outs: &[String]) -> bool {
        let (_, before) = self.tree.known_prefix(word);
        before.iter().zip(outs).all(|(a, b)| a == b)
    }

    /// Two answers differ. A late answer (the peer slower than the wait
    /// for silence) looks like this, so the system is asked to wait longer
    /// and the word is asked `confirm + 1` more times: if those answers all
    /// agree with each other and with the tree, that is the answer;
    /// otherwise the system is non-deterministic (or the tree holds an
    /// answer taken with too short a wait), which is reported, not learned.
    fn settle(&mut self, word: &[usize], mut answers: Vec<Vec<String>>) -> Result<Vec<String>, LearnError> {
        self.sul.be_patient();
        let mut fresh = Vec::new();
        for _ in 0..=self.checks.confirm {
            self.stats.repeats += 1;
            fresh.push(self.ask(word)?);
        }
        let first = fresh.first().cloned().unwrap_or_default();
        if !first.is_empty() && fresh.iter().all(|a| *a == first) && self.consistent(word, &first) {
            return Ok(first);
        }
        answers.extend(fresh);
        answers.dedup();
        Err(LearnError::NonDeterministic { word: self.names(word), answers })
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
                Err(LearnError::NonDeterministic {
                    word: self.names(word),
                    answers: vec![before, outs.to_vec()],
                })
            }
        }
    }
}
