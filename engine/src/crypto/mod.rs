//! Cryptography of the handshake and the record layer. Types shared by the
//! key schedule, record protection and RSA key exchange live here.

pub mod finished;
pub mod key_schedule;
pub mod keys;
pub mod memo;
#[cfg(feature = "openssl-provider")]
pub mod openssl_provider;
pub mod prf;
pub mod provider;
pub mod providers;
mod random;
pub mod record;
pub mod rsa_kx;
mod ssl3_kdf;
pub mod transcript;
pub mod wrapping;

pub use random::{RandomSource, SeededRandom};

use crate::msgs::enums::{HashAlgorithm, ProtocolVersion};

/// Why a secret, a Finished or a CertificateVerify hash could not be
/// computed. These are caller errors or unnegotiable parameters, never
/// something a peer's bytes alone can cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyScheduleError {
    /// SSL 3.0's PRF yields at most 416 bytes (RFC 6101 6.2.2 stops at 'Z').
    OutputTooLong { requested: usize, max: usize },
    /// RFC 7627 defines the extended master secret for TLS only.
    NoExtendedMasterSecretInSsl3,
    /// Not SSL 3.0 .. TLS 1.2.
    UnsupportedVersion(ProtocolVersion),
    /// A TLS 1.2 CertificateVerify needs the hash of its signature algorithm.
    MissingHash,
    /// Before TLS 1.2 the CertificateVerify hash is fixed (RFC 2246 7.4.8);
    /// a hash argument there is a caller bug.
    HashBeforeTls12(HashAlgorithm),
    /// md5, none or an unassigned hash in a TLS 1.2 CertificateVerify.
    UnsupportedHash(HashAlgorithm),
}

/// Which side produced a value (Finished sender, key direction).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Client,
    Server,
}

impl Side {
    pub fn peer(self) -> Self {
        match self {
            Self::Client => Self::Server,
            Self::Server => Self::Client,
        }
    }
}

/// The keys one direction of a connection writes with
/// (RFC 5246 6.3: client_write_MAC_key, client_write_key, client_write_IV).
#[derive(Clone, PartialEq, Eq)]
pub struct DirectionKeys {
    pub mac_key: Vec<u8>,
    pub enc_key: Vec<u8>,
    pub fixed_iv: Vec<u8>,
}

impl std::fmt::Debug for DirectionKeys {
    // Keys never reach logs by accident; the key log file is the one place
    // secrets are written, on purpose.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectionKeys")
            .field("mac_key_len", &self.mac_key.len())
            .field("enc_key_len", &self.enc_key.len())
            .field("fixed_iv_len", &self.fixed_iv.len())
            .finish()
    }
}

// Keys are wiped when dropped (the zeroize crate), so a freed connection
// leaves none behind in the allocator's memory.
impl Drop for DirectionKeys {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.mac_key.zeroize();
        self.enc_key.zeroize();
        self.fixed_iv.zeroize();
    }
}

/// Both directions' keys, split from one key block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionKeys {
    pub client_write: DirectionKeys,
    pub server_write: DirectionKeys,
}

impl ConnectionKeys {
    /// The keys `side` writes with.
    pub fn write_keys(&self, side: Side) -> &DirectionKeys {
        match side {
            Side::Client => &self.client_write,
            Side::Server => &self.server_write,
        }
    }
}
