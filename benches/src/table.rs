//! Reads criterion's results (target/criterion/**/new/) and renders the
//! markdown table of benches/README.md: every operation, ours, OpenSSL's,
//! the ratio, and the targets of the benchmarking issue.
//!
//! Naming convention the benchmarks follow: group = what is measured
//! ("kdf", "record-seal", ...), function = "ours" or "openssl", parameter =
//! the operation. Rows pair the two functions by group and parameter.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

pub const OURS: &str = "ours";
pub const OPENSSL: &str = "openssl";
/// The engine with its OpenSSL provider (feature `openssl-provider`).
pub const OURS_OPENSSL: &str = "ours-openssl";

/// One measured benchmark.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    pub group: String,
    pub function: String,
    pub parameter: String,
    /// Median time per iteration, nanoseconds.
    pub median_ns: f64,
    /// Bytes per iteration, if the benchmark declared a byte throughput.
    pub bytes: Option<u64>,
}

impl Measurement {
    /// Bytes per second, or iterations (operations) per second.
    pub fn rate(&self) -> f64 {
        let per_iter = self.bytes.unwrap_or(1) as f64;
        per_iter * 1e9 / self.median_ns
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n == "new") && p.join("benchmark.json").exists() {
                out.push(p);
            } else {
                walk(&p, out);
            }
        }
    }
}

fn read_json(p: &Path) -> Option<Value> {
    serde_json::from_str(&std::fs::read_to_string(p).ok()?).ok()
}

/// Every benchmark under `criterion_dir` (normally target/criterion).
pub fn load(criterion_dir: &Path) -> Vec<Measurement> {
    let mut dirs = Vec::new();
    walk(criterion_dir, &mut dirs);
    let mut out: Vec<Measurement> = dirs
        .iter()
        .filter_map(|d| {
            let b = read_json(&d.join("benchmark.json"))?;
            let e = read_json(&d.join("estimates.json"))?;
            let bytes = b
                .get("throughput")
                .and_then(|t| t.get("Bytes").or_else(|| t.get("BytesDecimal")).and_then(Value::as_u64));
            Some(Measurement {
                group: b.get("group_id")?.as_str()?.to_owned(),
                function: b.get("function_id")?.as_str()?.to_owned(),
                parameter: b.get("value_str").and_then(Value::as_str).unwrap_or("").to_owned(),
                median_ns: e.get("median")?.get("point_estimate")?.as_f64()?,
                bytes,
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.group, &a.parameter, &a.function).cmp(&(&b.group, &b.parameter, &b.function)));
    out
}

/// One row: an operation, our rate, OpenSSL's rate if measured.
#[derive(Debug, Clone)]
pub struct Row {
    pub group: String,
    pub operation: String,
    pub bytes: bool,
    pub ours: Option<f64>,
    /// The engine over its OpenSSL provider, where measured.
    pub provider: Option<f64>,
    pub openssl: Option<f64>,
    /// Where the OpenSSL number came from, if not the same run's crate.
    pub openssl_note: Option<String>,
}

impl Row {
    pub fn ratio(&self) -> Option<f64> {
        Some(self.ours? / self.openssl?)
    }

    /// The OpenSSL provider's rate over OpenSSL's own.
    pub fn provider_ratio(&self) -> Option<f64> {
        Some(self.provider? / self.openssl?)
    }
}

/// Pairs "ours" and "openssl" measurements into rows, in a stable order.
pub fn rows(ms: &[Measurement]) -> Vec<Row> {
    let mut map: BTreeMap<(String, String), Row> = BTreeMap::new();
    for m in ms {
        let row = map.entry((m.group.clone(), m.parameter.clone())).or_insert_with(|| Row {
            group: m.group.clone(),
            operation: m.parameter.clone(),
            bytes: m.bytes.is_some(),
            ours: None,
            provider: None,
            openssl: None,
            openssl_note: None,
        });
        match m.function.as_str() {
            OURS => row.ours = Some(m.rate()),
            OPENSSL => row.openssl = Some(m.rate()),
            OURS_OPENSSL => row.provider = Some(m.rate()),
            _ => {}
        }
    }
    let mut rows: Vec<Row> = map.into_values().collect();
    rows.sort_by(|a, b| group_rank(&a.group).cmp(&group_rank(&b.group)).then(op_key(a).cmp(&op_key(b))));
    rows
}

fn group_rank(g: &str) -> usize {
    ["kdf", "record-seal", "record-open", "rsa2048", "handshake"].iter().position(|x| *x == g).unwrap_or(99)
}

/// Record operations end in their size; sort by name, then numerically.
fn op_key(r: &Row) -> (String, u64) {
    match r.operation.rsplit_once(' ') {
        Some((name, n)) if n.parse::<u64>().is_ok() => (name.to_owned(), n.parse().unwrap_or(0)),
        _ => (r.operation.clone(), 0),
    }
}

pub fn fmt_rate(rate: f64, bytes: bool) -> String {
    if bytes {
        format!("{:.1} MB/s", rate / 1e6)
    } else if rate >= 100.0 {
        format!("{:.0}/s", rate)
    } else {
        format!("{:.1}/s", rate)
    }
}

fn fmt_opt(rate: Option<f64>, bytes: bool) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| fmt_rate(r, bytes))
}

