//! Flaws: the engine playing a *broken* implementation, so the harness's own
//! tests can prove that the runner, the fuzzer, the learner and the timing
//! probe catch each kind of bug and never flag the honest engine.
//!
//! Flaws are kept apart from the knobs of `deviate`: a knob makes the engine
//! *send* something wrong (it is the attacker's tool); a flaw makes the
//! engine *accept* something wrong, or leak (it is the victim's bug). The
//! honest engine has neither. Each flaw names the requirement it breaks.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// What a flaw belongs to, for listing and for spreading tests across the
/// families the issue asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlawFamily {
    /// Message order and state.
    State,
    /// Parsing and lengths.
    Parsing,
    /// Versions, suites, extensions, resumption.
    Negotiation,
    /// Record protection.
    Record,
    /// Certificates and signatures, Finished.
    Authentication,
    Alerts,
    /// Observable only as time.
    Timing,
}

/// Which role carries the flaw when the engine plays the peer under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlawRole {
    Client,
    Server,
    Both,
}

/// One flaw of the built-in peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flaw {
    /// Accepts the peer's Finished whatever its verify_data says.
    AcceptBadFinished,
    /// Server: a client that sent a certificate may skip CertificateVerify
    /// and go straight to ChangeCipherSpec (the state-machine bug class of
    /// CVE-2015-0205 and de Ruiter and Poll 2015).
    SkipCertificateVerify,
    /// Server: spends extra time (about 100 us of hashing) when the
    /// decrypted premaster is not a well-formed 48-byte PKCS#1 v1.5
    /// message: a Bleichenbacher / Marvin timing oracle.
    SlowBadPadding,
}

impl Flaw {
    /// Every flaw, in listing order.
    pub const ALL: &'static [Flaw] = &[
        Flaw::AcceptBadFinished,
        Flaw::SkipCertificateVerify,
        Flaw::SlowBadPadding,
    ];

    /// The snake_case name used on the command line and in vectors.
    pub fn name(self) -> &'static str {
        match self {
            Self::AcceptBadFinished => "accept_bad_finished",
            Self::SkipCertificateVerify => "skip_certificate_verify",
            Self::SlowBadPadding => "slow_bad_padding",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|f| f.name() == name)
    }

    pub fn family(self) -> FlawFamily {
        match self {
            Self::AcceptBadFinished => FlawFamily::Authentication,
            Self::SkipCertificateVerify => FlawFamily::State,
            Self::SlowBadPadding => FlawFamily::Timing,
        }
    }

    pub fn role(self) -> FlawRole {
        match self {
            Self::AcceptBadFinished => FlawRole::Both,
            Self::SkipCertificateVerify | Self::SlowBadPadding => FlawRole::Server,
        }
    }

    /// The requirement the flaw breaks.
    pub fn citation(self) -> &'static str {
        match self {
            Self::AcceptBadFinished => "RFC 5246 7.4.9: recipients MUST verify that the contents are correct",
            Self::SkipCertificateVerify => {
                "RFC 5246 7.4.8: CertificateVerify follows a client certificate with signing capability; CVE-2015-0205"
            }
            Self::SlowBadPadding => {
                "RFC 5246 7.4.7.1: no distinguishable difference on bad PKCS#1 padding; Bleichenbacher 1998, Marvin 2023"
            }
        }
    }
}

impl std::fmt::Display for Flaw {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The flaws of one side; empty for the honest engine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Flaws(BTreeSet<Flaw>);

impl Flaws {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn has(&self, flaw: Flaw) -> bool {
        self.0.contains(&flaw)
    }

    pub fn is_honest(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = Flaw> + '_ {
        self.0.iter().copied()
    }
}

impl FromIterator<Flaw> for Flaws {
    fn from_iter<I: IntoIterator<Item = Flaw>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// The timing flaw's extra work: hashing rather than a sleep, because the
/// engine reads no clock. About 100 us on a machine hashing SHA-256 at
/// 1.5 GB/s; the timing probe measures what it really is.
pub(crate) fn slow_path_work() {
    use sha2::Digest;
    let block = [0x5au8; 4096];
    let mut h = sha2::Sha256::new();
    for _ in 0..40 {
        h.update(std::hint::black_box(&block));
    }
    std::hint::black_box(h.finalize());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for f in Flaw::ALL {
            assert_eq!(Flaw::from_name(f.name()), Some(*f));
            let json = serde_json::to_string(f).unwrap();
            assert_eq!(json, format!("\"{}\"", f.name()));
        }
        let names: BTreeSet<_> = Flaw::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(names.len(), Flaw::ALL.len());
        assert_eq!(Flaw::from_name("no_such_flaw"), None);
    }

    #[test]
    fn every_flaw_cites_a_requirement() {
        for f in Flaw::ALL {
            assert!(
                f.citation().contains("RFC") || f.citation().contains("CVE"),
                "{f}"
            );
        }
    }
}
