//! Executes cases against a peer, in parallel, each with a timeout, and
//! records transcripts.

pub mod configs;
pub mod drive;
pub mod transcript;
pub mod word;

use std::collections::{BTreeMap, HashMap};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use shakedown_engine::crypto::SeededRandom;
use shakedown_engine::msgs::enums::AlertDescription;
use shakedown_engine::{Connection, HandshakeSummary, SessionCache, SessionData};

use crate::expect::{End, Observed, PeerAbilities, Verdict, judge};
use crate::peer::memory::MemoryPeer;
use crate::peer::process::{PeerProcess, free_port};
use crate::peer::profile::{ClientResumption, Profile, StartMode};
use crate::peer::tcp::TcpPeer;
use crate::peer::{PeerSpec, Transport, listen};
use crate::vector::{Case, FirstEnding, Role};
use configs::{Identities, NOW};
use drive::{DriveOptions, drive};
use transcript::Transcript;

/// How a run goes.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub peer: PeerSpec,
    pub jobs: usize,
    pub seed: u64,
    pub timeout: Duration,
    pub certs: PathBuf,
    /// Keep every case's transcript (not only the failures').
    pub keep_transcripts: bool,
    /// Draw each case's connection seed from this many per version and
    /// suite instead of one per case id (see [`connection_seed`]).
    pub seed_pool: Option<u64>,
    /// A peer this slow to answer is silent (see [`DriveOptions::silence`]).
    pub silence: Option<Duration>,
    /// The engine side's cryptography (`--provider`).
    pub provider: Arc<dyn shakedown_engine::crypto::provider::CryptoProvider>,
}

/// One case's result.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub case: Case,
    pub verdict: Verdict,
    pub observed: Option<Observed>,
    pub transcript: Option<Transcript>,
    /// NSS key log lines of the handshakes that completed.
    pub keylog: Vec<String>,
    pub seed: u64,
    pub elapsed: Duration,
    /// What the peer process printed last, when it matters.
    pub note: Option<String>,
}

/// A case's seed: the run's seed and the case id, so a case sends the same
/// bytes whatever else runs, in whatever order.
pub fn case_seed(seed: u64, id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^ seed
}

/// The seed of a case's connections. The fuzzer's in-memory campaigns
/// draw it from a small pool per version and suite, so the same
/// ClientKeyExchanges and transcripts come back and their RSA results are
/// remembered ([`shakedown_engine::crypto::memo`]); the mutations, not the
/// randoms, are what a case varies. Deterministic either way.
pub fn connection_seed(case: &Case, opts: &RunOptions) -> u64 {
    match opts.seed_pool {
        Some(n) if n > 0 => {
            let slot = case_seed(0, &case.id) % n;
            case_seed(opts.seed, &format!("{}/{}/{slot}", case.version.name(), case.suite_name))
        }
        _ => case_seed(opts.seed, &case.id),
    }
}

fn rng(seed: u64) -> Box<SeededRandom> {
    Box::new(SeededRandom::from_seed(seed))
}

/// State one worker keeps between cases: the peer servers it started,
/// and how often one had died and was started again.
#[derive(Debug, Default)]
pub struct Worker {
    servers: HashMap<String, PeerProcess>,
    /// Groups whose server was started once (a later start is a restart).
    started: std::collections::HashSet<String>,
    restarts: u64,
    /// Exit notes of the servers found dead, not yet taken.
    deaths: Vec<String>,
    /// Why a peer server failed to start, not yet taken.
    start_failures: Vec<String>,
}

impl Worker {
    /// How often a per-group peer server died and was started again.
    pub fn restarts(&self) -> u64 {
        self.restarts
    }

    /// The exit notes of the servers found dead since the last call.
    pub fn take_deaths(&mut self) -> Vec<String> {
        std::mem::take(&mut self.deaths)
    }

    /// Why peer servers failed to start since the last call.
    pub fn take_start_failures(&mut self) -> Vec<String> {
        std::mem::take(&mut self.start_failures)
    }
}

