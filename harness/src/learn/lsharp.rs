//! L#: Frits Vaandrager, Bharat Garhewal, Jurriaan Rot, Thorsten Wißmann,
//! "A New Approach for Active Automata Learning Based on Apartness",
//! TACAS 2022, LNCS 13243, pp. 223-243 (doi:10.1007/978-3-030-99524-9_12).
//!
//! The learner keeps a basis B of tree nodes known to be pairwise apart
//! (the hypothesis states) and the frontier F of their other children, and
//! applies the paper's four rules (section 4) in order: promotion (a
//! frontier node apart from all of B joins B), extension (a basis node
//! gets every input), separation (a frontier node with two candidates is
//! asked a witness of the candidates' apartness) and equivalence (build
//! the hypothesis, check it against the tree, then ask the oracle).
//! Counterexamples are processed by the paper's binary search
//! (ProcCounterEx, section 4, Algorithm 2).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use super::cache::{Cache, Checks};
use super::mealy::{Mealy, Transition};
use super::oracle::{EquivalenceOracle, LearnError, MembershipOracle, Stats};
use super::tree::ROOT;

/// What a learning run gave.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub model: Mealy,
    /// False when the time ran out: the model is the last hypothesis.
    pub complete: bool,
    pub stats: Stats,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub checks: Checks,
    pub seed: u64,
    /// Stop with the current hypothesis after this.
    pub deadline: Option<Instant>,
}

impl Default for Options {
    fn default() -> Self {
        Self { checks: Checks::default(), seed: 1, deadline: None }
    }
}

struct LSharp<'a> {
    cache: Cache<'a>,
    /// Basis nodes; index = hypothesis state, `basis[0]` is the root.
    basis: Vec<usize>,
    index: HashMap<usize, usize>,
    /// Frontier node -> basis nodes it is not apart from.
    frontier: BTreeMap<usize, Vec<usize>>,
}

/// Learns `sul`'s Mealy machine. A time-out gives the last hypothesis with
/// `complete: false`; non-determinism and system failures are errors.
pub fn learn(
    sul: &mut dyn MembershipOracle,
    eq: &mut dyn EquivalenceOracle,
    opts: &Options,
) -> Result<Outcome, LearnError> {
    let started = Instant::now();
    let inputs = sul.alphabet().to_vec();
    let mut l = LSharp {
        cache: Cache::new(sul, opts.checks, opts.seed, opts.deadline),
        basis: vec![ROOT],
        index: HashMap::from([(ROOT, 0)]),
        frontier: BTreeMap::new(),
    };
    let result = l.run(&inputs, eq);
    let mut stats = l.cache.stats.clone();
    stats.millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match result {
        Ok(model) => Ok(Outcome { model, complete: true, stats }),
        Err(LearnError::TimeUp) => Ok(Outcome { model: l.hypothesis(&inputs, true), complete: false, stats }),
        Err(e) => Err(e),
    }
}

