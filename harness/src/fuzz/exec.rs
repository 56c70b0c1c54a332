//! Runs one fuzz case against one peer through the runner's driver, and
//! reads off what the oracles need.

use crate::expect::Observed;
use crate::expect::Verdict;
use crate::run::configs::Identities;
use crate::run::transcript::Transcript;
use crate::run::{RunOptions, Worker, run_case};

use super::case::FuzzCase;
use super::oracle::completes;
use super::signature::{Outcome, signature};

/// One peer's run of a case.
#[derive(Debug, Clone)]
pub struct PeerRun {
    pub peer: String,
    pub observed: Observed,
    pub outcome: Outcome,
    pub signature: String,
    pub transcript: Option<Transcript>,
    pub keylog: Vec<String>,
    pub note: Option<String>,
    pub echoes: bool,
}

/// What running a case against a peer gave: a run, or why it did not apply.
#[derive(Debug, Clone)]
pub enum Ran {
    Run(Box<PeerRun>),
    Skipped(String),
}

/// Runs `case` against the peer of `opts` (a seed per case, so the same
/// case sends the same bytes).
pub fn execute(case: &FuzzCase, opts: &RunOptions, ids: &Identities, worker: &mut Worker) -> Ran {
    let Some(c) = case.to_case(completes(true)) else {
        return Ran::Skipped(format!("{} cannot be used with {}", case.suite, case.version.name()));
    };
    let r = run_case(&c, opts, ids, worker);
    if let Verdict::Skip { reason } = &r.verdict {
        return Ran::Skipped(reason.clone());
    }
    let Some(observed) = r.observed else {
        return Ran::Skipped(format!("not run: {}", r.verdict.word()));
    };
    let echoes = match &opts.peer {
        crate::peer::PeerSpec::Profile(p) => p.echo,
        _ => true,
    };
    Ran::Run(Box::new(PeerRun {
        peer: opts.peer.name(),
        outcome: Outcome::of(&observed),
        signature: signature(r.transcript.as_ref(), &observed),
        observed,
        transcript: r.transcript,
        keylog: r.keylog,
        note: r.note,
        echoes,
    }))
}