/// Starts a profile's server for `case` and waits until it is ready. A
/// free port is found by binding and releasing it, so with many workers
/// starting servers at once another process can take it first; a server
/// that exits before it is ready is started again on a new port, up to
/// START_ATTEMPTS times. One still running but not ready is not retried.
fn start_server(
    profile: &Profile,
    case: &Case,
    certs: &std::path::Path,
    startup: Duration,
) -> Result<PeerProcess, String> {
    let mut attempt = 1;
    loop {
        let port = free_port()?;
        let mut p = PeerProcess::spawn(profile, &profile.argv(case, port, certs), port)?;
        let ready = p.wait_ready(&profile.ready, startup);
        if ready.is_err() {
            // Its output can end a moment before its exit status is there.
            p.wait_exit(EXIT_GRACE);
        }
        match ready {
            Ok(()) => return Ok(p),
            Err(e) if attempt >= START_ATTEMPTS || p.alive() => {
                return Err(match attempt {
                    1 => e,
                    n => format!("{e} (attempt {n} of {START_ATTEMPTS})"),
                });
            }
            Err(_) => attempt += 1,
        }
    }
}

/// How often a server that exits before it is ready is started again.
const START_ATTEMPTS: u32 = 3;

/// How long a server whose readiness failed is given to show it exited.
const EXIT_GRACE: Duration = Duration::from_millis(500);

/// Connects to a peer server, giving up at once when its process has
/// exited (instead of retrying a refused port until the timeout).
fn connect_while_alive(
    addr: &str,
    timeout: Duration,
    echo: bool,
    p: &mut PeerProcess,
) -> Result<TcpPeer, String> {
    let deadline = Instant::now() + timeout;
    loop {
        match TcpPeer::connect(addr, Duration::from_millis(20), echo) {
            Ok(t) => return Ok(t),
            Err(e) if !p.alive() => return Err(format!("{e}: {}", p.exit_note())),
            Err(e) if Instant::now() >= deadline => return Err(e),
            Err(_) => {}
        }
    }
}

/// Runs `cases`, `opts.jobs` at a time; `tick` is called after each.
pub fn run_all(
    cases: &[Case],
    opts: &RunOptions,
    tick: &(dyn Fn(&CaseResult) + Sync),
) -> Result<Vec<CaseResult>, String> {
    let mut ids = Identities::load(&opts.certs)?;
    ids.crypto = opts.provider.clone();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<CaseResult>>> = Mutex::new(vec![None; cases.len()]);
    let jobs = opts.jobs.clamp(1, cases.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                let mut worker = Worker::default();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    let r = run_case(case, opts, &ids, &mut worker);
                    tick(&r);
                    if let Ok(mut all) = results.lock()
                        && let Some(slot) = all.get_mut(i)
                    {
                        *slot = Some(r);
                    }
                }
            });
        }
    });
    let mut out: Vec<CaseResult> =
        results.into_inner().map_err(|_| "a worker panicked".to_string())?.into_iter().flatten().collect();
    check_oracles(&mut out);
    // Oracle-group members kept their transcripts for the comparison; a
    // pass that did not need them drops them now.
    if !opts.keep_transcripts {
        for r in &mut out {
            if matches!(r.verdict, Verdict::Pass { .. }) {
                r.transcript = None;
            }
        }
    }
    Ok(out)
}

/// Tests in one oracle group must look the same from outside at each
/// version and suite: a difference is an oracle (RFC 5246 7.4.7.1).
fn check_oracles(results: &mut [CaseResult]) {
    let mut groups: BTreeMap<(String, String, String), Vec<usize>> = BTreeMap::new();
    for (i, r) in results.iter().enumerate() {
        if let (Some(g), Some(_)) = (&r.case.test.oracle_group, &r.observed) {
            groups
                .entry((g.clone(), r.case.version.name().into(), r.case.suite_name.into()))
                .or_default()
                .push(i);
        }
    }
    for ((group, version, suite), members) in groups {
        let ends: Vec<(String, End)> = members
            .iter()
            .filter_map(|&i| results.get(i))
            .filter_map(|r| r.observed.as_ref().map(|o| (r.case.test.id.clone(), o.end.clone())))
            // A member with no answer (the harness could not run it, or the
            // peer said nothing in time) shows nothing about an oracle: the
            // group compares the members that got one.
            .filter(|(_, e)| !matches!(e, End::HarnessError(_) | End::Inconclusive(_)))
            .collect();
        if ends.len() < 2 {
            continue;
        }
        let Some((_, first)) = ends.first() else { continue };
        if ends.iter().all(|(_, e)| e == first) {
            continue;
        }
        let seen: Vec<String> = ends.iter().map(|(id, e)| format!("{id}: {e:?}")).collect();
        for &i in &members {
            if let Some(r) = results.get_mut(i)
                && matches!(r.verdict, Verdict::Pass { .. })
            {
                r.verdict = Verdict::Fail {
                    reason: format!(
                        "oracle group `{group}` at {version}/{suite} answers differently: {}",
                        seen.join("; ")
                    ),
                };
            }
        }
    }
}

