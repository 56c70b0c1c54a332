//! The seed corpus: engine-to-engine loopback transcripts under
//! [`InsecureFuzzing`] (so records are cleartext), over every version and
//! suite, with and without client authentication and resumption, cut into
//! inputs for every target. `fuzz/gen-corpus.sh` writes them to
//! `fuzz/corpus/<target>/`.
//!
//! The stateful seeds are made against the very server and client the
//! stateful targets build (same options byte, randomness and time), so
//! replaying one reaches the end of the handshake.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::script::Script;
use super::stateful::{NOW, client_config, server_config};
use crate::codec::Codec;
use crate::config::{ClientAuthMode, ClientConfig, ServerConfig, VersionRange};
use crate::conn::Connection;
use crate::crypto::SeededRandom;
use crate::crypto::provider::InsecureFuzzing;
use crate::crypto::record::{ByteFlip, RecordSealer, SealTweak};
use crate::msgs::enums::{ContentType, HandshakeType, ProtocolVersion};
use crate::msgs::{ClientHello, Deframed, Deframer, HandshakeJoiner, ServerHello, Sslv2ClientHello};
use crate::suites::{ALL_SUITES, SuiteInfo};

/// One seed: the target it is for and its bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SeedFile {
    pub target: &'static str,
    pub data: Vec<u8>,
}

