//! `shakedown timing`: Marvin / Bleichenbacher and Lucky 13 timing probes
//! against a peer, with the statistics and report of `crate::timing`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use shakedown_engine::flaw::Flaw;
use shakedown_engine::msgs::enums::ProtocolVersion;
use shakedown_engine::{ServerConfig, VersionRange};

use crate::args::load_identity;
use crate::peer::profile::Profile;
use crate::timing::analysis::{self, Analysis};
use crate::timing::capture;
use crate::timing::output::{self, RunInfo};
use crate::timing::probe::{self, Collected, Peer, Plan, ProbeKind};
use crate::timing::target::Target;

#[derive(Debug, Args, Clone)]
pub struct TimingArgs {
    /// `builtin` (the engine's server, in this process on loopback),
    /// `memory` (the engine's server fed in memory, timed with this
    /// thread's CPU clock), `primitive` (only the operation under test:
    /// the premaster decryption for marvin, one record's open for lucky13,
    /// with the same clock), `tcp:HOST:PORT`, or a peer profile (JSON)
    /// started for the run.
    #[arg(long, default_value = "builtin")]
    pub peer: String,
    /// marvin (RSA premaster padding) or lucky13 (CBC padding).
    #[arg(long)]
    pub probe: ProbeKind,
    /// The one version offered.
    #[arg(long, default_value = "tls1.2", value_parser = parse_version)]
    pub version: ProtocolVersion,
    /// The one suite offered (OpenSSL or IANA name).
    #[arg(long, default_value = "AES128-SHA")]
    pub suite: String,
    /// Samples per class.
    #[arg(long, default_value_t = 10_000)]
    pub samples: usize,
    /// Only these classes, by name (comma-separated; at least two): fewer
    /// classes buy more samples of each in the same time, as tlsfuzzer's
    /// three-class runs do.
    #[arg(long, value_delimiter = ',')]
    pub classes: Vec<String>,
    /// Seed of the classes, the order and the bootstrap.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output directory.
    #[arg(long, default_value = "timing-out")]
    pub out: PathBuf,
    /// Built-in peer only: a flaw the server has, by name
    /// (`shakedown_engine::flaw`, e.g. slow_bad_padding); repeatable.
    #[arg(long = "flaw", value_parser = super::serve::parse_flaw)]
    pub flaws: Vec<Flaw>,
    /// Bootstrap resamples per interval.
    #[arg(long, default_value_t = 1000)]
    pub resamples: usize,
    /// Seconds to wait on the peer at each step.
    #[arg(long, default_value_t = 10)]
    pub timeout: u64,
    /// socket: the monotonic clock around the probe's write and read;
    /// pcap: tcpdump's kernel timestamps on loopback, from the probe's
    /// last packet to the peer's first answer packet (socket peers only;
    /// needs tcpdump and the right to capture).
    #[arg(long, default_value = "socket", value_parser = ["socket", "pcap"])]
    pub clock: String,
    /// The built-in peer's cryptography (builtin, memory and primitive peers):
    /// `rustcrypto` (default) or `openssl` (only in a build with the
    /// `openssl-provider` feature).
    #[arg(long, default_value = "rustcrypto", value_parser = crate::args::parse_provider)]
    pub provider: Arc<dyn shakedown_engine::crypto::provider::CryptoProvider>,
    /// Certificate directory (builtin and profile peers).
    #[arg(long, default_value = "vectors/certs")]
    pub certs: PathBuf,
}

fn parse_version(s: &str) -> Result<ProtocolVersion, String> {
    let range = crate::args::parse_versions(s)?;
    match range.min == range.max {
        true => Ok(range.min),
        false => Err(format!("`{s}`: give one version")),
    }
}

/// Starts the peer the arguments name.
pub fn target(args: &TimingArgs) -> Result<Target, String> {
    if !matches!(args.peer.as_str(), "builtin" | "memory") && !args.flaws.is_empty() {
        return Err("--flaw applies to the builtin and memory peers only".into());
    }
    if !matches!(args.peer.as_str(), "builtin" | "memory" | "primitive")
        && args.provider.name() != "rustcrypto"
    {
        return Err("--provider applies to the builtin, memory and primitive peers only".into());
    }
    if args.peer == "builtin" {
        return Target::builtin(builtin_config(args)?, args.seed, timeout(args));
    }
    if let Some(address) = args.peer.strip_prefix("tcp:") {
        return Ok(Target::tcp(address));
    }
    Target::profile(&Profile::load(Path::new(&args.peer))?, &args.certs)
}

fn builtin_config(args: &TimingArgs) -> Result<ServerConfig, String> {
    let dir = args.certs.display();
    let mut config = ServerConfig::new(load_identity(
        &format!("{dir}/server.chain.pem"),
        &format!("{dir}/server.key.pem"),
    )?);
    config.versions = VersionRange::only(args.version);
    config.suites = vec![suite(args)?.suite];
    config.flaws = args.flaws.iter().copied().collect();
    config.provider = args.provider.clone();
    Ok(config)
}

