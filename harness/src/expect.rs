//! What happened in a case, and whether a vector's expectations allow it.

use serde::Serialize;
use shakedown_engine::Error;
use shakedown_engine::msgs::enums::{AlertDescription, CipherSuite, ProtocolVersion};

use crate::report::observed::describe_expect;
use crate::vector::{Case, Closes, Expectation, Grade, Pick, Version};

/// How the exchange ended, seen from the engine's side. Values, not text:
/// the report writes them out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// We finished what we meant to do (handshake, data, close).
    Done,
    /// The peer sent a fatal alert (RFC 5246 7.2), named or not.
    FatalAlert(AlertDescription),
    /// The peer sent close_notify before we were done.
    PeerClosed,
    /// The transport closed (EOF or reset) without an alert.
    PeerEof,
    /// Our engine rejected the peer's bytes: a peer misbehaviour the vector
    /// did not provoke, or a harness bug.
    EngineRejected(Error),
    /// Both sides waiting (in memory) or nothing within the timeout: never a
    /// pass.
    Inconclusive(String),
    /// The honest setup of the case (the first handshake of a resumption
    /// case) failed because of the peer: a fail, never a harness error.
    SetupFailed(String),
    /// The harness could not run the case.
    HarnessError(String),
}

/// What a completed handshake settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Negotiated {
    pub version: ProtocolVersion,
    pub suite: CipherSuite,
    pub resumed: bool,
}

/// Everything the runner saw in one case: one copy of what the peer sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    /// The first handshake of the case connection.
    pub negotiated: Option<Negotiated>,
    pub handshakes: usize,
    pub echoed: bool,
    /// Warning alerts the peer sent, in order.
    pub warnings: Vec<AlertDescription>,
    /// The engine's field mutations that changed a message it sent.
    pub applied_field_mutations: Vec<shakedown_engine::deviate::field::FieldMutation>,
    /// Messages the knobs changed and changed back: they went out honest.
    pub cancelled_messages: Vec<shakedown_engine::msgs::enums::HandshakeType>,
    /// The longest the peer took to answer something we sent.
    pub slowest_answer: std::time::Duration,
    /// A test with a learner `word`: the peer's abstract answer to each
    /// input.
    pub outputs: Option<Vec<String>>,
    pub end: End,
}

impl Observed {
    pub fn new(end: End) -> Self {
        Self {
            negotiated: None,
            handshakes: 0,
            echoed: false,
            warnings: Vec::new(),
            applied_field_mutations: Vec::new(),
            cancelled_messages: Vec::new(),
            slowest_answer: std::time::Duration::ZERO,
            outputs: None,
            end,
        }
    }

    /// The fatal alert the peer sent, if that is how it ended.
    pub fn fatal(&self) -> Option<AlertDescription> {
        match self.end {
            End::FatalAlert(d) => Some(d),
            _ => None,
        }
    }

    /// One line for the report.
    pub fn describe(&self) -> String {
        crate::report::observed::describe(self)
    }
}

/// The verdict of one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum Verdict {
    Pass {
        grade: Grade,
        matched: usize,
    },
    Fail {
        reason: String,
    },
    /// Timed out or stalled: not a pass, not a proof of failure.
    Inconclusive {
        reason: String,
    },
    Skip {
        reason: String,
    },
    Error {
        reason: String,
    },
}

impl Verdict {
    pub fn word(&self) -> &'static str {
        match self {
            Self::Pass { .. } => "pass",
            Self::Fail { .. } => "fail",
            Self::Inconclusive { .. } => "inconclusive",
            Self::Skip { .. } => "skip",
            Self::Error { .. } => "error",
        }
    }
}

/// What the runner knows about the peer when matching.
#[derive(Debug, Clone, Copy)]
pub struct PeerAbilities {
    /// The peer echoes application data back.
    pub echoes: bool,
}

