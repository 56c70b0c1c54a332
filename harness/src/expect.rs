//! What happened in a case, and whether a vector's expectations allow it.

use serde::Serialize;
use shakedown_engine::msgs::enums::{AlertDescription, CipherSuite, ProtocolVersion};
use shakedown_engine::suites;

use crate::vector::{Case, Expectation, Grade, parse_version};

/// How the exchange ended, seen from the engine's side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum End {
    /// We finished what we meant to do (handshake, data, close).
    Done,
    /// The peer sent a fatal alert.
    FatalAlert(String),
    /// The peer sent close_notify before we were done.
    PeerClosed,
    /// The transport closed (EOF or reset) without an alert.
    PeerEof,
    /// Our engine rejected the peer's bytes: a peer misbehaviour the vector
    /// did not provoke, or a harness bug.
    EngineRejected(String),
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Negotiated {
    pub version: String,
    pub suite: String,
    pub resumed: bool,
}

impl Negotiated {
    pub fn new(version: ProtocolVersion, suite: CipherSuite, resumed: bool) -> Self {
        Self {
            version: version.to_string(),
            suite: suites::lookup(suite).map_or_else(|| suite.to_string(), |i| i.openssl_name.to_owned()),
            resumed,
        }
    }
}

/// Everything the runner saw in one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Observed {
    /// The first handshake of the case connection.
    pub negotiated: Option<Negotiated>,
    pub handshakes: usize,
    pub echoed: bool,
    /// Warning alerts the peer sent.
    pub warnings: Vec<String>,
    /// The fatal alert, as a description, for matching.
    #[serde(skip)]
    pub fatal: Option<AlertDescription>,
    #[serde(skip)]
    pub warning_alerts: Vec<AlertDescription>,
    /// The engine's field mutations that changed a message it sent.
    #[serde(skip)]
    pub applied_field_mutations: Vec<shakedown_engine::deviate::field::FieldMutation>,
    pub end: End,
}

impl Observed {
    pub fn new(end: End) -> Self {
        Self {
            negotiated: None,
            handshakes: 0,
            echoed: false,
            warnings: Vec::new(),
            fatal: None,
            warning_alerts: Vec::new(),
            applied_field_mutations: Vec::new(),
            end,
        }
    }

    /// One line for the report.
    pub fn describe(&self) -> String {
        let hs = match &self.negotiated {
            Some(n) => format!(
                "handshake completed ({} {}{}{}{})",
                n.version,
                n.suite,
                if n.resumed { ", resumed" } else { "" },
                if self.handshakes > 1 { ", renegotiated" } else { "" },
                if self.echoed { ", echo ok" } else { ", no echo" }
            ),
            None => "no handshake".into(),
        };
        let warn = match self.warnings.is_empty() {
            true => String::new(),
            false => format!(", warnings [{}]", self.warnings.join(", ")),
        };
        let end = match &self.end {
            End::Done => "done".to_string(),
            End::FatalAlert(a) => format!("peer sent fatal alert {a}"),
            End::PeerClosed => "peer sent close_notify".into(),
            End::PeerEof => "peer closed the connection".into(),
            End::EngineRejected(e) => format!("engine rejected the peer: {e}"),
            End::Inconclusive(w) => format!("inconclusive: {w}"),
            End::SetupFailed(e) => format!("setup failed: {e}"),
            End::HarnessError(e) => format!("harness error: {e}"),
        };
        format!("{hs}{warn}; {end}")
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
    Verdict::Fail { reason: format!("expected {}; got {}", describe_expect(&case.expect), obs.describe()) }
}

fn matches(case: &Case, e: &Expectation, obs: &Observed, peer: PeerAbilities) -> bool {
    if let Some(alerts) = &e.peer_alert {
        return obs.fatal.is_some_and(|a| alerts.contains(&a));
    }
    if let Some(warnings) = &e.peer_warning {
        return obs.fatal.is_none()
            && !matches!(obs.end, End::EngineRejected(_))
            && obs.warning_alerts.iter().any(|w| warnings.contains(w));
    }
    if e.peer_closes.is_some() {
        return obs.negotiated.is_none() && matches!(obs.end, End::PeerClosed | End::PeerEof);
    }
    let Some(want) = &e.handshake_completes else {
        return false;
    };
    let Some(got) = &obs.negotiated else { return false };
    if !matches!(obs.end, End::Done | End::PeerClosed) {
        return false;
    }
    let version_ok = match want.version.as_deref().unwrap_or("case") {
        "any" => true,
        "case" => got.version == case.version.wire().to_string(),
        v => parse_version(v).is_some_and(|v| got.version == v.wire().to_string()),
    };
    let suite_ok = match want.suite.as_deref().unwrap_or("case") {
        "any" => true,
        "case" => got.suite == case.suite_name,
        s => suites::by_name(s).is_some_and(|i| got.suite == i.openssl_name),
    };
    let resumed_ok = want.resumed.is_none_or(|r| r == got.resumed);
    let echo_ok = !want.echo.unwrap_or(true) || !peer.echoes || obs.echoed;
    let reneg_ok = !want.renegotiated.unwrap_or(false) || obs.handshakes >= 2;
    let close_ok = !want.close_notify.unwrap_or(false) || matches!(obs.end, End::PeerClosed);
    version_ok && suite_ok && resumed_ok && echo_ok && reneg_ok && close_ok
}

/// The expectations in one line.
pub fn describe_expect(list: &[Expectation]) -> String {
    let one = |e: &Expectation| {
        let what = if let Some(a) = &e.peer_alert {
            format!("fatal alert [{}]", join(a))
        } else if let Some(w) = &e.peer_warning {
            format!("warning alert [{}]", join(w))
        } else if e.peer_closes.is_some() {
            "peer closes".into()
        } else if let Some(c) = &e.handshake_completes {
            let mut s = "handshake completes".to_string();
            if let Some(v) = &c.version {
                s.push_str(&format!(" version={v}"));
            }
            if let Some(r) = c.resumed {
                s.push_str(&format!(" resumed={r}"));
            }
            if c.renegotiated == Some(true) {
                s.push_str(" renegotiated");
            }
            if c.close_notify == Some(true) {
                s.push_str(" then close_notify");
            }
            s
        } else {
            "?".into()
        };
        match e.grade {
            Grade::Strict => what,
            Grade::Acceptable => format!("{what} (acceptable)"),
        }
    };
    list.iter().map(one).collect::<Vec<_>>().join(" or ")
}

fn join(a: &[AlertDescription]) -> String {
    a.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}
