//! `shakedown fuzz`: the interop fuzzer against one or more peers.
//!
//! Exit codes: 0 no finding, 1 at least one finding, 2 a usage or harness
//! error (an unknown flag or flaw, an unreachable peer, a profile that
//! fails to start or to restart, an unwritable --out).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::Args;
use shakedown_engine::flaw::{Flaw, Flaws};

use crate::fuzz::campaign::{self, CampaignOptions, Stats};
use crate::fuzz::case::FuzzCase;
use crate::fuzz::exec::{Ran, execute};
use crate::fuzz::findings::OutDir;
use crate::peer::PeerSpec;
use crate::run::configs::Identities;
use crate::run::{RunOptions, Worker};
use crate::vector::Role;

#[derive(Debug, Args)]
pub struct FuzzArgs {
    /// The engine's cryptography: `rustcrypto` (default) or `openssl`
    /// (only in a build with the `openssl-provider` feature).
    #[arg(long, default_value = "rustcrypto", value_parser = crate::args::parse_provider)]
    pub provider: Arc<dyn shakedown_engine::crypto::provider::CryptoProvider>,
    /// A peer under test: `builtin` (default), `tcp:HOST:PORT`, or a
    /// profile file; repeat for a differential campaign.
    #[arg(long)]
    pub peer: Vec<String>,
    /// The built-in peer's known deviations.
    #[arg(long, default_value = "vectors/peers/builtin.json")]
    pub builtin_profile: PathBuf,
    /// Only cases where the peer under test plays this role.
    #[arg(long, value_parser = parse_role)]
    pub role: Option<Role>,
    /// Stop after this long (30s, 10m, 1h).
    #[arg(long, value_parser = parse_duration)]
    pub time: Option<Duration>,
    /// Stop after this many cases (default 1000 when --time is absent).
    #[arg(long)]
    pub cases: Option<u64>,
    /// The campaign's seed: the same seed replays the same campaign
    /// against a deterministic peer.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Cases run at once (threads); default: the number of cores, eight
    /// a core when every peer is a server over TCP.
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Where findings (scenario vectors, transcripts, key logs) and the
    /// corpus are written as they are found.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Only shard i of n (1-based): a disjoint stream of cases.
    #[arg(long, value_parser = super::run::parse_shard)]
    pub shard: Option<(usize, usize)>,
    /// Seconds each case may wait on the peer (silence past it ends the
    /// case as silence).
    #[arg(long, default_value_t = 1.0)]
    pub timeout: f64,
    /// Directory of the shipped certificates.
    #[arg(long, default_value = "vectors/certs")]
    pub certs: PathBuf,
    /// A flaw the built-in peer plays (repeatable); see --list-flaws.
    #[arg(long)]
    pub flaw: Vec<String>,
    /// Print the flaws the built-in peer can play, one name a line.
    #[arg(long)]
    pub list_flaws: bool,
    /// Merge the corpora and findings of campaign directories: OUT DIR...
    #[arg(long, num_args = 2.., value_names = ["OUT", "DIR"])]
    pub merge: Option<Vec<PathBuf>>,
}

fn parse_role(s: &str) -> Result<Role, String> {
    match s {
        "server" => Ok(Role::Server),
        "client" => Ok(Role::Client),
        other => Err(format!("role `{other}`: server or client")),
    }
}

