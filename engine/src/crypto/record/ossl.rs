//! The record primitives over OpenSSL's EVP (the `openssl` crate), for the
//! `openssl` provider: CBC, RC4 and AES-GCM through one `EVP_CIPHER_CTX`
//! keyed once per direction with the IV reset per record, and the record
//! MACs over EVP digests. The constructions around them (MAC-then-encrypt,
//! padding and its check, encrypt_then_mac, the tweaks) stay in the parent
//! module, shared with the RustCrypto primitives, so both providers put
//! the same bytes on the wire.

use std::sync::OnceLock;

use openssl::cipher::{Cipher, CipherRef};
use openssl::cipher_ctx::CipherCtx;
use openssl::hash::{Hasher, MessageDigest};
use openssl::provider::Provider;
use zeroize::Zeroizing;

use super::SetupError;
use crate::suites::{BulkCipher, MacAlgorithm};

fn backend(e: openssl::error::ErrorStack) -> SetupError {
    SetupError::Backend(e.to_string())
}

/// RC4 and single DES live in OpenSSL 3's legacy provider; loading it with
/// fallbacks kept leaves the default provider in place. Once per process.
fn load_legacy() {
    static LEGACY: OnceLock<Option<Provider>> = OnceLock::new();
    LEGACY.get_or_init(|| Provider::try_load(None, "legacy", true).ok());
}

fn cipher(c: BulkCipher) -> Result<&'static CipherRef, SetupError> {
    Ok(match c {
        BulkCipher::Aes128Cbc => Cipher::aes_128_cbc(),
        BulkCipher::Aes256Cbc => Cipher::aes_256_cbc(),
        BulkCipher::TripleDesEdeCbc => Cipher::des_ede3_cbc(),
        BulkCipher::Aes128Gcm => Cipher::aes_128_gcm(),
        BulkCipher::Aes256Gcm => Cipher::aes_256_gcm(),
        BulkCipher::Rc4_128 => {
            load_legacy();
            Cipher::rc4()
        }
        other => return Err(SetupError::WrongCipherKind(other)),
    })
}

fn context(c: &CipherRef, key: &[u8], encrypt: bool) -> Result<CipherCtx, SetupError> {
    if key.len() != c.key_length() {
        return Err(SetupError::KeyLength { what: "enc_key", expected: c.key_length(), got: key.len() });
    }
    let mut ctx = CipherCtx::new().map_err(backend)?;
    if encrypt {
        ctx.encrypt_init(Some(c), Some(key), None).map_err(backend)?;
    } else {
        ctx.decrypt_init(Some(c), Some(key), None).map_err(backend)?;
    }
    // The parent module pads and checks padding itself (RFC 5246 6.2.3.2).
    ctx.set_padding(false);
    Ok(ctx)
}

/// The largest CBC block here (AES; 3DES has 8).
const MAX_BLOCK: usize = 16;

/// A CBC cipher keyed for the one direction its record layer runs: the
/// key schedule is done at setup, so a connection's first record does not
/// pay for it (a context made on first use did, and made a fresh opener's
/// 16 KiB record 6 % slower than OpenSSL's own).
pub(super) struct Cbc {
    cipher: &'static CipherRef,
    ctx: CipherCtx,
    encrypt: bool,
}

impl Cbc {
    pub(super) fn new(c: BulkCipher, key: &[u8], encrypt: bool) -> Result<Self, SetupError> {
        let cipher = cipher(c)?;
        Ok(Self { cipher, ctx: context(cipher, key, encrypt)?, encrypt })
    }

    pub(super) fn block_len(&self) -> usize {
        self.cipher.block_size()
    }

    /// CBC over `data` in place, whole blocks (callers guarantee it) from
    /// `iv`. On an OpenSSL failure, or a call for the direction this cipher
    /// was not keyed for, the data is zeroed: a peer then sees a bad
    /// record, never our plaintext.
    pub(super) fn apply(&mut self, encrypt: bool, iv: &[u8], data: &mut [u8]) {
        if encrypt != self.encrypt || self.run(iv, data).is_none() {
            data.fill(0);
        }
    }

    fn run(&mut self, iv: &[u8], data: &mut [u8]) -> Option<()> {
        if iv.len() != self.cipher.iv_length() {
            return None;
        }
        let ctx = &mut self.ctx;
        if self.encrypt {
            ctx.encrypt_init(None, None, Some(iv)).ok()?;
        } else {
            ctx.decrypt_init(None, None, Some(iv)).ok()?;
        }
        // The crate's in-place update wants one block of room past the
        // input: every block but the last is that room for the ones before
        // it, and the last goes through a two-block buffer on the stack.
        // The context carries the CBC chain from one update to the next.
        if data.is_empty() {
            return Some(());
        }
        let block = self.cipher.block_size();
        let body = data.len().checked_sub(block)?;
        if body > 0 && ctx.cipher_update_inplace(data, body).ok()? != body {
            return None;
        }
        let mut last = [0u8; 2 * MAX_BLOCK];
        let tail = data.get_mut(body..)?;
        last.get_mut(..block)?.copy_from_slice(tail);
        if ctx.cipher_update_inplace(last.get_mut(..2 * block)?, block).ok()? != block {
            return None;
        }
        tail.copy_from_slice(last.get(..block)?);
        Some(())
    }
}

/// RC4: one keystream per direction, never restarted (RFC 5246 6.2.3.1).
pub(super) struct Rc4(CipherCtx);

impl Rc4 {
    pub(super) fn new(key: &[u8]) -> Result<Self, SetupError> {
        Ok(Self(context(cipher(BulkCipher::Rc4_128)?, key, true)?))
    }