/// Runs one case (the fuzzer drives cases one at a time through this).
pub fn run_case(case: &Case, opts: &RunOptions, ids: &Identities, worker: &mut Worker) -> CaseResult {
    let started = Instant::now();
    let seed = connection_seed(case, opts);
    let mut result = CaseResult {
        case: case.clone(),
        verdict: Verdict::Error { reason: "not run".into() },
        observed: None,
        transcript: None,
        keylog: Vec::new(),
        seed,
        elapsed: Duration::ZERO,
        note: None,
    };
    let skip = match &opts.peer {
        PeerSpec::Profile(p) => p.skip_reason(case),
        PeerSpec::Builtin(b) => b.skip_reason(case),
        PeerSpec::Tcp(_) => None,
    };
    if let Some(reason) = skip {
        result.verdict = Verdict::Skip { reason };
        return result;
    }
    if let PeerSpec::Tcp(_) = &opts.peer
        && case.test.engine_role != Role::Client
    {
        result.verdict =
            Verdict::Skip { reason: "a tcp: peer is a server; the test needs a peer client".into() };
        return result;
    }
    let mut run = CaseRun { case, ids, opts, seed, recorded: Recorded::default(), note: None };
    let mut echoes = true;
    let outcome = match (&case.test.word, &opts.peer) {
        (Some(word), PeerSpec::Profile(p)) if p.role == Role::Server => {
            echoes = p.echo;
            word_on_profile_server(&mut run, word, p, worker)
        }
        (Some(word), peer) => {
            if let PeerSpec::Profile(p) = peer {
                echoes = p.echo;
            }
            word::run_word(case, word, ids, opts, seed, None, &mut run.recorded.transcript)
        }
        (None, PeerSpec::Builtin(_)) => run_builtin(&mut run),
        (None, PeerSpec::Tcp(addr)) => {
            run_engine_client(&mut run, &mut || TcpPeer::connect(addr, opts.timeout, true))
        }
        (None, PeerSpec::Profile(p)) => {
            echoes = p.echo;
            run_profile(&mut run, p, worker)
        }
    };
    let CaseRun { recorded: Recorded { mut transcript, summaries }, note, .. } = run;
    result.note = note;
    transcript.finish();
    let observed = outcome.unwrap_or_else(|e| Observed::new(End::HarnessError(e)));
    result.verdict = judge(case, &observed, PeerAbilities { echoes });
    result.keylog = summaries.iter().map(crate::session::keylog_line).collect();
    // An oracle group compares its members after they all ran: each keeps
    // its transcript until then, so a group failure shows every side.
    if opts.keep_transcripts
        || case.test.oracle_group.is_some()
        || !matches!(result.verdict, Verdict::Pass { .. })
    {
        result.transcript = Some(transcript);
    }
    result.observed = Some(observed);
    result.elapsed = started.elapsed();
    result
}

/// One case while it runs: what it is, how the run is set up, and what it
/// has recorded so far.
struct CaseRun<'a> {
    case: &'a Case,
    ids: &'a Identities,
    opts: &'a RunOptions,
    seed: u64,
    recorded: Recorded,
    /// The peer process's exit or log, when it explains a failure.
    note: Option<String>,
}

/// What a case's connections recorded: every record both ways, and the
/// handshakes they completed (for resumption and the key log).
#[derive(Debug, Default)]
struct Recorded {
    transcript: Transcript,
    summaries: Vec<HandshakeSummary>,
}

fn drive_opts(case: &Case, opts: &RunOptions) -> DriveOptions {
    DriveOptions {
        timeout: opts.timeout,
        await_renegotiation: configs::renegotiates(case),
        await_reaction: configs::acts_after_handshake(case),
        silence: opts.silence,
        abort_with: None,
    }
}

/// The honest first connection of a resumption case, ended as the vector
/// says (`first_ends_with`).
fn honest_opts(case: &Case, opts: &RunOptions) -> DriveOptions {
    DriveOptions {
        timeout: opts.timeout,
        await_renegotiation: false,
        await_reaction: false,
        silence: opts.silence,
        abort_with: match case.test.first_ends_with {
            FirstEnding::CloseNotify => None,
            FirstEnding::FatalAlert => Some(AlertDescription::InternalError),
        },
    }
}

