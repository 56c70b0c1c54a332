//! One learning run against a server or a client, start to finish: the
//! alphabet, the mapper, the connections, L# with the Wp oracle; the
//! result as the model file written to model.json. The systems under
//! learning built here also answer the runner's word tests.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use shakedown_engine::suites::SuiteInfo;
use shakedown_engine::{ClientConfig, ServerConfig};

use super::cache::Checks;
use super::equivalence::WpOracle;
use super::guided::Guided;
use super::mapper::client_sul::{ClientSul, ServerSetup};
use super::mapper::peers;
use super::mapper::server::ServerSymbol;
use super::mapper::server_sul::{ClientSetup, ServerSul};
use super::mapper::sul::{Connect, Side, Sul};
use super::mapper::symbols::{Symbol, parse_alphabet};
use super::mapper::timing::Timing;
use super::mealy::Mealy;
use super::oracle::{MembershipOracle, Stats};
use super::{Options, learn};
use crate::peer::profile::Profile;
use crate::run::configs::Identities;
use crate::vector::{ClientAuth, Version};

/// The most words of length `depth` the Wp-method may put between the
/// transition cover and the separating words.
const MAX_MIDDLE_WORDS: usize = 100_000;

/// Who is learned.
#[derive(Debug, Clone)]
pub enum Target {
    /// The reference engine in memory, its configuration adjusted by the
    /// hook (tests set flaws there).
    Builtin,
    Tcp(String),
    Profile(Box<Profile>),
}

