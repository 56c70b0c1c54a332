//! What a run leaves in its output directory: the raw samples as CSV, a
//! JSON summary, the SVG plots, and a Markdown report linking them.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use super::analysis::Analysis;
use super::probe::{ClassInfo, Collected};
use super::stats::bootstrap::quantile_sorted;
use super::stats::friedman::{Friedman, friedman};

/// What was measured, as the report states it.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub command: String,
    pub peer: String,
    pub probe: String,
    pub version: String,
    pub suite: String,
    pub seed: u64,
    /// How the time was taken.
    pub clock: String,
}

#[derive(Debug, Serialize)]
struct ClassSummary<'a> {
    #[serde(flatten)]
    info: &'a ClassInfo,
    samples: usize,
    median_ns: f64,
    q1_ns: f64,
    q3_ns: f64,
    /// How the peer answered, with counts: classes answered differently are
    /// told apart without any clock.
    answers: BTreeMap<String, usize>,
}

#[derive(Debug, Serialize)]
struct Summary<'a> {
    run: &'a RunInfo,
    wall_seconds: f64,
    failed_connections: usize,
    classes: Vec<ClassSummary<'a>>,
    verdict: String,
    /// The verdict without the classes that differ publicly, when any do.
    #[serde(skip_serializing_if = "Option::is_none")]
    verdict_secret_classes: Option<String>,
    /// The Friedman test over the classes that differ only in secret
    /// content, when any class differs publicly: over all classes, a
    /// public difference alone makes it significant.
    #[serde(skip_serializing_if = "Option::is_none")]
    friedman_secret_classes: Option<Friedman>,
    analysis: &'a Analysis,
}

fn class_summaries(collected: &Collected) -> Vec<ClassSummary<'_>> {
    collected
        .classes
        .iter()
        .enumerate()
        .map(|(c, info)| {
            let mut v = collected.paired.class(c);
            v.sort_unstable_by(f64::total_cmp);
            let mut answers = BTreeMap::new();
            for s in collected.samples.iter().filter(|s| s.class == c) {
                *answers.entry(s.answer.to_string()).or_insert(0) += 1;
            }
            ClassSummary {
                info,
                samples: v.len(),
                median_ns: quantile_sorted(&v, 0.5),
                q1_ns: quantile_sorted(&v, 0.25),
                q3_ns: quantile_sorted(&v, 0.75),
                answers,
            }
        })
        .collect()
}

/// Whether every class drew the same set of answers.
fn answers_agree(classes: &[ClassSummary<'_>]) -> bool {
    let keys = |c: &ClassSummary<'_>| c.answers.keys().cloned().collect::<Vec<_>>();
    classes.windows(2).all(|w| match w {
        [a, b] => keys(a) == keys(b),
        _ => true,
    })
}

/// Writes samples.csv, summary.json, the plots and report.md into `dir`.
pub fn write_all(
    dir: &Path,
    run: &RunInfo,
    collected: &Collected,
    analysis: &Analysis,
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).map_err(|e| format!("{}: {e}", p.display()))
    };
    write("samples.csv", &csv(collected))?;
    let classes = class_summaries(collected);
    let summary = Summary {
        run,
        wall_seconds: collected.wall.as_secs_f64(),
        failed_connections: collected.failures,
        verdict: analysis.verdict.to_string(),
        verdict_secret_classes: secret_verdict(collected, analysis),
        friedman_secret_classes: secret_friedman(collected),
        classes,
        analysis,
    };
    let json = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
    write("summary.json", &json)?;
    // A class that differs publicly (by orders of magnitude, often) would
    // squash the scale: the plots show the others, the tables show all.
    let public = collected.public_classes();
    let plotted = collected.paired.without(&public);
    super::plot::ecdf(&plotted, &dir.join("ecdf.svg"))?;
    super::plot::boxes(&plotted, &dir.join("box.svg"))?;
    super::plot::intervals(analysis, &public, &dir.join("intervals.svg"))?;
    write("report.md", &markdown(&summary))
}

/// The verdict over the classes that differ only in secret content, with
/// the left-out ones named; `None` when no class differs publicly.
pub fn secret_verdict(collected: &Collected, analysis: &Analysis) -> Option<String> {
    let public = collected.public_classes();
    (!public.is_empty()).then(|| {
        format!(
            "{} (leaving out {}, whose difference is public)",
            analysis.verdict_without(&public),
            public.join(", ")
        )
    })
}

/// The Friedman test without the classes that differ publicly; `None`
/// when none does (the test over all classes says it) or too few remain.
pub fn secret_friedman(collected: &Collected) -> Option<Friedman> {
    let public = collected.public_classes();
    if public.is_empty() {
        return None;
    }
    friedman(&collected.paired.without(&public).blocks)
}

