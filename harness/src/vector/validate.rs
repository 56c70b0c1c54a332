//! Checks a vector file makes after it parses: what serde's types cannot
//! say (a dead `expect_for`, a range upside down, two knobs setting one
//! value), and a consistency pass over the whole set before a run, as
//! BoGo's runner makes.

use std::collections::BTreeSet;
use std::path::Path;

use shakedown_engine::deviate::Deviations;
use shakedown_engine::suites;

use super::{Range, VectorError, VectorFile, line_of_id};

pub const KNOWN_IDENTITIES: [&str; 7] = [
    "client",
    "untrusted-client",
    "expired-client",
    "server",
    "untrusted-server",
    "server-no-keyenc",
    "server-sha1",
];

pub(super) fn validate(file: &Path, text: &str, vf: &VectorFile) -> Result<(), VectorError> {
    let mut seen = BTreeSet::new();
    for (i, t) in vf.tests.iter().enumerate() {
        let err = |field: String, message: String| VectorError {
            file: file.to_owned(),
            line: line_of_id(text, &t.id),
            column: None,
            test_id: Some(t.id.clone()),
            field: Some(format!("tests[{i}].{field}")),
            message,
        };
        if !t.id.starts_with(&format!("{}/", vf.topic)) {
            return Err(err("id".into(), format!("the id must start with the topic `{}/`", vf.topic)));
        }
        if !seen.insert(t.id.clone()) {
            return Err(err("id".into(), "duplicate test id".into()));
        }
        if t.versions.is_empty() {
            return Err(err("versions".into(), "no version to run".into()));
        }
        if !cites_a_section(&t.rfc) {
            return Err(err(
                "rfc".into(),
                format!("`{}` cites no section (write it as `RFC 5246 7.4.9`)", t.rfc),
            ));
        }
        if t.first_ends_with != super::FirstEnding::CloseNotify && !t.resume {
            return Err(err(
                "first_ends_with".into(),
                "applies to resumption cases only (set `resume: true`)".into(),
            ));
        }
        if let Err((field, message)) = super::word::check(t) {
            return Err(err(field, message));
        }
        if let Err(e) = Deviations(t.knobs.clone()).check() {
            return Err(err(format!("knobs[{}]", e.index), e.message));
        }
        for (side, range) in [("engine", &t.engine.versions), ("peer", &t.peer.versions)] {
            if let Some(r) = range
                && upside_down(r)
            {
                return Err(err(
                    format!("{side}.versions"),
                    format!("min {} is above max {}", r.min.name(), r.max.name()),
                ));
            }
        }
        for v in t.expect_for.keys() {
            if !t.versions.contains(v) {
                return Err(err(
                    format!("expect_for.{}", v.name()),
                    format!("the test never runs at {}: this branch is dead", v.name()),
                ));
            }
        }
        for (j, s) in t.suites.iter().enumerate() {
            if suites::by_name(s).is_none() {
                return Err(err(format!("suites[{j}]"), format!("unknown cipher suite `{s}`")));
            }
        }
        for (side, id) in [("engine", &t.engine.identity), ("peer", &t.peer.identity)] {
            if let Some(id) = id
                && id != "none"
                && !KNOWN_IDENTITIES.contains(&id.as_str())
            {
                return Err(err(
                    format!("{side}.identity"),
                    format!("unknown identity `{id}` (known: none, {})", KNOWN_IDENTITIES.join(", ")),
                ));
            }
        }
        let lists = std::iter::once(("expect".to_string(), &t.expect))
            .chain(t.expect_for.iter().map(|(v, e)| (format!("expect_for.{}", v.name()), e)));
        for (field, list) in lists {
            if list.is_empty() {
                return Err(err(field, "no expected outcome".into()));
            }
            for (j, e) in list.iter().enumerate() {
                let given = usize::from(e.handshake_completes.is_some())
                    + usize::from(e.peer_alert.is_some())
                    + usize::from(e.peer_warning.is_some())
                    + usize::from(e.peer_closes.is_some())
                    + usize::from(e.peer_outputs.is_some());
                if given != 1 {
                    return Err(err(
                        format!("{field}[{j}]"),
                        "give exactly one of handshake_completes, peer_alert, peer_warning, peer_closes, \
                         peer_outputs"
                            .into(),
                    ));
                }
            }
        }
    }
    Ok(())
}

fn upside_down(r: &Range) -> bool {
    r.min > r.max
}

/// Whether an `rfc` field names at least one section: `RFC 5246 7.4.9`,
/// `RFC 5246 A.5`, `RFC 6101 5.6.9, RFC 5746 3.2`.
fn cites_a_section(rfc: &str) -> bool {
    rfc.match_indices("RFC ").any(|(at, _)| {
        let rest = rfc.get(at + 4..).unwrap_or_default();
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        let after = rest.get(digits..).unwrap_or_default();
        digits >= 3
            && after
                .strip_prefix(' ')
                .and_then(|s| s.chars().next())
                .is_some_and(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    })
}

/// The consistency pass over a whole vector set before anything runs:
/// every topic file named after its topic, ids unique across files. (Ids,
/// sections, features and identities are checked per file when it loads.)
pub fn check_set(files: &[(std::path::PathBuf, VectorFile)]) -> Result<(), VectorError> {
    for (file, vf) in files {
        let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        if stem != vf.topic {
            return Err(VectorError {
                file: file.clone(),
                line: None,
                column: None,
                test_id: None,
                field: Some("topic".into()),
                message: format!("the file of topic `{}` must be named `{}.json`", vf.topic, vf.topic),
            });
        }
    }
    unique_ids(files)
}

/// Ids are unique across files (each file checks its own when it loads).
pub(super) fn unique_ids(files: &[(std::path::PathBuf, VectorFile)]) -> Result<(), VectorError> {
    let mut ids = BTreeSet::new();
    for (file, vf) in files {
        for t in &vf.tests {
            if !ids.insert(t.id.as_str()) {
                return Err(VectorError {
                    file: file.clone(),
                    line: None,
                    column: None,
                    test_id: Some(t.id.clone()),
                    field: Some("id".into()),
                    message: "test id used in another file too".into(),
                });
            }
        }
    }
    Ok(())
}
