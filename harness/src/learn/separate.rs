//! Separating words of a hypothesis: for each pair of states a shortest
//! input word on which they answer differently (BFS on the product of the
//! machine with itself). The Wp-method's characterisation set W and the
//! per-state identification sets W_q are made from them.

use std::collections::{BTreeSet, HashMap, VecDeque};

use super::mealy::Mealy;

/// A shortest word separating `a` from `b` in `m`, if they differ.
pub fn separating_word(m: &Mealy, a: usize, b: usize) -> Option<Vec<usize>> {
    let k = m.inputs.len();
    let mut seen: HashMap<(usize, usize), (usize, usize, usize)> = HashMap::new();
    let mut queue = VecDeque::from([(a, b)]);
    seen.insert((a, b), (usize::MAX, usize::MAX, usize::MAX));
    while let Some((x, y)) = queue.pop_front() {
        for i in 0..k {
            let (Some(tx), Some(ty)) = (m.step(x, i), m.step(y, i)) else {
                continue;
            };
            if tx.output != ty.output {
                let mut w = vec![i];
                let mut at = (x, y);
                while let Some(&(px, py, pi)) = seen.get(&at) {
                    if pi == usize::MAX {
                        break;
                    }
                    w.push(pi);
                    at = (px, py);
                }
                w.reverse();
                return Some(w);
            }
            let next = (tx.to, ty.to);
            if let std::collections::hash_map::Entry::Vacant(e) = seen.entry(next) {
                e.insert((x, y, i));
                queue.push_back(next);
            }
        }
    }
    None
}

/// W and every W_q.
#[derive(Debug, Clone, Default)]
pub struct Separators {
    pub all: BTreeSet<Vec<usize>>,
    pub per_state: Vec<BTreeSet<Vec<usize>>>,
}

pub fn separators(m: &Mealy) -> Separators {
    let n = m.states();
    let mut s = Separators { all: BTreeSet::new(), per_state: vec![BTreeSet::new(); n] };
    for a in 0..n {
        for b in (a + 1)..n {
            if let Some(w) = separating_word(m, a, b) {
                s.all.insert(w.clone());
                if let Some(set) = s.per_state.get_mut(a) {
                    set.insert(w.clone());
                }
                if let Some(set) = s.per_state.get_mut(b) {
                    set.insert(w);
                }
            }
        }
    }
    // A one-state machine still needs one suffix per input to test outputs.
    if s.all.is_empty() {
        s.all.extend((0..m.inputs.len()).map(|i| vec![i]));
    }
    for set in &mut s.per_state {
        if set.is_empty() {
            set.extend(s.all.iter().cloned());
        }
    }
    s
}
