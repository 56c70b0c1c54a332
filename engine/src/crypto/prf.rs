//! The pseudo-random functions of the key schedule: SSL 3.0's MD5/SHA-1
//! construction (RFC 6101 6.1, 6.2.2), TLS 1.0/1.1's P_MD5 xor P_SHA1
//! (RFC 2246 5; unchanged in RFC 4346 5) and TLS 1.2's P_SHA256 or the
//! suite's P_<hash> (RFC 5246 5).

use hmac::Hmac;
use hmac::digest::{Digest, Key, KeyInit, Mac, block_api::EagerHash};
use md5::Md5;
use sha1::Sha1;
use sha2::{Sha256, Sha384};

use super::KeyScheduleError;
use super::ssl3_kdf;
use crate::msgs::enums::ProtocolVersion;
use crate::suites::{PrfHash, SuiteInfo};

/// Which PRF a connection derives its secrets with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrfAlgorithm {
    /// SSL 3.0's 'A', 'BB', 'CCC' construction (RFC 6101 6.1, 6.2.2). It
    /// takes no label and yields at most 26 MD5 blocks (416 bytes).
    Ssl3,
    /// TLS 1.0 and 1.1: P_MD5(S1) xor P_SHA1(S2) (RFC 2246 5).
    Tls10,
    /// TLS 1.2 default: P_SHA256 (RFC 5246 5).
    Sha256,
    /// TLS 1.2 with a SHA-384 suite (RFC 5288 3).
    Sha384,
}

impl PrfAlgorithm {
    /// The PRF a version and suite use. `None` for versions this engine
    /// never derives keys for (SSL 2, TLS 1.3, unknown values): guessing a
    /// PRF for them would hide a state-machine bug.
    pub fn for_suite(version: ProtocolVersion, suite: &SuiteInfo) -> Option<Self> {
        match version {
            ProtocolVersion::Ssl3 => Some(Self::Ssl3),
            ProtocolVersion::Tls10 | ProtocolVersion::Tls11 => Some(Self::Tls10),
            ProtocolVersion::Tls12 => Some(match suite.prf {
                PrfHash::Sha256 => Self::Sha256,
                PrfHash::Sha384 => Self::Sha384,
            }),
            _ => None,
        }
    }

    /// The most output this PRF can produce in one call, if bounded.
    pub const fn max_output(self) -> Option<usize> {
        match self {
            Self::Ssl3 => Some(ssl3_kdf::MAX_OUTPUT),
            Self::Tls10 | Self::Sha256 | Self::Sha384 => None,
        }
    }
}

/// PRF(secret, label, seed) filling `out` (RFC 2246 5, RFC 5246 5). For
/// [`PrfAlgorithm::Ssl3`] the label is ignored and `seed` is the whole input
/// (RFC 6101 6.1: the caller puts the randoms in the right order).
///
/// Fails only when SSL 3.0 is asked for more than 416 bytes: RFC 6101 stops
/// at 'Z', and inventing a 27th letter would derive keys no peer shares.
pub fn prf(
    alg: PrfAlgorithm,
    secret: &[u8],
    label: &[u8],
    seed: &[u8],
    out: &mut [u8],
) -> Result<(), KeyScheduleError> {
    if let Some(max) = alg.max_output()
        && out.len() > max
    {
        return Err(KeyScheduleError::OutputTooLong { requested: out.len(), max });
    }
    prf_unchecked(alg, secret, label, seed, out);
    Ok(())
}

/// [`prf`] for outputs known to fit (48-byte secrets, 36-byte hashes). An
/// SSL 3.0 output past 416 bytes would be left zero; callers with variable
/// lengths use [`prf`].
pub(crate) fn prf_unchecked(alg: PrfAlgorithm, secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
    match alg {
        PrfAlgorithm::Ssl3 => ssl3_kdf::ssl3_prf(secret, seed, out),
        PrfAlgorithm::Tls10 => tls10_prf(secret, label, seed, out),
        PrfAlgorithm::Sha256 => p_hash::<Sha256>(secret, label, seed, out, false),
        PrfAlgorithm::Sha384 => p_hash::<Sha384>(secret, label, seed, out, false),
    }
}

/// RFC 2246 5: S1 is the first half of the secret, S2 the second; with an
/// odd length the middle byte belongs to both. PRF = P_MD5(S1) xor P_SHA1(S2).
fn tls10_prf(secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
    let half = secret.len().div_ceil(2);
    let s1 = secret.get(..half).unwrap_or(secret);
    let s2 = secret.get(secret.len() - half..).unwrap_or(secret);
    out.fill(0);
    p_hash::<Md5>(s1, label, seed, out, true);
    p_hash::<Sha1>(s2, label, seed, out, true);
}