impl SeedFile {
    /// A stable file name: a 64-bit FNV-1a hash of the bytes.
    pub fn name(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in &self.data {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        format!("seed-{h:016x}")
    }
}

/// What one loopback sent each way.
struct Transcript {
    version: ProtocolVersion,
    client_to_server: Vec<u8>,
    server_to_client: Vec<u8>,
}

/// Options bits 6-7 that admit `v` (see `stateful::versions`).
fn version_bits(v: ProtocolVersion) -> u8 {
    match v {
        ProtocolVersion::Ssl3 => 0x40,
        ProtocolVersion::Tls10 | ProtocolVersion::Tls11 => 0x80,
        _ => 0xc0,
    }
}

fn context_byte(v: ProtocolVersion) -> u8 {
    match v {
        ProtocolVersion::Ssl3 => 0,
        ProtocolVersion::Tls10 => 1,
        ProtocolVersion::Tls11 => 2,
        _ => 3,
    }
}

/// Runs a handshake, one application record each way and close_notify.
fn loopback(mut c: Connection, mut s: Connection) -> Option<Transcript> {
    let mut t = Transcript {
        version: ProtocolVersion::Tls10,
        client_to_server: Vec::new(),
        server_to_client: Vec::new(),
    };
    let mut sent_data = false;
    for _ in 0..50 {
        if !c.is_handshaking() && !s.is_handshaking() && !sent_data {
            sent_data = true;
            c.send_application_data(b"ping").ok()?;
            s.send_application_data(b"pong").ok()?;
            c.close();
        }
        let c2s = c.take_output();
        let s2c = s.take_output();
        if c2s.is_empty() && s2c.is_empty() {
            break;
        }
        t.client_to_server.extend_from_slice(&c2s);
        t.server_to_client.extend_from_slice(&s2c);
        s.feed(&c2s).ok()?;
        c.feed(&s2c).ok()?;
    }
    t.version = c.version();
    (sent_data && c.error().is_none() && s.error().is_none()).then_some(t)
}

fn insecure() -> Arc<InsecureFuzzing> {
    Arc::new(InsecureFuzzing)
}

/// A transcript of the `server` target's server (options `options`)
/// against a plain engine client.
fn against_fuzz_server(options: u8, client: ClientConfig, seed: u64) -> Option<Transcript> {
    let c = Connection::client(Arc::new(client), Box::new(SeededRandom::from_seed(seed)), NOW).ok()?;
    let s = Connection::server(
        server_config(options, insecure()),
        Box::new(SeededRandom::from_seed(super::stateful::SERVER_RNG_SEED)),
        NOW,
    );
    loopback(c, s)
}

/// A transcript of the `client` target's client (options `options`)
/// against a plain engine server.
fn against_fuzz_client(options: u8, server: ServerConfig, seed: u64) -> Option<Transcript> {
    let c = Connection::client(
        client_config(options, insecure()),
        Box::new(SeededRandom::from_seed(super::stateful::CLIENT_RNG_SEED)),
        NOW,
    )
    .ok()?;
    let s = Connection::server(Arc::new(server), Box::new(SeededRandom::from_seed(seed)), NOW);
    loopback(c, s)
}

fn plain_client(version: ProtocolVersion, suite: &SuiteInfo) -> ClientConfig {
    ClientConfig {
        versions: VersionRange::only(version),
        suites: vec![suite.suite],
        provider: insecure(),
        ..ClientConfig::default()
    }
}

fn plain_server(version: ProtocolVersion, suite: &SuiteInfo, auth: ClientAuthMode) -> ServerConfig {
    let base = server_config(0, insecure());
    ServerConfig {
        versions: VersionRange::only(version),
        suites: vec![suite.suite],
        client_auth: auth,
        ..(*base).clone()
    }
}

/// Every (options, transcript) pair for the server and client targets.
fn stateful_transcripts() -> (Seeded, Seeded) {
    let mut server = Vec::new();
    let mut client = Vec::new();
    let mut seed = 1;
    for version in ProtocolVersion::SUPPORTED {
        let bits = version_bits(version);
        let suites: Vec<&SuiteInfo> = ALL_SUITES.iter().filter(|s| s.usable_with(version)).collect();
        for suite in &suites {
            seed += 2;
            // Server target: every suite, no client authentication.
            if let Some(t) = against_fuzz_server(bits, plain_client(version, suite), seed) {
                server.push((bits, t));
            }
            // Client target: every suite, not verifying the chain.
            if let Some(t) =
                against_fuzz_client(bits, plain_server(version, suite, ClientAuthMode::Off), seed)
            {
                client.push((bits, t));
            }
        }
        let Some(first) = suites.first() else { continue };
        let ids_client = client_config(1, insecure());
        // Client authentication: requested and refused, required and given.
        for (auth_bits, cert) in [(1u8, false), (2, true)] {
            seed += 2;
            let c = ClientConfig {
                client_cert: cert.then(|| ids_client.client_cert.clone()).flatten(),
                ..plain_client(version, first)
            };
            if let Some(t) = against_fuzz_server(bits | auth_bits, c, seed) {
                server.push((bits | auth_bits, t));
            }
            let auth = match cert {
                true => ClientAuthMode::Require,
                false => ClientAuthMode::Request,
            };
            let opts = bits | u8::from(cert) | 2;
            if let Some(t) = against_fuzz_client(opts, plain_server(version, first, auth), seed) {
                client.push((opts, t));
            }
        }
        // Resumption of the session every fuzzing server knows.
        seed += 2;
        let c = ClientConfig {
            resume: Some(super::stateful::known_session(version)),
            versions: VersionRange::only(version),
            provider: insecure(),
            ..ClientConfig::default()
        };
        if let Some(t) = against_fuzz_server(bits, c, seed) {
            server.push((bits, t));
        }
        let s =
            ServerConfig { versions: VersionRange::only(version), ..(*server_config(0, insecure())).clone() };
        if let Some(t) = against_fuzz_client(bits | 4, s, seed) {
            client.push((bits | 4, t));
        }
    }
    (server, client)
}

/// Handshake messages, header included, with their types.
type Messages = Vec<(HandshakeType, Vec<u8>)>;

/// Stateful seeds: the options byte and the loopback it was made with.
type Seeded = Vec<(u8, Transcript)>;

/// The records of a stream (plaintext) and the handshake messages in it.
fn split(stream: &[u8]) -> (Vec<Vec<u8>>, Messages) {
    let mut deframer = Deframer::new();
    deframer.push(stream);
    let mut joiner = HandshakeJoiner::new();
    let mut records = Vec::new();
    let mut messages = Vec::new();
    while let Ok(Some(Deframed::Record(r))) = deframer.pop() {
        if r.content_type == ContentType::Handshake {
            joiner.push(&r.fragment);
            while let Ok(Some(m)) = joiner.pop() {
                messages.push((m.typ(), m.into_raw()));
            }
        }
        records.push(r.to_bytes());
    }
    (records, messages)
}

/// `record_open` seeds: for every configuration, three records under its
/// keys behind their 2-byte lengths: an honest one, one with the longest
/// padding the suite allows, and one with a flipped MAC bit (the opener
/// refuses it, and the fuzzer starts on either side of the MAC check).
fn record_open_seeds(out: &mut BTreeSet<SeedFile>) {
    for b in 0..super::record_open_configs() {
        let Ok(head) = u8::try_from(b) else { continue };
        let Some((suite, version, etm)) = super::record_open_config(head) else { continue };
        let keys = super::record_open_keys(suite, version);
        let Ok(mut sealer) = RecordSealer::new(suite, version, &keys, etm) else { continue };
        let mut rng = SeededRandom::from_seed(u64::from(head));
        let tweaks = [
            SealTweak::default(),
            SealTweak { padding_len: Some(if version.is_ssl3() { 0 } else { 255 }), ..SealTweak::default() },
            SealTweak { corrupt_mac: Some(ByteFlip { index: 1, xor: 0x04 }), ..SealTweak::default() },
        ];
        let mut data = vec![head];
        for (i, tweak) in tweaks.iter().enumerate() {
            let pt: Vec<u8> = (0..(20 + 37 * i)).map(|j| j as u8).collect();
            let record = sealer.seal(ContentType::ApplicationData, version, &pt, &mut rng, tweak);
            let len = u16::try_from(record.len()).unwrap_or(u16::MAX);
            data.extend_from_slice(&len.to_be_bytes());
            data.extend_from_slice(&record);
        }
        out.insert(SeedFile { target: "record_open", data });
    }
}

fn with_head(b: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![b];
    v.extend_from_slice(body);
    v
}

/// Parser seeds from one direction of a transcript.
/// Whole streams (record, reassembly) only where `streams` is set: they
/// are most of the corpus's size and differ little between suites.
fn parser_seeds(
    t: &Transcript,
    stream: &[u8],
    from_client: bool,
    streams: bool,
    out: &mut BTreeSet<SeedFile>,
) {
    let mut add = |target: &'static str, data: Vec<u8>| {
        out.insert(SeedFile { target, data });
    };
    let ctx = context_byte(t.version);
    let (records, messages) = split(stream);
    if streams {
        let handshake: Vec<u8> = messages.iter().flat_map(|(_, raw)| raw.clone()).collect();
        add("record", with_head(u8::from(from_client) | 0x7c, stream));
        add("reassembly", with_head(ctx | 0xf8, &handshake));
    }
    for r in records {
        match r.first().copied() {
            Some(21) => add("alert_ccs", with_head(0, r.get(5..).unwrap_or_default())),
            Some(20) => add("alert_ccs", with_head(1, r.get(5..).unwrap_or_default())),
            _ => {}
        }
    }
    for (typ, raw) in messages {
        let body = raw.get(4..).unwrap_or_default().to_vec();
        match typ {
            HandshakeType::ClientHello => {
                if let Ok(h) = ClientHello::from_bytes(&body)
                    && let Some(exts) = h.extensions
                {
                    add("extensions", with_head(0, &ext_block(&exts)));
                }
                add("client_hello", body);
            }
            HandshakeType::ServerHello => {
                if let Ok(h) = ServerHello::from_bytes(&body)
                    && let Some(exts) = h.extensions
                {
                    add("extensions", with_head(1, &ext_block(&exts)));
                }
                add("server_hello", body);
            }
            HandshakeType::Certificate => {
                add("x509_chain", with_head(u8::from(from_client) | 2, &body));
                add("certificate", body);
            }
            HandshakeType::CertificateRequest => add("certificate_request", with_head(ctx, &body)),
            HandshakeType::ClientKeyExchange => add("client_key_exchange", with_head(ctx, &body)),
            HandshakeType::CertificateVerify => add("certificate_verify", with_head(ctx, &body)),
            HandshakeType::Finished => add("finished", with_head(ctx, &body)),
            _ => {}
        }
    }
}

