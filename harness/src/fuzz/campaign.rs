//! A campaign: cases in batches from the seed and the corpus, each run
//! against every peer, `jobs` at a time; results are read in case order,
//! so the corpus, and so the whole campaign, is the same for the same seed
//! against a deterministic peer whatever the number of jobs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use shakedown_engine::crypto::memo::Memoized;

use crate::peer::PeerSpec;
use crate::run::configs::Identities;
use crate::run::{RunOptions, Worker};
use crate::vector::{Role, Version};

use super::case::FuzzCase;
use super::exec::{PeerRun, Ran, execute};
use super::findings::{Finding, OutDir};
use super::generate::{Dice, Space, fresh, mutate};
use super::minimize::minimize;
use super::oracle::{Oracle, Violation, differential, liveness, spec};

/// Cases generated from one corpus snapshot.
const BATCH: usize = 64;

/// Connection seeds per version and suite in an in-memory campaign: enough
/// randoms that no value is special, few enough that RSA results repeat.
const SEED_POOL: u64 = 4;

#[derive(Debug, Clone)]
pub struct CampaignOptions {
    pub peers: Vec<PeerSpec>,
    /// Only cases where the peer plays this role.
    pub peer_role: Option<Role>,
    pub cases: Option<u64>,
    pub time: Option<Duration>,
    pub seed: u64,
    pub jobs: usize,
    pub out: Option<OutDir>,
    /// Shard i of n (1-based): a disjoint stream of cases.
    pub shard: (u64, u64),
    pub timeout: Duration,
    pub certs: PathBuf,
    /// The engine side's cryptography (`--provider`). In memory it is
    /// wrapped in [`Memoized`], its RSA results remembered.
    pub provider: std::sync::Arc<dyn shakedown_engine::crypto::provider::CryptoProvider>,
}

/// Counters for the progress line.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub cases: u64,
    pub execs: u64,
    pub skipped: u64,
    pub behaviours: usize,
    pub findings: BTreeMap<Oracle, usize>,
    pub nondeterministic: usize,
    /// Findings a known deviation of the peer's profile explains (its
    /// `fuzz` glob): counted, listed in `known.txt`, not reported.
    pub known: usize,
    pub elapsed: Duration,
    /// In memory: RSA results answered from memory, and all asked for.
    pub rsa_remembered: Option<(u64, u64)>,
    /// Per peer (in `--peer` order): how often its server process died and
    /// was started again through its profile.
    pub restarts: Vec<(String, u64)>,
}

impl Stats {
    pub fn line(&self) -> String {
        let secs = self.elapsed.as_secs_f64().max(1e-6);
        let by: Vec<String> = Oracle::ALL
            .iter()
            .map(|o| format!("{} {}", o.name(), self.findings.get(o).copied().unwrap_or(0)))
            .collect();
        let remembered = match self.rsa_remembered {
            Some((hits, all)) if all > 0 => format!(", RSA remembered {}%", hits * 100 / all),
            _ => String::new(),
        };
        let restarts: Vec<String> =
            self.restarts.iter().filter(|(_, n)| *n > 0).map(|(p, n)| format!("{p} {n}")).collect();
        let restarts = match restarts.is_empty() {
            true => String::new(),
            false => format!(", restarts: {}", restarts.join(", ")),
        };
        format!(
            "{:.0} exec/s, {} cases, {} execs, {} behaviours, findings: {}, known {}, non-deterministic {}{restarts}{remembered}",
            self.execs as f64 / secs,
            self.cases,
            self.execs,
            self.behaviours,
            by.join(", "),
            self.known,
            self.nondeterministic
        )
    }
}

/// What a campaign leaves.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub stats: Stats,
    pub findings: Vec<Finding>,
    /// Corpus entries in the order they were added (case digest, signature).
    pub corpus: Vec<(String, String)>,
    /// Files written, and errors writing them.
    pub written: Vec<PathBuf>,
    pub errors: Vec<String>,
}

