//! What each side is configured to do. The honest engine is these values with
//! no misbehaviour knobs set.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use crate::crypto::provider::{CryptoProvider, RustCrypto};
use crate::deviate::Deviations;
use crate::flaw::Flaws;
use crate::msgs::enums::{CipherSuite, Compression, HashAlgorithm, ProtocolVersion, SignatureAlgorithm};
use crate::msgs::extensions::SignatureAndHashAlgorithm;
use crate::suites::ALL_SUITES;
use crate::x509::TrustAnchors;

/// A certificate chain (leaf first, DER) and the leaf's RSA private key.
#[derive(Clone)]
pub struct CertifiedKey {
    pub chain: Vec<Vec<u8>>,
    pub key: crate::crypto::keys::RsaPrivateKey,
}

impl CertifiedKey {
    /// A chain (PEM, leaf first) and its leaf's key (PEM, PKCS#8 or PKCS#1).
    pub fn from_pem(chain_pem: &str, key_pem: &str) -> Result<Self, crate::x509::CertError> {
        Ok(Self {
            chain: crate::x509::load_pem_certs(chain_pem)?,
            key: crate::x509::load_private_key_pem(key_pem)?,
        })
    }
}

impl std::fmt::Debug for CertifiedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertifiedKey").field("chain_len", &self.chain.len()).finish_non_exhaustive()
    }
}

/// The versions a side will use, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionRange {
    pub min: ProtocolVersion,
    pub max: ProtocolVersion,
}

impl VersionRange {
    pub const ALL: Self = Self { min: ProtocolVersion::Ssl3, max: ProtocolVersion::Tls12 };

    pub const fn only(v: ProtocolVersion) -> Self {
        Self { min: v, max: v }
    }

    pub fn contains(&self, v: ProtocolVersion) -> bool {
        self.min.get() <= v.get() && v.get() <= self.max.get()
    }
}

/// Whether the server asks for a client certificate (RFC 5246 7.4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuthMode {
    #[default]
    Off,
    /// CertificateRequest sent; the handshake goes on without a certificate.
    Request,
    /// CertificateRequest sent; no certificate is handshake_failure.
    Require,
}

/// The signature algorithms the engine offers and accepts in TLS 1.2
/// (RFC 5246 7.4.1.4.1), most preferred first.
pub const DEFAULT_SIGNATURE_ALGORITHMS: [SignatureAndHashAlgorithm; 4] = [
    SignatureAndHashAlgorithm::new(HashAlgorithm::Sha256, SignatureAlgorithm::Rsa),
    SignatureAndHashAlgorithm::new(HashAlgorithm::Sha384, SignatureAlgorithm::Rsa),
    SignatureAndHashAlgorithm::new(HashAlgorithm::Sha512, SignatureAlgorithm::Rsa),
    SignatureAndHashAlgorithm::new(HashAlgorithm::Sha1, SignatureAlgorithm::Rsa),
];

/// The default offer: every implemented suite, strongest first.
pub fn default_suites() -> Vec<CipherSuite> {
    ALL_SUITES.iter().map(|s| s.suite).collect()
}

/// What a resumable session remembers (RFC 5246 7.4.1.2, 8.1).
#[derive(Clone, PartialEq, Eq)]
pub struct SessionData {
    pub session_id: Vec<u8>,
    pub version: ProtocolVersion,
    pub suite: CipherSuite,
    pub master_secret: [u8; 48],
    /// Whether the master secret is an extended one (RFC 7627 5.3).
    pub extended_master_secret: bool,
}

impl Drop for SessionData {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.master_secret);
    }
}

impl std::fmt::Debug for SessionData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionData")
            .field("session_id", &self.session_id)
            .field("version", &self.version)
            .field("suite", &self.suite)
            .field("extended_master_secret", &self.extended_master_secret)
            .finish_non_exhaustive()
    }
}

/// A server's session cache: bounded, oldest evicted first. Shared by the
/// connections of one server (in memory: the engine does no I/O).
#[derive(Debug, Clone)]
pub struct SessionCache {
    inner: Arc<Mutex<CacheInner>>,
}

#[derive(Debug, Default)]
struct CacheInner {
    map: HashMap<Vec<u8>, SessionData>,
    order: VecDeque<Vec<u8>>,
    capacity: usize,
}

impl SessionCache {
    pub const DEFAULT_CAPACITY: usize = 1024;

    pub fn new(capacity: usize) -> Self {
        Self { inner: Arc::new(Mutex::new(CacheInner { capacity, ..CacheInner::default() })) }
    }

    pub fn get(&self, id: &[u8]) -> Option<SessionData> {
        self.inner.lock().ok()?.map.get(id).cloned()
    }

    pub fn put(&self, session: SessionData) {
        let Ok(mut inner) = self.inner.lock() else { return };
        if inner.capacity == 0 || session.session_id.is_empty() {
            return;
        }
        while inner.map.len() >= inner.capacity {
            let Some(old) = inner.order.pop_front() else { break };
            inner.map.remove(&old);
        }
        inner.order.push_back(session.session_id.clone());
        inner.map.insert(session.session_id.clone(), session);
    }

