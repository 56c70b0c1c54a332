//! From premaster secret to master secret to key block (RFC 5246 8.1, 6.3;
//! RFC 2246 8.1, 6.3; RFC 6101 6.1, 6.2.2; RFC 7627 4).

pub use super::KeyScheduleError;
use super::prf::{PrfAlgorithm, prf, prf_unchecked};
use super::{ConnectionKeys, DirectionKeys};
use crate::suites::KeyBlockLayout;

impl std::fmt::Display for KeyScheduleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::OutputTooLong { requested, max } => {
                write!(f, "PRF output of {requested} bytes exceeds its maximum of {max}")
            }
            Self::NoExtendedMasterSecretInSsl3 => {
                f.write_str("SSL 3.0 has no extended master secret (RFC 7627)")
            }
            Self::UnsupportedVersion(v) => write!(f, "no key schedule for version {v:?}"),
            Self::MissingHash => f.write_str("TLS 1.2 CertificateVerify needs a hash algorithm"),
            Self::HashBeforeTls12(h) => {
                write!(f, "CertificateVerify before TLS 1.2 takes no hash algorithm (got {h:?})")
            }
            Self::UnsupportedHash(h) => {
                write!(f, "hash {h:?} is not usable in a TLS 1.2 CertificateVerify")
            }
        }
    }
}

impl std::error::Error for KeyScheduleError {}

pub const MASTER_SECRET_LEN: usize = 48;

