//! The equivalence oracle: the Wp-method (Fujiwara et al., "Test selection
//! based on finite state models", IEEE TSE 17(6), 1991) up to `depth`
//! extra states, then random words. A conformance test suite stands in
//! for the teacher: if the system has at most |H| + depth states, passing
//! the Wp suite proves it equivalent to H.

use shakedown_engine::crypto::{RandomSource, SeededRandom};

use super::mealy::Mealy;
use super::oracle::{Ask, EquivalenceOracle, LearnError};
use super::separate::separators;

#[derive(Debug)]
pub struct WpOracle {
    pub depth: usize,
    pub random_words: usize,
    rng: SeededRandom,
}

impl WpOracle {
    pub fn new(depth: usize, random_words: usize, seed: u64) -> Self {
        Self { depth, random_words, rng: SeededRandom::from_seed(seed) }
    }

    fn below(&mut self, n: usize) -> usize {
        let mut b = [0u8; 8];
        self.rng.fill(&mut b);
        match n {
            0 => 0,
            n => (u64::from_le_bytes(b) % n as u64) as usize,
        }
    }

    /// The Wp suite: phase 1 is S . I^<=depth . W over the state cover S;
    /// phase 2 is (P \ S) . I^<=depth . W_q over the rest of the
    /// transition cover P, with q the state reached.
    pub fn suite(&self, h: &Mealy) -> Vec<Vec<usize>> {
        let k = h.inputs.len();
        let sep = separators(h);
        let cover: Vec<Vec<usize>> = h.access_words().into_iter().flatten().collect();
        let mut middles: Vec<Vec<usize>> = vec![Vec::new()];
        let mut layer: Vec<Vec<usize>> = vec![Vec::new()];
        for _ in 0..self.depth {
            layer = layer
                .iter()
                .flat_map(|w| {
                    (0..k).map(move |i| {
                        let mut w = w.clone();
                        w.push(i);
                        w
                    })
                })
                .collect();
            middles.extend(layer.iter().cloned());
        }
        let mut words = Vec::new();
        for s in &cover {
            for m in &middles {
                for w in &sep.all {
                    words.push([s.as_slice(), m, w].concat());
                }
            }
        }
        for s in &cover {
            for i in 0..k {
                let t = [s.as_slice(), &[i]].concat();
                if cover.contains(&t) {
                    continue;
                }
                for m in &middles {
                    let tm = [t.as_slice(), m].concat();
                    let q = h.reach(&tm).unwrap_or(0);
                    for w in sep.per_state.get(q).into_iter().flatten() {
                        words.push([tm.as_slice(), w].concat());
                    }
                }
            }
        }
        maximal(words)
    }
}

/// Drops every word that is a prefix of another: asking the longer one
/// answers it too (the tree keeps all prefixes). In lexicographic order a
/// word's extensions follow it directly.
fn maximal(mut words: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
    words.sort();
    words.dedup();
    let mut out = Vec::with_capacity(words.len());
    let mut it = words.into_iter().peekable();
    while let Some(w) = it.next() {
        if it.peek().is_some_and(|next| next.starts_with(&w)) {
            continue;
        }
        out.push(w);
    }
    // Short words first: cheap counterexamples come early.
    out.sort_by_key(Vec::len);
    out
}

impl EquivalenceOracle for WpOracle {
    fn find_counterexample(
        &mut self,
        h: &Mealy,
        ask: &mut Ask<'_>,
    ) -> Result<Option<Vec<usize>>, LearnError> {
        let mut check = |w: &[usize]| -> Result<bool, LearnError> { Ok(Some(ask(w)?) != h.run(w)) };
        for w in self.suite(h) {
            if check(&w)? {
                return Ok(Some(w));
            }
        }
        let cover: Vec<Vec<usize>> = h.access_words().into_iter().flatten().collect();
        let k = h.inputs.len();
        for _ in 0..self.random_words {
            let mut w = cover.get(self.below(cover.len())).cloned().unwrap_or_default();
            let len = 1 + self.below(2 * h.states() + self.depth + 2);
            for _ in 0..len {
                w.push(self.below(k));
            }
            if check(&w)? {
                return Ok(Some(w));
            }
        }
        Ok(None)
    }
}

/// A perfect teacher for tests: compares with the known target.
#[derive(Debug)]
pub struct Perfect(pub Mealy);

impl EquivalenceOracle for Perfect {
    fn find_counterexample(
        &mut self,
        h: &Mealy,
        _ask: &mut Ask<'_>,
    ) -> Result<Option<Vec<usize>>, LearnError> {
        Ok(super::diff::differences(&self.0, h, 1)
            .ok()
            .and_then(|d| d.found.into_iter().next())
            .map(|d| d.input_indices))
    }
}
