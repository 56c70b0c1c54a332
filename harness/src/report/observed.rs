//! Observations and expectations as text and JSON: the one place where
//! the typed values of a case become strings.

use serde::Serialize;
use shakedown_engine::msgs::enums::{AlertDescription, CipherSuite};
use shakedown_engine::suites;

use crate::expect::{End, Negotiated, Observed};
use crate::vector::{Expectation, Grade};

/// A suite by its OpenSSL name when the engine has one.
pub fn suite_name(suite: CipherSuite) -> String {
    suites::lookup(suite).map_or_else(|| suite.to_string(), |i| i.openssl_name.to_owned())
}

/// One line for the report.
pub fn describe(obs: &Observed) -> String {
    if let (Some(out), End::Done) = (&obs.outputs, &obs.end) {
        return format!("outputs [{}]", out.join(", "));
    }
    let hs = match &obs.negotiated {
        Some(n) => format!(
            "handshake completed ({} {}{}{}{})",
            n.version,
            suite_name(n.suite),
            if n.resumed { ", resumed" } else { "" },
            if obs.handshakes > 1 { ", renegotiated" } else { "" },
            if obs.echoed { ", echo ok" } else { ", no echo" }
        ),
        None => "no handshake".into(),
    };
    let warn = match obs.warnings.is_empty() {
        true => String::new(),
        false => format!(", warnings [{}]", join(&obs.warnings)),
    };
    let end = match &obs.end {
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

/// The expectations in one line.
pub fn describe_expect(list: &[Expectation]) -> String {
    let one = |e: &Expectation| {
        let what = if let Some(o) = &e.peer_outputs {
            format!("outputs [{}]", o.join(", "))
        } else if let Some(a) = &e.peer_alert {
            format!("fatal alert [{}]", join(a))
        } else if let Some(w) = &e.peer_warning {
            format!("warning alert [{}]", join(w))
        } else if let Some(c) = e.peer_closes {
            match c {
                crate::vector::Closes::Any => "peer closes".into(),
                crate::vector::Closes::CloseNotify => "peer answers close_notify and closes".into(),
            }
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

/// An observation as the JSON report writes it.
#[derive(Debug, Serialize)]
pub struct ObservedJson {
    negotiated: Option<NegotiatedJson>,
    handshakes: usize,
    echoed: bool,
    warnings: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outputs: Option<Vec<String>>,
    end: EndJson,
}

#[derive(Debug, Serialize)]
struct NegotiatedJson {
    version: String,
    suite: String,
    resumed: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
enum EndJson {
    Done,
    FatalAlert(String),
    PeerClosed,
    PeerEof,
    EngineRejected(String),
    Inconclusive(String),
    SetupFailed(String),
    HarnessError(String),
}

impl ObservedJson {
    pub fn of(obs: &Observed) -> Self {
        let negotiated = obs.negotiated.map(|n: Negotiated| NegotiatedJson {
            version: n.version.to_string(),
            suite: suite_name(n.suite),
            resumed: n.resumed,
        });
        let end = match &obs.end {
            End::Done => EndJson::Done,
            End::FatalAlert(a) => EndJson::FatalAlert(a.to_string()),
            End::PeerClosed => EndJson::PeerClosed,
            End::PeerEof => EndJson::PeerEof,
            End::EngineRejected(e) => EndJson::EngineRejected(e.to_string()),
            End::Inconclusive(w) => EndJson::Inconclusive(w.clone()),
            End::SetupFailed(e) => EndJson::SetupFailed(e.clone()),
            End::HarnessError(e) => EndJson::HarnessError(e.clone()),
        };
        Self {
            negotiated,
            handshakes: obs.handshakes,
            echoed: obs.echoed,
            warnings: obs.warnings.iter().map(ToString::to_string).collect(),
            outputs: obs.outputs.clone(),
            end,
        }
    }
}