/// P_hash(secret, label + seed) (RFC 2246 5, RFC 5246 5):
/// A(0) = seed, A(i) = HMAC(secret, A(i-1)),
/// P_hash = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...
/// With `xor` the output is xored into `out` (for TLS 1.0's two halves).
fn p_hash<D: EagerHash>(secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8], xor: bool) {
    let mac = hmac_with_key::<D>(secret);
    let mut a = mac.clone().chain_update(label).chain_update(seed).finalize().into_bytes();
    for chunk in out.chunks_mut(<D as Digest>::output_size()) {
        let block =
            mac.clone().chain_update(&a).chain_update(label).chain_update(seed).finalize().into_bytes();
        for (o, b) in chunk.iter_mut().zip(block.iter()) {
            *o = if xor { *o ^ *b } else { *b };
        }
        a = mac.clone().chain_update(&a).finalize().into_bytes();
    }
}

/// HMAC keyed with a secret of any length. RFC 2104 2: a key longer than the
/// hash's block is hashed first, a shorter one is padded with zeros; doing it
/// here lets us use the infallible block-sized constructor.
fn hmac_with_key<D: EagerHash>(secret: &[u8]) -> Hmac<D> {
    let mut key = Key::<Hmac<D>>::default();
    if secret.len() > key.len() {
        let hashed = D::digest(secret);
        for (k, s) in key.iter_mut().zip(hashed.iter()) {
            *k = *s;
        }
    } else {
        for (k, s) in key.iter_mut().zip(secret) {
            *k = *s;
        }
    }
    <Hmac<D> as KeyInit>::new(&key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suites::by_name;

    #[test]
    fn for_suite_follows_version_then_suite() {
        let gcm384 = by_name("AES256-GCM-SHA384").unwrap();
        let aes = by_name("AES128-SHA").unwrap();
        assert_eq!(PrfAlgorithm::for_suite(ProtocolVersion::Ssl3, aes), Some(PrfAlgorithm::Ssl3));
        assert_eq!(PrfAlgorithm::for_suite(ProtocolVersion::Tls10, aes), Some(PrfAlgorithm::Tls10));
        assert_eq!(PrfAlgorithm::for_suite(ProtocolVersion::Tls11, aes), Some(PrfAlgorithm::Tls10));
        assert_eq!(PrfAlgorithm::for_suite(ProtocolVersion::Tls12, aes), Some(PrfAlgorithm::Sha256));
        assert_eq!(PrfAlgorithm::for_suite(ProtocolVersion::Tls12, gcm384), Some(PrfAlgorithm::Sha384));
        assert_eq!(PrfAlgorithm::for_suite(ProtocolVersion::Tls13, aes), None);
        assert_eq!(PrfAlgorithm::for_suite(ProtocolVersion::Unknown(0x0305), aes), None);
    }

    #[test]
    fn longer_output_extends_shorter_output() {
        for alg in [PrfAlgorithm::Ssl3, PrfAlgorithm::Tls10, PrfAlgorithm::Sha256, PrfAlgorithm::Sha384] {
            let mut short = [0u8; 33];
            let mut long = [0u8; 100];
            prf(alg, b"secret!", b"label", b"seed", &mut short).unwrap();
            prf(alg, b"secret!", b"label", b"seed", &mut long).unwrap();
            assert_eq!(short[..], long[..33], "{alg:?}");
        }
    }

    #[test]
    fn hmac_keys_longer_than_a_block_are_hashed() {
        // RFC 4231 4.7 (test case 6): a 131-byte key with HMAC-SHA-256.
        let key = [0xaau8; 131];
        let mac = hmac_with_key::<Sha256>(&key)
            .chain_update(b"Test Using Larger Than Block-Size Key - Hash Key First")
            .finalize()
            .into_bytes();
        assert_eq!(hex::encode(mac), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    #[test]
    fn ssl3_refuses_output_past_z() {
        let mut ok = [0u8; 416];
        prf(PrfAlgorithm::Ssl3, b"s", b"", b"seed", &mut ok).unwrap();
        let mut too_long = [0u8; 417];
        assert_eq!(
            prf(PrfAlgorithm::Ssl3, b"s", b"", b"seed", &mut too_long),
            Err(KeyScheduleError::OutputTooLong { requested: 417, max: 416 })
        );
        // TLS PRFs have no such bound.
        prf(PrfAlgorithm::Tls10, b"s", b"l", b"seed", &mut too_long).unwrap();
    }

    #[test]
    fn tls10_halves_share_the_middle_byte_of_an_odd_secret() {
        // RFC 2246 5: a 3-byte secret splits into [a, b] and [b, c].
        let mut out = [0u8; 40];
        prf(PrfAlgorithm::Tls10, &[1, 2, 3], b"l", b"s", &mut out).unwrap();
        let mut md5 = [0u8; 40];
        let mut sha = [0u8; 40];
        p_hash::<Md5>(&[1, 2], b"l", b"s", &mut md5, false);
        p_hash::<Sha1>(&[2, 3], b"l", b"s", &mut sha, false);
        let x: Vec<u8> = md5.iter().zip(sha.iter()).map(|(a, b)| a ^ b).collect();
        assert_eq!(out[..], x[..]);
    }
}
