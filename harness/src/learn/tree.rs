//! The observation tree of L# (Vaandrager et al., TACAS 2022, section 3):
//! every answer the system gave, as a prefix tree over input words. It is
//! also the query cache: a word whose path is in the tree is answered
//! without a reset.

use std::collections::{HashMap, VecDeque};

/// A node is the state reached by its access word.
#[derive(Debug, Clone)]
struct Node {
    /// (parent, input) that leads here; `None` for the root.
    parent: Option<(usize, usize)>,
    /// Per input: (output id, child).
    succ: Vec<Option<(u32, usize)>>,
    /// A terminal output was seen on the way here: everything after it
    /// answers `closed`.
    terminal: bool,
}

/// Where an inserted answer contradicts the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Index of the first differing output.
    pub at: usize,
}

#[derive(Debug, Clone)]
pub struct ObservationTree {
    inputs: usize,
    nodes: Vec<Node>,
    outputs: Vec<String>,
    ids: HashMap<String, u32>,
}

pub const ROOT: usize = 0;

impl ObservationTree {
    pub fn new(inputs: usize) -> Self {
        Self {
            inputs,
            nodes: vec![Node { parent: None, succ: vec![None; inputs], terminal: false }],
            outputs: Vec::new(),
            ids: HashMap::new(),
        }
    }

    pub fn inputs(&self) -> usize {
        self.inputs
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    fn intern(&mut self, out: &str) -> u32 {
        if let Some(&id) = self.ids.get(out) {
            return id;
        }
        let id = u32::try_from(self.outputs.len()).unwrap_or(u32::MAX);
        self.outputs.push(out.to_owned());
        self.ids.insert(out.to_owned(), id);
        id
    }

    pub fn output_name(&self, id: u32) -> &str {
        self.outputs.get(id as usize).map_or("?", String::as_str)
    }

    /// The (output, child) of `node` on `input`, if observed.
    pub fn succ(&self, node: usize, input: usize) -> Option<(u32, usize)> {
        *self.nodes.get(node)?.succ.get(input)?
    }

    pub fn is_terminal(&self, node: usize) -> bool {
        self.nodes.get(node).is_some_and(|n| n.terminal)
    }

    /// The node `word` leads to, if its whole path is observed.
    pub fn walk(&self, from: usize, word: &[usize]) -> Option<usize> {
        word.iter().try_fold(from, |n, &i| self.succ(n, i).map(|(_, c)| c))
    }

    /// The longest observed prefix of `word`: its node and its outputs.
    pub fn known_prefix(&self, word: &[usize]) -> (usize, Vec<String>) {
        let mut n = ROOT;
        let mut outs = Vec::new();
        for &i in word {
            match self.succ(n, i) {
                Some((o, c)) => {
                    outs.push(self.output_name(o).to_owned());
                    n = c;
                }
                None => break,
            }
        }
        (n, outs)
    }

    /// The access word of `node` (the inputs from the root to it).
    pub fn access(&self, mut node: usize) -> Vec<usize> {
        let mut w = Vec::new();
        while let Some((p, i)) = self.nodes.get(node).and_then(|n| n.parent) {
            w.push(i);
            node = p;
        }
        w.reverse();
        w
    }

    /// Adds an answer. `terminal` says which outputs end the conversation.
    /// The nodes on the path are pushed to `touched` (apartness can change
    /// only for them).
    pub fn insert(
        &mut self,
        word: &[usize],
        outs: &[String],
        terminal: &dyn Fn(&str) -> bool,
        touched: &mut Vec<usize>,
    ) -> Result<(), Conflict> {
        let mut n = ROOT;
        touched.push(n);
        for (at, (&i, o)) in word.iter().zip(outs).enumerate() {
            let id = self.intern(o);
            n = match self.succ(n, i) {
                Some((old, _)) if old != id => return Err(Conflict { at }),
                Some((_, c)) => c,
                None => {
                    let c = self.nodes.len();
                    let term = self.is_terminal(n) || terminal(o);
                    self.nodes.push(Node {
                        parent: Some((n, i)),
                        succ: vec![None; self.inputs],
                        terminal: term,
                    });
                    if let Some(slot) = self.nodes.get_mut(n).and_then(|p| p.succ.get_mut(i)) {
                        *slot = Some((id, c));
                    }
                    c
                }
            };
            touched.push(n);
        }
        Ok(())
    }

    /// A shortest word on which `a` and `b` both have observed outputs that
    /// differ (`a # b` in the paper), or `None` if they are not apart.
    pub fn witness(&self, a: usize, b: usize) -> Option<Vec<usize>> {
        // BFS over pairs; `trail` keeps (parent entry, input) to rebuild words.
        let mut trail: Vec<(usize, usize)> = Vec::new();
        let mut queue = VecDeque::from([(a, b, usize::MAX)]);
        while let Some((x, y, entry)) = queue.pop_front() {
            for i in 0..self.inputs {
                let (Some((ox, cx)), Some((oy, cy))) = (self.succ(x, i), self.succ(y, i)) else {
                    continue;
                };
                trail.push((entry, i));
                let here = trail.len() - 1;
                if ox != oy {
                    return Some(self.rebuild(&trail, here));
                }
                queue.push_back((cx, cy, here));
            }
        }
        None
    }

    fn rebuild(&self, trail: &[(usize, usize)], mut entry: usize) -> Vec<usize> {
        let mut w = Vec::new();
        while let Some(&(parent, i)) = trail.get(entry) {
            w.push(i);
            entry = parent;
        }
        w.reverse();
        w
    }

    /// Whether `a # b`, without building the witness.
    pub fn apart(&self, a: usize, b: usize) -> bool {
        let mut stack = vec![(a, b)];
        while let Some((x, y)) = stack.pop() {
            for i in 0..self.inputs {
                if let (Some((ox, cx)), Some((oy, cy))) = (self.succ(x, i), self.succ(y, i)) {
                    if ox != oy {
                        return true;
                    }
                    stack.push((cx, cy));
                }
            }
        }
        false
    }

    /// Every node with its access word's last step, for consistency checks:
    /// (parent, input, output id, child), in creation order.
    pub fn edges(&self) -> impl Iterator<Item = (usize, usize, u32, usize)> + '_ {
        self.nodes.iter().enumerate().flat_map(|(n, node)| {
            node.succ.iter().enumerate().filter_map(move |(i, s)| s.map(|(o, c)| (n, i, o, c)))
        })
    }
}
