//! The probes: classes generated before timing starts, then one connection
//! per sample in seeded random block order, each timed at the socket from
//! the probe's last byte leaving to the peer's first answer byte (or close).

pub mod lucky13;
pub mod marvin;
pub mod memory;
pub mod schedule;
pub mod wire;

use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use shakedown_engine::crypto::SeededRandom;
use shakedown_engine::deviate::{Deviations, Knob};
use shakedown_engine::msgs::enums::{HandshakeType, ProtocolVersion};
use shakedown_engine::suites::SuiteInfo;
use shakedown_engine::{ClientConfig, Connection, ConnectionEvent, ServerConfig, VersionRange};

use super::analysis::Samples;
use crate::args::now_unix;
use schedule::Schedule;
use wire::Answer;

/// Which side channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeKind {
    /// RSA premaster padding (Bleichenbacher 1998, ROBOT, Marvin).
    Marvin,
    /// CBC padding length (Lucky Thirteen).
    Lucky13,
}

impl std::str::FromStr for ProbeKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "marvin" => Ok(Self::Marvin),
            "lucky13" => Ok(Self::Lucky13),
            other => Err(format!("probe `{other}`: use marvin or lucky13")),
        }
    }
}

/// Where the samples come from.
#[derive(Debug, Clone)]
pub enum Peer {
    /// A server at this address, timed at the socket.
    Tcp(String),
    /// The engine's server in memory, timed with this thread's CPU clock.
    Memory(Arc<ServerConfig>),
    /// Only the operation under test, called with this server's provider
    /// and key, timed with this thread's CPU clock.
    Primitive(Arc<ServerConfig>),
}

/// What to measure, against which peer.
#[derive(Debug, Clone)]
pub struct Plan {
    pub peer: Peer,
    pub probe: ProbeKind,
    pub version: ProtocolVersion,
    pub suite: &'static SuiteInfo,
    /// Samples per class.
    pub samples: usize,
    /// The classes to keep, by name; empty keeps every class.
    pub classes: Vec<String>,
    pub seed: u64,
    /// Deadline of each step of one connection.
    pub timeout: Duration,
    /// Print progress to standard error.
    pub progress: bool,
}

/// A class as the report names it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClassInfo {
    pub name: String,
    pub what: String,
    /// Why the class may differ without leaking a secret, if it may.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public: Option<String>,
}

/// One timed sample.
#[derive(Debug, Clone)]
pub struct Sample {
    pub block: usize,
    /// Position within the block's random order.
    pub position: usize,
    pub class: usize,
    pub nanos: u64,
    pub answer: Answer,
    /// Where it went on the wire (socket peers only).
    pub wire: Option<wire::Wire>,
    /// Under the capture clock: the socket clock's time and the answer
    /// the capture saw, kept beside the capture's time in `nanos`.
    pub socket_nanos: Option<u64>,
    pub capture_answer: Option<Answer>,
}

/// Everything a run collected.
#[derive(Debug, Clone)]
pub struct Collected {
    pub classes: Vec<ClassInfo>,
    pub samples: Vec<Sample>,
    /// Complete blocks only, for the analysis.
    pub paired: Samples,
    /// Connections that failed before an answer (retried).
    pub failures: usize,
    pub wall: Duration,
}

impl Collected {
    /// Classes that differ in something public.
    pub fn public_classes(&self) -> Vec<String> {
        self.classes.iter().filter(|c| c.public.is_some()).map(|c| c.name.clone()).collect()
    }
}

/// Consecutive failed attempts after which the run stops.
const MAX_FAILURES_IN_A_ROW: usize = 20;

/// What one sample of a class sends.
enum Prepared {
    Marvin(Vec<Vec<u8>>),
    Lucky13(Vec<lucky13::Lucky13Class>),
}

