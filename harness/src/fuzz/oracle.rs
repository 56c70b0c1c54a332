//! The oracles: spec (the RFC's duty for the case against what the peer
//! did), liveness (the peer died, or went silent where it had to answer)
//! and differential (peers disagree on the outcome class). Each verdict
//! carries the expectations a replay vector checks.

use serde::{Deserialize, Serialize};
use shakedown_engine::msgs::enums::AlertDescription;

use super::case::FuzzCase;
use super::signature::Outcome;
use super::spec::{Class, case_duty};
use crate::expect::{End, Observed};
use crate::vector::{Completes, Expectation, Grade, Pick, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Oracle {
    Spec,
    Liveness,
    Differential,
}

impl Oracle {
    pub const ALL: [Self; 3] = [Self::Spec, Self::Liveness, Self::Differential];

    pub fn name(self) -> &'static str {
        match self {
            Self::Spec => "spec",
            Self::Liveness => "liveness",
            Self::Differential => "differential",
        }
    }
}

/// What an oracle found in one case.
#[derive(Debug, Clone)]
pub struct Violation {
    pub oracle: Oracle,
    pub reason: String,
    pub rfc: String,
    /// What a correct peer does: the replay vector's expectations.
    pub expect: Vec<Expectation>,
}

/// Every fatal alert: "the peer refuses", whichever alert it picks.
pub fn any_alert() -> Vec<AlertDescription> {
    AlertDescription::ALL.iter().copied().filter(|a| *a != AlertDescription::CloseNotify).collect()
}

pub fn refuses() -> Vec<Expectation> {
    vec![
        Expectation { peer_alert: Some(any_alert()), ..Expectation::default() },
        Expectation {
            peer_closes: Some(crate::vector::Closes::Any),
            grade: Grade::Acceptable,
            ..Expectation::default()
        },
    ]
}

pub fn completes(exact: bool) -> Vec<Expectation> {
    vec![Expectation {
        handshake_completes: Some(Completes {
            version: (!exact).then_some(Pick::Any),
            suite: (!exact).then_some(Pick::Any),
            ..Completes::default()
        }),
        ..Expectation::default()
    }]
}

/// Whether the peer accepted the handshake: the engine completed it and
/// the peer did not object after (its echo, or for a peer that does not
/// echo, no alert). A server's Finished proves it accepted ours in a full
/// handshake (RFC 5246 7.3); a client's acceptance shows only in its data.
pub fn peer_accepted(case: &FuzzCase, obs: &Observed, echoes: bool) -> bool {
    let Some(n) = &obs.negotiated else { return false };
    let quiet_end = matches!(obs.end, End::Done | End::PeerClosed);
    match case.engine_role {
        Role::Client if !n.resumed => quiet_end,
        _ => obs.echoed || (quiet_end && !echoes),
    }
}

/// The spec oracle.
pub fn spec(case: &FuzzCase, obs: &Observed, echoes: bool) -> Option<Violation> {
    let (class, rfc) = case_duty(case, &obs.applied_field_mutations, &obs.cancelled_messages);
    match class {
        Class::MustRefuse if peer_accepted(case, obs, echoes) => Some(Violation {
            oracle: Oracle::Spec,
            reason: format!("the peer completed a handshake it must refuse: {}", obs.describe()),
            rfc,
            expect: refuses(),
        }),
        // Only an echo shows the peer went on after the alert or record.
        Class::MustRefuseData if obs.echoed => Some(Violation {
            oracle: Oracle::Spec,
            reason: format!("the peer exchanged data after what it must refuse: {}", obs.describe()),
            rfc,
            expect: refuses(),
        }),
        Class::MustComplete if matches!(Outcome::of(obs), Outcome::FatalAlert | Outcome::Close) => {
            Some(Violation {
                oracle: Oracle::Spec,
                reason: format!("the peer refused a conformant handshake: {}", obs.describe()),
                rfc: match rfc.is_empty() {
                    true => "RFC 5246 7.3".into(),
                    false => rfc,
                },
                expect: completes(true),
            })
        }
        _ => None,
    }
}