    /// Forgets a session: RFC 5246 7.2.2 invalidates the session of a
    /// connection that ends in a fatal alert.
    pub fn remove(&self, id: &[u8]) {
        let Ok(mut inner) = self.inner.lock() else { return };
        if inner.map.remove(id).is_some() {
            inner.order.retain(|kept| kept != id);
        }
    }

    pub fn len(&self) -> usize {
        self.inner.lock().map(|i| i.map.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for SessionCache {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY)
    }
}

/// The reference client.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub versions: VersionRange,
    /// Offered in this order.
    pub suites: Vec<CipherSuite>,
    pub compression: Vec<Compression>,
    /// Sent as server_name and checked against the server's certificate.
    pub server_name: Option<String>,
    /// None: the server's chain is not verified (its leaf key is still used).
    pub trust: Option<TrustAnchors>,
    /// Presented when the server asks.
    pub client_cert: Option<CertifiedKey>,
    pub signature_algorithms: Vec<SignatureAndHashAlgorithm>,
    /// Offer RFC 5746 secure renegotiation (extension, or SCSV in SSL 3.0).
    pub secure_renegotiation: bool,
    /// Refuse a server that does not signal RFC 5746 support: a ServerHello
    /// without renegotiation_info ends the handshake (RFC 5746 4.1 lets a
    /// client abort such a handshake).
    pub require_secure_renegotiation: bool,
    pub extended_master_secret: bool,
    pub encrypt_then_mac: bool,
    /// A session to resume by its id.
    pub resume: Option<SessionData>,
    /// Renegotiate when the server sends HelloRequest (RFC 5746 only).
    pub allow_renegotiation: bool,
    pub provider: Arc<dyn CryptoProvider>,
    /// Misbehaviour knobs; empty for the honest engine.
    pub deviations: Deviations,
    /// Flaws (what a broken implementation accepts or leaks); empty for
    /// the honest engine.
    pub flaws: Flaws,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            versions: VersionRange::ALL,
            suites: default_suites(),
            compression: vec![Compression::Null],
            server_name: None,
            trust: None,
            client_cert: None,
            signature_algorithms: DEFAULT_SIGNATURE_ALGORITHMS.to_vec(),
            secure_renegotiation: true,
            require_secure_renegotiation: false,
            extended_master_secret: true,
            encrypt_then_mac: false,
            resume: None,
            allow_renegotiation: false,
            provider: Arc::new(RustCrypto),
            deviations: Deviations::none(),
            flaws: Flaws::none(),
        }
    }
}

/// The reference server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub versions: VersionRange,
    /// Server preference order.
    pub suites: Vec<CipherSuite>,
    /// Pick the client's first acceptable suite instead of ours.
    pub prefer_client_order: bool,
    pub cert: CertifiedKey,
    pub client_auth: ClientAuthMode,
    /// Anchors for client certificates; their subjects are the
    /// certificate_authorities of the CertificateRequest.
    pub client_trust: Option<TrustAnchors>,
    pub signature_algorithms: Vec<SignatureAndHashAlgorithm>,
    pub session_cache: SessionCache,
    /// Accept a client's renegotiation (RFC 5746 only).
    pub allow_renegotiation: bool,
    pub secure_renegotiation: bool,
    pub extended_master_secret: bool,
    pub encrypt_then_mac: bool,
    pub provider: Arc<dyn CryptoProvider>,
    /// Misbehaviour knobs; empty for the honest engine.
    pub deviations: Deviations,
    /// Flaws (what a broken implementation accepts or leaks); empty for
    /// the honest engine.
    pub flaws: Flaws,
}

impl ServerConfig {
    pub fn new(cert: CertifiedKey) -> Self {
        Self {
            versions: VersionRange::ALL,
            suites: default_suites(),
            prefer_client_order: false,
            cert,
            client_auth: ClientAuthMode::Off,
            client_trust: None,
            signature_algorithms: DEFAULT_SIGNATURE_ALGORITHMS.to_vec(),
            session_cache: SessionCache::default(),
            allow_renegotiation: false,
            secure_renegotiation: true,
            extended_master_secret: true,
            encrypt_then_mac: false,
            provider: Arc::new(RustCrypto),
            deviations: Deviations::none(),
            flaws: Flaws::none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(id: u8) -> SessionData {
        SessionData {
            session_id: vec![id; 32],
            version: ProtocolVersion::Tls12,
            suite: CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
            master_secret: [id; 48],
            extended_master_secret: true,
        }
    }

    #[test]
    fn cache_evicts_oldest_at_capacity() {
        let cache = SessionCache::new(2);
        cache.put(session(1));
        cache.put(session(2));
        cache.put(session(3));
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&[1; 32]).is_none());
        assert_eq!(cache.get(&[3; 32]), Some(session(3)));
    }

    #[test]
    fn cache_ignores_empty_ids() {
        let cache = SessionCache::new(2);
        cache.put(SessionData { session_id: vec![], ..session(1) });
        assert!(cache.is_empty());
    }
}
