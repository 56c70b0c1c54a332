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
/// The MAC input ahead of the content: seq_num, type, version, length
/// (RFC 5246 6.2.3.1); SSL 3.0's has no version (RFC 6101 5.2.3.1).
const TLS_MAC_HEADER: usize = 8 + 1 + 2 + 2;
const SSL3_MAC_HEADER: usize = 8 + 1 + 2;

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

/// Zero bytes the equaliser hashes: up to three 128-byte blocks, more than
/// 256 bytes of padding can shift.
static DUMMY_BYTES: [u8; 3 * 128] = [0; 3 * 128];

impl RecordMac {
    /// Lucky Thirteen's countermeasure (AlFardan and Paterson 2013, section
    /// 7; RFC 5246 6.2.3.2 notes the channel): after the MAC over
    /// `content_len` bytes, hashes dummy blocks with the MAC's own hash so
    /// the compression function runs as often as for `max_content_len`
    /// bytes. The padding length decides `content_len` and is secret; the
    /// record's length decides `max_content_len` and is public. The outer
    /// hash of HMAC (and of the SSL 3.0 MAC) is the same for every length.
    /// GnuTLS equalises the same way (its `dummy_wait`).
    pub(super) fn equalize(&self, content_len: usize, max_content_len: usize) {
        let extra = |block, prefix| equalizing_bytes(block, prefix, content_len, max_content_len);
        // The inner hash's input ahead of the content: HMAC's key block and
        // the TLS header; SSL 3.0's secret, pad_1 and its header.
        match self {
            Self::Ssl3Md5(secret) => {
                dummy::<Md5>(extra(64, secret.len() + SSL3_PAD_LEN_MD5 + SSL3_MAC_HEADER));
            }
            Self::Ssl3Sha1(secret) => {
                dummy::<Sha1>(extra(64, secret.len() + SSL3_PAD_LEN_SHA + SSL3_MAC_HEADER));
            }
            Self::HmacMd5(_) => dummy::<Md5>(extra(64, 64 + TLS_MAC_HEADER)),
            Self::HmacSha1(_) => dummy::<Sha1>(extra(64, 64 + TLS_MAC_HEADER)),
            Self::HmacSha256(_) => dummy::<Sha256>(extra(64, 64 + TLS_MAC_HEADER)),
            Self::HmacSha384(_) => dummy::<Sha384>(extra(128, 128 + TLS_MAC_HEADER)),
            // The same, through OpenSSL's digest: its blocks cost what its
            // HMAC's cost, not what ours do.
            #[cfg(feature = "openssl-provider")]
            Self::OpenSsl { mac, ssl3 } => {
                let (block, keyed) = mac.geometry();
                let header = if *ssl3 { SSL3_MAC_HEADER } else { TLS_MAC_HEADER };
                let bytes = extra(block, keyed + header);
                mac.dummy(DUMMY_BYTES.get(..bytes).unwrap_or(&DUMMY_BYTES));
            }
        }
    }
}

/// The dummy bytes that make a Merkle-Damgard hash of `prefix + content_len`
/// bytes run its compression function as often as for `prefix +
/// max_content_len`: the message, the 0x80 byte and the length, in
/// `block`-byte blocks; the length takes an eighth of a block (8 bytes of
/// 64 for MD5, SHA-1 and SHA-256, 16 of 128 for SHA-384; RFC 1321 3.1-3.2,
/// FIPS 180-4 5.1).
fn equalizing_bytes(block: usize, prefix: usize, content_len: usize, max_content_len: usize) -> usize {
    let blocks = |len: usize| (prefix + len + 1 + block / 8).div_ceil(block);
    blocks(max_content_len).saturating_sub(blocks(content_len)) * block
}

/// `bytes` (whole blocks) through a throwaway hash, kept alive so the
/// compiler cannot drop the work. Equal block counts are not equal times:
/// in the in-memory Lucky 13 probe (3,000 per class, three seeds) a 21-30
/// ns difference between padding lengths remained in two runs of three,
/// against 150-160 ns with no dummy blocks. So the RustCrypto openers take
/// the masked check instead ([`super::masked`]) and these arms are only
/// their fallback; OpenSSL's digests, whose chaining state the `openssl`
/// crate does not expose, still equalise this way.
fn dummy<D: Digest>(bytes: usize) {
    let mut h = D::new();
    Digest::update(&mut h, DUMMY_BYTES.get(..bytes).unwrap_or(&DUMMY_BYTES));
    std::hint::black_box(&mut h);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Compression calls for `n` message bytes, counted on the padded
    /// message itself rather than by the formula under test.
    fn compressions(block: usize, length_field: usize, n: usize) -> usize {
        let mut padded = vec![0u8; n];
        padded.push(0x80);
        while !(padded.len() + length_field).is_multiple_of(block) {
            padded.push(0);
        }
        padded.extend(std::iter::repeat_n(0, length_field));
        padded.len() / block
    }

    #[test]
    fn dummy_bytes_bring_every_padding_length_to_the_maximal_block_count() {
        // (block, length field, bytes ahead of the content): HMAC with MD5,
        // SHA-1 or SHA-256; HMAC-SHA-384; SSL 3.0 MAC with MD5 and SHA-1.
        for (block, field, prefix) in
            [(64, 8, 77), (128, 16, 141), (64, 8, 16 + 48 + 11), (64, 8, 20 + 40 + 11)]
        {
            for max in [0usize, 1, 20, 63, 64, 255, 256, 300, 1000, 16384] {
                for content in max.saturating_sub(256)..=max {
                    let dummy = equalizing_bytes(block, prefix, content, max);
                    assert_eq!(dummy % block, 0);
                    assert_eq!(
                        compressions(block, field, prefix + content) + dummy / block,
                        compressions(block, field, prefix + max),
                        "block {block} prefix {prefix} content {content} max {max}"
                    );
                    assert!(dummy <= DUMMY_BYTES.len());
                }
            }
        }
    }
}
