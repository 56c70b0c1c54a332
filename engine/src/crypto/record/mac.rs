//! The record MAC: SSL 3.0's MAC (RFC 6101 5.2.3.1) or HMAC (RFC 2104) over
//! the TLS MAC input (RFC 2246 6.2.3.1; RFC 5246 6.2.3.1).

use hmac::{Hmac, KeyInit, Mac};
use md5::Md5;
use sha1::{Digest, Sha1};
use sha2::{Sha256, Sha384};

use super::{Backend, SetupError};
use crate::msgs::enums::{ContentType, ProtocolVersion};
use crate::suites::MacAlgorithm;

/// A keyed record MAC, built once per direction.
#[derive(Clone)]
pub(super) enum RecordMac {
    Ssl3Md5(Vec<u8>),
    Ssl3Sha1(Vec<u8>),
    HmacMd5(Hmac<Md5>),
    HmacSha1(Hmac<Sha1>),
    HmacSha256(Hmac<Sha256>),
    HmacSha384(Hmac<Sha384>),
    /// Either MAC over OpenSSL's digests; `ssl3` picks the SSL 3.0 input.
    #[cfg(feature = "openssl-provider")]
    OpenSsl {
        mac: std::sync::Arc<super::ossl::Mac>,
        ssl3: bool,
    },
}

/// RFC 6101 5.2.3.1: pad_1 is 0x36 and pad_2 is 0x5c, repeated 48 times for
/// MD5 and 40 times for SHA.
pub(super) const SSL3_PAD1: u8 = 0x36;
pub(super) const SSL3_PAD2: u8 = 0x5c;
pub(super) const SSL3_PAD_LEN_MD5: usize = 48;
pub(super) const SSL3_PAD_LEN_SHA: usize = 40;

fn hmac_key<M: KeyInit>(key: &[u8]) -> Result<M, SetupError> {
    // HMAC takes keys of any length; the length itself is checked by the caller.
    M::new_from_slice(key).map_err(|_| SetupError::KeyLength {
        what: "mac_key",
        expected: key.len(),
        got: key.len(),
    })
}

impl RecordMac {
    /// `None` for AEAD suites, which authenticate inside the cipher.
    pub(super) fn new(
        backend: Backend,
        alg: MacAlgorithm,
        version: ProtocolVersion,
        key: &[u8],
    ) -> Result<Option<Self>, SetupError> {
        #[cfg(feature = "openssl-provider")]
        if backend == Backend::OpenSsl {
            use super::ossl::Mac;
            let ssl3 = version.is_ssl3();
            let mac = match (alg, ssl3) {
                (MacAlgorithm::Aead, _) => return Ok(None),
                (MacAlgorithm::Md5, true) => Mac::ssl3(alg, key, SSL3_PAD_LEN_MD5)?,
                (MacAlgorithm::Sha1, true) => Mac::ssl3(alg, key, SSL3_PAD_LEN_SHA)?,
                (MacAlgorithm::Sha256 | MacAlgorithm::Sha384, true) => {
                    return Err(SetupError::NoSsl3Mac(alg));
                }
                (_, false) => Mac::hmac(alg, key)?,
            };
            return Ok(Some(Self::OpenSsl { mac: std::sync::Arc::new(mac), ssl3 }));
        }
        let _ = backend;
        let mac = match (alg, version.is_ssl3()) {
            (MacAlgorithm::Aead, _) => return Ok(None),
            (MacAlgorithm::Md5, true) => Self::Ssl3Md5(key.to_vec()),
            (MacAlgorithm::Sha1, true) => Self::Ssl3Sha1(key.to_vec()),
            // RFC 6101 defines the SSL3 MAC only for MD5 and SHA-1.
            (MacAlgorithm::Sha256 | MacAlgorithm::Sha384, true) => {
                return Err(SetupError::NoSsl3Mac(alg));
            }
            (MacAlgorithm::Md5, false) => Self::HmacMd5(hmac_key(key)?),
            (MacAlgorithm::Sha1, false) => Self::HmacSha1(hmac_key(key)?),
            (MacAlgorithm::Sha256, false) => Self::HmacSha256(hmac_key(key)?),
            (MacAlgorithm::Sha384, false) => Self::HmacSha384(hmac_key(key)?),
        };
        Ok(Some(mac))
    }

