//! Record protection through OpenSSL EVP, the same constructions as
//! shakedown_engine::crypto::record: MAC-then-encrypt CBC (HMAC via EVP_MAC,
//! AES / 3DES via EVP_CIPHER, one context keyed once, IV reset per record),
//! RC4 and NULL with HMAC, and AES-GCM via EVP_CIPHER with the TLS nonce.
//!
//! This is OpenSSL's EVP primitives composed, not libssl's record layer:
//! libssl uses the stitched AES-CBC-HMAC-SHA1/SHA256 ciphers where it can
//! (see the `openssl speed` rows of the table) and a constant-time MAC check
//! on CBC open, which is slower than the plain HMAC here.

use std::ffi::CStr;
use std::sync::OnceLock;

use openssl::cipher::{Cipher, CipherRef};
use openssl::cipher_ctx::CipherCtx;
use openssl::hash::{Hasher, MessageDigest};
use openssl::provider::Provider;
use shakedown_engine::msgs::enums::ProtocolVersion;
use shakedown_engine::suites::{BulkCipher, MacAlgorithm};

use super::ffi::Hmac;
use crate::records::Case;

const APPLICATION_DATA: u8 = 23;

/// RC4 lives in OpenSSL 3's legacy provider; default stays loaded.
fn load_legacy() {
    static LEGACY: OnceLock<Option<Provider>> = OnceLock::new();
    LEGACY.get_or_init(|| Provider::try_load(None, "legacy", true).ok());
}

enum Mac {
    Hmac(Hmac, usize),
    /// RFC 6101 5.2.3.1 through EVP digests, as libssl's ssl3_mac.
    Ssl3 {
        md: MessageDigest,
        key: Vec<u8>,
        pad_len: usize,
    },
}

impl Mac {
    fn len(&self) -> usize {
        match self {
            Self::Hmac(_, n) => *n,
            Self::Ssl3 { md, .. } => md.size(),
        }
    }

    fn compute(&mut self, seq: u64, version: ProtocolVersion, data: &[u8]) -> Vec<u8> {
        let seq = seq.to_be_bytes();
        let len = (data.len() as u16).to_be_bytes();
        match self {
            Self::Hmac(h, n) => {
                let ver = version.get().to_be_bytes();
                let mut out = vec![0u8; 64];
                h.mac(&[&seq, &[APPLICATION_DATA], &ver, &len, data], &mut out);
                out.truncate(*n);
                out
            }
            Self::Ssl3 { md, key, pad_len } => {
                let mut inner = Hasher::new(*md).unwrap();
                inner.update(key).unwrap();
                inner.update(&[0x36; 48][..*pad_len]).unwrap();
                for p in [&seq[..], &[APPLICATION_DATA], &len, data] {
                    inner.update(p).unwrap();
                }
                let inner = inner.finish().unwrap();
                let mut outer = Hasher::new(*md).unwrap();
                outer.update(key).unwrap();
                outer.update(&[0x5c; 48][..*pad_len]).unwrap();
                outer.update(&inner).unwrap();
                outer.finish().unwrap().to_vec()
            }
        }
    }
}

enum Kind {
    /// NULL (no cipher context) or RC4.
    Stream(Option<CipherCtx>),
    /// `chained`: the SSL 3.0 / TLS 1.0 IV chain; `None` for explicit IVs.
    Cbc {
        ctx: CipherCtx,
        block: usize,
        chained: Option<Vec<u8>>,
    },
    Gcm {
        ctx: CipherCtx,
        salt: [u8; 4],
    },
}

/// One direction of OpenSSL record protection for a [`Case`]; seals or
/// opens (not both on one value, as with the engine's sealer and opener).
pub struct Record {
    version: ProtocolVersion,
    seq: u64,
    mac: Option<Mac>,
    kind: Kind,
    encrypt: bool,
}

impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Record").field("seq", &self.seq).finish_non_exhaustive()
    }
}

fn cipher(c: BulkCipher) -> &'static CipherRef {
    match c {
        BulkCipher::Aes128Cbc => Cipher::aes_128_cbc(),
        BulkCipher::Aes256Cbc => Cipher::aes_256_cbc(),
        BulkCipher::TripleDesEdeCbc => Cipher::des_ede3_cbc(),
        BulkCipher::Aes128Gcm => Cipher::aes_128_gcm(),
        BulkCipher::Aes256Gcm => Cipher::aes_256_gcm(),
        BulkCipher::Rc4_128 => Cipher::rc4(),
        other => panic!("no OpenSSL cipher for {other:?}"),
    }
}

