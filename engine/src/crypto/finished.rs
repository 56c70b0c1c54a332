//! Finished verify_data (RFC 6101 5.6.9; RFC 2246 7.4.9; RFC 5246 7.4.9)
//! and the hash a CertificateVerify signs (RFC 6101 5.6.8; RFC 2246 7.4.8;
//! RFC 5246 7.4.8).

use subtle::ConstantTimeEq;

use super::KeyScheduleError;
use super::Side;
use super::key_schedule::MASTER_SECRET_LEN;
use super::prf::{PrfAlgorithm, prf_unchecked};
use super::ssl3_kdf;
use super::transcript::Transcript;
use crate::msgs::enums::{HashAlgorithm, ProtocolVersion};

/// SSL 3.0 verify_data: MD5 (16) + SHA (20).
pub const SSL3_VERIFY_DATA_LEN: usize = 36;
/// TLS verify_data_length (RFC 5246 7.4.9: 12 unless a suite says otherwise;
/// none of ours does).
pub const TLS_VERIFY_DATA_LEN: usize = 12;

/// RFC 6101 5.6.9: Sender constants, "CLNT" and "SRVR".
const SSL3_SENDER_CLIENT: [u8; 4] = *b"CLNT";
const SSL3_SENDER_SERVER: [u8; 4] = *b"SRVR";

/// The verify_data `sender` puts in its Finished, over `transcript` (every
/// handshake message before this Finished, its digests running).
///
/// SSL 3.0 (RFC 6101 5.6.9): md5_hash || sha_hash with
/// hash(master_secret + pad2 + hash(handshake_messages + Sender +
/// master_secret + pad1)).
/// TLS (RFC 2246 7.4.9, RFC 5246 7.4.9): PRF(master_secret, finished_label,
/// Hash(handshake_messages))[0..11], label "client finished" or
/// "server finished".
pub fn verify_data(
    alg: PrfAlgorithm,
    master: &[u8; MASTER_SECRET_LEN],
    sender: Side,
    transcript: &Transcript,
) -> Vec<u8> {
    match alg {
        PrfAlgorithm::Ssl3 => {
            let constant = match sender {
                Side::Client => &SSL3_SENDER_CLIENT,
                Side::Server => &SSL3_SENDER_SERVER,
            };
            ssl3_kdf::handshake_mac(master, transcript.md5_sha1_states(), constant).to_vec()
        }
        PrfAlgorithm::Tls10 | PrfAlgorithm::Sha256 | PrfAlgorithm::Sha384 => {
            let label: &[u8] = match sender {
                Side::Client => b"client finished",
                Side::Server => b"server finished",
            };
            let mut out = vec![0u8; TLS_VERIFY_DATA_LEN];
            prf_unchecked(alg, master, label, &transcript.handshake_hash(alg), &mut out);
            out
        }
    }
}

/// Compares a received verify_data with the expected one in constant time
/// (for equal lengths). A length mismatch is not secret and returns false.
pub fn verify_data_matches(expected: &[u8], received: &[u8]) -> bool {
    expected.len() == received.len() && bool::from(expected.ct_eq(received))
}

/// What a CertificateVerify signature covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateVerifyDigest {
    /// SSL 3.0 and TLS 1.0/1.1: 36 bytes, signed with PKCS#1 v1.5 padding
    /// and no DigestInfo (RFC 2246 4.7).
    Md5Sha1([u8; 36]),
    /// TLS 1.2: one hash, signed inside a DigestInfo (RFC 5246 4.7).
    Hashed { hash: HashAlgorithm, digest: Vec<u8> },
}

impl CertificateVerifyDigest {
    /// What the RSA signature is made over: the hash that names its
    /// DigestInfo (none for MD5+SHA-1) and the digest bytes. None for a TLS
    /// 1.2 hash that PKCS#1 v1.5 here does not sign with (sha224).
    pub fn signature_input(&self) -> Option<(super::rsa_kx::SignatureHash, &[u8])> {
        use super::rsa_kx::SignatureHash;
        match self {
            Self::Md5Sha1(d) => Some((SignatureHash::Md5Sha1, d.as_slice())),
            Self::Hashed { hash, digest } => Some((SignatureHash::from_tls12(*hash)?, digest.as_slice())),
        }
    }
}