/// The samples; under the capture clock `ns` is the capture's time and
/// two columns more give the socket's time and the capture's answer.
fn csv(collected: &Collected) -> String {
    let captured = collected.samples.iter().any(|s| s.socket_nanos.is_some());
    let mut out = String::from("block,position,class,class_name,ns,answer");
    out.push_str(if captured { ",socket_ns,capture_answer\n" } else { "\n" });
    for s in &collected.samples {
        let name = collected.classes.get(s.class).map_or("", |c| c.name.as_str());
        let _ = write!(out, "{},{},{},{},{},{}", s.block, s.position, s.class, name, s.nanos, s.answer);
        if captured {
            let socket = s.socket_nanos.map(|n| n.to_string()).unwrap_or_default();
            let answer = s.capture_answer.as_ref().map(ToString::to_string).unwrap_or_default();
            let _ = write!(out, ",{socket},{answer}");
        }
        out.push('\n');
    }
    out
}

fn us(ns: f64) -> String {
    format!("{:.2}", ns / 1e3)
}

fn markdown(s: &Summary<'_>) -> String {
    let a = s.analysis;
    let mut md = String::new();
    let _ = writeln!(md, "# Timing: {} against {}\n", s.run.probe, s.run.peer);
    let _ = writeln!(md, "**Verdict: {}.**\n", s.verdict);
    if let Some(v) = &s.verdict_secret_classes {
        let _ = writeln!(md, "**Over the classes that differ only in secret content: {v}.**\n");
    }
    let _ = writeln!(md, "- Command: `{}`", s.run.command);
    let _ = writeln!(md, "- Version {}, suite {}, seed {}", s.run.version, s.run.suite, s.run.seed);
    let _ = writeln!(
        md,
        "- {} samples per class, {} classes, {:.0} s wall, {} failed connections (retried)",
        a.samples_per_class,
        s.classes.len(),
        s.wall_seconds,
        s.failed_connections
    );
    let _ = writeln!(md, "- Clock: {}", s.run.clock);
    match &a.friedman {
        Some(f) => {
            let _ = writeln!(
                md,
                "- Friedman test over all classes: chi-square {:.2}, {} df, p = {:.3}",
                f.statistic, f.df, f.p_value
            );
        }
        None => {
            let _ = writeln!(md, "- Friedman test: not applicable (fewer than 3 classes or no samples)");
        }
    }
    if let Some(f) = &s.friedman_secret_classes {
        let _ = writeln!(
            md,
            "- Friedman test over the classes that differ only in secret content: chi-square {:.2}, {} df, \
             p = {:.3}",
            f.statistic, f.df, f.p_value
        );
    }
    if let Some(w) = &a.worst_pair {
        let _ = writeln!(
            md,
            "- As tlsfuzzer reports it: worst pair {} vs {} (Wilcoxon p = {:.3}); smallest detectable \
             difference ±{:.0} ns, the half-width of its {} interval{}",
            w.a,
            w.b,
            w.wilcoxon_p,
            w.smallest_half_width_ns,
            w.smallest_statistic,
            if s.verdict_secret_classes.is_some() { " (classes that differ publicly left out)" } else { "" }
        );
    }
    let _ = writeln!(
        md,
        "- Pairs: sign and Wilcoxon signed-rank tests, Bonferroni-corrected over {} tests, alpha {}; \
         95% percentile bootstrap ({} resamples) of the median and {:.0}% trimmed-mean difference\n",
        2 * a.pairs.len(),
        a.alpha,
        a.resamples,
        a.trim * 100.0
    );
    if !answers_agree(&s.classes) {
        let _ = writeln!(
            md,
            "**The classes drew different answers** (see the table): the peer tells them apart without any clock.\n"
        );
    }
    let _ = writeln!(md, "Files: [samples.csv](samples.csv), [summary.json](summary.json)\n");
    let _ = writeln!(md, "![ECDF](ecdf.svg)\n\n![Box plots](box.svg)\n\n![Intervals](intervals.svg)\n");
    let _ = writeln!(
        md,
        "## Classes\n\n| class | what | median us | quartiles us | answers |\n|---|---|---|---|---|"
    );
    let what = |c: &ClassSummary<'_>| match &c.info.public {
        Some(why) => format!("{} ({why})", c.info.what),
        None => c.info.what.clone(),
    };
    for c in &s.classes {
        let answers: Vec<String> = c.answers.iter().map(|(k, v)| format!("{k} x{v}")).collect();
        let _ = writeln!(
            md,
            "| {} | {} | {} | {}..{} | {} |",
            c.info.name,
            what(c),
            us(c.median_ns),
            us(c.q1_ns),
            us(c.q3_ns),
            answers.join(", ")
        );
    }
    let _ = writeln!(
        md,
        "\n## Pairs (difference = second - first, ns)\n\n\
         | first | second | median diff (95% CI) | trimmed-mean diff (95% CI) | sign p (corr.) | Wilcoxon p (corr.) | differs |\n\
         |---|---|---|---|---|---|---|"
    );
    let ci = |i: Option<super::stats::Interval>| {
        i.map_or_else(|| "-".into(), |i| format!("{:.0} ({:.0}..{:.0})", i.estimate, i.low, i.high))
    };
    for p in &a.pairs {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {:.3} | {:.3} | {} |",
            p.a,
            p.b,
            ci(p.median),
            ci(p.trimmed_mean),
            p.sign_p_corrected,
            p.wilcoxon_p_corrected,
            if p.significant { "**yes**" } else { "no" }
        );
    }
    md
}