impl LSharp<'_> {
    fn run(&mut self, inputs: &[String], eq: &mut dyn EquivalenceOracle) -> Result<Mealy, LearnError> {
        let k = inputs.len();
        loop {
            self.update();
            // Promotion.
            if let Some(r) = self.frontier.iter().find(|(_, c)| c.is_empty()).map(|(&r, _)| r) {
                self.promote(r);
                continue;
            }
            // Extension.
            if let Some(w) = self.missing_transition(k) {
                self.cache.query(&w)?;
                continue;
            }
            // Separation.
            let split = self.frontier.iter().find_map(|(&r, c)| match c.as_slice() {
                [a, b, ..] => Some((r, *a, *b)),
                _ => None,
            });
            if let Some((r, a, b)) = split {
                let Some(w) = self.cache.tree.witness(a, b) else {
                    return Err(LearnError::System("basis nodes not apart".into()));
                };
                let mut word = self.cache.tree.access(r);
                word.extend(w);
                self.cache.query(&word)?;
                continue;
            }
            // Equivalence: first against the tree, then the oracle.
            let h = self.hypothesis(inputs, false);
            if let Some(ce) = self.tree_counterexample(&h) {
                self.process_counterexample(&h, ce)?;
                continue;
            }
            self.cache.stats.equivalence_queries += 1;
            let cache = &mut self.cache;
            let mut ask = |w: &[usize]| cache.query(w);
            match eq.find_counterexample(&h, &mut ask)? {
                None => return Ok(h),
                Some(ce) => {
                    let outs = self.cache.query(&ce)?;
                    let expected = h.run(&ce).unwrap_or_default();
                    match outs.iter().zip(&expected).position(|(a, b)| a != b) {
                        Some(j) => {
                            self.process_counterexample(&h, ce.get(..j).unwrap_or_default().to_vec())?
                        }
                        // Not a counterexample after all; the oracle has
                        // nothing else, and the tree agrees.
                        None => return Ok(h),
                    }
                }
            }
        }
    }

    /// Drops candidates that became apart: only nodes on the paths of new
    /// answers can have changed.
    fn update(&mut self) {
        let touched: HashSet<usize> = self.cache.touched.drain(..).collect();
        if touched.is_empty() && !self.frontier.is_empty() {
            return;
        }
        let tree = &self.cache.tree;
        for (&f, cands) in self.frontier.iter_mut() {
            let f_changed = touched.contains(&f);
            cands.retain(|&q| !((f_changed || touched.contains(&q)) && tree.apart(f, q)));
        }
        // New children of basis nodes join the frontier.
        for &b in &self.basis {
            for i in 0..tree.inputs() {
                let Some((_, c)) = tree.succ(b, i) else { continue };
                if self.index.contains_key(&c) || self.frontier.contains_key(&c) {
                    continue;
                }
                let cands = self.basis.iter().copied().filter(|&q| !tree.apart(c, q)).collect();
                self.frontier.insert(c, cands);
            }
        }
    }

    fn promote(&mut self, r: usize) {
        self.frontier.remove(&r);
        self.index.insert(r, self.basis.len());
        self.basis.push(r);
        let tree = &self.cache.tree;
        for (&f, cands) in self.frontier.iter_mut() {
            if !tree.apart(f, r) {
                cands.push(r);
            }
        }
        // Its children are picked up by the next update.
        self.cache.touched.push(r);
    }

    fn missing_transition(&self, k: usize) -> Option<Vec<usize>> {
        let tree = &self.cache.tree;
        self.basis.iter().find_map(|&b| {
            (0..k).find(|&i| tree.succ(b, i).is_none()).map(|i| {
                let mut w = tree.access(b);
                w.push(i);
                w
            })
        })
    }

    /// The basis as a Mealy machine. `partial` fills what is not known yet
    /// (a time-out mid-round) with a self-loop answering `?`.
    fn hypothesis(&self, inputs: &[String], partial: bool) -> Mealy {
        let tree = &self.cache.tree;
        let trans = self
            .basis
            .iter()
            .enumerate()
            .map(|(s, &b)| {
                (0..inputs.len())
                    .map(|i| {
                        let unknown = Transition { to: s, output: "?".into() };
                        let Some((o, c)) = tree.succ(b, i) else {
                            return unknown;
                        };
                        let to = match self.index.get(&c) {
                            Some(&t) => Some(t),
                            None => self
                                .frontier
                                .get(&c)
                                .and_then(|cands| cands.first())
                                .and_then(|q| self.index.get(q).copied()),
                        };
                        match to {
                            Some(to) => Transition { to, output: tree.output_name(o).to_owned() },
                            None if partial => unknown,
                            None => Transition { to: s, output: tree.output_name(o).to_owned() },
                        }
                    })
                    .collect()
            })
            .collect();
        Mealy { inputs: inputs.to_vec(), trans }
    }

    /// A tree word the hypothesis answers differently, cut just before the
    /// first differing output (so the tree node and the hypothesis state
    /// it reaches are apart).
    fn tree_counterexample(&self, h: &Mealy) -> Option<Vec<usize>> {
        let tree = &self.cache.tree;
        let mut stack = vec![(ROOT, 0usize)];
        while let Some((n, s)) = stack.pop() {
            for i in 0..tree.inputs() {
                let Some((o, c)) = tree.succ(n, i) else { continue };
                let t = h.step(s, i)?;
                if t.output != tree.output_name(o) {
                    return Some(tree.access(n));
                }
                stack.push((c, t.to));
            }
        }
        None
    }

    /// ProcCounterEx: `sigma` leads to a tree node apart from the basis
    /// node of the hypothesis state it reaches. Shortens it by binary search
    /// until that node is in the frontier, where the apartness is new.
    fn process_counterexample(&mut self, h: &Mealy, mut sigma: Vec<usize>) -> Result<(), LearnError> {
        let mut rounds = 0usize;
        loop {
            rounds += 1;
            if rounds > 4 * (sigma.len() + self.basis.len()) + 64 {
                return Ok(());
            }
            let tree = &self.cache.tree;
            let Some(r) = tree.walk(ROOT, &sigma) else {
                return Ok(());
            };
            if self.index.contains_key(&r) || self.frontier.contains_key(&r) {
                return Ok(());
            }
            // |rho|: the prefix of sigma whose node is in the frontier.
            let mut n = ROOT;
            let mut rho = sigma.len();
            for (k, &i) in sigma.iter().enumerate() {
                if !self.index.contains_key(&n) {
                    rho = k;
                    break;
                }
                n = tree.succ(n, i).map_or(n, |(_, c)| c);
            }
            let half = (rho + sigma.len()) / 2;
            let (s1, s2) = sigma.split_at(half.min(sigma.len()));
            let basis_of = |w: &[usize]| h.reach(w).and_then(|s| self.basis.get(s).copied());
            let (Some(q), Some(q1)) = (basis_of(&sigma), basis_of(s1)) else {
                return Ok(());
            };
            let Some(r1) = tree.walk(ROOT, s1) else {
                return Ok(());
            };
            let Some(eta) = tree.witness(r, q) else {
                return Ok(());
            };
            let mut probe = tree.access(q1);
            probe.extend_from_slice(s2);
            let next_if_same = probe.clone();
            probe.extend(eta);
            self.cache.query(&probe)?;
            sigma = match self.cache.tree.apart(r1, q1) {
                true => s1.to_vec(),
                false => next_if_same,
            };
        }
    }
}
