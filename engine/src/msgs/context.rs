//! What decoding a handshake body needs to know besides its bytes. Kept
//! apart from the messages so each message file depends on it, and it on
//! none of them.

use super::enums::ProtocolVersion;

/// Largest Certificate message body accepted: 100 KiB (DESIGN.md's limit,
/// as trusted stacks set it). Here rather than beside the other message
/// limits because the Certificate decoder needs it too.
pub const MAX_CERTIFICATE_BODY: usize = 102_400;

/// SSL 3.0 verify data: MD5 (16) + SHA-1 (20) hashes (RFC 6101 5.6.9).
pub const SSL3_VERIFY_DATA_LEN: usize = 36;

/// TLS verify data: 12 bytes for every suite here (RFC 5246 7.4.9).
pub const TLS_VERIFY_DATA_LEN: usize = 12;

/// What decoding some bodies needs to know: the negotiated (or, before
/// ServerHello, expected) version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HandshakeContext {
    pub version: ProtocolVersion,
}

impl HandshakeContext {
    pub fn new(version: ProtocolVersion) -> Self {
        Self { version }
    }

    /// SSL 3.0 forms: bare ClientKeyExchange, 36-byte Finished.
    pub fn is_ssl3(self) -> bool {
        self.version.is_ssl3()
    }

    /// TLS 1.2 (and anything later that turns up) carries
    /// SignatureAndHashAlgorithm in CertificateRequest and CertificateVerify.
    pub fn has_signature_algorithms(self) -> bool {
        self.version.get() >= ProtocolVersion::Tls12.get()
    }

    pub fn verify_data_len(self) -> usize {
        match self.is_ssl3() {
            true => SSL3_VERIFY_DATA_LEN,
            false => TLS_VERIFY_DATA_LEN,
        }
    }
}
