//! The stateful entry points: an engine server fed a client's bytes, an
//! engine client fed a server's, through whole handshakes.
//!
//! Everything but the input is fixed: the time ([`NOW`]), the random
//! seeds, the certificates (`vectors/certs`, compiled in and parsed once)
//! and [`InsecureFuzzing`] wrapped in a probe that records how far the
//! handshake got. Each input gets a fresh session cache holding one known
//! session per version, so resumption is reachable and no input depends on
//! an earlier one.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use super::script::Script;
use crate::config::{
    CertifiedKey, ClientAuthMode, ClientConfig, ServerConfig, SessionCache, SessionData, VersionRange,
};
use crate::conn::{Connection, ConnectionEvent};
use crate::crypto::key_schedule::MASTER_SECRET_LEN;
use crate::crypto::prf::PrfAlgorithm;
use crate::crypto::provider::{CryptoProvider, InsecureFuzzing};
use crate::crypto::rsa_kx::{PREMASTER_LEN, Pkcs1Tweak, RsaError, RsaPrivateKey, RsaPublicKey};
use crate::crypto::transcript::Transcript;
use crate::crypto::{RandomSource, SeededRandom, Side};
use crate::error::Error;
use crate::msgs::Deframer;
use crate::msgs::enums::{CipherSuite, ProtocolVersion};
use crate::x509::TrustAnchors;

/// 2026-11-29: inside the shipped certificates' validity.
pub const NOW: i64 = 1_795_910_400;

pub(super) const SERVER_RNG_SEED: u64 = 0x5345_5256;
pub(super) const CLIENT_RNG_SEED: u64 = 0x434c_4e54;

/// How far one stateful run got.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// The server decrypted a ClientKeyExchange, or the client built one
    /// after ServerHelloDone.
    pub key_exchange: bool,
    /// The peer's Finished was checked (verify_data computed for the
    /// peer's side).
    pub finished_checked: bool,
    /// The handshake completed (the peer's Finished verified).
    pub complete: bool,
    /// Application data arrived after the handshake.
    pub application_data: bool,
    /// The error that ended the connection, if one did.
    pub error: Option<Error>,
}

impl Progress {
    /// Prints a line the first time this process sees each stage, so a
    /// fuzzing log shows that the deep states are reached.
    pub fn log_first(&self, target: &str) {
        static SEEN: [AtomicBool; 4] = [const { AtomicBool::new(false) }; 4];
        let stages = [
            (self.key_exchange, "ClientKeyExchange processed"),
            (self.finished_checked, "Finished verification"),
            (self.complete, "handshake complete"),
            (self.application_data, "application data"),
        ];
        for ((reached, name), seen) in stages.iter().zip(&SEEN) {
            if *reached && !seen.swap(true, Ordering::Relaxed) {
                eprintln!("shakedown fuzz {target}: reached {name}");
            }
        }
    }
}

/// [`InsecureFuzzing`] plus a record of which steps were taken.
#[derive(Debug)]
struct Probe {
    side: Side,
    key_exchange: AtomicBool,
    finished_checked: AtomicBool,
}

impl Probe {
    fn new(side: Side) -> Arc<Self> {
        Arc::new(Self {
            side,
            key_exchange: AtomicBool::new(false),
            finished_checked: AtomicBool::new(false),
        })
    }
}

impl crate::crypto::wrapping::Wrapping for Probe {
    fn inner(&self) -> &dyn CryptoProvider {
        &InsecureFuzzing
    }

