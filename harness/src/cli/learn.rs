//! `shakedown learn`: learn a peer's state machine (L#, see
//! harness/src/learn/README.md), optionally diff it against the reference
//! engine; `shakedown learn --diff A B` compares two learned models.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use shakedown_engine::flaw::{Flaw, Flaws};
use shakedown_engine::suites::{self, SuiteInfo};

use crate::learn::cache::Checks;
use crate::learn::differences;
use crate::learn::files::{describe, read_model, write_diff, write_model};
use crate::learn::session::{ModelFile, Setup, Target, learn_client, learn_server};
use crate::peer::profile::Profile;
use crate::vector::{ClientAuth, Version, parse_version};

#[derive(Debug, Args)]
pub struct LearnArgs {
    /// builtin, tcp:HOST:PORT, or a peer profile (JSON).
    #[arg(long, default_value = "builtin")]
    pub peer: String,
    /// The role the peer plays: server, or client (the built-in client or
    /// a client profile).
    #[arg(long, default_value = "server")]
    pub role: String,
    #[arg(long, default_value = "tls1.2", value_parser = parse_version_arg)]
    pub version: Version,
    /// OpenSSL or IANA name.
    #[arg(long, default_value = "AES128-SHA", value_parser = parse_suite_arg)]
    pub suite: &'static SuiteInfo,
    #[arg(long, default_value = "off", value_parser = parse_client_auth)]
    pub client_auth: ClientAuth,
    /// basic, full, symbol names separated by commas, or a file of names.
    #[arg(long, default_value = "basic")]
    pub alphabet: String,
    #[arg(long, default_value = "learned")]
    pub out: PathBuf,
    /// Extra states the Wp-method equivalence check allows for.
    #[arg(long, default_value_t = 1)]
    pub depth: usize,
    /// Random test words after the Wp suite.
    #[arg(long, default_value_t = 100)]
    pub random_words: usize,
    /// Seconds; when spent, the last hypothesis is written, marked partial.
    #[arg(long)]
    pub time: Option<u64>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Also learn the reference engine in memory (same role, version, suite
    /// and client authentication) and write the differences.
    #[arg(long)]
    pub against_reference: bool,
    /// Compare two learned models instead of learning.
    #[arg(long, num_args = 2, value_names = ["A", "B"])]
    pub diff: Option<Vec<PathBuf>>,
    /// Flaws of the built-in peer (engine/src/flaw.rs), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub flaw: Vec<String>,
    #[arg(long, default_value = "vectors/certs")]
    pub certs: PathBuf,
    /// Least milliseconds of quiet before a TCP peer counts as silent.
    #[arg(long, default_value_t = 10)]
    pub min_wait_ms: u64,
    /// Repeat one query in this many to check determinism (0: never).
    #[arg(long, default_value_t = 20)]
    pub sample_one_in: u32,
}

fn parse_version_arg(s: &str) -> Result<Version, String> {
    parse_version(s).ok_or_else(|| format!("unknown version `{s}` (ssl3, tls1.0, tls1.1, tls1.2)"))
}

fn parse_suite_arg(s: &str) -> Result<&'static SuiteInfo, String> {
    suites::by_name(s).ok_or_else(|| format!("unknown cipher suite `{s}`"))
}

fn parse_client_auth(s: &str) -> Result<ClientAuth, String> {
    match s {
        "off" => Ok(ClientAuth::Off),
        "request" => Ok(ClientAuth::Request),
        "require" => Ok(ClientAuth::Require),
        other => Err(format!("unknown client auth `{other}` (off, request, require)")),
    }
}

fn flaws(names: &[String]) -> Result<Flaws, String> {
    names.iter().map(|n| Flaw::from_name(n).ok_or_else(|| format!("unknown flaw `{n}`"))).collect()
}

fn summary(m: &ModelFile) -> String {
    let s = &m.stats;
    format!(
        "{}: {} states, {} transitions{}; {} membership queries, {} equivalence queries, {} resets, \
         {} symbols, {} cache hits, {} repeats, {:.2} s",
        m.peer,
        m.model.states(),
        m.model.transitions(),
        if m.complete { "" } else { " (PARTIAL: time ran out)" },
        s.membership_queries,
        s.equivalence_queries,
        s.resets,
        s.symbols,
        s.cache_hits,
        s.repeats,
        s.millis as f64 / 1000.0
    )
}

