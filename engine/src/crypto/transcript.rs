//! The handshake transcript: every handshake message's raw bytes, in order
//! (RFC 5246 7.4.9: "all of the data from all messages in this handshake
//! (not including any HelloRequest messages) up to, but not including, this
//! message"; record headers excluded, handshake headers included).
//!
//! It buffers rather than hashing eagerly: the TLS 1.2 PRF hash is known
//! only after ServerHello, and a TLS 1.2 CertificateVerify may sign with a
//! hash other than the PRF's (RFC 5246 7.4.8).

use md5::{Digest, Md5};
use sha1::Sha1;
use sha2::{Sha224, Sha256, Sha384, Sha512};

use super::prf::PrfAlgorithm;
use crate::msgs::enums::HashAlgorithm;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    buf: Vec<u8>,
}

impl Transcript {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one handshake message, header included. The caller leaves
    /// out HelloRequest (RFC 5246 7.4.1.1) and ChangeCipherSpec (not a
    /// handshake message).
    pub fn add(&mut self, raw: &[u8]) {
        self.buf.extend_from_slice(raw);
    }

    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The handshake hash the PRF of `alg` uses: MD5 || SHA-1 (36 bytes)
    /// for SSL 3.0 and TLS 1.0/1.1 (RFC 2246 7.4.9), the PRF hash for
    /// TLS 1.2 (RFC 5246 7.4.9). SSL 3.0's Finished does not use this
    /// directly (RFC 6101 5.6.9 mixes the master secret in); the extended
    /// master secret's session_hash does (RFC 7627 3).
    pub fn handshake_hash(&self, alg: PrfAlgorithm) -> Vec<u8> {
        handshake_hash(alg, &self.buf)
    }
}

/// [`Transcript::handshake_hash`] over bytes held elsewhere.
pub fn handshake_hash(alg: PrfAlgorithm, transcript: &[u8]) -> Vec<u8> {
    match alg {
        PrfAlgorithm::Ssl3 | PrfAlgorithm::Tls10 => md5_sha1(transcript).to_vec(),
        PrfAlgorithm::Sha256 => Sha256::digest(transcript).to_vec(),
        PrfAlgorithm::Sha384 => Sha384::digest(transcript).to_vec(),
    }
}

/// MD5(data) || SHA-1(data) (RFC 2246 7.4.8, 7.4.9).
pub fn md5_sha1(data: &[u8]) -> [u8; 36] {
    let mut out = [0u8; 36];
    let md5 = Md5::digest(data);
    let sha = Sha1::digest(data);
    for (o, b) in out.iter_mut().zip(md5.iter().chain(sha.iter())) {
        *o = *b;
    }
    out
}

/// The digest of `data` under a TLS 1.2 HashAlgorithm (RFC 5246 7.4.1.4.1),
/// or `None` for none and unassigned values.
pub fn hash_bytes(hash: HashAlgorithm, data: &[u8]) -> Option<Vec<u8>> {
    Some(match hash {
        HashAlgorithm::Md5 => Md5::digest(data).to_vec(),
        HashAlgorithm::Sha1 => Sha1::digest(data).to_vec(),
        HashAlgorithm::Sha224 => Sha224::digest(data).to_vec(),
        HashAlgorithm::Sha256 => Sha256::digest(data).to_vec(),
        HashAlgorithm::Sha384 => Sha384::digest(data).to_vec(),
        HashAlgorithm::Sha512 => Sha512::digest(data).to_vec(),
        HashAlgorithm::None | HashAlgorithm::Unknown(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_messages_in_order() {
        let mut t = Transcript::new();
        t.add(&[1, 0, 0, 1, 0xaa]);
        t.add(&[2, 0, 0, 0]);
        assert_eq!(t.bytes(), [1, 0, 0, 1, 0xaa, 2, 0, 0, 0]);
    }

    #[test]
    fn hash_lengths_follow_the_prf() {
        let mut t = Transcript::new();
        t.add(b"abc");
        assert_eq!(t.handshake_hash(PrfAlgorithm::Ssl3).len(), 36);
        assert_eq!(t.handshake_hash(PrfAlgorithm::Tls10).len(), 36);
        assert_eq!(t.handshake_hash(PrfAlgorithm::Sha256).len(), 32);
        assert_eq!(t.handshake_hash(PrfAlgorithm::Sha384).len(), 48);
        // FIPS 180-2 B.1: SHA-256("abc").
        assert_eq!(
            hex::encode(t.handshake_hash(PrfAlgorithm::Sha256)),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn unknown_hashes_have_no_digest() {
        assert!(hash_bytes(HashAlgorithm::None, b"").is_none());
        assert!(hash_bytes(HashAlgorithm::Unknown(9), b"").is_none());
        assert_eq!(hash_bytes(HashAlgorithm::Sha512, b"").map(|d| d.len()), Some(64));
    }
}