/// The hash a CertificateVerify signs over `transcript` (every handshake
/// message before the CertificateVerify).
///
/// SSL 3.0 (RFC 6101 5.6.8): like Finished without a Sender, so it needs
/// the master secret. TLS 1.0/1.1 (RFC 2246 7.4.8): MD5(handshake) ||
/// SHA(handshake); `hash` must be `None`. TLS 1.2 (RFC 5246 7.4.8): the
/// hash of the chosen signature algorithm, one of sha1, sha224, sha256,
/// sha384, sha512; md5 and none are refused (RFC 5246 7.4.1.4.1 lists md5,
/// but no peer we test accepts it and the harness treats it as a
/// misbehaviour to send, not one to sign).
pub fn certificate_verify_digest(
    version: ProtocolVersion,
    master: &[u8; MASTER_SECRET_LEN],
    transcript: &Transcript,
    hash: Option<HashAlgorithm>,
) -> Result<CertificateVerifyDigest, KeyScheduleError> {
    match (version, hash) {
        (ProtocolVersion::Ssl3 | ProtocolVersion::Tls10 | ProtocolVersion::Tls11, Some(h)) => {
            Err(KeyScheduleError::HashBeforeTls12(h))
        }
        (ProtocolVersion::Ssl3, None) => Ok(CertificateVerifyDigest::Md5Sha1(ssl3_kdf::handshake_mac(
            master,
            transcript.md5_sha1_states(),
            &[],
        ))),
        (ProtocolVersion::Tls10 | ProtocolVersion::Tls11, None) => {
            let mut md5_sha1 = [0u8; 36];
            md5_sha1.copy_from_slice(&transcript.handshake_hash(PrfAlgorithm::Tls10));
            Ok(CertificateVerifyDigest::Md5Sha1(md5_sha1))
        }
        (ProtocolVersion::Tls12, None) => Err(KeyScheduleError::MissingHash),
        (ProtocolVersion::Tls12, Some(h @ (HashAlgorithm::Md5 | HashAlgorithm::None))) => {
            Err(KeyScheduleError::UnsupportedHash(h))
        }
        (ProtocolVersion::Tls12, Some(h)) => match transcript.digest(h) {
            Some(digest) => Ok(CertificateVerifyDigest::Hashed { hash: h, digest }),
            None => Err(KeyScheduleError::UnsupportedHash(h)),
        },
        (other, _) => Err(KeyScheduleError::UnsupportedVersion(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MASTER: [u8; 48] = [0x42; 48];

    /// The two-byte transcript "hs", its bytes only: every digest of it is
    /// computed whole.
    fn hs() -> Transcript {
        let mut t = Transcript::new();
        t.add(b"hs");
        t
    }

    #[test]
    fn verify_data_lengths() {
        assert_eq!(verify_data(PrfAlgorithm::Ssl3, &MASTER, Side::Client, &hs()).len(), 36);
        for alg in [PrfAlgorithm::Tls10, PrfAlgorithm::Sha256, PrfAlgorithm::Sha384] {
            assert_eq!(verify_data(alg, &MASTER, Side::Server, &hs()).len(), 12);
        }
    }

    #[test]
    fn sides_differ() {
        for alg in [PrfAlgorithm::Ssl3, PrfAlgorithm::Tls10, PrfAlgorithm::Sha256, PrfAlgorithm::Sha384] {
            assert_ne!(
                verify_data(alg, &MASTER, Side::Client, &hs()),
                verify_data(alg, &MASTER, Side::Server, &hs()),
                "{alg:?}"
            );
        }
    }

    #[test]
    fn matches_needs_equal_length_and_bytes() {
        let v = verify_data(PrfAlgorithm::Sha256, &MASTER, Side::Client, &hs());
        assert!(verify_data_matches(&v, &v));
        let mut flipped = v.clone();
        flipped[11] ^= 0x01;
        assert!(!verify_data_matches(&v, &flipped));
        assert!(!verify_data_matches(&v, &v[..11]));
        assert!(!verify_data_matches(&v, &[]));
    }

    #[test]
    fn ssl3_certificate_verify_is_finished_without_sender() {
        let cv = certificate_verify_digest(ProtocolVersion::Ssl3, &MASTER, &hs(), None).unwrap();
        assert_eq!(
            cv,
            CertificateVerifyDigest::Md5Sha1(ssl3_kdf::handshake_mac(&MASTER, hs().md5_sha1_states(), b""))
        );
        let fin = verify_data(PrfAlgorithm::Ssl3, &MASTER, Side::Client, &hs());
        assert_ne!(CertificateVerifyDigest::Md5Sha1(fin.try_into().unwrap()), cv);
    }

    #[test]
    fn certificate_verify_hash_rules() {
        use HashAlgorithm as H;
        use ProtocolVersion as V;
        assert!(matches!(
            certificate_verify_digest(V::Tls10, &MASTER, &hs(), None),
            Ok(CertificateVerifyDigest::Md5Sha1(_))
        ));
        assert_eq!(
            certificate_verify_digest(V::Tls11, &MASTER, &hs(), Some(H::Sha256)),
            Err(KeyScheduleError::HashBeforeTls12(H::Sha256))
        );
        assert_eq!(
            certificate_verify_digest(V::Tls12, &MASTER, &hs(), None),
            Err(KeyScheduleError::MissingHash)
        );
        for bad in [H::Md5, H::None, H::Unknown(7)] {
            assert_eq!(
                certificate_verify_digest(V::Tls12, &MASTER, &hs(), Some(bad)),
                Err(KeyScheduleError::UnsupportedHash(bad))
            );
        }
        for (h, len) in [(H::Sha1, 20), (H::Sha224, 28), (H::Sha256, 32), (H::Sha384, 48), (H::Sha512, 64)] {
            match certificate_verify_digest(V::Tls12, &MASTER, &hs(), Some(h)) {
                Ok(CertificateVerifyDigest::Hashed { hash, digest }) => {
                    assert_eq!(hash, h);
                    assert_eq!(digest.len(), len);
                }
                other => panic!("{h:?}: {other:?}"),
            }
        }
        assert_eq!(
            certificate_verify_digest(V::Tls13, &MASTER, &hs(), None),
            Err(KeyScheduleError::UnsupportedVersion(V::Tls13))
        );
    }
}