    fn name(&self) -> &'static str {
        "insecure-fuzzing-probe"
    }

    fn encrypt_premaster(
        &self,
        key: &RsaPublicKey,
        premaster: &[u8],
        rng: &mut dyn RandomSource,
        tweak: &Pkcs1Tweak,
    ) -> Result<Vec<u8>, RsaError> {
        self.key_exchange.store(true, Ordering::Relaxed);
        InsecureFuzzing.encrypt_premaster(key, premaster, rng, tweak)
    }

    fn decrypt_premaster(
        &self,
        key: &RsaPrivateKey,
        ciphertext: &[u8],
        client_version: ProtocolVersion,
        rng: &mut dyn RandomSource,
    ) -> [u8; PREMASTER_LEN] {
        self.key_exchange.store(true, Ordering::Relaxed);
        InsecureFuzzing.decrypt_premaster(key, ciphertext, client_version, rng)
    }

    fn verify_data(
        &self,
        prf: PrfAlgorithm,
        master: &[u8; MASTER_SECRET_LEN],
        sender: Side,
        transcript: &Transcript,
    ) -> Vec<u8> {
        if sender != self.side {
            self.finished_checked.store(true, Ordering::Relaxed);
        }
        InsecureFuzzing.verify_data(prf, master, sender, transcript)
    }
}

struct Identities {
    server: CertifiedKey,
    client: CertifiedKey,
    anchors: TrustAnchors,
}

// Compile-time constants that the engine's own tests load too: a failure
// here is a broken checkout, not an input.
#[allow(clippy::expect_used)]
fn identities() -> &'static Identities {
    static IDS: OnceLock<Identities> = OnceLock::new();
    IDS.get_or_init(|| Identities {
        server: CertifiedKey::from_pem(
            include_str!("../../../vectors/certs/server.chain.pem"),
            include_str!("../../../vectors/certs/server.key.pem"),
        )
        .expect("vectors/certs/server.*"),
        client: CertifiedKey::from_pem(
            include_str!("../../../vectors/certs/client.pem"),
            include_str!("../../../vectors/certs/client.key.pem"),
        )
        .expect("vectors/certs/client.*"),
        anchors: TrustAnchors::from_pem(include_str!("../../../vectors/certs/ca.pem"))
            .expect("vectors/certs/ca.pem"),
    })
}

/// Options bits 6-7: every version, SSL 3.0 only, TLS 1.0-1.1, TLS 1.2 only.
fn versions(options: u8) -> VersionRange {
    match options >> 6 {
        0 => VersionRange::ALL,
        1 => VersionRange::only(ProtocolVersion::Ssl3),
        2 => VersionRange { min: ProtocolVersion::Tls10, max: ProtocolVersion::Tls11 },
        _ => VersionRange::only(ProtocolVersion::Tls12),
    }
}

/// The resumable session of `version` that every fuzzing server knows.
pub(super) fn known_session(version: ProtocolVersion) -> SessionData {
    SessionData {
        session_id: vec![0x50 | (version.get() & 0xf) as u8; 32],
        version,
        suite: CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
        master_secret: [0x11; MASTER_SECRET_LEN],
        // RFC 7627 is TLS-only.
        extended_master_secret: !version.is_ssl3(),
    }
}

/// The server of the [`server`] target. Options: bits 0-1 client auth
/// (off, request, require, request), bit 2 prefer the client's suite order,
/// bit 3 encrypt_then_mac, bit 4 no extended_master_secret, bit 5 no
/// secure renegotiation, bits 6-7 the versions (see `versions`).
pub fn server_config(options: u8, provider: Arc<dyn CryptoProvider>) -> Arc<ServerConfig> {
    let ids = identities();
    let session_cache = SessionCache::new(8);
    for v in ProtocolVersion::SUPPORTED {
        session_cache.put(known_session(v));
    }
    Arc::new(ServerConfig {
        versions: versions(options),
        prefer_client_order: options & 4 != 0,
        client_auth: match options & 3 {
            0 => ClientAuthMode::Off,
            2 => ClientAuthMode::Require,
            _ => ClientAuthMode::Request,
        },
        client_trust: Some(ids.anchors.clone()),
        session_cache,
        encrypt_then_mac: options & 8 != 0,
        extended_master_secret: options & 16 == 0,
        secure_renegotiation: options & 32 == 0,
        provider,
        ..ServerConfig::new(ids.server.clone())
    })
}