impl Target {
    pub fn name(&self) -> String {
        match self {
            Self::Builtin => "builtin".into(),
            Self::Tcp(a) => format!("tcp:{a}"),
            Self::Profile(p) => p.name.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Setup {
    pub version: Version,
    pub suite: &'static SuiteInfo,
    pub client_auth: ClientAuth,
    /// `basic`, `full`, or a list of symbol names.
    pub alphabet: String,
    /// Extra states the Wp-method allows for.
    pub depth: usize,
    pub random_words: usize,
    pub seed: u64,
    pub time_budget: Option<Duration>,
    pub certs: PathBuf,
    /// The least wait before a TCP peer counts as silent.
    pub min_wait: Duration,
    /// Connecting to a TCP peer gives up after this.
    pub connect_timeout: Duration,
    pub checks: Checks,
    /// A model the peer is expected to resemble (the reference's, with
    /// `--against-reference`): every word on which a hypothesis differs
    /// from it is asked before the Wp suite (learn/guided.rs), so each
    /// difference of the learned model from it was observed.
    pub guide: Option<Mealy>,
}

/// model.json.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelFile {
    pub peer: String,
    pub role: String,
    pub version: String,
    pub suite: String,
    pub client_auth: ClientAuth,
    /// Symbols of the requested alphabet the version cannot express.
    pub dropped_symbols: Vec<String>,
    /// False when the time ran out: `model` is the last hypothesis.
    pub complete: bool,
    pub stats: Stats,
    /// Slowest first byte of an answer per input, in microseconds.
    pub slowest_answer_us: Vec<u64>,
    /// The peer's slowest step measured before learning, to the first
    /// byte of the answer, in microseconds (a server: ClientKeyExchange,
    /// ChangeCipherSpec and Finished sent at once; a client: ServerHello,
    /// Certificate and ServerHelloDone); none in memory.
    pub calibration_us: Option<u64>,
    /// The least wait for silence at the end, in microseconds (it doubles
    /// whenever two answers to one word differed).
    pub silence_floor_us: u64,
    pub model: Mealy,
}

/// Refuses a suite the version cannot use, and a `--depth` whose Wp suite
/// (|I|^depth middle words per state) would not end.
fn check(setup: &Setup, inputs: usize) -> Result<(), String> {
    if !setup.suite.usable_with(setup.version.wire()) {
        return Err(format!("{} cannot be used with {}", setup.suite.openssl_name, setup.version.name()));
    }
    u32::try_from(setup.depth)
        .ok()
        .and_then(|d| inputs.checked_pow(d))
        .filter(|&n| n <= MAX_MIDDLE_WORDS)
        .map(|_| ())
        .ok_or_else(|| {
            format!(
                "--depth {} with {inputs} symbols makes the equivalence check too large (at most \
                 {MAX_MIDDLE_WORDS} middle words)",
                setup.depth
            )
        })
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// What was measured before learning.
#[derive(Debug, Default)]
struct Calibration {
    /// The peer's slowest step.
    slowest: Option<Duration>,
    /// Connections made to measure it (resets, in the statistics).
    connections: u64,
}

/// L# with the Wp oracle against `sul`; the model file.
fn run<S: Side>(
    sul: &mut Sul<S>,
    target: &Target,
    setup: &Setup,
    role: &str,
    dropped: Vec<String>,
    calibration: Calibration,
    started: Instant,
) -> Result<ModelFile, String> {
    let wp = WpOracle::new(setup.depth, setup.random_words, setup.seed);
    let opts =
        Options { checks: setup.checks, seed: setup.seed, deadline: setup.time_budget.map(|t| started + t) };
    let outcome = match &setup.guide {
        Some(guide) => learn(sul, &mut Guided { guide: guide.clone(), then: wp }, &opts),
        None => learn(sul, &mut { wp }, &opts),
    }
    .map_err(|e| e.to_string())?;
    let mut stats = outcome.stats;
    stats.resets += calibration.connections;
    stats.millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(ModelFile {
        peer: target.name(),
        role: role.into(),
        version: setup.version.name().into(),
        suite: setup.suite.openssl_name.into(),
        client_auth: setup.client_auth,
        dropped_symbols: dropped,
        complete: outcome.complete,
        stats,
        slowest_answer_us: sul.timing.slowest_per_input().iter().copied().map(micros).collect(),
        calibration_us: calibration.slowest.map(micros),
        silence_floor_us: micros(sul.timing.floor()),
        model: outcome.model,
    })
}

/// Learns `target` as a server. `hook` adjusts the built-in server's
/// configuration (ignored for other targets).
pub fn learn_server(
    target: &Target,
    setup: &Setup,
    hook: &dyn Fn(&mut ServerConfig),
) -> Result<ModelFile, String> {
    let started = Instant::now();
    let (symbols, dropped) = parse_alphabet(&setup.alphabet, setup.version.wire())?;
    check(setup, symbols.len())?;
    let ids = Identities::load(&setup.certs)?;
    let setup = &with_profile_floor(setup, target);
    let mut sul = server_sul(target, setup, &ids, symbols, hook)?;
    let calibration = calibrate(target, || sul.calibrate())?;
    let dropped = dropped.iter().map(|s| s.name().to_owned()).collect();
    run(&mut sul, target, setup, "server", dropped, calibration, started)
}

/// In memory silence is exact; a real peer's slowest step is measured by
/// `measure` (one connection).
fn calibrate(
    target: &Target,
    measure: impl FnOnce() -> Result<Option<Duration>, super::oracle::LearnError>,
) -> Result<Calibration, String> {
    Ok(match target {
        Target::Builtin => Calibration::default(),
        _ => Calibration { slowest: measure().map_err(|e| e.to_string())?, connections: 1 },
    })
}

/// `setup` with the least wait for silence raised to the profile's
/// `silence_ms` when that is longer: what the profile knows of its peer's
/// answer times is where learning starts (calibration and the answers
/// seen then raise the waits per input above it, never below). Not for a
/// client that stays up (`reset_by_line`): `silence_ms` covers a process
/// started per query, and a running one answers at its warm speed, which
/// its calibration measures.
pub fn with_profile_floor(setup: &Setup, target: &Target) -> Setup {
    let mut s = setup.clone();
    if let Target::Profile(p) = target
        && p.reset_by_line.is_none()
        && let Some(ms) = p.silence_ms
    {
        s.min_wait = s.min_wait.max(Duration::from_millis(ms));
    }
    s
}

/// A server under learning with the input alphabet `symbols`: the
/// connections to `target` and the learner's client. Learning and the
/// runner's word tests (`run::word`) both ask their queries of it.
pub fn server_sul(
    target: &Target,
    setup: &Setup,
    ids: &Identities,
    symbols: Vec<Symbol>,
    hook: &dyn Fn(&mut ServerConfig),
) -> Result<ServerSul, String> {
    let wire = setup.version.wire();
    let connect: Connect = match target {
        Target::Builtin => {
            let cert = ids.by_name.get("server").cloned().ok_or("no server identity")?;
            let mut config = ServerConfig {
                versions: shakedown_engine::VersionRange::only(wire),
                suites: vec![setup.suite.suite],
                client_auth: setup.client_auth.mode(),
                client_trust: Some(ids.anchors.clone()),
                ..ServerConfig::new(cert)
            };
            hook(&mut config);
            peers::builtin(Arc::new(config), setup.seed)
        }
        Target::Tcp(addr) => peers::tcp(addr.clone(), setup.connect_timeout),
        Target::Profile(p) => {
            let group = crate::vector::PeerSide { client_auth: setup.client_auth, ..Default::default() }
                .group()
                .to_owned();
            peers::profile((**p).clone(), group, setup.certs.clone(), setup.connect_timeout)
        }
    };
    let client = ClientSetup {
        version: wire,
        suite: setup.suite,
        identity: ids.by_name.get("client").cloned().map(Arc::new),
        untrusted: ids.by_name.get("untrusted-client").cloned().map(Arc::new),
        seed: setup.seed,
    };
    let timing = Timing::new(symbols.len(), setup.min_wait);
    Ok(ServerSul::new(symbols, client, connect, timing))
}

/// Learns `target` as a client: every query is a new connection from the
/// client to the learner's server: the built-in client in memory, or a
/// client profile's process started for each query. `hook` adjusts the
/// built-in client's configuration (tests set flaws there).
pub fn learn_client(
    target: &Target,
    setup: &Setup,
    hook: &dyn Fn(&mut ClientConfig),
) -> Result<ModelFile, String> {
    let started = Instant::now();
    let symbols = super::mapper::server::parse_alphabet(&setup.alphabet)?;
    check(setup, symbols.len())?;
    let ids = Identities::load(&setup.certs)?;
    let setup = &with_profile_floor(setup, target);
    let mut sul = client_sul(target, setup, &ids, symbols, hook)?;
    // A client that stays up is started by the first connection, slower
    // than it will ever be again (a JVM's class loading): that connection
    // warms it up, and its times are forgotten.
    let mut warm_up = 0;
    if let Target::Profile(p) = target
        && p.reset_by_line.is_some()
    {
        sul.calibrate().map_err(|e| e.to_string())?;
        sul.timing = Timing::new(sul.alphabet().len(), setup.min_wait);
        warm_up = 1;
    }
    let mut calibration = calibrate(target, || sul.calibrate())?;
    calibration.connections += warm_up;
    run(&mut sul, target, setup, "client", Vec::new(), calibration, started)
}

/// A client under learning with the input alphabet `symbols`: the
/// client's connections and the learner's server. Learning and the
/// runner's word tests both ask their queries of it.
pub fn client_sul(
    target: &Target,
    setup: &Setup,
    ids: &Identities,
    symbols: Vec<ServerSymbol>,
    hook: &dyn Fn(&mut ClientConfig),
) -> Result<ClientSul, String> {
    let wire = setup.version.wire();
    let connect: Connect = match target {
        Target::Builtin => {
            let mut config = ClientConfig {
                versions: shakedown_engine::VersionRange::only(wire),
                suites: vec![setup.suite.suite],
                server_name: Some("localhost".into()),
                trust: Some(ids.anchors.clone()),
                client_cert: ids.by_name.get("client").cloned(),
                ..ClientConfig::default()
            };
            hook(&mut config);
            peers::builtin_client(Arc::new(config), setup.seed)
        }
        Target::Profile(p) => {
            if !p.versions.contains(&setup.version) {
                return Err(format!("{} does not speak {}", p.name, setup.version.name()));
            }
            peers::profile_client((**p).clone(), setup.version, setup.certs.clone(), setup.connect_timeout)
        }
        Target::Tcp(_) => {
            return Err("a TCP address names a server; a client to learn is given by its profile".into());
        }
    };
    let server = ServerSetup {
        version: wire,
        suite: setup.suite,
        identity: ids.by_name.get("server").cloned().map(Arc::new).ok_or("no server identity")?,
        untrusted: ids.by_name.get("untrusted-server").cloned().map(Arc::new),
        seed: setup.seed,
    };
    let timing = Timing::new(symbols.len(), setup.min_wait);
    Ok(ClientSul::new(symbols, server, connect, timing))
}