fn ext_block(exts: &[crate::msgs::Extension]) -> Vec<u8> {
    let mut out = Vec::new();
    crate::msgs::extensions::encode_extensions(exts, &mut out);
    out
}

/// An SSLv2-compatible ClientHello offering every suite.
fn sslv2_hello() -> Vec<u8> {
    Sslv2ClientHello {
        version: ProtocolVersion::Tls12,
        cipher_specs: ALL_SUITES
            .iter()
            .map(|s| {
                let [hi, lo] = s.suite.get().to_be_bytes();
                [0, hi, lo]
            })
            .chain([[1, 0, 0x80]])
            .collect(),
        session_id: Vec::new(),
        challenge: vec![0x42; 16],
    }
    .to_bytes()
}

/// Certificates that fail validation in different ways, as x509 seeds.
const EXTRA_CERTS: [&[u8]; 6] = [
    include_bytes!("../../../vectors/certs/expired-client.der"),
    include_bytes!("../../../vectors/certs/untrusted-server.der"),
    include_bytes!("../../../vectors/certs/server-sha1.der"),
    include_bytes!("../../../vectors/certs/server-no-keyenc.der"),
    include_bytes!("../../../vectors/certs/int.der"),
    include_bytes!("../../../vectors/certs/ca.der"),
];

