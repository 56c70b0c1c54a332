//! Engine configurations from a case: the knobbed side (the engine) and,
//! for the built-in peer, the honest side.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use shakedown_engine::config::CertifiedKey;
use shakedown_engine::crypto::provider::{CryptoProvider, RustCrypto};
use shakedown_engine::deviate::{Deviations, Knob};
use shakedown_engine::x509::TrustAnchors;
use shakedown_engine::{ClientConfig, ServerConfig, SessionCache, SessionData, VersionRange};

use crate::vector::{Case, KNOWN_IDENTITIES, Range, Role};

/// 2026-11-29: inside the shipped certificates' validity; a fixed clock
/// keeps transcripts reproducible.
pub const NOW: i64 = 1_795_910_400;

/// The shipped certificates, loaded once.
#[derive(Debug)]
pub struct Identities {
    pub by_name: BTreeMap<&'static str, CertifiedKey>,
    pub anchors: TrustAnchors,
    /// The cryptography of every configuration made from these identities:
    /// the default provider, or the fuzzer's [`Memoized`] one in memory.
    pub crypto: Arc<dyn CryptoProvider>,
}

impl Identities {
    pub fn load(dir: &Path) -> Result<Self, String> {
        let read = |f: String| {
            std::fs::read_to_string(dir.join(&f)).map_err(|e| format!("{}: {e}", dir.join(&f).display()))
        };
        let mut by_name = BTreeMap::new();
        for name in KNOWN_IDENTITIES {
            let chain = match dir.join(format!("{name}.chain.pem")).exists() {
                true => format!("{name}.chain.pem"),
                false => format!("{name}.pem"),
            };
            let key = CertifiedKey::from_pem(&read(chain)?, &read(format!("{name}.key.pem"))?)
                .map_err(|e| format!("identity {name}: {e}"))?;
            by_name.insert(name, key);
        }
        let anchors = TrustAnchors::from_pem(&read("ca.pem".into())?).map_err(|e| format!("ca.pem: {e}"))?;
        Ok(Self { by_name, anchors, crypto: Arc::new(RustCrypto) })
    }

    fn get(&self, name: Option<&str>, default: &str) -> Option<CertifiedKey> {
        match name.unwrap_or(default) {
            "none" => None,
            n => self.by_name.get(n).cloned(),
        }
    }
}

fn range(r: Option<Range>, default: VersionRange) -> VersionRange {
    r.map_or(default, |r| VersionRange { min: r.min.wire(), max: r.max.wire() })
}

/// The engine's client for a case; `knobs` false for the honest first
/// handshake of a resumption case.
pub fn engine_client(
    case: &Case,
    ids: &Identities,
    knobs: bool,
    resume: Option<SessionData>,
) -> ClientConfig {
    let e = &case.test.engine;
    let d = ClientConfig::default();
    ClientConfig {
        versions: range(e.versions, VersionRange::only(case.version.wire())),
        suites: vec![case.suite],
        server_name: Some("localhost".into()),
        trust: Some(ids.anchors.clone()),
        client_cert: ids.get(e.identity.as_deref(), "client"),
        secure_renegotiation: e.secure_renegotiation.unwrap_or(d.secure_renegotiation),
        extended_master_secret: e.ems.unwrap_or(d.extended_master_secret),
        encrypt_then_mac: e.etm.unwrap_or(d.encrypt_then_mac),
        allow_renegotiation: e.allow_renegotiation.unwrap_or(d.allow_renegotiation),
        require_secure_renegotiation: e
            .require_secure_renegotiation
            .unwrap_or(d.require_secure_renegotiation),
        resume,
        deviations: deviations(case, knobs),
        provider: ids.crypto.clone(),
        ..d
    }
}

