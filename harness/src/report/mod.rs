//! Reports: the terminal summary (per-topic table), JSON, JUnit XML and the
//! NSS key log.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use serde::Serialize;

pub mod observed;
pub mod transcript;

use crate::expect::Verdict;
use crate::run::{CaseResult, Counts};
use observed::{ObservedJson, describe_expect};

/// The per-topic table and the failures, as text.
pub fn summary(results: &[CaseResult], peer: &str, wall: Duration) -> String {
    let mut topics: BTreeMap<&str, Counts> = BTreeMap::new();
    for r in results {
        topics.entry(r.case.topic.as_str()).or_default().add(&r.verdict);
    }
    let mut s = String::new();
    let mut details = String::new();
    for r in results {
        match &r.verdict {
            Verdict::Fail { reason } | Verdict::Inconclusive { reason } | Verdict::Error { reason } => {
                details.push_str(&format!("{} {}: {reason}\n", r.verdict.word().to_uppercase(), r.case.id));
                if let Some(n) = &r.note {
                    details.push_str(&format!("    peer: {n}\n"));
                }
            }
            _ => {}
        }
    }
    s.push_str(&details);
    s.push_str(&format!(
        "\n{:<22} {:>6} {:>6} {:>6} {:>6} {:>6}\n",
        "topic", "pass", "fail", "incon", "skip", "error"
    ));
    for (t, c) in &topics {
        s.push_str(&format!(
            "{:<22} {:>6} {:>6} {:>6} {:>6} {:>6}\n",
            t, c.pass, c.fail, c.inconclusive, c.skip, c.error
        ));
    }
    let c = Counts::of(results);
    s.push_str(&format!(
        "{:<22} {:>6} {:>6} {:>6} {:>6} {:>6}\n",
        "total", c.pass, c.fail, c.inconclusive, c.skip, c.error
    ));
    s.push_str(&format!(
        "\nshakedown run against {peer}: {} cases: {} passed, {} failed, {} inconclusive, {} skipped, {} errors in {:.2}s\n",
        results.len(),
        c.pass,
        c.fail,
        c.inconclusive,
        c.skip,
        c.error,
        wall.as_secs_f64()
    ));
    s
}

/// A Markdown row per topic (for the README's peer x topic table).
pub fn markdown_table(results: &[CaseResult]) -> String {
    let mut topics: BTreeMap<&str, Counts> = BTreeMap::new();
    for r in results {
        topics.entry(r.case.topic.as_str()).or_default().add(&r.verdict);
    }
    let mut s =
        String::from("| topic | pass | fail | inconclusive | skip | error |\n|---|---|---|---|---|---|\n");
    for (t, c) in topics {
        s.push_str(&format!(
            "| {t} | {} | {} | {} | {} | {} |\n",
            c.pass, c.fail, c.inconclusive, c.skip, c.error
        ));
    }
    s
}

#[derive(Serialize)]
struct JsonCase<'a> {
    id: &'a str,
    topic: &'a str,
    file: String,
    rfc: &'a str,
    seed: u64,
    verdict: &'a Verdict,
    expected: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    actual: Option<ObservedJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    actual_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    peer_note: Option<&'a str>,
    elapsed_ms: u128,
    #[serde(skip_serializing_if = "Option::is_none")]
    transcript: Option<Vec<transcript::RecordJson>>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    peer: &'a str,
    seed: u64,
    counts: JsonCounts,
    cases: Vec<JsonCase<'a>>,
}

#[derive(Serialize)]
struct JsonCounts {
    pass: usize,
    fail: usize,
    inconclusive: usize,
    skip: usize,
    error: usize,
}

pub fn json(results: &[CaseResult], peer: &str, seed: u64) -> String {
    let c = Counts::of(results);
    let report = JsonReport {
        peer,
        seed,
        counts: JsonCounts {
            pass: c.pass,
            fail: c.fail,
            inconclusive: c.inconclusive,
            skip: c.skip,
            error: c.error,
        },
        cases: results
            .iter()
            .map(|r| JsonCase {
                id: &r.case.id,
                topic: &r.case.topic,
                file: r.case.file.display().to_string(),
                rfc: &r.case.test.rfc,
                seed: r.seed,
                verdict: &r.verdict,
                expected: describe_expect(&r.case.expect),
                actual: r.observed.as_ref().map(ObservedJson::of),
                actual_text: r.observed.as_ref().map(crate::expect::Observed::describe),
                peer_note: r.note.as_deref(),
                elapsed_ms: r.elapsed.as_millis(),
                transcript: r
                    .transcript
                    .as_ref()
                    .map(|t| t.records.iter().map(transcript::RecordJson::of).collect()),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&report).unwrap_or_default()
}

/// JUnit XML: one suite per topic, one test case per case.
pub fn junit(results: &[CaseResult], peer: &str) -> Result<String, String> {
    let mut report = Report::new(format!("shakedown ({peer})"));
    let mut suites: BTreeMap<&str, TestSuite> = BTreeMap::new();
    for r in results {
        let status = match &r.verdict {
            Verdict::Pass { .. } => TestCaseStatus::success(),
            Verdict::Skip { reason } => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(reason.as_str());
                s
            }
            Verdict::Fail { reason } | Verdict::Inconclusive { reason } => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(reason.as_str()).set_type(r.verdict.word());
                if let Some(t) = &r.transcript {
                    s.set_description(t.render());
                }
                s
            }
            Verdict::Error { reason } => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                s.set_message(reason.as_str());
                s
            }
        };
        let mut tc = TestCase::new(r.case.id.as_str(), status);
        tc.set_classname(format!("shakedown.{}", r.case.topic));
        tc.set_time(r.elapsed);
        suites
            .entry(r.case.topic.as_str())
            .or_insert_with(|| TestSuite::new(r.case.topic.as_str()))
            .add_test_case(tc);
    }
    report.add_test_suites(suites.into_values());
    report.to_string().map_err(|e| format!("junit: {e}"))
}

/// NSS key log lines of every completed handshake.
pub fn keylog(results: &[CaseResult]) -> String {
    results.iter().flat_map(|r| r.keylog.iter().cloned()).collect()
}

pub fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::File::create(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| format!("{}: {e}", path.display()))
}