fn hmac_digest(m: MacAlgorithm) -> (&'static CStr, usize, MessageDigest) {
    match m {
        MacAlgorithm::Md5 => (c"MD5", 16, MessageDigest::md5()),
        MacAlgorithm::Sha1 => (c"SHA1", 20, MessageDigest::sha1()),
        MacAlgorithm::Sha256 => (c"SHA256", 32, MessageDigest::sha256()),
        MacAlgorithm::Sha384 => (c"SHA384", 48, MessageDigest::sha384()),
        MacAlgorithm::Aead => unreachable!("AEAD has no MAC"),
    }
}

impl Record {
    pub fn sealer(case: &Case) -> Self {
        Self::new(case, true)
    }

    pub fn opener(case: &Case) -> Self {
        Self::new(case, false)
    }

    fn new(case: &Case, encrypt: bool) -> Self {
        load_legacy();
        let keys = case.keys();
        let suite = case.suite;
        let mac = (suite.mac != MacAlgorithm::Aead).then(|| {
            let (name, len, md) = hmac_digest(suite.mac);
            if case.version.is_ssl3() {
                Mac::Ssl3 { md, key: keys.mac_key.clone(), pad_len: if len == 16 { 48 } else { 40 } }
            } else {
                Mac::Hmac(Hmac::new(name, &keys.mac_key), len)
            }
        });
        let keyed = |iv: Option<&[u8]>| {
            let mut ctx = CipherCtx::new().unwrap();
            let c = cipher(suite.cipher);
            if encrypt {
                ctx.encrypt_init(Some(c), Some(&keys.enc_key), iv).unwrap();
            } else {
                ctx.decrypt_init(Some(c), Some(&keys.enc_key), iv).unwrap();
            }
            ctx.set_padding(false);
            ctx
        };
        let kind = match suite.cipher {
            BulkCipher::Null => Kind::Stream(None),
            BulkCipher::Rc4_128 => Kind::Stream(Some(keyed(None))),
            BulkCipher::Aes128Gcm | BulkCipher::Aes256Gcm => {
                Kind::Gcm { ctx: keyed(None), salt: keys.fixed_iv.clone().try_into().unwrap() }
            }
            _ => {
                let ctx = keyed(None);
                let block = ctx.block_size();
                Kind::Cbc {
                    ctx,
                    block,
                    chained: (!case.version.has_explicit_iv()).then(|| keys.fixed_iv.clone()),
                }
            }
        };
        Self { version: case.version, seq: 0, mac, kind, encrypt }
    }

    /// Seals one application-data record; the wire format is the engine's.
    pub fn seal(&mut self, plaintext: &[u8]) -> Vec<u8> {
        assert!(self.encrypt);
        let seq = self.seq;
        self.seq += 1;
        let version = self.version;
        match &mut self.kind {
            Kind::Stream(ctx) => {
                let mut out = plaintext.to_vec();
                let tag = self.mac.as_mut().unwrap().compute(seq, version, plaintext);
                out.extend_from_slice(&tag);
                if let Some(ctx) = ctx {
                    ctx.cipher_update_inplace(&mut out, plaintext.len() + tag.len()).unwrap();
                }
                out
            }
            Kind::Cbc { ctx, block, chained } => {
                let mac = self.mac.as_mut().unwrap();
                let tag = mac.compute(seq, version, plaintext);
                let body_len = plaintext.len() + tag.len();
                let pad = *block - 1 - body_len % *block;
                let iv = match chained {
                    Some(iv) => iv.clone(),
                    None => {
                        let mut iv = vec![0u8; *block];
                        openssl::rand::rand_bytes(&mut iv).unwrap();
                        iv
                    }
                };
                let explicit = if chained.is_some() { 0 } else { *block };
                let mut out = Vec::with_capacity(explicit + body_len + pad + 1);
                if chained.is_none() {
                    out.extend_from_slice(&iv);
                }
                out.extend_from_slice(plaintext);
                out.extend_from_slice(&tag);
                out.resize(out.len() + pad + 1, pad as u8);
                ctx.encrypt_init(None, None, Some(&iv)).unwrap();
                let n = out.len() - explicit;
                // The crate wants a block of slack for EVP_CipherUpdate's
                // worst case; with padding off nothing is written there.
                out.resize(out.len() + *block, 0);
                ctx.cipher_update_inplace(&mut out[explicit..], n).unwrap();
                out.truncate(explicit + n);
                if let Some(next) = chained {
                    next.copy_from_slice(&out[out.len() - *block..]);
                }
                out
            }
            Kind::Gcm { ctx, salt } => {
                let explicit = seq.to_be_bytes();
                let mut nonce = [0u8; 12];
                nonce[..4].copy_from_slice(salt);
                nonce[4..].copy_from_slice(&explicit);
                let aad = aad(seq, version, plaintext.len());
                ctx.encrypt_init(None, None, Some(&nonce)).unwrap();
                ctx.cipher_update(&aad, None).unwrap();
                let mut out = Vec::with_capacity(8 + plaintext.len() + 16);
                out.extend_from_slice(&explicit);
                out.extend_from_slice(plaintext);
                ctx.cipher_update_inplace(&mut out[8..], plaintext.len()).unwrap();
                ctx.cipher_final(&mut []).unwrap();
                let mut tag = [0u8; 16];
                ctx.tag(&mut tag).unwrap();
                out.extend_from_slice(&tag);
                out
            }
        }
    }