/// The cases every peer can run: roles, versions and suites in common.
pub fn space(peers: &[PeerSpec], peer_role: Option<Role>) -> Space {
    let all_suites: Vec<String> =
        shakedown_engine::suites::ALL_SUITES.iter().map(|s| s.openssl_name.to_string()).collect();
    let mut roles = vec![Role::Client, Role::Server];
    let mut versions = Version::ALL.to_vec();
    let mut suites = all_suites;
    let mut resumption = true;
    for p in peers {
        match p {
            PeerSpec::Builtin(_) => {}
            PeerSpec::Tcp(_) => roles.retain(|r| *r == Role::Client),
            PeerSpec::Profile(pr) => {
                roles.retain(|r| *r == pr.role.other());
                versions.retain(|v| pr.versions.contains(v));
                let theirs: BTreeSet<&'static str> = pr
                    .suites
                    .iter()
                    .filter_map(|s| shakedown_engine::suites::by_name(s))
                    .map(|i| i.openssl_name)
                    .collect();
                suites.retain(|s| theirs.contains(s.as_str()));
                resumption &= pr.features.contains(&crate::vector::Feature::Resumption);
            }
        }
    }
    if let Some(r) = peer_role {
        roles.retain(|x| *x == r.other());
    }
    Space { roles, versions, suites, resumption }
}

fn case_seed(seed: u64, shard: (u64, u64), i: u64) -> u64 {
    // SplitMix64 over (seed, shard, index): disjoint streams per shard.
    let mut z = seed
        .wrapping_add(shard.0.wrapping_mul(0x9e37_79b9_7f4a_7c15))
        .wrapping_add(i.wrapping_mul(shard.1.max(1)).wrapping_mul(0xbf58_476d_1ce4_e5b9));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

struct Campaign<'a> {
    opts: &'a CampaignOptions,
    run_opts: Vec<RunOptions>,
    ids: Identities,
    space: Space,
    corpus: Vec<FuzzCase>,
    seen: BTreeSet<String>,
    /// (oracle, signature) of every violation looked at, so one behaviour
    /// is minimised once.
    found: BTreeSet<(Oracle, String)>,
    /// (oracle, signature) and (oracle, "case DIGEST") of the findings
    /// kept, after minimisation.
    kept: BTreeSet<(Oracle, String)>,
    report: Report,
    /// Workers for confirmation and minimisation, one per peer.
    main_workers: Vec<Worker>,
    /// The remembered RSA results of an in-memory campaign.
    memo: Option<std::sync::Arc<Memoized>>,
}

