//! Graphviz rendering of a model: one edge per (state, target) with its
//! `input / output` labels, so a state with many self-loops stays legible.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::mealy::Mealy;

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

pub fn to_dot(m: &Mealy, title: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph model {{");
    let _ = writeln!(out, "  label=\"{}\"; labelloc=t; rankdir=LR;", escape(title));
    let _ = writeln!(out, "  node [shape=circle, fontsize=10]; edge [fontsize=8];");
    let _ = writeln!(out, "  __start [shape=point]; __start -> s0;");
    for s in 0..m.states() {
        let _ = writeln!(out, "  s{s} [label=\"s{s}\"];");
    }
    for (s, row) in m.trans.iter().enumerate() {
        let mut edges: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for (i, t) in row.iter().enumerate() {
            let input = m.inputs.get(i).map_or("?", String::as_str);
            edges
                .entry(t.to)
                .or_default()
                .push(format!("{input} / {}", t.output));
        }
        for (to, labels) in edges {
            let _ = writeln!(
                out,
                "  s{s} -> s{to} [label=\"{}\"];",
                escape(&labels.join("\\n"))
            );
        }
    }
    let _ = writeln!(out, "}}");
    out
}