/// Matches an observation against a case's expectations: strict ones
/// first, then acceptable.
pub fn judge(case: &Case, obs: &Observed, peer: PeerAbilities) -> Verdict {
    match &obs.end {
        End::HarnessError(e) => return Verdict::Error { reason: e.clone() },
        End::SetupFailed(e) => {
            return Verdict::Fail { reason: format!("setup failed before the case could run: {e}") };
        }
        End::Inconclusive(w) => {
            return Verdict::Inconclusive {
                reason: format!("{w} (expected {})", describe_expect(&case.expect)),
            };
        }
        _ => {}
    }
    for grade in [Grade::Strict, Grade::Acceptable] {
        for (i, e) in case.expect.iter().enumerate() {
            if e.grade == grade && matches(case, e, obs, peer) {
                return Verdict::Pass { grade, matched: i };
            }
        }
    }
    let word = match &case.test.word {
        Some(w) => format!("to [{}]: ", w.iter().map(|s| s.name()).collect::<Vec<_>>().join(", ")),
        None => String::new(),
    };
    Verdict::Fail {
        reason: format!("{word}expected {}; got {}", describe_expect(&case.expect), obs.describe()),
    }
}

fn matches(case: &Case, e: &Expectation, obs: &Observed, peer: PeerAbilities) -> bool {
    if let Some(want) = &e.peer_outputs {
        return obs.end == End::Done && obs.outputs.as_ref().is_some_and(|got| same_word(want, got, peer));
    }
    if let Some(alerts) = &e.peer_alert {
        return obs.fatal().is_some_and(|a| alerts.contains(&a));
    }
    if let Some(warnings) = &e.peer_warning {
        return obs.fatal().is_none()
            && !matches!(obs.end, End::EngineRejected(_))
            && obs.warnings.iter().any(|w| warnings.contains(w));
    }
    if let Some(closes) = e.peer_closes {
        let ended = match closes {
            Closes::Any => matches!(obs.end, End::PeerClosed | End::PeerEof),
            // RFC 5246 7.2.1: its own close_notify, not a bare close.
            Closes::CloseNotify => obs.end == End::PeerClosed,
        };
        return obs.negotiated.is_none() && ended;
    }
    let Some(want) = &e.handshake_completes else {
        return false;
    };
    let Some(got) = &obs.negotiated else { return false };
    if !matches!(obs.end, End::Done | End::PeerClosed) {
        return false;
    }
    let version_ok =
        want.version.unwrap_or(Pick::Case).map(Version::wire).allows(got.version, case.version.wire());
    let suite_ok = want.suite.unwrap_or(Pick::Case).allows(got.suite, case.suite);
    let resumed_ok = want.resumed.is_none_or(|r| r == got.resumed);
    let echo_ok = !want.echo.unwrap_or(true) || !peer.echoes || obs.echoed;
    let reneg_ok = !want.renegotiated.unwrap_or(false) || obs.handshakes >= 2;
    let close_ok = !want.close_notify.unwrap_or(false) || matches!(obs.end, End::PeerClosed);
    version_ok && suite_ok && resumed_ok && echo_ok && reneg_ok && close_ok
}

/// Whether a word test's answer is the one due: output for output, except
/// that a peer known not to echo (its profile's `echo: false`) may answer
/// data with silence, as `handshake_completes` waives the echo.
fn same_word(want: &[String], got: &[String], peer: PeerAbilities) -> bool {
    want.len() == got.len()
        && want.iter().zip(got).all(|(w, g)| {
            w == g || (!peer.echoes && w == "ApplicationData" && g == crate::learn::mapper::output::SILENCE)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn only_a_peer_that_does_not_echo_may_answer_data_with_silence() {
        let want = w(&["silence", "ApplicationData"]);
        let got = w(&["silence", "silence"]);
        assert!(!same_word(&want, &got, PeerAbilities { echoes: true }));
        assert!(same_word(&want, &got, PeerAbilities { echoes: false }));
        // Nothing else is waived, and the lengths must agree.
        let alert = w(&["silence", "Alert(fatal,unexpected_message)+closed"]);
        assert!(!same_word(&alert, &got, PeerAbilities { echoes: false }));
        assert!(!same_word(&want, &w(&["silence"]), PeerAbilities { echoes: false }));
    }
}