/// Runs a campaign until its budget is spent or `stop` is set; `progress`
/// is called after each batch.
pub fn run(opts: &CampaignOptions, stop: &AtomicBool, progress: &dyn Fn(&Stats)) -> Result<Report, String> {
    let space = space(&opts.peers, opts.peer_role);
    if space.roles.is_empty() || space.versions.is_empty() || space.suites.is_empty() {
        return Err("the peers have no role, version and suite in common to fuzz".into());
    }
    // In memory, RSA private operations are nine tenths of a case: draw
    // the connections' randoms from a small pool and remember the RSA
    // results (exact; see engine crypto::memo). Real peers bring their own
    // randoms, so nothing would come back: they keep the default provider.
    let in_memory = opts.peers.iter().all(|p| matches!(p, PeerSpec::Builtin(_)));
    let run_opts: Vec<RunOptions> = opts
        .peers
        .iter()
        .map(|p| RunOptions {
            peer: p.clone(),
            jobs: 1,
            seed: opts.seed,
            timeout: opts.timeout,
            certs: opts.certs.clone(),
            keep_transcripts: true,
            seed_pool: in_memory.then_some(SEED_POOL),
            provider: opts.provider.clone(),
            silence: None,
        })
        .collect();
    let mut ids = Identities::load(&opts.certs)?;
    ids.crypto = opts.provider.clone();
    // A campaign repeats its RSA operations (the randoms come from a small
    // pool): remembered, whichever provider does them.
    let memo = in_memory.then(|| Memoized::over(opts.provider.clone()));
    if let Some(m) = &memo {
        ids.crypto = m.clone();
    }
    let mut c = Campaign {
        opts,
        ids,
        memo,
        main_workers: opts.peers.iter().map(|_| Worker::default()).collect(),
        run_opts,
        space,
        corpus: Vec::new(),
        seen: BTreeSet::new(),
        found: BTreeSet::new(),
        kept: BTreeSet::new(),
        report: Report::default(),
    };
    let started = Instant::now();
    let jobs = opts.jobs.max(1);
    let mut workers: Vec<Vec<Worker>> =
        (0..jobs).map(|_| opts.peers.iter().map(|_| Worker::default()).collect()).collect();
    let mut next: u64 = 0;
    // Per peer, the answer time of the last batch (ANSWER_PERCENTILE of
    // its cases' slowest answers): the next batch calls a peer silent after
    // SILENCE_FACTOR times that (confirmations and minimisation keep the
    // whole --timeout).
    let mut answer_times: Vec<Option<Duration>> = vec![None; c.run_opts.len()];
    loop {
        let left = opts.cases.map_or(BATCH as u64, |n| n.saturating_sub(next));
        let out_of_time = opts.time.is_some_and(|t| started.elapsed() >= t);
        if left == 0 || out_of_time || stop.load(Ordering::Relaxed) {
            break;
        }
        let batch = c.generate(next, left.min(BATCH as u64));
        next += batch.len() as u64;
        let batch_opts = with_silence(&c.run_opts, &answer_times);
        let results = run_batch(&batch_opts, &c.ids, &batch, &mut workers, stop);
        answer_times = slowest_answers(&results, c.run_opts.len());
        for (case, runs) in batch.iter().zip(results) {
            c.absorb(case, runs, stop);
        }
        let cannot_start = c.note_restarts(&mut workers);
        c.report.stats.elapsed = started.elapsed();
        c.report.stats.rsa_remembered = c.memo.as_ref().map(|m| {
            let s = m.stats();
            let hits = s.encrypt_hits + s.decrypt_hits + s.sign_hits + s.verify_hits;
            (hits, hits + s.encrypt_misses + s.decrypt_misses + s.sign_misses + s.verify_misses)
        });
        progress(&c.report.stats);
        // A peer that cannot be (re)started ends the campaign: everything
        // found so far is on disk, and the error makes the exit code 2.
        if !cannot_start.is_empty() {
            c.report.errors.extend(cannot_start);
            break;
        }
    }
    c.report.stats.elapsed = started.elapsed();
    Ok(c.report)
}