/// The engine with knobs against the honest engine, in memory.
fn run_builtin(run: &mut CaseRun<'_>) -> Result<Observed, String> {
    let (case, ids, seed, opts) = (run.case, run.ids, run.seed, run.opts);
    let cache = SessionCache::default();
    // The flaws the built-in peer plays (`--flaw`), on both of its roles.
    let flaws = match &opts.peer {
        PeerSpec::Builtin(b) => b.flaws.clone(),
        _ => Default::default(),
    };
    let flawed_client = |resume| shakedown_engine::ClientConfig {
        flaws: flaws.clone(),
        ..configs::peer_client(case, ids, resume)
    };
    match case.test.engine_role {
        Role::Client => {
            let server = configs::peer_server(case, ids, &cache).ok_or("peer identity none")?;
            let server = configs::arc(shakedown_engine::ServerConfig { flaws: flaws.clone(), ..server });
            // The honest first handshake of a resumption case meets one
            // server connection, the case itself another.
            let mut peer_seeds = [seed ^ 2, seed ^ 0x5eed].into_iter().skip(usize::from(!case.test.resume));
            let mut connect = || -> Result<MemoryPeer, String> {
                let peer_seed = peer_seeds.next().ok_or("a third connection to the built-in peer")?;
                Ok(MemoryPeer::new(Connection::server(server.clone(), rng(peer_seed), NOW)))
            };
            run_engine_client(run, &mut connect)
        }
        Role::Server => {
            let mut resume = None;
            if case.test.resume {
                let cfg = configs::arc(
                    configs::engine_server(case, ids, false, &cache).ok_or("engine identity none")?,
                );
                let mut me = Connection::server(cfg, rng(seed ^ 1), NOW);
                let client = configs::arc(flawed_client(None));
                let mut peer = MemoryPeer::new(
                    Connection::client(client, rng(seed ^ 2), NOW).map_err(|e| e.to_string())?,
                );
                match first_session(&mut me, &mut peer, &mut run.recorded, honest_opts(case, opts)) {
                    Ok(session) => remember_invalidated(case, &cache, session),
                    Err(failed) => return Ok(*failed),
                }
                if let Err(moot) = ended_as_asked(case, &me) {
                    return Ok(*moot);
                }
                // The built-in client offers its session only while it is
                // valid (RFC 5246 7.2.2), as a careful application would.
                resume = peer
                    .summaries
                    .first()
                    .filter(|_| peer.conn.session_resumable())
                    .map(|s| s.session.clone());
            }
            let cfg =
                configs::arc(configs::engine_server(case, ids, true, &cache).ok_or("engine identity none")?);
            let mut me = Connection::server(cfg, rng(seed), NOW);
            let client = configs::arc(flawed_client(resume));
            let mut peer = MemoryPeer::new(
                Connection::client(client, rng(seed ^ 0x5eed), NOW)
                    .map_err(|e| format!("peer client: {e}"))?,
            );
            Ok(finish(&mut me, &mut peer, &mut run.recorded, drive_opts(case, opts)))
        }
    }
}

fn finish(
    me: &mut Connection,
    peer: &mut dyn Transport,
    recorded: &mut Recorded,
    opts: DriveOptions,
) -> Observed {
    let (obs, summary) = drive(me, peer, &mut recorded.transcript, opts);
    recorded.summaries.extend(summary);
    obs
}

/// The honest first handshake of a resumption case. When it fails, the
/// peer failed an honest handshake: the case's observation says so (a
/// fail), and the transcript keeps what happened.
fn first_session(
    me: &mut Connection,
    peer: &mut dyn Transport,
    recorded: &mut Recorded,
    opts: DriveOptions,
) -> Result<SessionData, Box<Observed>> {
    let (obs, summary) = drive(me, peer, &mut recorded.transcript, opts);
    let Some(summary) = summary else {
        let why = format!("the first (honest) handshake failed: {}", obs.describe());
        return Err(Box::new(match obs.end {
            // A harness that could not run stays a harness error, and a
            // peer that did not answer in time stays inconclusive: neither
            // says the peer failed the honest handshake.
            End::HarnessError(_) | End::Inconclusive(_) => obs,
            _ => Observed::new(End::SetupFailed(why)),
        }));
    };
    let session = summary.session.clone();
    recorded.summaries.push(summary);
    Ok(session)
}