    pub(super) fn apply(&mut self, data: &mut [u8]) {
        let len = data.len();
        if self.0.cipher_update_inplace(data, len).is_err() {
            data.fill(0);
        }
    }
}

/// AES-GCM with the key schedule done once (RFC 5288 3).
pub(super) struct Gcm {
    enc: CipherCtx,
    dec: CipherCtx,
}

pub(super) const GCM_TAG_LEN: usize = 16;

impl Gcm {
    pub(super) fn new(c: BulkCipher, key: &[u8]) -> Result<Self, SetupError> {
        let cipher = cipher(c)?;
        Ok(Self { enc: context(cipher, key, true)?, dec: context(cipher, key, false)? })
    }

    /// Encrypts `data` in place and returns the tag; `None` only if
    /// OpenSSL fails.
    pub(super) fn seal(
        &mut self,
        nonce: &[u8; 12],
        aad: &[u8],
        data: &mut [u8],
    ) -> Option<[u8; GCM_TAG_LEN]> {
        let ctx = &mut self.enc;
        ctx.encrypt_init(None, None, Some(nonce)).ok()?;
        ctx.cipher_update(aad, None).ok()?;
        let len = data.len();
        ctx.cipher_update_inplace(data, len).ok()?;
        ctx.cipher_final(&mut []).ok()?;
        let mut tag = [0u8; GCM_TAG_LEN];
        ctx.tag(&mut tag).ok()?;
        Some(tag)
    }

    /// Decrypts `data` in place; `false` if the tag does not verify (the
    /// data is then zeroed).
    pub(super) fn open(&mut self, nonce: &[u8; 12], aad: &[u8], data: &mut [u8], tag: &[u8]) -> bool {
        let ok = self.try_open(nonce, aad, data, tag).is_some();
        if !ok {
            data.fill(0);
        }
        ok
    }

    fn try_open(&mut self, nonce: &[u8; 12], aad: &[u8], data: &mut [u8], tag: &[u8]) -> Option<()> {
        let ctx = &mut self.dec;
        ctx.decrypt_init(None, None, Some(nonce)).ok()?;
        ctx.cipher_update(aad, None).ok()?;
        let len = data.len();
        ctx.cipher_update_inplace(data, len).ok()?;
        ctx.set_tag(tag).ok()?;
        ctx.cipher_final(&mut []).ok()?;
        Some(())
    }
}

/// A record MAC over EVP digests: HMAC (RFC 2104) from the two keyed
/// digest states, copied per record rather than rekeyed, or SSL 3.0's MAC
/// (RFC 6101 5.2.3.1) from its keyed prefixes, as libssl's ssl3_mac does.
/// Either way a record costs the hashing of its own bytes only.
pub(super) struct Mac {
    inner: Hasher,
    outer: Hasher,
    len: usize,
}

fn digest(alg: MacAlgorithm) -> Option<MessageDigest> {
    match alg {
        MacAlgorithm::Md5 => Some(MessageDigest::md5()),
        MacAlgorithm::Sha1 => Some(MessageDigest::sha1()),
        MacAlgorithm::Sha256 => Some(MessageDigest::sha256()),
        MacAlgorithm::Sha384 => Some(MessageDigest::sha384()),
        MacAlgorithm::Aead => None,
    }
}

fn keyed(md: MessageDigest, parts: &[&[u8]]) -> Result<Hasher, SetupError> {
    let mut h = Hasher::new(md).map_err(backend)?;
    for p in parts {
        h.update(p).map_err(backend)?;
    }
    Ok(h)
}

impl Mac {
    /// RFC 2104: H(K ^ opad, H(K ^ ipad, text)), K hashed first if longer
    /// than the block.
    pub(super) fn hmac(alg: MacAlgorithm, key: &[u8]) -> Result<Self, SetupError> {
        let md = digest(alg).ok_or(SetupError::NoSsl3Mac(alg))?;
        let block = md.block_size();
        let mut k = Zeroizing::new(if key.len() > block {
            openssl::hash::hash(md, key).map_err(backend)?.to_vec()
        } else {
            key.to_vec()
        });
        k.resize(block, 0);
        let ipad: Zeroizing<Vec<u8>> = Zeroizing::new(k.iter().map(|b| b ^ 0x36).collect());
        let opad: Zeroizing<Vec<u8>> = Zeroizing::new(k.iter().map(|b| b ^ 0x5c).collect());
        Ok(Self { inner: keyed(md, &[&ipad])?, outer: keyed(md, &[&opad])?, len: md.size() })
    }

    /// RFC 6101 5.2.3.1: hash(secret + pad_2 + hash(secret + pad_1 + ...)),
    /// pads of 48 bytes for MD5 and 40 for SHA-1.
    pub(super) fn ssl3(alg: MacAlgorithm, secret: &[u8], pad_len: usize) -> Result<Self, SetupError> {
        let md = digest(alg).ok_or(SetupError::NoSsl3Mac(alg))?;
        Ok(Self {
            inner: keyed(md, &[secret, &vec![0x36; pad_len]])?,
            outer: keyed(md, &[secret, &vec![0x5c; pad_len]])?,
            len: md.size(),
        })
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The MAC over `parts`; all zeros should OpenSSL fail, which no peer
    /// accepts.
    pub(super) fn compute(&self, parts: &[&[u8]]) -> Vec<u8> {
        self.try_compute(parts).unwrap_or_else(|| vec![0; self.len])
    }

    fn try_compute(&self, parts: &[&[u8]]) -> Option<Vec<u8>> {
        let mut inner = self.inner.clone();
        for p in parts {
            inner.update(p).ok()?;
        }
        let inner = inner.finish().ok()?;
        let mut outer = self.outer.clone();
        outer.update(&inner).ok()?;
        Some(outer.finish().ok()?.to_vec())
    }
}