/// Exit code: 0 learned (and equal to the reference when compared), 1 the
/// models differ; errors are harness or peer failures.
pub fn run(args: &LearnArgs) -> Result<u8, String> {
    if let Some(paths) = &args.diff {
        return diff_files(paths, &args.out);
    }
    let client_role = match args.role.as_str() {
        "server" => false,
        "client" => true,
        other => return Err(format!("--role {other}: server or client")),
    };
    let target = match args.peer.as_str() {
        "builtin" => Target::Builtin,
        p => match p.strip_prefix("tcp:") {
            Some(addr) => Target::Tcp(addr.to_owned()),
            None => Target::Profile(Box::new(Profile::load(Path::new(p))?)),
        },
    };
    if let Target::Profile(p) = &target {
        let want = if client_role { crate::vector::Role::Client } else { crate::vector::Role::Server };
        if p.role != want {
            return Err(format!(
                "{} is a {} profile; --role {} needs a {} one",
                p.name,
                p.role.name(),
                args.role,
                want.name()
            ));
        }
    }
    let flawed = flaws(&args.flaw)?;
    if !flawed.is_honest() && !matches!(target, Target::Builtin) {
        return Err("--flaw applies to the built-in peer only".into());
    }
    let setup = Setup {
        version: args.version,
        suite: args.suite,
        client_auth: args.client_auth,
        alphabet: args.alphabet.clone(),
        depth: args.depth,
        random_words: args.random_words,
        seed: args.seed,
        time_budget: args.time.map(Duration::from_secs),
        certs: args.certs.clone(),
        min_wait: Duration::from_millis(args.min_wait_ms),
        connect_timeout: Duration::from_secs(5),
        checks: Checks { sample_one_in: args.sample_one_in, confirm: 2 },
        guide: None,
    };
    let names: Vec<&str> = flawed.iter().map(Flaw::name).collect();
    let names: Vec<String> = names.into_iter().map(str::to_owned).collect();
    let label = format!("builtin(flaws: {})", names.join(","));
    let learn_one = |target: &Target, flawed: Flaws, setup: &Setup| match client_role {
        true => learn_client(target, setup, &move |c: &mut shakedown_engine::ClientConfig| {
            c.flaws = flawed.clone()
        }),
        false => learn_server(target, setup, &move |c: &mut shakedown_engine::ServerConfig| {
            c.flaws = flawed.clone()
        }),
    };
    // The reference (in memory, quick) is learned first: it guides the
    // peer's equivalence check (learn/guided.rs), so every difference
    // written was asked of the peer, never inferred.
    let reference = match args.against_reference {
        true => {
            let mut r = learn_one(&Target::Builtin, Flaws::default(), &setup)?;
            r.peer = "reference".into();
            Some(r)
        }
        false => None,
    };
    let guided = Setup { guide: reference.as_ref().map(|r| r.model.clone()), ..setup.clone() };
    let mut peer = learn_one(&target, flawed, &guided)?;
    if !names.is_empty() {
        peer.peer = label;
    }
    let svg = write_model(&args.out, &peer)?;
    crate::say!("{}", summary(&peer));
    if !peer.dropped_symbols.is_empty() {
        crate::say!("not expressible in {}: {}", peer.version, peer.dropped_symbols.join(", "));
    }
    crate::say!(
        "wrote {}/model.json, model.dot{}",
        args.out.display(),
        if svg { ", model.svg" } else { " (no `dot`: no SVG)" }
    );
    let Some(reference) = reference else {
        return Ok(0);
    };
    let ref_dir = args.out.join("reference");
    write_model(&ref_dir, &reference)?;
    crate::say!("{}", summary(&reference));
    compare(&peer, &reference, &args.out)
}

fn compare(left: &ModelFile, right: &ModelFile, out: &Path) -> Result<u8, String> {
    let diff = differences(&left.model, &right.model, crate::learn::guided::DIFF_LIMIT)?;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    write_diff(out, left, right, &diff)?;
    if diff.equivalent() {
        crate::say!("no difference between {} and {}", left.peer, right.peer);
        return Ok(0);
    }
    crate::say_text!("{}", describe(&diff, &left.peer, &right.peer));
    crate::say!(
        "{} distinguishing sequences: {}/diff.json, {}/findings/, replayable with `shakedown run --vectors \
         {}/vectors`",
        diff.found.len(),
        out.display(),
        out.display(),
        out.display()
    );
    Ok(1)
}

fn diff_files(paths: &[PathBuf], out: &Path) -> Result<u8, String> {
    let [a, b] = paths else {
        return Err("--diff takes two model.json files".into());
    };
    let (left, right) = (read_model(a)?, read_model(b)?);
    compare(&left, &right, out)
}
