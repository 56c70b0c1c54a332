//! The engine's files import each other without circles: every edge
//! (a `crate::` or `super::` path in code, not in comments) runs one way,
//! so each layer can be read before the ones that use it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module path (`msgs/handshake`) -> source, tests left out.
fn modules(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(root).unwrap().with_extension("");
                let mut name = rel.to_string_lossy().replace('\\', "/");
                for suffix in ["/mod", "lib"] {
                    if let Some(n) = name.strip_suffix(suffix) {
                        name = n.to_owned();
                    }
                }
                let src = std::fs::read_to_string(&p).unwrap();
                let code = src.split("#[cfg(test)]").next().unwrap_or_default();
                let code: String =
                    code.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
                out.insert(name, code);
            }
        }
    }
    out
}

/// The module a path names: the longest prefix that is a file.
fn resolve(from: &str, path: &str, mods: &BTreeMap<String, String>) -> Option<String> {
    let mut parts: Vec<&str> = path.split("::").collect();
    let mut base: Vec<&str> = match *parts.first()? {
        "crate" => Vec::new(),
        "super" => {
            let mut b: Vec<&str> = from.split('/').collect();
            b.pop();
            b
        }
        _ => return None,
    };
    parts.remove(0);
    while parts.first() == Some(&"super") {
        base.pop();
        parts.remove(0);
    }
    base.extend(parts);
    (1..=base.len()).rev().map(|k| base[..k].join("/")).find(|m| mods.contains_key(m))
}

fn edges(mods: &BTreeMap<String, String>) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (from, code) in mods {
        for (i, _) in code.match_indices("crate::").chain(code.match_indices("super::")) {
            let path: String =
                code[i..].chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
            let Some(to) = resolve(from, path.trim_end_matches(':'), mods) else {
                continue;
            };
            let nested = from.starts_with(&format!("{to}/")) || to.starts_with(&format!("{from}/"));
            if to != *from && !nested && !from.is_empty() && !to.is_empty() {
                out.insert((from.clone(), to));
            }
        }
    }
    out
}

/// A circle through `start`, if there is one.
fn circle(start: &str, edges: &BTreeSet<(String, String)>) -> Option<Vec<String>> {
    let mut stack = vec![vec![start.to_owned()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().unwrap().clone();
        for (_, to) in edges.iter().filter(|(f, _)| *f == last) {
            if to == start {
                let mut c = path.clone();
                c.push(to.clone());
                return Some(c);
            }
            if seen.insert(to.clone()) {
                let mut p = path.clone();
                p.push(to.clone());
                stack.push(p);
            }
        }
    }
    None
}

#[test]
fn engine_files_import_each_other_without_circles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mods = modules(&root);
    assert!(mods.len() > 40, "{} files", mods.len());
    let edges = edges(&mods);
    assert!(edges.contains(&("handshake/server".into(), "record_layer".into())) || edges.len() > 50);
    let circles: Vec<String> =
        mods.keys().filter_map(|m| circle(m, &edges)).map(|c| c.join(" -> ")).collect();
    assert!(circles.is_empty(), "import circles:\n{}", circles.join("\n"));
}

#[test]
fn the_checker_sees_a_circle() {
    let mut mods = BTreeMap::new();
    mods.insert("a".to_owned(), "use crate::b::X;".to_owned());
    mods.insert("b".to_owned(), "use super::a::Y;".to_owned());
    mods.insert("c".to_owned(), "use crate::a::Z;".to_owned());
    let e = edges(&mods);
    assert!(circle("a", &e).is_some());
    assert!(circle("c", &e).is_none());
}
