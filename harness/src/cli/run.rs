//! `shakedown run`: replays the scenario vectors against a peer (the
//! built-in engine when none is named) and says, case by case, whether the
//! peer behaved as the RFCs require.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use globset::{Glob, GlobSet, GlobSetBuilder};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::peer::PeerSpec;
use crate::report;
use crate::run::{Counts, RunOptions, run_all};
use crate::vector::{Case, expand, load_dir};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The engine's cryptography: `rustcrypto` (default) or `openssl`
    /// (only in a build with the `openssl-provider` feature).
    #[arg(long, default_value = "rustcrypto", value_parser = crate::args::parse_provider)]
    pub provider: std::sync::Arc<dyn shakedown_engine::crypto::provider::CryptoProvider>,
    /// The peer under test: `builtin` (default), `tcp:HOST:PORT` (a running
    /// server), or a profile file (vectors/peers/*.json).
    #[arg(long, default_value = "builtin")]
    pub peer: String,
    /// The built-in peer's known deviations.
    #[arg(long, default_value = "vectors/peers/builtin.json")]
    pub builtin_profile: PathBuf,
    /// Scenario files or directories.
    #[arg(long, default_value = "vectors/scenarios")]
    pub vectors: Vec<PathBuf>,
    /// Directory of the shipped certificates.
    #[arg(long, default_value = "vectors/certs")]
    pub certs: PathBuf,
    /// Cases run at once (threads); default: the number of cores.
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Seed of every byte the engine sends: the same seed gives the same
    /// transcripts.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Only the cases whose id matches one of these globs.
    #[arg(long)]
    pub filter: Vec<String>,
    /// Only shard i of n (1-based), e.g. 2/4.
    #[arg(long, value_parser = parse_shard)]
    pub shard: Option<(usize, usize)>,
    /// Seconds each case may take (a timeout is inconclusive, never a pass).
    #[arg(long, default_value_t = 5.0)]
    pub timeout: f64,
    /// Write every case (verdict, expected, actual, transcripts of failures) as JSON.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write JUnit XML.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// Write NSS key log lines (SSLKEYLOGFILE format) of completed handshakes.
    #[arg(long)]
    pub keylog: Option<PathBuf>,
    /// Print the per-topic table as Markdown too.
    #[arg(long)]
    pub markdown: bool,
    /// A flaw the built-in peer plays (repeatable): `shakedown fuzz
    /// --list-flaws` names them.
    #[arg(long)]
    pub flaw: Vec<String>,
    /// List the cases and exit.
    #[arg(long)]
    pub list: bool,
    /// Run the engine's self-check matrix instead (engine against itself
    /// over every version x suite x client-auth mode, plus resumption).
    #[arg(long)]
    pub selfcheck: bool,
}

pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (i, n) = s.split_once('/').ok_or("shard is i/n, e.g. 1/4")?;
    let i: usize = i.parse().map_err(|_| format!("bad shard index `{i}`"))?;
    let n: usize = n.parse().map_err(|_| format!("bad shard count `{n}`"))?;
    if n == 0 || i == 0 || i > n {
        return Err(format!("shard {i}/{n}: need 1 <= i <= n"));
    }
    Ok((i, n))
}

/// The cases chosen by --filter and --shard.
pub fn select(
    cases: Vec<Case>,
    filter: &[String],
    shard: Option<(usize, usize)>,
) -> Result<Vec<Case>, String> {
    let set: Option<GlobSet> = match filter.is_empty() {
        true => None,
        false => {
            let mut b = GlobSetBuilder::new();
            for f in filter {
                b.add(Glob::new(f).map_err(|e| format!("--filter {f}: {e}"))?);
            }
            Some(b.build().map_err(|e| e.to_string())?)
        }
    };
    Ok(cases
        .into_iter()
        .filter(|c| set.as_ref().is_none_or(|s| s.is_match(&c.id)))
        .enumerate()
        .filter(|(k, _)| shard.is_none_or(|(i, n)| k % n == i - 1))
        .map(|(_, c)| c)
        .collect())
}

/// Exit code: 0 every case passed or was skipped, 1 a failure or an
/// inconclusive case, 2 a usage or harness error.
pub fn run(args: &RunArgs) -> Result<u8, String> {
    if args.selfcheck {
        let ok = super::selfcheck::run(&super::selfcheck::RunArgs {
            certs: args.certs.display().to_string(),
            seed: args.seed,
        })?;
        return Ok(if ok { 0 } else { 1 });
    }
    let mut peer = PeerSpec::parse(&args.peer, &args.builtin_profile)?;
    super::fuzz::give_flaws(std::slice::from_mut(&mut peer), &super::fuzz::parse_flaws(&args.flaw)?)?;
    let mut files = Vec::new();
    for v in &args.vectors {
        files.extend(load_dir(v).map_err(|e| e.to_string())?);
    }
    let cases = select(expand(&files).map_err(|e| e.to_string())?, &args.filter, args.shard)?;
    if args.list {
        for c in &cases {
            crate::say!("{}", c.id);
        }
        return Ok(0);
    }
    if cases.is_empty() {
        return Err("no case selected".into());
    }
    if !(args.timeout > 0.0 && args.timeout.is_finite()) {
        return Err("--timeout must be a positive number of seconds".into());
    }
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let opts = RunOptions {
        peer: peer.clone(),
        jobs,
        seed: args.seed,
        timeout: Duration::from_secs_f64(args.timeout),
        certs: args.certs.clone(),
        keep_transcripts: false,
        seed_pool: None,
        provider: args.provider.clone(),
        silence: None,
    };
    let bar = ProgressBar::new(cases.len() as u64);
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} {msg}") {
        bar.set_style(style);
    }
    let started = Instant::now();
    let results = run_all(&cases, &opts, &|r| {
        bar.set_message(r.case.id.clone());
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    let name = peer.name();
    crate::say_text!("{}", report::summary(&results, &name, started.elapsed()));
    if args.markdown {
        crate::say_text!("\n{}", report::markdown_table(&results));
    }
    if let Some(p) = &args.json {
        report::write(p, &report::json(&results, &name, args.seed))?;
    }
    if let Some(p) = &args.junit {
        report::write(p, &report::junit(&results, &name)?)?;
    }
    if let Some(p) = &args.keylog {
        report::write(p, &report::keylog(&results))?;
    }
    let c = Counts::of(&results);
    Ok(match (c.error, c.fail + c.inconclusive) {
        (0, 0) => 0,
        (0, _) => 1,
        _ => 2,
    })
}