/// The markdown tables, one per group.
pub fn render(rows: &[Row]) -> String {
    let mut s = String::new();
    let mut group = "";
    // The provider's columns only when some row of the group measured it.
    let mut with_provider = false;
    for r in rows {
        if r.group != group {
            group = &r.group;
            with_provider = rows.iter().any(|x| x.group == group && x.provider.is_some());
            let (head, rule) = match with_provider {
                true => (
                    "| operation | ours | ours, openssl provider | OpenSSL | ours / OpenSSL | openssl provider / OpenSSL |",
                    "| --- | ---: | ---: | ---: | ---: | ---: |",
                ),
                false => ("| operation | ours | OpenSSL | ours / OpenSSL |", "| --- | ---: | ---: | ---: |"),
            };
            let _ = write!(s, "\n### {group}\n\n{head}\n{rule}\n");
        }
        let openssl = match (&r.openssl, &r.openssl_note) {
            (Some(v), Some(note)) => format!("{} ({note})", fmt_rate(*v, r.bytes)),
            (v, _) => fmt_opt(*v, r.bytes),
        };
        let fmt_ratio = |x: Option<f64>| x.map_or_else(|| "—".to_owned(), |x| format!("{x:.2}"));
        let ratio = fmt_ratio(r.ratio());
        if with_provider {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} |",
                r.operation,
                fmt_opt(r.ours, r.bytes),
                fmt_opt(r.provider, r.bytes),
                openssl,
                ratio,
                fmt_ratio(r.provider_ratio())
            );
        } else {
            let _ =
                writeln!(s, "| {} | {} | {} | {} |", r.operation, fmt_opt(r.ours, r.bytes), openssl, ratio);
        }
    }
    s
}

/// A target of the issue: a rate compared with a reference rate.
#[derive(Debug, Clone)]
pub struct Target {
    pub what: String,
    pub ratio: Option<f64>,
    pub at_least: f64,
}