/// A first connection the engine server ended with a fatal alert has
/// invalidated its session (RFC 5246 7.2.2), and the engine forgot it. To
/// see whether the peer client offers it anyway, the engine server takes
/// it back: a client that offers it is then resumed, and the case fails.
fn remember_invalidated(case: &Case, cache: &SessionCache, session: SessionData) {
    if case.test.first_ends_with == FirstEnding::FatalAlert {
        cache.put(session);
    }
}

/// A case whose first connection was to end in the engine's fatal alert
/// is moot when the peer closed it first (a client that reconnects right
/// after its handshake never reads the alert): inconclusive, never a
/// verdict on a session the peer had no reason to forget.
fn ended_as_asked(case: &Case, me: &Connection) -> Result<(), Box<Observed>> {
    let asked = case.test.first_ends_with == FirstEnding::FatalAlert;
    if asked && !matches!(me.error(), Some(shakedown_engine::Error::Aborted(_))) {
        return Err(Box::new(Observed::new(End::Inconclusive(
            "the peer closed the first connection before the engine's fatal alert could end it".into(),
        ))));
    }
    Ok(())
}

/// The engine client against a server reached by `connect`: the built-in
/// peer in memory, or a real server over TCP.
fn run_engine_client<P: Transport>(
    run: &mut CaseRun<'_>,
    connect: &mut dyn FnMut() -> Result<P, String>,
) -> Result<Observed, String> {
    let (case, ids, seed, opts) = (run.case, run.ids, run.seed, run.opts);
    let mut resume = None;
    if case.test.resume {
        let cfg = configs::arc(configs::engine_client(case, ids, false, None));
        let mut me = Connection::client(cfg, rng(seed ^ 1), NOW).map_err(|e| e.to_string())?;
        let mut peer = connect()?;
        match first_session(&mut me, &mut peer, &mut run.recorded, honest_opts(case, opts)) {
            Ok(session) => resume = Some(session),
            Err(failed) => return Ok(*failed),
        }
        if let Err(moot) = ended_as_asked(case, &me) {
            return Ok(*moot);
        }
    }
    let cfg = configs::arc(configs::engine_client(case, ids, true, resume));
    let mut me = Connection::client(cfg, rng(seed), NOW).map_err(|e| format!("engine client: {e}"))?;
    let mut peer = connect()?;
    Ok(finish(&mut me, &mut peer, &mut run.recorded, drive_opts(case, opts)))
}

/// The worker's server of the case's group, alive: the one already
/// running (per_group), or a new one (per_test, or the last one died).
/// Taken out of the worker; the caller puts a per_group one back.
fn live_server(
    profile: &Profile,
    case: &Case,
    opts: &RunOptions,
    worker: &mut Worker,
) -> Result<PeerProcess, String> {
    let group = profile.group_of(case);
    let reuse = profile.start == StartMode::PerGroup
        && worker.servers.get_mut(&group).is_some_and(PeerProcess::alive);
    if !reuse {
        if let Some(mut dead) = worker.servers.remove(&group) {
            worker.deaths.push(dead.exit_note());
        }
        let startup = Duration::from_millis(profile.startup_timeout_ms);
        let started = start_server(profile, case, &opts.certs, startup);
        let p = started.inspect_err(|e| worker.start_failures.push(e.clone()))?;
        if profile.start == StartMode::PerGroup && !worker.started.insert(group.clone()) {
            worker.restarts += 1;
        }
        worker.servers.insert(group.clone(), p);
    }
    worker.servers.remove(&group).ok_or_else(|| "peer not started".into())
}

/// A word test against a profile's server: the worker's server of the
/// case's group, asked over TCP like any server.
fn word_on_profile_server(
    run: &mut CaseRun<'_>,
    word: &[crate::vector::WordSymbol],
    profile: &Profile,
    worker: &mut Worker,
) -> Result<Observed, String> {
    let mut p = live_server(profile, run.case, run.opts, worker)?;
    let addr = format!("127.0.0.1:{}", p.port);
    let transcript = &mut run.recorded.transcript;
    let obs = word::run_word(run.case, word, run.ids, run.opts, run.seed, Some(addr), transcript);
    if !p.alive() || !matches!(&obs, Ok(o) if o.end == End::Done) {
        run.note = Some(p.exit_note());
    }
    if profile.start == StartMode::PerGroup && p.alive() {
        worker.servers.insert(profile.group_of(run.case), p);
    }
    obs
}

