//! Seeded random Mealy machines, every state reachable, to test the
//! learner on its own.

use shakedown_engine::crypto::{RandomSource, SeededRandom};

use super::mealy::{Mealy, Transition};

fn below(rng: &mut SeededRandom, n: usize) -> usize {
    let mut b = [0u8; 8];
    rng.fill(&mut b);
    match n {
        0 => 0,
        n => (u64::from_le_bytes(b) % n as u64) as usize,
    }
}

/// `states` states, `inputs` inputs named i0.., outputs o0..o{outputs-1}.
/// State k > 0 is first reached from a random earlier state, so all are
/// reachable; the machine need not be minimal.
pub fn random_mealy(states: usize, inputs: usize, outputs: usize, seed: u64) -> Mealy {
    let mut rng = SeededRandom::from_seed(seed);
    let states = states.max(1);
    let inputs = inputs.max(1);
    let mut trans: Vec<Vec<Transition>> = (0..states)
        .map(|_| {
            (0..inputs)
                .map(|_| Transition {
                    to: below(&mut rng, states),
                    output: format!("o{}", below(&mut rng, outputs.max(1))),
                })
                .collect()
        })
        .collect();
    // Spanning edges never overwrite one another, so each stays.
    let mut used = std::collections::HashSet::new();
    for k in 1..states {
        let (mut from, mut i) = (below(&mut rng, k), below(&mut rng, inputs));
        while !used.insert((from, i)) {
            (from, i) = (below(&mut rng, k), below(&mut rng, inputs));
        }
        if let Some(t) = trans.get_mut(from).and_then(|row| row.get_mut(i)) {
            t.to = k;
        }
    }
    Mealy { inputs: (0..inputs).map(|i| format!("i{i}")).collect(), trans }
}

/// A system under learning that is a known machine.
#[derive(Debug, Clone)]
pub struct MachineSul(pub Mealy);

impl super::oracle::MembershipOracle for MachineSul {
    fn alphabet(&self) -> &[String] {
        &self.0.inputs
    }

    fn query(&mut self, word: &[usize]) -> Result<Vec<String>, super::oracle::LearnError> {
        self.0.run(word).ok_or_else(|| super::oracle::LearnError::System("input out of range".into()))
    }
}
