//! Where two models differ: a breadth-first search of their product from
//! the pair of initial states. Every difference found has agreeing proper
//! prefixes, and the first ones found are the shortest.

use std::collections::{HashSet, VecDeque};

use serde::{Deserialize, Serialize};

use super::mealy::Mealy;

/// One distinguishing input sequence with both machines' outputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    pub inputs: Vec<String>,
    /// Indices into the left machine's inputs.
    #[serde(skip)]
    pub input_indices: Vec<usize>,
    pub left: Vec<String>,
    pub right: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Diff {
    /// Shortest first; at most the limit asked for.
    pub found: Vec<Difference>,
    /// Input names only one side has (left first), not compared.
    pub only_left: Vec<String>,
    pub only_right: Vec<String>,
    /// Whether the search stopped at the limit.
    pub truncated: bool,
}

impl Diff {
    pub fn equivalent(&self) -> bool {
        self.found.is_empty()
    }
}

/// Differences between `a` and `b` over the inputs both have (matched by
/// name), at most `limit` of them.
pub fn differences(a: &Mealy, b: &Mealy, limit: usize) -> Result<Diff, String> {
    a.validate().map_err(|e| format!("left model: {e}"))?;
    b.validate().map_err(|e| format!("right model: {e}"))?;
    let pairs: Vec<(usize, usize)> = a
        .inputs
        .iter()
        .enumerate()
        .filter_map(|(i, name)| b.inputs.iter().position(|n| n == name).map(|j| (i, j)))
        .collect();
    let mut diff = Diff {
        only_left: a.inputs.iter().filter(|n| !b.inputs.contains(n)).cloned().collect(),
        only_right: b.inputs.iter().filter(|n| !a.inputs.contains(n)).cloned().collect(),
        ..Diff::default()
    };
    let mut seen = HashSet::from([(0usize, 0usize)]);
    let mut queue = VecDeque::from([(0usize, 0usize, Vec::<(usize, usize)>::new())]);
    while let Some((x, y, word)) = queue.pop_front() {
        for &(i, j) in &pairs {
            let (Some(tx), Some(ty)) = (a.step(x, i), b.step(y, j)) else {
                continue;
            };
            let mut w = word.clone();
            w.push((i, j));
            if tx.output != ty.output {
                if diff.found.len() >= limit {
                    diff.truncated = true;
                    return Ok(diff);
                }
                let left_word: Vec<usize> = w.iter().map(|&(i, _)| i).collect();
                let right_word: Vec<usize> = w.iter().map(|&(_, j)| j).collect();
                diff.found.push(Difference {
                    inputs: a.word_names(&left_word),
                    left: a.run(&left_word).unwrap_or_default(),
                    right: b.run(&right_word).unwrap_or_default(),
                    input_indices: left_word,
                });
                continue;
            }
            if seen.insert((tx.to, ty.to)) {
                queue.push_back((tx.to, ty.to, w));
            }
        }
    }
    Ok(diff)
}