    pub(super) fn len(&self) -> usize {
        match self {
            Self::Ssl3Md5(_) | Self::HmacMd5(_) => 16,
            Self::Ssl3Sha1(_) | Self::HmacSha1(_) => 20,
            Self::HmacSha256(_) => 32,
            Self::HmacSha384(_) => 48,
            #[cfg(feature = "openssl-provider")]
            Self::OpenSsl { mac, .. } => mac.len(),
        }
    }

    /// The MAC of one record's `data` (the plaintext fragment, or with
    /// encrypt_then_mac the IV and ciphertext, RFC 7366 3).
    pub(super) fn compute(
        &self,
        seq: u64,
        typ: ContentType,
        version: ProtocolVersion,
        data: &[u8],
    ) -> MacTag {
        let len = u16::try_from(data.len()).unwrap_or(u16::MAX).to_be_bytes();
        let seq = seq.to_be_bytes();
        let typ = [typ.get()];
        let ver = version.get().to_be_bytes();
        // RFC 6101 5.2.3.1: seq_num + type + length + content (no version).
        let ssl3_input: [&[u8]; 4] = [&seq, &typ, &len, data];
        // RFC 5246 6.2.3.1: seq_num + type + version + length + fragment.
        let tls_input: [&[u8]; 5] = [&seq, &typ, &ver, &len, data];
        match self {
            Self::Ssl3Md5(secret) => ssl3_mac::<Md5>(secret, SSL3_PAD_LEN_MD5, &ssl3_input),
            Self::Ssl3Sha1(secret) => ssl3_mac::<Sha1>(secret, SSL3_PAD_LEN_SHA, &ssl3_input),
            Self::HmacMd5(m) => hmac(m, &tls_input),
            Self::HmacSha1(m) => hmac(m, &tls_input),
            Self::HmacSha256(m) => hmac(m, &tls_input),
            Self::HmacSha384(m) => hmac(m, &tls_input),
            #[cfg(feature = "openssl-provider")]
            Self::OpenSsl { mac, ssl3: true } => MacTag::from_slice(&mac.compute(&ssl3_input)),
            #[cfg(feature = "openssl-provider")]
            Self::OpenSsl { mac, ssl3: false } => MacTag::from_slice(&mac.compute(&tls_input)),
        }
    }
}

/// A record MAC's value on the stack (at most SHA-384's 48 bytes), so a
/// record costs no allocation for it.
#[derive(Clone, Copy)]
pub(super) struct MacTag {
    bytes: [u8; 48],
    len: usize,
}

impl MacTag {
    pub(super) fn from_slice(s: &[u8]) -> Self {
        let mut bytes = [0u8; 48];
        for (d, v) in bytes.iter_mut().zip(s) {
            *d = *v;
        }
        Self { bytes, len: s.len().min(48) }
    }

    pub(super) fn as_slice(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }

    pub(super) fn as_mut_slice(&mut self) -> &mut [u8] {
        self.bytes.get_mut(..self.len).unwrap_or_default()
    }
}

fn hmac<M: Mac + Clone>(keyed: &M, parts: &[&[u8]]) -> MacTag {
    let mut m = keyed.clone();
    for p in parts {
        m.update(p);
    }
    MacTag::from_slice(&m.finalize().into_bytes())
}

/// hash(MAC_write_secret + pad_2 +
///      hash(MAC_write_secret + pad_1 + seq_num + type + length + content))
fn ssl3_mac<D: Digest>(secret: &[u8], pad_len: usize, parts: &[&[u8]]) -> MacTag {
    const PAD1: [u8; SSL3_PAD_LEN_MD5] = [SSL3_PAD1; SSL3_PAD_LEN_MD5];
    const PAD2: [u8; SSL3_PAD_LEN_MD5] = [SSL3_PAD2; SSL3_PAD_LEN_MD5];
    let mut inner = D::new();
    inner.update(secret);
    inner.update(PAD1.get(..pad_len).unwrap_or(&PAD1));
    for p in parts {
        inner.update(p);
    }
    let inner = inner.finalize();
    let mut outer = D::new();
    outer.update(secret);
    outer.update(PAD2.get(..pad_len).unwrap_or(&PAD2));
    outer.update(inner);
    MacTag::from_slice(&outer.finalize())
}
