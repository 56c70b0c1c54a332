//! A complete deterministic Mealy machine over named inputs and outputs:
//! what the learner builds, writes as model.json / model.dot, and diffs.

use serde::{Deserialize, Serialize};

/// One transition: the state it leads to and the output it gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub to: usize,
    pub output: String,
}

/// States are `0..trans.len()`, state 0 is initial; `trans[s][i]` is the
/// transition of state `s` on `inputs[i]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mealy {
    pub inputs: Vec<String>,
    pub trans: Vec<Vec<Transition>>,
}

impl Mealy {
    pub fn states(&self) -> usize {
        self.trans.len()
    }

    pub fn transitions(&self) -> usize {
        self.trans.iter().map(Vec::len).sum()
    }

    /// The transition of `state` on input index `input`.
    pub fn step(&self, state: usize, input: usize) -> Option<&Transition> {
        self.trans.get(state)?.get(input)
    }

    /// The outputs of `word` from the initial state; `None` if the word
    /// leaves the machine (an input index out of range).
    pub fn run(&self, word: &[usize]) -> Option<Vec<String>> {
        let mut s = 0;
        let mut out = Vec::with_capacity(word.len());
        for &i in word {
            let t = self.step(s, i)?;
            out.push(t.output.clone());
            s = t.to;
        }
        Some(out)
    }

    /// The input indices of symbols named `names`; `None` if one is not in
    /// the alphabet.
    pub fn word(&self, names: &[&str]) -> Option<Vec<usize>> {
        names.iter().map(|n| self.inputs.iter().position(|i| i == n)).collect()
    }

    /// The state `word` leads to from the initial state.
    pub fn reach(&self, word: &[usize]) -> Option<usize> {
        word.iter().try_fold(0, |s, &i| self.step(s, i).map(|t| t.to))
    }

    /// Checks the shape: every state has one transition per input, every
    /// target exists. Loaded models (`--diff A B`) go through this.
    pub fn validate(&self) -> Result<(), String> {
        if self.trans.is_empty() {
            return Err("a model needs at least one state".into());
        }
        for (s, row) in self.trans.iter().enumerate() {
            if row.len() != self.inputs.len() {
                return Err(format!(
                    "state {s} has {} transitions for {} inputs",
                    row.len(),
                    self.inputs.len()
                ));
            }
            if let Some(t) = row.iter().find(|t| t.to >= self.trans.len()) {
                return Err(format!("state {s} leads to missing state {}", t.to));
            }
        }
        Ok(())
    }

    /// Shortest access word of every reachable state (BFS order), so the
    /// state cover of the Wp-method and the diagrams use the same words.
    pub fn access_words(&self) -> Vec<Option<Vec<usize>>> {
        let mut access: Vec<Option<Vec<usize>>> = vec![None; self.states()];
        if let Some(a) = access.get_mut(0) {
            *a = Some(Vec::new());
        }
        let mut queue = std::collections::VecDeque::from([0usize]);
        while let Some(s) = queue.pop_front() {
            let here = access.get(s).cloned().flatten().unwrap_or_default();
            for i in 0..self.inputs.len() {
                let Some(t) = self.step(s, i) else { continue };
                if let Some(slot) = access.get_mut(t.to)
                    && slot.is_none()
                {
                    let mut w = here.clone();
                    w.push(i);
                    *slot = Some(w);
                    queue.push_back(t.to);
                }
            }
        }
        access
    }

    /// Words of input names, for reports.
    pub fn word_names(&self, word: &[usize]) -> Vec<String> {
        word.iter().map(|&i| self.inputs.get(i).cloned().unwrap_or_else(|| format!("#{i}"))).collect()
    }
}