/// The whole seed corpus, every target, deduplicated.
pub fn seed_corpus() -> Vec<SeedFile> {
    let (server, client) = stateful_transcripts();
    let mut out = BTreeSet::new();
    for (i, (options, t)) in server.iter().enumerate() {
        out.insert(SeedFile { target: "server", data: with_head(*options, &t.client_to_server) });
        // Structured seeds: one suite per version and every special case
        // (the stateful corpora dominate the size).
        if i % 3 == 0 || options & 3 != 0 {
            out.insert(SeedFile {
                target: "server_structured",
                data: Script::from_wire(*options, &t.client_to_server).to_fuzz_bytes(),
            });
        }
        let streams = i % 4 == 0 || options & 3 != 0;
        parser_seeds(t, &t.client_to_server, true, streams, &mut out);
        parser_seeds(t, &t.server_to_client, false, streams, &mut out);
    }
    for (i, (options, t)) in client.iter().enumerate() {
        out.insert(SeedFile { target: "client", data: with_head(*options, &t.server_to_client) });
        if i % 3 == 0 || options & 7 != 0 {
            out.insert(SeedFile {
                target: "client_structured",
                data: Script::from_wire(*options, &t.server_to_client).to_fuzz_bytes(),
            });
        }
    }
    let v2 = sslv2_hello();
    out.insert(SeedFile { target: "server", data: with_head(0, &v2) });
    out.insert(SeedFile { target: "record", data: with_head(1, &v2) });
    out.insert(SeedFile { target: "sslv2_client_hello", data: v2 });
    for (i, der) in EXTRA_CERTS.iter().enumerate() {
        out.insert(SeedFile { target: "x509_chain", data: with_head(i as u8 & 3, der) });
    }
    for alert in [[2u8, 40], [1, 0], [1, 41], [2, 255]] {
        out.insert(SeedFile { target: "alert_ccs", data: with_head(0, &alert) });
    }
    record_open_seeds(&mut out);
    out.into_iter().collect()
}