    /// Opens one application-data record; panics on a bad record (the
    /// benchmarks only feed good ones).
    pub fn open(&mut self, fragment: &[u8]) -> Vec<u8> {
        assert!(!self.encrypt);
        let seq = self.seq;
        self.seq += 1;
        let version = self.version;
        match &mut self.kind {
            Kind::Stream(ctx) => {
                let mut data = fragment.to_vec();
                if let Some(ctx) = ctx {
                    ctx.cipher_update_inplace(&mut data, fragment.len()).unwrap();
                }
                let mac = self.mac.as_mut().unwrap();
                let content = data.len() - mac.len();
                let want = mac.compute(seq, version, &data[..content]);
                assert!(openssl::memcmp::eq(&want, &data[content..]), "bad MAC");
                data.truncate(content);
                data
            }
            Kind::Cbc { ctx, block, chained } => {
                let explicit = if chained.is_some() { 0 } else { *block };
                let (iv, ct) = fragment.split_at(explicit);
                let iv = match chained {
                    Some(iv) => iv.clone(),
                    None => iv.to_vec(),
                };
                let mut data = Vec::with_capacity(ct.len() + *block);
                data.extend_from_slice(ct);
                data.resize(ct.len() + *block, 0);
                ctx.decrypt_init(None, None, Some(&iv)).unwrap();
                ctx.cipher_update_inplace(&mut data, ct.len()).unwrap();
                data.truncate(ct.len());
                if let Some(next) = chained {
                    next.copy_from_slice(&ct[ct.len() - *block..]);
                }
                let pad = usize::from(*data.last().unwrap());
                let ssl3 = version.is_ssl3();
                let pad_ok = data[data.len() - pad - 1..].iter().all(|&b| ssl3 || usize::from(b) == pad);
                let mac = self.mac.as_mut().unwrap();
                let content = data.len() - pad - 1 - mac.len();
                let want = mac.compute(seq, version, &data[..content]);
                assert!(
                    pad_ok & openssl::memcmp::eq(&want, &data[content..content + mac.len()]),
                    "bad record"
                );
                data.truncate(content);
                data
            }
            Kind::Gcm { ctx, salt } => {
                let (explicit, rest) = fragment.split_at(8);
                let (ct, tag) = rest.split_at(rest.len() - 16);
                let mut nonce = [0u8; 12];
                nonce[..4].copy_from_slice(salt);
                nonce[4..].copy_from_slice(explicit);
                let aad = aad(seq, version, ct.len());
                ctx.decrypt_init(None, None, Some(&nonce)).unwrap();
                ctx.cipher_update(&aad, None).unwrap();
                let mut out = ct.to_vec();
                ctx.cipher_update_inplace(&mut out, ct.len()).unwrap();
                ctx.set_tag(tag).unwrap();
                ctx.cipher_final(&mut []).unwrap();
                out
            }
        }
    }
}

fn aad(seq: u64, version: ProtocolVersion, len: usize) -> [u8; 13] {
    let mut aad = [0u8; 13];
    aad[..8].copy_from_slice(&seq.to_be_bytes());
    aad[8] = APPLICATION_DATA;
    aad[9..11].copy_from_slice(&version.get().to_be_bytes());
    aad[11..].copy_from_slice(&(len as u16).to_be_bytes());
    aad
}
