//! A peer's behaviour as the fuzzer's feedback: the sequence of what it
//! sent (handshake messages in the clear, ChangeCipherSpec, encrypted
//! records, alerts) and how the exchange ended. A case whose signature is
//! new goes into the corpus.

use serde::{Deserialize, Serialize};

use shakedown_engine::msgs::enums::{AlertDescription, AlertLevel, ContentType};

use crate::expect::{End, Observed};
use crate::run::transcript::{Direction, Transcript};

/// How an exchange ended, coarsely: what the differential oracle compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Completes,
    FatalAlert,
    Close,
    Silence,
    /// Our engine refused the peer's bytes, or the harness failed.
    Other,
}

impl Outcome {
    pub fn of(obs: &Observed) -> Self {
        match &obs.end {
            End::Done => Self::Completes,
            End::PeerClosed if obs.negotiated.is_some() => Self::Completes,
            End::FatalAlert(_) => Self::FatalAlert,
            End::PeerClosed | End::PeerEof => Self::Close,
            End::Inconclusive(_) => Self::Silence,
            End::EngineRejected(_) | End::SetupFailed(_) | End::HarnessError(_) => Self::Other,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Completes => "completes",
            Self::FatalAlert => "fatal_alert",
            Self::Close => "close",
            Self::Silence => "silence",
            Self::Other => "other",
        }
    }
}

/// The peer's side of the transcript, one token a record (repeats of one
/// token folded), then the end.
pub fn signature(transcript: Option<&Transcript>, obs: &Observed) -> String {
    let mut tokens: Vec<String> = Vec::new();
    for r in transcript.map(|t| t.records.as_slice()).unwrap_or_default() {
        if r.dir != Direction::FromPeer {
            continue;
        }
        let t = match (r.content_type(), r.plain) {
            (Some(ContentType::Handshake), true) => {
                r.handshake.iter().map(crate::report::transcript::message).collect::<Vec<_>>().join("+")
            }
            (Some(ContentType::Handshake), false) => "hs*".into(),
            (Some(ContentType::Alert), true) => format!("alert:{}", alert_of(&r.bytes)),
            (Some(ContentType::Alert), false) => "alert*".into(),
            (Some(ContentType::ChangeCipherSpec), _) => "ccs".into(),
            (Some(ContentType::ApplicationData), _) => "data".into(),
            (Some(other), _) => other.to_string(),
            (None, _) => crate::report::transcript::framing_name(r.framing),
        };
        if t.is_empty() || tokens.last() == Some(&t) {
            continue;
        }
        tokens.push(t);
    }
    let end = match &obs.end {
        End::FatalAlert(a) => format!("fatal:{a}"),
        End::EngineRejected(_) => "rejected".into(),
        End::HarnessError(_) => "error".into(),
        other => Outcome::of(&Observed::new(other.clone())).name().into(),
    };
    let hs = if obs.negotiated.is_some() { "hs-ok" } else { "hs-no" };
    format!("{} | {hs} {end}", tokens.join(" "))
}

fn alert_of(record: &[u8]) -> String {
    match (record.get(5), record.get(6)) {
        (Some(l), Some(d)) => format!("{}.{}", AlertLevel::from_wire(*l), AlertDescription::from_wire(*d)),
        _ => "short".into(),
    }
}