/// The targets, from the rows.
pub fn targets(rows: &[Row]) -> Vec<Target> {
    let mut out = Vec::new();
    for r in rows {
        let aes = r.operation.starts_with("AES");
        if (r.group == "record-seal" || r.group == "record-open") && aes && r.operation.ends_with(" 16384") {
            out.push(Target {
                what: format!("{} {} vs OpenSSL", r.group, r.operation),
                ratio: r.ratio(),
                at_least: 0.9,
            });
            if r.provider.is_some() {
                // Issue 10: the native provider at OpenSSL's own rate.
                out.push(Target {
                    what: format!("{} {} (openssl provider) vs OpenSSL", r.group, r.operation),
                    ratio: r.provider_ratio(),
                    at_least: 0.95,
                });
            }
        }
        if r.group == "rsa2048" && r.provider.is_some() {
            out.push(Target {
                what: format!("rsa2048 {} (openssl provider) vs OpenSSL", r.operation),
                ratio: r.provider_ratio(),
                at_least: 0.95,
            });
        }
        if r.group == "kdf" {
            out.push(Target {
                what: format!("kdf {} vs OpenSSL", r.operation),
                ratio: r.ratio(),
                at_least: 2.0,
            });
        }
    }
    let rsa =
        rows.iter().find(|r| r.group == "rsa2048" && r.operation == "decrypt premaster").and_then(|r| r.ours);
    for r in rows.iter().filter(|r| r.group == "handshake" && r.operation.ends_with(" full")) {
        out.push(Target {
            what: format!("handshake {} vs our RSA decrypt", r.operation),
            ratio: r.ours.zip(rsa).map(|(h, k)| h / k),
            at_least: 0.8,
        });
    }
    out
}

pub fn render_targets(ts: &[Target]) -> String {
    let mut s = String::from(
        "| target | ratio | needed | met | why not, and what would close it |\n| --- | ---: | ---: | :---: | --- |\n",
    );
    for t in ts {
        let (ratio, met, why) = match t.ratio {
            Some(x) if x >= t.at_least => (format!("{x:.2}"), "yes", ""),
            Some(x) => (format!("{x:.2}"), "**no**", crate::misses::why_missed(&t.what)),
            None => ("—".to_owned(), "not measured", ""),
        };
        let _ = writeln!(s, "| {} | {ratio} | ≥ {} | {met} | {why} |", t.what, t.at_least);
    }
    s
}

/// Replaces the text between `begin` and `end` markers of `doc`.
pub fn splice(doc: &str, begin: &str, end: &str, body: &str) -> Option<String> {
    let start = doc.find(begin)? + begin.len();
    let stop = start + doc.get(start..)?.find(end)?;
    Some(format!("{}\n{}\n{}", doc.get(..start)?, body.trim(), doc.get(stop..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(group: &str, function: &str, parameter: &str, ns: f64, bytes: Option<u64>) -> Measurement {
        Measurement {
            group: group.into(),
            function: function.into(),
            parameter: parameter.into(),
            median_ns: ns,
            bytes,
        }
    }

    #[test]
    fn pairs_ours_with_openssl_and_computes_ratio() {
        let ms = [
            m("record-seal", OURS, "AES128-SHA/tls1.2 16384", 16384.0, Some(16384)),
            m("record-seal", OPENSSL, "AES128-SHA/tls1.2 16384", 8192.0, Some(16384)),
            m("kdf", OURS, "tls1.2-sha256 master secret", 1000.0, None),
        ];
        let rows = rows(&ms);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].group, "kdf");
        assert_eq!(rows[0].ours, Some(1e6));
        assert_eq!(rows[0].openssl, None);
        assert_eq!(rows[1].ratio(), Some(0.5));
        let t = targets(&rows);
        assert_eq!(t.len(), 2);
        let rendered = render_targets(&t);
        assert!(rendered.contains("**no**"));
        // A miss carries its reason; a met target none.
        let kdf = rendered.lines().find(|l| l.contains("kdf ")).unwrap();
        assert!(kdf.ends_with("| not measured |  |"), "{kdf}");
        let seal = rendered.lines().find(|l| l.contains("record-seal")).unwrap();
        assert!(seal.contains("| **no** | same construction"), "{seal}");
        assert!(render(&rows).contains("| AES128-SHA/tls1.2 16384 | 1000.0 MB/s | 2000.0 MB/s | 0.50 |"));
    }

    #[test]
    fn splice_replaces_between_markers() {
        let doc = "a\n<!-- b -->\nold\n<!-- e -->\nz";
        assert_eq!(
            splice(doc, "<!-- b -->", "<!-- e -->", "new").unwrap(),
            "a\n<!-- b -->\nnew\n<!-- e -->\nz"
        );
        assert!(splice(doc, "<!-- x -->", "<!-- e -->", "new").is_none());
    }
}
