//! What a run leaves in its output directory: model.json, model.dot,
//! model.svg (when Graphviz `dot` is installed), and for a comparison
//! diff.json, one finding per distinguishing sequence, and under vectors/
//! every sequence as a word test (learned-words.json) and the ones the
//! runner's knobs can say as knob tests too (learned.json).

use std::path::Path;
use std::process::{Command, Stdio};

use serde::Serialize;

use super::diff::{Diff, Difference};
use super::dot::to_dot;
use super::session::ModelFile;

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn json<T: Serialize>(v: &T) -> Result<String, String> {
    serde_json::to_string_pretty(v)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| e.to_string())
}

/// Renders `dot` to SVG with Graphviz; `Ok(false)` when it is not installed.
pub fn render_svg(dot: &Path, svg: &Path) -> Result<bool, String> {
    let status = Command::new("dot")
        .arg("-Tsvg")
        .arg(dot)
        .arg("-o")
        .arg(svg)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .status();
    match status {
        Ok(s) if s.success() => Ok(true),
        Ok(s) => Err(format!("dot -Tsvg {}: {s}", dot.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(format!("dot: {e}")),
    }
}

/// Writes model.json, model.dot and model.svg under `dir`; whether the SVG
/// was made.
pub fn write_model(dir: &Path, m: &ModelFile) -> Result<bool, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    write(&dir.join("model.json"), &json(m)?)?;
    let title = format!(
        "{} {} {} {}{}",
        m.peer,
        m.role,
        m.version,
        m.suite,
        if m.complete { "" } else { " (partial: time ran out)" }
    );
    write(&dir.join("model.dot"), &to_dot(&m.model, &title))?;
    render_svg(&dir.join("model.dot"), &dir.join("model.svg"))
}

pub fn read_model(path: &Path) -> Result<ModelFile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let m: ModelFile = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    m.model.validate().map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(m)
}

/// One distinguishing sequence, as written to findings/.
#[derive(Debug, Serialize)]
struct Finding<'a> {
    peer: &'a str,
    reference: &'a str,
    version: &'a str,
    suite: &'a str,
    inputs: &'a [String],
    peer_outputs: &'a [String],
    reference_outputs: &'a [String],
    /// The word test in vectors/learned-words.json that replays it.
    vector: &'a str,
}

/// diff.json and findings/NNN.json; `left` is the peer, `right` the
/// reference.
pub fn write_diff(dir: &Path, left: &ModelFile, right: &ModelFile, diff: &Diff) -> Result<(), String> {
    write(&dir.join("diff.json"), &json(diff)?)?;
    let findings = dir.join("findings");
    if diff.found.is_empty() {
        return Ok(());
    }
    std::fs::create_dir_all(&findings).map_err(|e| format!("{}: {e}", findings.display()))?;
    let vdir = dir.join("vectors");
    std::fs::create_dir_all(&vdir).map_err(|e| format!("{}: {e}", vdir.display()))?;
    let (words, ids) = super::vectors::words(left, &diff.found);
    write_vectors(&vdir.join(format!("{}.json", super::vectors::WORDS_TOPIC)), &words)?;
    let (scenario, tests) = super::vectors::scenario(left, &diff.found);
    if tests > 0 {
        write_vectors(&vdir.join("learned.json"), &scenario)?;
    }
    for ((n, d), id) in diff.found.iter().enumerate().zip(&ids) {
        let f = Finding {
            peer: &left.peer,
            reference: &right.peer,
            version: &left.version,
            suite: &left.suite,
            inputs: &d.inputs,
            peer_outputs: &d.left,
            reference_outputs: &d.right,
            vector: id,
        };
        write(&findings.join(format!("{n:03}.json")), &json(&f)?)?;
    }
    Ok(())
}

/// Writes a vector file after loading it as the runner would: what is
/// written is valid, or nothing is.
fn write_vectors(path: &Path, file: &serde_json::Value) -> Result<(), String> {
    let text = json(file)?;
    crate::vector::parse(path, &text).map_err(|e| format!("a generated vector does not load: {e}"))?;
    write(path, &text)
}

/// The differences as text, one per line.
pub fn describe(diff: &Diff, left: &str, right: &str) -> String {
    let mut s = String::new();
    for d in &diff.found {
        s.push_str(&line(d, left, right));
    }
    if diff.truncated {
        s.push_str("(more differences not listed)\n");
    }
    if !diff.only_left.is_empty() || !diff.only_right.is_empty() {
        s.push_str(&format!(
            "inputs not compared: only {left}: [{}], only {right}: [{}]\n",
            diff.only_left.join(", "),
            diff.only_right.join(", ")
        ));
    }
    s
}

fn line(d: &Difference, left: &str, right: &str) -> String {
    let last = |o: &[String]| o.last().cloned().unwrap_or_default();
    format!("[{}]\n    {left}: {}\n    {right}: {}\n", d.inputs.join(", "), last(&d.left), last(&d.right))
}