/// The client of the [`client`] target. Options: bit 0 has a client
/// certificate, bit 1 verifies the server's chain (for "localhost"), bit 2
/// resumes the known session of its lowest version, bit 3
/// encrypt_then_mac, bit 4 no extended_master_secret, bit 5 no secure
/// renegotiation, bits 6-7 the versions (see `versions`).
pub fn client_config(options: u8, provider: Arc<dyn CryptoProvider>) -> Arc<ClientConfig> {
    let ids = identities();
    let versions = versions(options);
    let verify = options & 2 != 0;
    Arc::new(ClientConfig {
        versions,
        server_name: verify.then(|| "localhost".into()),
        trust: verify.then(|| ids.anchors.clone()),
        client_cert: (options & 1 != 0).then(|| ids.client.clone()),
        resume: (options & 4 != 0).then(|| known_session(versions.min)),
        encrypt_then_mac: options & 8 != 0,
        extended_master_secret: options & 16 == 0,
        secure_renegotiation: options & 32 == 0,
        provider,
        ..ClientConfig::default()
    })
}

/// The engine's own output must always deframe into whole records.
fn check_output(conn: &mut Connection) {
    let out = conn.take_output();
    let mut deframer = Deframer::new();
    deframer.push(&out);
    while let Ok(Some(_)) = deframer.pop() {}
    assert_eq!(deframer.buffered(), 0, "the engine sent a partial or oversized record");
}

fn run(mut conn: Connection, probe: &Probe, input: &[u8]) -> Progress {
    check_output(&mut conn);
    let result = conn.feed(input);
    check_output(&mut conn);
    let mut progress = Progress::default();
    while let Some(event) = conn.next_event() {
        match event {
            ConnectionEvent::HandshakeComplete(_) => progress.complete = true,
            ConnectionEvent::ApplicationData(_) => progress.application_data = true,
            _ => {}
        }
    }
    if let Err(e) = result {
        // A dead connection stays dead with the same error.
        assert_eq!(conn.feed(b"\x16\x03\x01\x00\x00").as_ref(), Err(&e));
        progress.error = Some(e);
    } else if progress.complete {
        let _ = conn.send_application_data(b"fuzz");
        conn.close();
        check_output(&mut conn);
    }
    let _ = conn.feed_eof();
    progress.key_exchange = probe.key_exchange.load(Ordering::Relaxed);
    progress.finished_checked = probe.finished_checked.load(Ordering::Relaxed);
    progress
}

fn run_server(options: u8, input: &[u8]) -> Progress {
    let probe = Probe::new(Side::Server);
    let conn = Connection::server(
        server_config(options, probe.clone()),
        Box::new(SeededRandom::from_seed(SERVER_RNG_SEED)),
        NOW,
    );
    run(conn, &probe, input)
}

fn run_client(options: u8, input: &[u8]) -> Progress {
    let probe = Probe::new(Side::Client);
    let conn = match Connection::client(
        client_config(options, probe.clone()),
        Box::new(SeededRandom::from_seed(CLIENT_RNG_SEED)),
        NOW,
    ) {
        Ok(c) => c,
        Err(e) => {
            return Progress { error: Some(e), ..Progress::default() };
        }
    };
    run(conn, &probe, input)
}

/// The engine server fed a client's bytes: first byte the options of
/// [`server_config`], the rest received in one go.
pub fn server(data: &[u8]) -> Progress {
    let (options, rest) = data.split_first().map_or((0, data), |(o, r)| (*o, r));
    run_server(options, rest)
}

/// The engine client fed a server's bytes: first byte the options of
/// [`client_config`], the rest received in one go.
pub fn client(data: &[u8]) -> Progress {
    let (options, rest) = data.split_first().map_or((0, data), |(o, r)| (*o, r));
    run_client(options, rest)
}

/// [`server`] with a structured input: well-framed messages, fuzzed bodies.
pub fn server_script(script: &Script) -> Progress {
    run_server(script.options, &script.wire_bytes())
}

/// [`client`] with a structured input.
pub fn client_script(script: &Script) -> Progress {
    run_client(script.options, &script.wire_bytes())
}