impl Campaign<'_> {
    /// Counts the peer servers started again, per peer, and keeps the
    /// exit notes of those found dead between cases (`restarts.txt`).
    /// Gives why a peer server failed to start, if one did.
    fn note_restarts(&mut self, workers: &mut [Vec<Worker>]) -> Vec<String> {
        let mut restarts = Vec::new();
        let mut failures = Vec::new();
        for (i, peer) in self.opts.peers.iter().enumerate() {
            let mut n = self.main_workers.get(i).map_or(0, Worker::restarts);
            let mut deaths = self.main_workers.get_mut(i).map(Worker::take_deaths).unwrap_or_default();
            let mut failed =
                self.main_workers.get_mut(i).map(Worker::take_start_failures).unwrap_or_default();
            for w in workers.iter_mut().filter_map(|ws| ws.get_mut(i)) {
                n += w.restarts();
                deaths.extend(w.take_deaths());
                failed.extend(w.take_start_failures());
            }
            if let Some(why) = failed.first() {
                failures.push(format!("peer {} failed to start: {why}", peer.name()));
            }
            for d in deaths {
                if let Some(out) = &self.opts.out
                    && let Err(e) = out.note_restart(&format!("{}: {d}", peer.name()))
                {
                    self.report.errors.push(e);
                }
            }
            restarts.push((peer.name(), n));
        }
        self.report.stats.restarts = restarts;
        failures
    }

    fn generate(&self, from: u64, n: u64) -> Vec<FuzzCase> {
        (from..from + n)
            .filter_map(|i| {
                let mut d = Dice::new(case_seed(self.opts.seed, self.opts.shard, i));
                match self.corpus.is_empty() || d.chance(40) {
                    true => fresh(&mut d, &self.space),
                    false => {
                        let parent = d.pick(&self.corpus)?;
                        Some(mutate(&mut d, &parent, &self.space))
                    }
                }
            })
            .collect()
    }

    /// Reads one case's runs: counts, corpus, oracles.
    fn absorb(&mut self, case: &FuzzCase, runs: Vec<Ran>, stop: &AtomicBool) {
        if runs.is_empty() {
            return; // stopped before it ran
        }
        self.report.stats.cases += 1;
        let done: Vec<PeerRun> = runs
            .into_iter()
            .filter_map(|r| match r {
                Ran::Run(p) => Some(*p),
                Ran::Skipped(_) => None,
            })
            .collect();
        if done.is_empty() {
            self.report.stats.skipped += 1;
            return;
        }
        self.report.stats.execs += done.len() as u64;
        let key: Vec<&str> = done.iter().map(|r| r.signature.as_str()).collect();
        let key = key.join(" || ");
        if self.seen.insert(key.clone()) {
            self.corpus.push(case.clone());
            self.report.corpus.push((case.digest(), key.clone()));
            self.report.stats.behaviours = self.seen.len();
            if let Some(out) = &self.opts.out
                && let Err(e) = out.write_corpus(case, &key)
            {
                self.report.errors.push(e);
            }
        }
        let mut violations: Vec<(usize, Violation)> = Vec::new();
        for r in &done {
            let peer_index = self.peer_index(&r.peer);
            if let Some(v) = spec(case, &r.observed, r.echoes) {
                violations.push((peer_index, v));
            }
            if let Some(v) = liveness(case, &r.observed, r.note.as_deref()) {
                violations.push((peer_index, v));
            }
        }
        if done.len() >= 2 {
            let outcomes: Vec<_> =
                done.iter().map(|r| (r.peer.clone(), r.outcome, r.observed.describe())).collect();
            if let Some((v, deviant)) = differential(&outcomes) {
                violations.push((self.peer_index(&deviant), v));
            }
        }
        for (peer, v) in violations {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            let sig = done
                .iter()
                .find(|r| r.peer == self.opts.peers.get(peer).map(PeerSpec::name).unwrap_or_default())
                .map(|r| r.signature.clone())
                .unwrap_or_default();
            if !self.found.insert((v.oracle, sig)) {
                continue;
            }
            self.confirm_and_keep(case, peer, v);
        }
    }

    fn peer_index(&self, name: &str) -> usize {
        self.opts.peers.iter().position(|p| p.name() == name).unwrap_or(0)
    }

    /// Runs the case on every peer with the main workers.
    fn rerun(&mut self, case: &FuzzCase) -> Vec<Option<PeerRun>> {
        let mut out = Vec::new();
        for (o, w) in self.run_opts.iter().zip(self.main_workers.iter_mut()) {
            out.push(match execute(case, o, &self.ids, w) {
                Ran::Run(r) => Some(*r),
                Ran::Skipped(_) => None,
            });
        }
        out
    }

    /// The oracle's verdict on a fresh run of `case`: the violation, the
    /// run of `peer`, and the other peers' runs (what a differential
    /// finding compares against).
    fn verdict(
        &mut self,
        case: &FuzzCase,
        peer: usize,
        oracle: Oracle,
    ) -> Option<(Violation, PeerRun, Vec<PeerRun>)> {
        let runs = self.rerun(case);
        self.report.stats.execs += runs.iter().flatten().count() as u64;
        let run = runs.get(peer).cloned().flatten()?;
        let others: Vec<PeerRun> =
            runs.iter().enumerate().filter(|(i, _)| *i != peer).filter_map(|(_, r)| r.clone()).collect();
        let v = match oracle {
            Oracle::Spec => spec(case, &run.observed, run.echoes),
            Oracle::Liveness => liveness(case, &run.observed, run.note.as_deref()),
            Oracle::Differential => {
                let outcomes: Vec<_> = runs
                    .iter()
                    .flatten()
                    .map(|r| (r.peer.clone(), r.outcome, r.observed.describe()))
                    .collect();
                differential(&outcomes).map(|(v, _)| v)
            }
        }?;
        Some((v, run, others))
    }

    /// Checks the violation again (a second, different outcome is
    /// non-determinism, reported apart), minimises it, and writes it.
    fn confirm_and_keep(&mut self, case: &FuzzCase, peer: usize, v: Violation) {
        let peer_name = self.opts.peers.get(peer).map(PeerSpec::name).unwrap_or_default();
        if self.verdict(case, peer, v.oracle).is_none() {
            self.report.stats.nondeterministic += 1;
            let line = format!(
                "{} oracle against {peer_name}, once but not twice: {}",
                v.oracle.name(),
                serde_json::to_string(case).unwrap_or_default()
            );
            if let Some(out) = &self.opts.out
                && let Err(e) = out.note_nondeterministic(&line)
            {
                self.report.errors.push(e);
            }
            return;
        }
        let oracle = v.oracle;
        let small = minimize(case, &mut |c| self.verdict(c, peer, oracle).is_some());
        let Some((v, run, others)) = self.verdict(&small, peer, oracle) else {
            return;
        };
        // Two behaviours can minimise to the same case: one finding (and
        // one file, named after the case) for both.
        let same_case = !self.kept.insert((oracle, format!("case {}", small.digest())));
        if !self.kept.insert((oracle, run.signature.clone())) || same_case {
            return;
        }
        let key = format!("{}/{}", oracle.name(), small.kinds().join("+"));
        if let Some(reason) = self.opts.peers.get(peer).and_then(|p| p.explains_finding(&key)) {
            self.report.stats.known += 1;
            if let Some(out) = &self.opts.out {
                let line = format!(
                    "{key} against {peer_name}, known: {reason}: {}",
                    serde_json::to_string(&small).unwrap_or_default()
                );
                if let Err(e) = out.note_known(&line) {
                    self.report.errors.push(e);
                }
            }
            return;
        }
        let finding = Finding {
            oracle,
            signature: run.signature.clone(),
            peer: peer_name,
            case: small,
            violation: v,
            run: Some(run),
            others: match oracle {
                Oracle::Differential => others,
                _ => Vec::new(),
            },
            found_at: self.report.stats.cases,
        };
        *self.report.stats.findings.entry(oracle).or_default() += 1;
        if let Some(out) = &self.opts.out {
            match out.write_finding(&finding) {
                Ok(p) => self.report.written.push(p),
                Err(e) => self.report.errors.push(e),
            }
        }
        self.report.findings.push(finding);
    }
}