/// The engine's server for a case.
pub fn engine_server(
    case: &Case,
    ids: &Identities,
    knobs: bool,
    cache: &SessionCache,
) -> Option<ServerConfig> {
    let e = &case.test.engine;
    let cert = ids.get(e.identity.as_deref(), "server")?;
    let d = ServerConfig::new(cert);
    Some(ServerConfig {
        versions: range(e.versions, VersionRange::only(case.version.wire())),
        suites: vec![case.suite],
        client_auth: e.client_auth.mode(),
        client_trust: Some(ids.anchors.clone()),
        session_cache: cache.clone(),
        secure_renegotiation: e.secure_renegotiation.unwrap_or(d.secure_renegotiation),
        extended_master_secret: e.ems.unwrap_or(d.extended_master_secret),
        encrypt_then_mac: e.etm.unwrap_or(d.encrypt_then_mac),
        allow_renegotiation: e.allow_renegotiation.unwrap_or(d.allow_renegotiation),
        deviations: deviations(case, knobs),
        provider: ids.crypto.clone(),
        ..d
    })
}

/// The built-in peer's client: every version and suite unless the vector
/// narrows them.
pub fn peer_client(case: &Case, ids: &Identities, resume: Option<SessionData>) -> ClientConfig {
    let p = &case.test.peer;
    let d = ClientConfig::default();
    ClientConfig {
        versions: range(p.versions, VersionRange::ALL),
        server_name: Some("localhost".into()),
        trust: Some(ids.anchors.clone()),
        client_cert: ids.get(p.identity.as_deref(), "client"),
        secure_renegotiation: p.secure_renegotiation.unwrap_or(d.secure_renegotiation),
        extended_master_secret: p.ems.unwrap_or(d.extended_master_secret),
        encrypt_then_mac: p.etm.unwrap_or(d.encrypt_then_mac),
        allow_renegotiation: p.allow_renegotiation.unwrap_or(d.allow_renegotiation),
        require_secure_renegotiation: p
            .require_secure_renegotiation
            .unwrap_or(d.require_secure_renegotiation),
        resume,
        provider: ids.crypto.clone(),
        ..d
    }
}

/// The built-in peer's server.
pub fn peer_server(case: &Case, ids: &Identities, cache: &SessionCache) -> Option<ServerConfig> {
    let p = &case.test.peer;
    let d = ServerConfig::new(ids.get(p.identity.as_deref(), "server")?);
    Some(ServerConfig {
        versions: range(p.versions, VersionRange::ALL),
        client_auth: p.client_auth.mode(),
        client_trust: Some(ids.anchors.clone()),
        session_cache: cache.clone(),
        secure_renegotiation: p.secure_renegotiation.unwrap_or(d.secure_renegotiation),
        extended_master_secret: p.ems.unwrap_or(d.extended_master_secret),
        encrypt_then_mac: p.etm.unwrap_or(d.encrypt_then_mac),
        allow_renegotiation: p.allow_renegotiation.unwrap_or(d.allow_renegotiation),
        provider: ids.crypto.clone(),
        ..d
    })
}

fn deviations(case: &Case, knobs: bool) -> Deviations {
    match knobs {
        true => Deviations(case.test.knobs.clone()),
        false => Deviations::none(),
    }
}

/// Whether the case's knobs make the engine renegotiate.
pub fn renegotiates(case: &Case) -> bool {
    case.test.knobs.contains(&Knob::Renegotiate)
}

/// Whether the engine sends something after its own Finished that the
/// peer must answer (a record injected after it, a duplicate, a held
/// message, a tweaked application data record, a renegotiation): the
/// peer's answer can then come after our handshake is complete, so a
/// silent peer is waited on for a moment.
pub fn acts_after_handshake(case: &Case) -> bool {
    use shakedown_engine::deviate::Anchor;
    use shakedown_engine::msgs::enums::HandshakeType;
    let late = |at: &Anchor| matches!(at, Anchor::AfterHandshake | Anchor::After(HandshakeType::Finished));
    case.test.knobs.iter().any(|k| match k {
        Knob::Renegotiate | Knob::TweakRecord { on: None, .. } | Knob::Duplicate(HandshakeType::Finished) => {
            true
        }
        Knob::Hold { until_after, .. } => *until_after == HandshakeType::Finished,
        Knob::InjectRecord { at, .. } | Knob::InjectAlert { at, .. } | Knob::InjectHandshake { at, .. } => {
            late(at)
        }
        _ => false,
    })
}

/// The engine's role, for the peer.
pub fn peer_role(case: &Case) -> Role {
    case.test.engine_role.other()
}

pub fn arc<T>(t: T) -> Arc<T> {
    Arc::new(t)
}