fn run_profile(run: &mut CaseRun<'_>, profile: &Profile, worker: &mut Worker) -> Result<Observed, String> {
    let (case, ids, seed, opts) = (run.case, run.ids, run.seed, run.opts);
    let startup = Duration::from_millis(profile.startup_timeout_ms);
    match profile.role {
        Role::Server => {
            let group = profile.group_of(case);
            // A server that died since the last case (it exited, was
            // killed, or crashed) is started again through its profile,
            // and the case is run once more when the death showed as a
            // refused connection.
            for attempt in 0..2 {
                let mut p = live_server(profile, case, opts, worker)?;
                let addr = format!("127.0.0.1:{}", p.port);
                let (echo, timeout) = (profile.echo, opts.timeout);
                let obs = run_engine_client(run, &mut || connect_while_alive(&addr, timeout, echo, &mut p));
                // Could not connect (the first or, resuming, the second
                // connection) to a server that has exited: run the case
                // again from the start on a new one.
                if obs.is_err() && attempt == 0 && !p.alive() {
                    worker.deaths.push(p.exit_note());
                    run.recorded = Recorded::default();
                    continue;
                }
                if !p.alive() || !matches!(&obs, Ok(o) if o.end == End::Done) {
                    run.note = Some(p.exit_note());
                }
                if profile.start == StartMode::PerGroup && p.alive() {
                    worker.servers.insert(group, p);
                }
                return obs;
            }
            Err("the peer server died twice before the case could connect".into())
        }
        Role::Client => {
            let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("listen: {e}"))?;
            let port = listener.local_addr().map_err(|e| e.to_string())?.port();
            let cache = SessionCache::default();
            let mut first = None;
            if case.test.resume {
                match resume_first(run, profile, &listener, port, &cache)? {
                    Ok(p) => first = p,
                    Err(failed) => return Ok(*failed),
                }
            }
            let mut p = match first {
                // The process that made the first connection makes the second.
                Some(p) => p,
                None => {
                    let argv = match case.test.resume {
                        true => SessionFile::new(port).and_then(|f| {
                            profile
                                .resume_argv(case, port, &opts.certs, 1, &f.0)
                                .ok_or("no second pass".into())
                        })?,
                        false => profile.argv(case, port, &opts.certs),
                    };
                    PeerProcess::spawn(profile, &argv, port)
                        .inspect_err(|e| worker.start_failures.push(e.clone()))?
                }
            };
            // Every connection to the port is served at once, each with the
            // case's timeout to send its hello: a stray idle or trickling
            // client cannot hold the case (peer::listen).
            let deadline = Instant::now() + startup.max(opts.timeout);
            let mut peer = listen::accept_client(&listener, deadline, opts.timeout, profile.echo)
                .map_err(|e| format!("{e}: {}", p.exit_note()))?;
            let cfg =
                configs::arc(configs::engine_server(case, ids, true, &cache).ok_or("engine identity none")?);
            let mut me = Connection::server(cfg, rng(seed), NOW);
            let obs = finish(&mut me, &mut peer, &mut run.recorded, drive_opts(case, opts));
            if obs.end != End::Done {
                run.note = Some(p.exit_note());
            }
            drop(peer);
            drop(p);
            if case.test.resume {
                SessionFile::new(port)?.remove();
            }
            Ok(obs)
        }
    }
}

/// The file a two-process resuming client keeps its session in: one per
/// listening port (so per case), in the temporary directory.
struct SessionFile(PathBuf);

impl SessionFile {
    fn new(port: u16) -> Result<Self, String> {
        Ok(Self(std::env::temp_dir().join(format!("shakedown-session-{}-{port}", std::process::id()))))
    }