/// A peer that takes this many times its slowest answer of the last batch
/// is silent: room for a loaded machine, and far below a fixed --timeout
/// for a peer that answers in a millisecond.
const SILENCE_FACTOR: u32 = 8;

/// The least wait before a peer is silent, whatever its answer times.
const SILENCE_FLOOR: Duration = Duration::from_millis(20);

/// The silence of the first batch, before any answer time is known: well
/// above a loopback peer's RSA decryption, well below the default --timeout.
const FIRST_SILENCE: Duration = Duration::from_millis(250);

/// The batch's options: each real peer's silence from its answer times.
fn with_silence(run_opts: &[RunOptions], answer_times: &[Option<Duration>]) -> Vec<RunOptions> {
    run_opts
        .iter()
        .zip(answer_times)
        .map(|(o, t)| RunOptions {
            provider: o.provider.clone(),
            silence: match (&o.peer, t) {
                // In memory the peer says when it is waiting (Recv::Quiet).
                (PeerSpec::Builtin(_), _) => None,
                (_, None) => Some(FIRST_SILENCE.min(o.timeout)),
                (_, Some(t)) => Some((*t * SILENCE_FACTOR).clamp(SILENCE_FLOOR, o.timeout)),
            },
            ..o.clone()
        })
        .collect()
}

