//! Graphviz rendering of a model: one edge per (state, target), labelled
//! with each output after the inputs that give it, one input per line
//! (`A |`, `B`, `/ output`), so the diagram stays narrow and legible.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::mealy::Mealy;

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

pub fn to_dot(m: &Mealy, title: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph model {{");
    let _ = writeln!(out, "  label=\"{}\"; labelloc=t; rankdir=TB;", escape(title));
    let _ = writeln!(out, "  node [shape=circle, fontsize=10]; edge [fontsize=8];");
    let _ = writeln!(out, "  __start [shape=point]; __start -> s0;");
    for s in 0..m.states() {
        let _ = writeln!(out, "  s{s} [label=\"s{s}\"];");
    }
    for (s, row) in m.trans.iter().enumerate() {
        let mut edges: BTreeMap<usize, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
        for (i, t) in row.iter().enumerate() {
            let input = m.inputs.get(i).map_or("?", String::as_str);
            edges.entry(t.to).or_default().entry(&t.output).or_default().push(input);
        }
        for (to, by_output) in edges {
            let lines: Vec<String> = by_output
                .iter()
                .map(|(o, inputs)| {
                    let names: Vec<String> = inputs.iter().map(|i| escape(i)).collect();
                    format!("{}\\n/ {}", names.join(" |\\n"), escape(o))
                })
                .collect();
            // A literal `\n` is Graphviz's line break inside a label.
            let _ = writeln!(out, "  s{s} -> s{to} [label=\"{}\"];", lines.join("\\n"));
        }
    }
    let _ = writeln!(out, "}}");
    out
}