pub fn run(plan: &Plan) -> Result<Collected, String> {
    let started = Instant::now();
    let config = client_config(plan, Deviations::none());
    let (infos, prepared) = prepare(plan, &config)?;
    let k = infos.len();
    let lucky_configs: Vec<Arc<ClientConfig>> = match &prepared {
        Prepared::Lucky13(cs) => cs
            .iter()
            .map(|c| {
                client_config(plan, Deviations(vec![Knob::TweakRecord { on: None, tweak: c.tweak.clone() }]))
            })
            .collect(),
        Prepared::Marvin(_) => Vec::new(),
    };
    let one = |class: usize, seed: u64| -> Result<(Duration, Answer, Option<wire::Wire>), String> {
        match (&prepared, &plan.peer) {
            (Prepared::Marvin(ckes), peer) => {
                let cke = ckes.get(class).ok_or("no such class")?;
                match peer {
                    Peer::Tcp(address) => marvin_sample(plan, address, &config, cke, seed),
                    Peer::Memory(server) => memory::marvin_sample(server, &config, cke, seed),
                    Peer::Primitive(server) => memory::marvin_primitive(server, cke, plan.version, seed),
                }
            }
            (Prepared::Lucky13(cs), peer) => {
                let c = cs.get(class).ok_or("no such class")?;
                let cfg = lucky_configs.get(class).ok_or("no such class")?;
                match peer {
                    Peer::Tcp(address) => lucky13_sample(plan, address, cfg, c.payload_len, seed),
                    Peer::Memory(server) => memory::lucky13_sample(server, cfg, c.payload_len, seed),
                    Peer::Primitive(server) => {
                        memory::lucky13_primitive(server, plan.suite, plan.version, cs, class, seed)
                    }
                }
            }
        }
    };
    // One untimed block first: the peer's caches and the first-connection
    // costs do not land on whichever class happens to go first.
    for class in 0..k {
        one(class, plan.seed ^ 0xdead_beef ^ class as u64)?;
    }
    let mut schedule = Schedule::new(k, plan.seed);
    let mut samples = Vec::with_capacity(plan.samples * k);
    let mut paired = Samples {
        classes: infos.iter().map(|c| c.name.clone()).collect(),
        blocks: Vec::with_capacity(plan.samples),
    };
    let (mut failures, mut in_a_row) = (0usize, 0usize);
    let mut counter = 0u64;
    for block in 0..plan.samples {
        let mut times = vec![0.0; k];
        for (position, class) in schedule.next_block().into_iter().enumerate() {
            loop {
                counter += 1;
                match one(class, plan.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(counter)) {
                    Ok((elapsed, answer, wire)) => {
                        in_a_row = 0;
                        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
                        if let Some(t) = times.get_mut(class) {
                            *t = nanos as f64;
                        }
                        samples.push(Sample {
                            block,
                            position,
                            class,
                            nanos,
                            answer,
                            wire,
                            socket_nanos: None,
                            capture_answer: None,
                        });
                        break;
                    }
                    Err(e) => {
                        failures += 1;
                        in_a_row += 1;
                        if in_a_row >= MAX_FAILURES_IN_A_ROW {
                            return Err(format!("{in_a_row} connections in a row failed; last: {e}"));
                        }
                    }
                }
            }
        }
        paired.blocks.push(times);
        if plan.progress && (block + 1) % (plan.samples / 10).max(1) == 0 {
            crate::tell!(
                "timing: {}/{} blocks, {:.0} s, {failures} failed connections",
                block + 1,
                plan.samples,
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(Collected { classes: infos, samples, paired, failures, wall: started.elapsed() })
}

fn client_config(plan: &Plan, deviations: Deviations) -> Arc<ClientConfig> {
    Arc::new(ClientConfig {
        versions: VersionRange::only(plan.version),
        suites: vec![plan.suite.suite],
        deviations,
        ..ClientConfig::default()
    })
}

/// Builds every class before the first timed sample, keeping the ones
/// the plan names.
fn prepare(plan: &Plan, config: &Arc<ClientConfig>) -> Result<(Vec<ClassInfo>, Prepared), String> {
    let (infos, prepared) = prepare_all(plan, config)?;
    if plan.classes.is_empty() {
        return Ok((infos, prepared));
    }
    let names: Vec<&str> = infos.iter().map(|c| c.name.as_str()).collect();
    if let Some(unknown) = plan.classes.iter().find(|c| !names.contains(&c.as_str())) {
        return Err(format!(
            "--classes: no class `{unknown}` in this probe; its classes: {}",
            names.join(", ")
        ));
    }
    let keep: Vec<bool> = names.iter().map(|n| plan.classes.iter().any(|c| c == n)).collect();
    if keep.iter().filter(|&&k| k).count() < 2 {
        return Err("--classes: name at least two classes, or a comparison has nothing to compare".into());
    }
    let infos = kept(infos, &keep);
    let prepared = match prepared {
        Prepared::Marvin(v) => Prepared::Marvin(kept(v, &keep)),
        Prepared::Lucky13(v) => Prepared::Lucky13(kept(v, &keep)),
    };
    Ok((infos, prepared))
}

/// The items of `items` whose place in `keep` is true.
fn kept<T>(items: Vec<T>, keep: &[bool]) -> Vec<T> {
    items.into_iter().zip(keep).filter_map(|(item, &k)| k.then_some(item)).collect()
}

fn prepare_all(plan: &Plan, config: &Arc<ClientConfig>) -> Result<(Vec<ClassInfo>, Prepared), String> {
    match plan.probe {
        ProbeKind::Marvin => {
            let key = match &plan.peer {
                Peer::Tcp(address) => server_key(plan, address, config)?,
                Peer::Memory(server) | Peer::Primitive(server) => server.cert.key.as_public_key().clone(),
            };
            let classes = marvin::classes(&key, plan.version, plan.seed)?;
            let infos = classes
                .iter()
                .map(|c| ClassInfo {
                    name: c.name.into(),
                    what: c.what.into(),
                    public: c.public.map(String::from),
                })
                .collect();
            let ckes = classes.iter().map(|c| client_key_exchange(&c.body)).collect();
            Ok((infos, Prepared::Marvin(ckes)))
        }
        ProbeKind::Lucky13 => {
            let classes = lucky13::classes(plan.suite, plan.version)?;
            let infos = classes
                .iter()
                .map(|c| ClassInfo { name: c.name.into(), what: c.what.clone(), public: None })
                .collect();
            Ok((infos, Prepared::Lucky13(classes)))
        }
    }
}

/// The handshake message around a ClientKeyExchange body (RFC 5246 7.4).
fn client_key_exchange(body: &[u8]) -> Vec<u8> {
    let len = u32::try_from(body.len()).unwrap_or(0).to_be_bytes();
    let mut msg = vec![HandshakeType::ClientKeyExchange.get()];
    msg.extend_from_slice(len.get(1..).unwrap_or_default());
    msg.extend_from_slice(body);
    msg
}

fn open(
    plan: &Plan,
    address: &str,
    config: &Arc<ClientConfig>,
    seed: u64,
) -> Result<(Connection, TcpStream), String> {
    let stream = wire::connect(address, plan.timeout)?;
    let conn = Connection::client(config.clone(), Box::new(SeededRandom::from_seed(seed)), now_unix())
        .map_err(|e| e.to_string())?;
    Ok((conn, stream))
}

/// One full handshake to learn the server's RSA key (from its leaf).
fn server_key(
    plan: &Plan,
    address: &str,
    config: &Arc<ClientConfig>,
) -> Result<shakedown_engine::crypto::keys::RsaPublicKey, String> {
    let (mut conn, mut stream) = open(plan, address, config, plan.seed)?;
    let events = wire::drive(&mut conn, &mut stream, plan.timeout, |_, ev| {
        ev.iter().any(|e| matches!(e, ConnectionEvent::HandshakeComplete(_)))
    })
    .map_err(|e| format!("handshake to learn the server's key: {e}"))?;
    let leaf = events
        .iter()
        .find_map(|e| match e {
            ConnectionEvent::HandshakeComplete(s) => s.peer_certificates.first().cloned(),
            _ => None,
        })
        .ok_or("the server sent no certificate")?;
    shakedown_engine::x509::leaf_public_key(&leaf).map_err(|e| format!("the server's certificate: {e}"))
}

/// ClientHello, the server's flight, then our ClientKeyExchange with the
/// engine's own ChangeCipherSpec and Finished, timed.
fn marvin_sample(
    plan: &Plan,
    address: &str,
    config: &Arc<ClientConfig>,
    cke: &[u8],
    seed: u64,
) -> Result<(Duration, Answer, Option<wire::Wire>), String> {
    let (mut conn, mut stream) = open(plan, address, config, seed)?;
    let hello = conn.take_output();
    std::io::Write::write_all(&mut stream, &hello).map_err(|e| format!("send ClientHello: {e}"))?;
    // The engine has something to say again once it has read
    // ServerHelloDone: its own key exchange flight.
    wire::drive(&mut conn, &mut stream, plan.timeout, |c, _| c.has_output())?;
    let flight = conn.take_output();
    let probe = wire::swap_client_key_exchange(&flight, cke)?;
    wire::timed_exchange(&mut stream, &probe, plan.timeout)
}

/// A full handshake, then one application-data record sealed with the
/// class's tweak, timed.
fn lucky13_sample(
    plan: &Plan,
    address: &str,
    config: &Arc<ClientConfig>,
    payload_len: usize,
    seed: u64,
) -> Result<(Duration, Answer, Option<wire::Wire>), String> {
    let (mut conn, mut stream) = open(plan, address, config, seed)?;
    wire::drive(&mut conn, &mut stream, plan.timeout, |c, ev| {
        !c.has_output() && ev.iter().any(|e| matches!(e, ConnectionEvent::HandshakeComplete(_)))
    })?;
    conn.send_application_data(&vec![b'a'; payload_len]).map_err(|e| e.to_string())?;
    let probe = conn.take_output();
    wire::timed_exchange(&mut stream, &probe, plan.timeout)
}