    fn remove(&self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The honest first connection of a resumption case by a peer client:
/// the engine server (no knobs) completes a full handshake into `cache`.
/// Gives the process to accept the second connection from when it makes
/// both (`reconnect`), none when a second process is to be started
/// (`session_file`: the first is given the case's timeout to end, so its
/// session is stored), or the failed first handshake's observation.
#[allow(clippy::type_complexity)]
fn resume_first(
    run: &mut CaseRun<'_>,
    profile: &Profile,
    listener: &TcpListener,
    port: u16,
    cache: &SessionCache,
) -> Result<Result<Option<PeerProcess>, Box<Observed>>, String> {
    let (case, ids, seed, opts) = (run.case, run.ids, run.seed, run.opts);
    let startup = Duration::from_millis(profile.startup_timeout_ms);
    let file = SessionFile::new(port)?;
    file.remove();
    let argv = profile
        .resume_argv(case, port, &opts.certs, 0, &file.0)
        .ok_or_else(|| format!("{} has no client resumption", profile.name))?;
    let mut p = PeerProcess::spawn(profile, &argv, port)?;
    let deadline = Instant::now() + startup.max(opts.timeout);
    let mut peer = listen::accept_client(listener, deadline, opts.timeout, profile.echo)
        .map_err(|e| format!("{e}: {}", p.exit_note()))?;
    let cfg = configs::arc(configs::engine_server(case, ids, false, cache).ok_or("engine identity none")?);
    let mut me = Connection::server(cfg, rng(seed ^ 1), NOW);
    match first_session(&mut me, &mut peer, &mut run.recorded, honest_opts(case, opts)) {
        Ok(session) => remember_invalidated(case, cache, session),
        Err(failed) => {
            run.note = Some(p.exit_note());
            file.remove();
            return Ok(Err(failed));
        }
    }
    if let Err(moot) = ended_as_asked(case, &me) {
        file.remove();
        return Ok(Err(moot));
    }
    drop(peer);
    if matches!(profile.client_resumption, Some(ClientResumption::Reconnect(_))) {
        return Ok(Ok(Some(p)));
    }
    p.wait_exit(opts.timeout);
    Ok(Ok(None))
}

/// Counts per verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub pass: usize,
    pub fail: usize,
    pub inconclusive: usize,
    pub skip: usize,
    pub error: usize,
}

impl Counts {
    pub fn add(&mut self, v: &Verdict) {
        match v {
            Verdict::Pass { .. } => self.pass += 1,
            Verdict::Fail { .. } => self.fail += 1,
            Verdict::Inconclusive { .. } => self.inconclusive += 1,
            Verdict::Skip { .. } => self.skip += 1,
            Verdict::Error { .. } => self.error += 1,
        }
    }

    pub fn of(results: &[CaseResult]) -> Self {
        let mut c = Self::default();
        for r in results {
            c.add(&r.verdict);
        }
        c
    }
}

/// Shared, for the progress callback.
pub type Shared<T> = Arc<Mutex<T>>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vector::Grade;

    /// Three members of one oracle group at one version and suite, each
    /// passing on its own, with these ends.
    fn group(ends: [End; 3]) -> Vec<CaseResult> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/scenarios");
        let files = crate::vector::load_dir(&dir).unwrap_or_default();
        let cases: Vec<Case> = crate::vector::expand(&files)
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.test.oracle_group.is_some() && c.id.ends_with("/tls1.2/AES128-SHA"))
            .take(3)
            .collect();
        assert_eq!(cases.len(), 3);
        cases
            .into_iter()
            .zip(ends)
            .map(|(case, end)| CaseResult {
                case,
                verdict: Verdict::Pass { grade: Grade::Strict, matched: 0 },
                observed: Some(Observed::new(end)),
                transcript: None,
                keylog: Vec::new(),
                seed: 0,
                elapsed: Duration::ZERO,
                note: None,
            })
            .collect()
    }

    fn alert() -> End {
        End::FatalAlert(AlertDescription::HandshakeFailure)
    }

    #[test]
    fn a_member_without_an_answer_is_left_out_of_the_comparison() {
        let mut r = group([alert(), End::HarnessError("not ready".into()), alert()]);
        check_oracles(&mut r);
        assert!(r.iter().all(|c| matches!(c.verdict, Verdict::Pass { .. })), "{r:?}");
        let mut r = group([alert(), End::Inconclusive("no answer".into()), alert()]);
        check_oracles(&mut r);
        assert!(r.iter().all(|c| matches!(c.verdict, Verdict::Pass { .. })), "{r:?}");
    }

    #[test]
    fn members_that_answer_differently_still_fail_the_group() {
        let mut r = group([alert(), End::HarnessError("not ready".into()), End::PeerEof]);
        check_oracles(&mut r);
        let failed = r.iter().filter(|c| matches!(c.verdict, Verdict::Fail { .. })).count();
        assert_eq!(failed, 3, "{r:?}");
    }
}
