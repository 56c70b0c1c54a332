//! Certificates, keys and fixed inputs every benchmark shares.

use shakedown_engine::config::CertifiedKey;
use shakedown_engine::x509::TrustAnchors;

/// 2026-11-29: inside the shipped certificates' validity (as the engine's
/// loopback tests use).
pub const NOW: i64 = 1_795_910_400;

pub const CLIENT_RANDOM: [u8; 32] = [0x11; 32];
pub const SERVER_RANDOM: [u8; 32] = [0x22; 32];
pub const PREMASTER: [u8; 48] = [0x03; 48];
pub const MASTER: [u8; 48] = [0x33; 48];

/// A transcript of the size a full RSA handshake with this repository's
/// certificates has (about 3 KiB: hellos, a two-certificate chain, client
/// key exchange), filled with a fixed pattern.
pub fn transcript() -> Vec<u8> {
    (0..3072u32).map(|i| (i.wrapping_mul(31) >> 3) as u8).collect()
}

pub fn cert_file(name: &str) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/certs/");
    std::fs::read_to_string(format!("{dir}{name}")).unwrap_or_else(|e| panic!("{dir}{name}: {e}"))
}

/// The RSA-2048 server identity (vectors/certs/server.chain.pem).
pub fn server_identity() -> CertifiedKey {
    CertifiedKey::from_pem(&cert_file("server.chain.pem"), &cert_file("server.key.pem")).unwrap()
}

/// The RSA-2048 client identity (vectors/certs/client.pem).
pub fn client_identity() -> CertifiedKey {
    CertifiedKey::from_pem(&cert_file("client.pem"), &cert_file("client.key.pem")).unwrap()
}

pub fn anchors() -> TrustAnchors {
    TrustAnchors::from_pem(&cert_file("ca.pem")).unwrap()
}