/// RFC 5246 8.1 / RFC 2246 8.1:
/// master_secret = PRF(pre_master_secret, "master secret",
///                     ClientHello.random + ServerHello.random)[0..47].
/// RFC 6101 6.1 for SSL 3.0: the same seed order under the SSL 3.0 PRF.
pub fn master_secret(
    alg: PrfAlgorithm,
    premaster: &[u8],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> [u8; MASTER_SECRET_LEN] {
    let mut seed = [0u8; 64];
    let (c, s) = seed.split_at_mut(32);
    c.copy_from_slice(client_random);
    s.copy_from_slice(server_random);
    let mut out = [0u8; MASTER_SECRET_LEN];
    // 48 bytes fit every PRF, SSL 3.0's included.
    prf_unchecked(alg, premaster, b"master secret", &seed, &mut out);
    out
}

/// RFC 7627 4: master_secret = PRF(pre_master_secret,
/// "extended master secret", session_hash)[0..47], where session_hash is the
/// handshake hash up to and including ClientKeyExchange
/// ([`super::transcript::Transcript::handshake_hash`]).
pub fn extended_master_secret(
    alg: PrfAlgorithm,
    premaster: &[u8],
    session_hash: &[u8],
) -> Result<[u8; MASTER_SECRET_LEN], KeyScheduleError> {
    if alg == PrfAlgorithm::Ssl3 {
        return Err(KeyScheduleError::NoExtendedMasterSecretInSsl3);
    }
    let mut out = [0u8; MASTER_SECRET_LEN];
    prf_unchecked(alg, premaster, b"extended master secret", session_hash, &mut out);
    Ok(out)
}

/// RFC 5246 6.3 / RFC 2246 6.3: key_block = PRF(master_secret,
/// "key expansion", server_random + client_random), split in order into
/// client_write_MAC_key, server_write_MAC_key, client_write_key,
/// server_write_key, client_write_IV, server_write_IV.
/// RFC 6101 6.2.2 for SSL 3.0: the SSL 3.0 PRF over the same seed order,
/// split the same way.
pub fn key_block(
    alg: PrfAlgorithm,
    master: &[u8; MASTER_SECRET_LEN],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
    layout: KeyBlockLayout,
) -> Result<ConnectionKeys, KeyScheduleError> {
    let mut seed = [0u8; 64];
    let (s, c) = seed.split_at_mut(32);
    s.copy_from_slice(server_random);
    c.copy_from_slice(client_random);
    let mut block = zeroize::Zeroizing::new(vec![0u8; layout.total()]);
    prf(alg, master, b"key expansion", &seed, &mut block)?;
    Ok(split_key_block(&block, layout))
}

/// Splits a key block of `layout.total()` bytes in RFC 5246 6.3 order.
fn split_key_block(block: &[u8], layout: KeyBlockLayout) -> ConnectionKeys {
    let mut rest = block;
    let mut take = |n: usize| -> Vec<u8> {
        let (head, tail) = rest.split_at(n.min(rest.len()));
        rest = tail;
        head.to_vec()
    };
    let client_mac = take(layout.mac_key_len);
    let server_mac = take(layout.mac_key_len);
    let client_key = take(layout.enc_key_len);
    let server_key = take(layout.enc_key_len);
    let client_iv = take(layout.fixed_iv_len);
    let server_iv = take(layout.fixed_iv_len);
    ConnectionKeys {
        client_write: DirectionKeys { mac_key: client_mac, enc_key: client_key, fixed_iv: client_iv },
        server_write: DirectionKeys { mac_key: server_mac, enc_key: server_key, fixed_iv: server_iv },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CR: [u8; 32] = [0x11; 32];
    const SR: [u8; 32] = [0x22; 32];

    #[test]
    fn key_block_splits_in_rfc_order() {
        let layout = KeyBlockLayout { mac_key_len: 20, enc_key_len: 16, fixed_iv_len: 16 };
        for alg in [PrfAlgorithm::Ssl3, PrfAlgorithm::Tls10, PrfAlgorithm::Sha256, PrfAlgorithm::Sha384] {
            let master = [0x33u8; 48];
            let keys = key_block(alg, &master, &CR, &SR, layout).unwrap();
            let mut raw = vec![0u8; layout.total()];
            let mut seed = SR.to_vec();
            seed.extend_from_slice(&CR);
            prf(alg, &master, b"key expansion", &seed, &mut raw).unwrap();
            assert_eq!(keys.client_write.mac_key, raw[0..20]);
            assert_eq!(keys.server_write.mac_key, raw[20..40]);
            assert_eq!(keys.client_write.enc_key, raw[40..56]);
            assert_eq!(keys.server_write.enc_key, raw[56..72]);
            assert_eq!(keys.client_write.fixed_iv, raw[72..88]);
            assert_eq!(keys.server_write.fixed_iv, raw[88..104]);
        }
    }

    #[test]
    fn aead_layout_has_no_mac_keys() {
        let layout = KeyBlockLayout { mac_key_len: 0, enc_key_len: 32, fixed_iv_len: 4 };
        let keys = key_block(PrfAlgorithm::Sha384, &[1; 48], &CR, &SR, layout).unwrap();
        assert!(keys.client_write.mac_key.is_empty());
        assert_eq!(keys.server_write.enc_key.len(), 32);
        assert_eq!(keys.server_write.fixed_iv.len(), 4);
        assert_ne!(keys.client_write, keys.server_write);
    }

    #[test]
    fn master_secret_seed_is_client_then_server() {
        let ms = master_secret(PrfAlgorithm::Sha256, b"pms", &CR, &SR);
        let mut seed = CR.to_vec();
        seed.extend_from_slice(&SR);
        let mut expected = [0u8; 48];
        prf(PrfAlgorithm::Sha256, b"pms", b"master secret", &seed, &mut expected).unwrap();
        assert_eq!(ms, expected);
        assert_ne!(ms, master_secret(PrfAlgorithm::Sha256, b"pms", &SR, &CR));
    }

    #[test]
    fn ssl3_has_no_extended_master_secret() {
        assert_eq!(
            extended_master_secret(PrfAlgorithm::Ssl3, b"pms", &[0; 36]),
            Err(KeyScheduleError::NoExtendedMasterSecretInSsl3)
        );
    }

    #[test]
    fn oversized_ssl3_key_block_is_refused() {
        let layout = KeyBlockLayout { mac_key_len: 100, enc_key_len: 100, fixed_iv_len: 16 };
        assert!(matches!(
            key_block(PrfAlgorithm::Ssl3, &[0; 48], &CR, &SR, layout),
            Err(KeyScheduleError::OutputTooLong { requested: 432, max: 416 })
        ));
    }
}