/// The liveness oracle: the peer process died (a signal, a sanitizer
/// report), or went silent where a conformant handshake needs its answer.
pub fn liveness(case: &FuzzCase, obs: &Observed, note: Option<&str>) -> Option<Violation> {
    let note = note.unwrap_or_default();
    let died = note.contains("signal") || note.contains("Sanitizer") || note.contains("runtime error:");
    if died {
        return Some(Violation {
            oracle: Oracle::Liveness,
            reason: format!("the peer process died: {note}"),
            rfc: "RFC 5246 7.2.2 (an error is answered with an alert)".into(),
            expect: [completes(false), refuses()].concat(),
        });
    }
    let (class, _) = case_duty(case, &obs.applied_field_mutations, &obs.cancelled_messages);
    if class == Class::MustComplete && Outcome::of(obs) == Outcome::Silence {
        return Some(Violation {
            oracle: Oracle::Liveness,
            reason: format!("the peer stopped answering in a conformant handshake: {}", obs.describe()),
            rfc: "RFC 5246 7.3".into(),
            expect: completes(true),
        });
    }
    None
}

/// The differential oracle over (peer name, outcome) pairs. The deviant
/// is the peer whose outcome class the fewest peers share (of three
/// peers, the odd one out; on a tie, the first that differs from the
/// first peer), and the replay vector expects the outcome most peers had.
/// Gives the violation and the deviant's name.
pub fn differential(outcomes: &[(String, Outcome, String)]) -> Option<(Violation, String)> {
    let (_, first, _) = outcomes.first()?;
    outcomes.iter().find(|(_, o, _)| o != first)?;
    let share = |o: &Outcome| outcomes.iter().filter(|(_, p, _)| p == o).count();
    let fewest = outcomes.iter().map(|(_, o, _)| share(o)).min()?;
    let most = outcomes.iter().map(|(_, o, _)| share(o)).max()?;
    let (other_name, other, other_desc) = match fewest < most {
        true => outcomes.iter().find(|(_, o, _)| share(o) == fewest)?,
        false => outcomes.iter().find(|(_, o, _)| o != first)?,
    };
    let (first_name, first, _) = match fewest < most {
        true => outcomes.iter().find(|(_, o, _)| share(o) == most)?,
        false => outcomes.first()?,
    };
    let expect = match first {
        Outcome::Completes => completes(false),
        Outcome::Close => {
            vec![Expectation { peer_closes: Some(crate::vector::Closes::Any), ..Expectation::default() }]
        }
        _ => refuses(),
    };
    Some((
        Violation {
            oracle: Oracle::Differential,
            reason: format!("{first_name}: {}; {other_name}: {} ({other_desc})", first.name(), other.name()),
            rfc: String::new(),
            expect,
        },
        other_name.clone(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, o: Outcome) -> (String, Outcome, String) {
        (name.to_string(), o, String::new())
    }

    #[test]
    fn the_odd_one_out_is_the_deviant_and_the_majority_is_expected() {
        // The oracle cannot tell who is right (here the refusing client is:
        // a ServerHello extended_master_secret with a body); it names the
        // odd one out, and triage reads both transcripts. Before, the peer
        // differing from the first was named, even when it was the majority.
        let (v, deviant) = differential(&[
            run("openssl", Outcome::Completes),
            run("gnutls", Outcome::FatalAlert),
            run("tlslite", Outcome::Completes),
        ])
        .expect("a difference");
        assert_eq!(deviant, "gnutls");
        assert!(v.expect.iter().any(|e| e.handshake_completes.is_some()));
        let (v, deviant) = differential(&[
            run("openssl", Outcome::Completes),
            run("gnutls", Outcome::FatalAlert),
            run("tlslite", Outcome::FatalAlert),
        ])
        .expect("a difference");
        assert_eq!(deviant, "openssl");
        assert!(v.expect.iter().all(|e| e.handshake_completes.is_none()), "{:?}", v.expect);
        // Two peers, or three outcomes: the first that differs from the first.
        let two = [run("a", Outcome::Close), run("b", Outcome::Silence)];
        assert_eq!(differential(&two).map(|d| d.1).as_deref(), Some("b"));
        let three = [run("a", Outcome::Close), run("b", Outcome::Silence), run("c", Outcome::Completes)];
        assert_eq!(differential(&three).map(|d| d.1).as_deref(), Some("b"));
        assert!(differential(&[run("a", Outcome::Close), run("b", Outcome::Close)]).is_none());
    }
}