/// Which of a batch's per-case slowest answers sets the silence: not the
/// maximum, which a peer's deliberate pause (`s_server` sleeps a second
/// after refusing a renegotiation) would make the whole --timeout.
const ANSWER_PERCENTILE: usize = 90;

/// Per peer, the ANSWER_PERCENTILE of the batch's per-case slowest answers.
fn slowest_answers(results: &[Vec<Ran>], peers: usize) -> Vec<Option<Duration>> {
    (0..peers)
        .map(|i| {
            let mut times: Vec<Duration> = results
                .iter()
                .filter_map(|runs| match runs.get(i) {
                    Some(Ran::Run(r)) => Some(r.observed.slowest_answer),
                    _ => None,
                })
                .filter(|t| !t.is_zero())
                .collect();
            times.sort_unstable();
            let at = (times.len() * ANSWER_PERCENTILE / 100).min(times.len().saturating_sub(1));
            times.get(at).copied()
        })
        .collect()
}

fn run_batch(
    run_opts: &[RunOptions],
    ids: &Identities,
    batch: &[FuzzCase],
    workers: &mut [Vec<Worker>],
    stop: &AtomicBool,
) -> Vec<Vec<Ran>> {
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<Vec<Ran>>>> = Mutex::new(vec![None; batch.len()]);
    std::thread::scope(|s| {
        for w in workers.iter_mut() {
            let (next, slots) = (&next, &slots);
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = batch.get(i) else { break };
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let runs: Vec<Ran> =
                        run_opts.iter().zip(w.iter_mut()).map(|(o, wk)| execute(case, o, ids, wk)).collect();
                    if let Ok(mut all) = slots.lock()
                        && let Some(slot) = all.get_mut(i)
                    {
                        *slot = Some(runs);
                    }
                }
            });
        }
    });
    slots.into_inner().unwrap_or_default().into_iter().map(Option::unwrap_or_default).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(peer: PeerSpec) -> RunOptions {
        RunOptions {
            peer,
            jobs: 1,
            seed: 1,
            timeout: Duration::from_secs(1),
            certs: PathBuf::new(),
            keep_transcripts: false,
            seed_pool: None,
            provider: std::sync::Arc::new(shakedown_engine::crypto::provider::RustCrypto),
            silence: None,
        }
    }

    #[test]
    fn silence_follows_the_peers_answer_times_within_bounds() {
        let run = [opts(PeerSpec::Tcp("127.0.0.1:1".into())), opts(PeerSpec::Builtin(Box::default()))];
        let ms = Duration::from_millis;
        let silence =
            |t: Option<Duration>| with_silence(&run, &[t, t]).iter().map(|o| o.silence).collect::<Vec<_>>();
        // Before any answer: the first batch's wait; in memory: none.
        assert_eq!(silence(None), [Some(FIRST_SILENCE), None]);
        assert_eq!(silence(Some(ms(3))), [Some(ms(24)), None]);
        assert_eq!(silence(Some(ms(1))), [Some(SILENCE_FLOOR), None]);
        // Never past --timeout.
        assert_eq!(silence(Some(ms(400))), [Some(ms(1000)), None]);
        assert_eq!(slowest_answers(&[], 2), [None, None]);
    }
}
