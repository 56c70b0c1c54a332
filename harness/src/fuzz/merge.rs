//! `shakedown fuzz --merge OUT DIR...`: the corpora and findings of many
//! campaigns (shards, CI runners) in one directory, one entry per
//! behaviour signature and one finding per (oracle, signature).

use std::collections::BTreeSet;
use std::path::Path;

use super::findings::CorpusEntry;

/// What a merge kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Merged {
    pub corpus: usize,
    pub findings: usize,
    pub duplicates: usize,
}

fn files(dir: &Path, ext: &str) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    out.sort();
    out
}

/// The (oracle, signature) of a finding vector: its name's oracle and the
/// signature in its description.
fn finding_key(path: &Path) -> Option<(String, String)> {
    let v: crate::vector::VectorFile = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    let oracle = path.file_name()?.to_str()?.split('-').next()?.to_string();
    Some((oracle, v.description.unwrap_or_default()))
}

/// Merges `dirs` into `out` (created if needed).
pub fn merge(out: &Path, dirs: &[std::path::PathBuf]) -> Result<Merged, String> {
    let dest = super::findings::OutDir::create(out)?;
    let mut m = Merged::default();
    let mut signatures = BTreeSet::new();
    let mut finding_keys = BTreeSet::new();
    for d in std::iter::once(out.to_path_buf()).chain(dirs.iter().cloned()) {
        for f in files(&d.join("corpus"), "case") {
            let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
            let entry: CorpusEntry =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", f.display()))?;
            if !signatures.insert(entry.signature.clone()) {
                m.duplicates += usize::from(d != out);
                continue;
            }
            if d != out {
                dest.write_corpus(&entry.case, &entry.signature)?;
                m.corpus += 1;
            }
        }
        let fdir = d.join("findings");
        for f in files(&fdir, "json") {
            let Some(key) = finding_key(&f) else {
                return Err(format!("{}: not a finding vector", f.display()));
            };
            if !finding_keys.insert(key) {
                m.duplicates += usize::from(d != out);
                continue;
            }
            if d == out {
                continue;
            }
            let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
            for g in std::fs::read_dir(&fdir).into_iter().flatten().flatten() {
                let name = g.file_name().to_string_lossy().to_string();
                if name.starts_with(&format!("{stem}.")) {
                    std::fs::copy(g.path(), dest.findings().join(&name))
                        .map_err(|e| format!("{}: {e}", g.path().display()))?;
                }
            }
            m.findings += 1;
        }
    }
    Ok(m)
}