fn suite(args: &TimingArgs) -> Result<&'static shakedown_engine::suites::SuiteInfo, String> {
    shakedown_engine::suites::by_name(&args.suite)
        .ok_or_else(|| format!("unknown cipher suite `{}`", args.suite))
}

fn timeout(args: &TimingArgs) -> Duration {
    Duration::from_secs(args.timeout.max(1))
}

/// Measures and analyses; the caller writes the outputs.
pub fn measure(args: &TimingArgs, progress: bool) -> Result<(RunInfo, Collected, Analysis), String> {
    let (target, peer) = match args.peer.as_str() {
        "memory" => (None, Peer::Memory(Arc::new(builtin_config(args)?))),
        "primitive" if !args.flaws.is_empty() => {
            return Err(
                "--flaw: the flaws live in the connection, which the primitive peer leaves out".into()
            );
        }
        "primitive" => (None, Peer::Primitive(Arc::new(builtin_config(args)?))),
        _ => {
            let t = target(args)?;
            let address = t.address.clone();
            (Some(t), Peer::Tcp(address))
        }
    };
    let clock = match peer {
        Peer::Memory(_) => {
            "this thread's CPU time (CLOCK_THREAD_CPUTIME_ID) across the in-memory server's \
                            feed of the probe and the taking of its answer"
        }
        Peer::Primitive(_) => {
            "this thread's CPU time (CLOCK_THREAD_CPUTIME_ID) across the one call under test \
                            (the provider's premaster decryption, or a fresh opener's open of the record)"
        }
        Peer::Tcp(_) => {
            "std::time::Instant (monotonic) around write/read on a TCP_NODELAY socket, \
                         from just before the probe's write to the first answer byte or close"
        }
    };
    let plan = Plan {
        peer,
        probe: args.probe,
        version: args.version,
        suite: suite(args)?,
        samples: args.samples.max(1),
        classes: args.classes.clone(),
        seed: args.seed,
        timeout: timeout(args),
        progress,
    };
    let capture = match (args.clock.as_str(), &target) {
        ("socket", _) => None,
        ("pcap", Some(t)) => {
            let port = t.address.rsplit(':').next().and_then(|p| p.parse::<u16>().ok()).ok_or("no port")?;
            std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
            let file = args.out.join("capture.pcap");
            Some((port, capture::Capturer::start(port, &file, Duration::from_secs(10))?))
        }
        ("pcap", None) => return Err("--clock pcap needs a socket peer (not memory or primitive)".into()),
        (other, _) => return Err(format!("--clock {other}: use socket or pcap")),
    };
    let mut collected = probe::run(&plan)?;
    drop(target);
    let mut clock = clock.to_owned();
    if let Some((port, capturer)) = capture {
        let file = capturer.stop()?;
        let times = capture::connection_times(&file, port)?;
        let r = capture::retime(&mut collected, &times);
        if progress {
            crate::tell!("timing: capture clock: {r:?}");
        }
        clock = format!(
            "tcpdump kernel timestamps (nanosecond precision) on loopback, from the probe's last packet to \
             the peer's first answer packet (data, FIN or RST), matched by client port and write time: \
             {} samples matched, {} not found in the capture, {} whose captured answer differs from the \
             socket's; {} complete blocks analysed ({})",
            r.matched,
            r.unmatched,
            r.answers_differ,
            r.blocks_kept,
            file.display()
        );
    }
    let options =
        analysis::Options { resamples: args.resamples, seed: args.seed, ..analysis::Options::default() };
    let mut analysis = analysis::analyse(&collected.paired, &options);
    // tlsfuzzer's figure over the classes whose difference would be secret.
    let public = collected.public_classes();
    if !public.is_empty() {
        analysis.worst_pair =
            analysis::worst_pair(&collected.paired.without(&public), &analysis.pairs, &options);
    }
    let info = RunInfo {
        command: std::env::args().collect::<Vec<_>>().join(" "),
        peer: target_description(args),
        probe: format!("{:?}", args.probe).to_lowercase(),
        version: args.version.to_string(),
        suite: plan.suite.openssl_name.into(),
        seed: args.seed,
        clock,
    };
    Ok((info, collected, analysis))
}

fn target_description(args: &TimingArgs) -> String {
    match args.flaws.is_empty() {
        true => args.peer.clone(),
        false => {
            let names: Vec<&str> = args.flaws.iter().map(|f| f.name()).collect();
            format!("{} with flaws {}", args.peer, names.join(","))
        }
    }
}

pub fn run(args: &TimingArgs) -> Result<(), String> {
    let (info, collected, analysis) = measure(args, true)?;
    output::write_all(&args.out, &info, &collected, &analysis)?;
    crate::say!(
        "{} samples per class, {} classes, {:.0} s: {}",
        analysis.samples_per_class,
        collected.classes.len(),
        collected.wall.as_secs_f64(),
        analysis.verdict
    );
    if let Some(v) = output::secret_verdict(&collected, &analysis) {
        crate::say!("over the classes that differ only in secret content: {v}");
    }
    crate::say!("report: {}", args.out.join("report.md").display());
    Ok(())
}