/// `90`, `30s`, `10m`, `1h`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => (s.get(..i).unwrap_or_default(), s.get(i..).unwrap_or_default()),
        None => (s, "s"),
    };
    let n: f64 = num.parse().map_err(|_| format!("bad duration `{s}`"))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("bad duration `{s}`: use s, m or h")),
    };
    if !(secs.is_finite() && secs > 0.0) {
        return Err(format!("bad duration `{s}`"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Runs one honest case against each peer so an unreachable peer is an
/// error before the campaign, not a stream of findings.
fn probe(opts: &CampaignOptions) -> Result<(), String> {
    let space = campaign::space(&opts.peers, opts.peer_role);
    let ids = Identities::load(&opts.certs)?;
    let (Some(role), Some(version)) = (space.roles.first(), space.versions.last()) else {
        return Err("the peers have no role and version in common to fuzz".into());
    };
    let Some(suite) = space
        .suites
        .iter()
        .find(|s| shakedown_engine::suites::by_name(s).is_some_and(|i| i.usable_with(version.wire())))
    else {
        return Err("the peers have no suite in common to fuzz".into());
    };
    let case = FuzzCase {
        version: *version,
        suite: suite.clone(),
        engine_role: *role,
        client_auth: Default::default(),
        identity: None,
        resume: false,
        mutations: Vec::new(),
    };
    for p in &opts.peers {
        let ro = RunOptions {
            peer: p.clone(),
            jobs: 1,
            seed: opts.seed,
            timeout: opts.timeout,
            certs: opts.certs.clone(),
            keep_transcripts: false,
            seed_pool: None,
            provider: opts.provider.clone(),
            silence: None,
        };
        let mut worker = Worker::default();
        let ran = execute(&case, &ro, &ids, &mut worker);
        if let Some(why) = worker.take_start_failures().first() {
            return Err(format!("peer {} failed to start: {why}", p.name()));
        }
        if let Ran::Run(r) = ran
            && let crate::expect::End::HarnessError(e) = &r.observed.end
        {
            return Err(format!("peer {} unreachable: {e}", p.name()));
        }
    }
    Ok(())
}

/// Flaw names from the command line.
pub fn parse_flaws(names: &[String]) -> Result<Flaws, String> {
    names
        .iter()
        .map(|n| {
            Flaw::from_name(n).ok_or_else(|| {
                let known: Vec<&str> = Flaw::ALL.iter().map(|f| f.name()).collect();
                format!("unknown flaw `{n}` (known: {})", known.join(", "))
            })
        })
        .collect()
}

/// Gives the built-in peers these flaws; flaws with no built-in peer to
/// carry them are an error.
pub fn give_flaws(peers: &mut [PeerSpec], flaws: &Flaws) -> Result<(), String> {
    if flaws.is_honest() {
        return Ok(());
    }
    let mut carried = false;
    for p in peers {
        if let PeerSpec::Builtin(b) = p {
            b.flaws = flaws.clone();
            carried = true;
        }
    }
    match carried {
        true => Ok(()),
        false => Err("--flaw needs the built-in peer (--peer builtin)".into()),
    }
}

pub fn run(args: &FuzzArgs) -> Result<u8, String> {
    if args.list_flaws {
        for f in Flaw::ALL {
            crate::say!("{}", f.name());
        }
        return Ok(0);
    }
    if let Some(m) = &args.merge {
        let (out, dirs) = m.split_first().ok_or("--merge OUT DIR...")?;
        let merged = crate::fuzz::merge::merge(out, dirs)?;
        crate::say!(
            "merged into {}: {} corpus entries, {} findings, {} duplicates left out",
            out.display(),
            merged.corpus,
            merged.findings,
            merged.duplicates
        );
        return Ok(0);
    }
    if !(args.timeout > 0.0 && args.timeout.is_finite()) {
        return Err("--timeout must be a positive number of seconds".into());
    }
    let names = match args.peer.is_empty() {
        true => vec!["builtin".to_string()],
        false => args.peer.clone(),
    };
    let mut peers =
        names.iter().map(|n| PeerSpec::parse(n, &args.builtin_profile)).collect::<Result<Vec<_>, _>>()?;
    give_flaws(&mut peers, &parse_flaws(&args.flaw)?)?;
    let out = args.out.as_deref().map(OutDir::create).transpose()?;
    let cases = match (args.cases, args.time) {
        (None, None) => Some(1000),
        (c, _) => c,
    };
    let shard = args.shard.map_or((1, 1), |(i, n)| (i as u64, n as u64));
    let jobs = args.jobs.unwrap_or_else(|| default_jobs(&peers));
    let opts = CampaignOptions {
        peers,
        peer_role: args.role,
        cases,
        time: args.time,
        seed: args.seed,
        jobs,
        out,
        shard,
        timeout: Duration::from_secs_f64(args.timeout),
        certs: args.certs.clone(),
        provider: args.provider.clone(),
    };
    probe(&opts)?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    // A second Ctrl-C while stopping is ignored: the batch in flight
    // finishes and every finding is already on disk.
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed));
    let last = std::sync::Mutex::new(Instant::now());
    let report = campaign::run(&opts, &stop, &|s: &Stats| {
        if let Ok(mut l) = last.lock()
            && l.elapsed() >= Duration::from_secs(1)
        {
            *l = Instant::now();
            crate::tell!("{}", s.line());
        }
    })?;
    if stop.load(Ordering::Relaxed) {
        crate::tell!("stopped by Ctrl-C; everything found is kept");
    }
    crate::say!("{}", report.stats.line());
    for f in &report.findings {
        crate::say!(
            "finding {} at case {} ({} oracle, peer {}): {} [{}]",
            f.name(),
            f.found_at,
            f.oracle.name(),
            f.peer,
            f.violation.reason,
            serde_json::to_string(&f.case.mutations).unwrap_or_default()
        );
    }
    for p in &report.written {
        crate::say!("wrote {}", p.display());
    }
    for e in &report.errors {
        crate::tell!("error: {e}");
    }
    Ok(match (report.errors.is_empty(), report.findings.is_empty()) {
        (false, _) => 2,
        (true, false) => 1,
        (true, true) => 0,
    })
}

/// Cases at once when --jobs is not given. In memory, and against client
/// profiles (a process started per case), the cases keep the cores busy:
/// one a core. Against servers over TCP a case mostly waits for the
/// peer's answer, so more run at once: measured against the OpenSSL
/// server profile on the 2 loaded cores (20 s, seed 5), 88 exec/s at 2
/// jobs, 223 at 8, 268 at 16.
fn default_jobs(peers: &[PeerSpec]) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let servers = peers.iter().all(|p| match p {
        PeerSpec::Builtin(_) => false,
        PeerSpec::Tcp(_) => true,
        PeerSpec::Profile(p) => p.role == Role::Server,
    });
    match servers {
        true => cores * SERVER_JOBS_PER_CORE,
        false => cores,
    }
}

const SERVER_JOBS_PER_CORE: usize = 8;
