//! CBC block ciphers (RFC 5246 6.2.3.2; RFC 6101 5.2.3.2) and their padding.
//!
//! The mode comes from the `cbc` crate with a fresh IV per record, so the
//! chained IV of SSL 3.0 / TLS 1.0 and the explicit IV of TLS 1.1+ are the
//! same call.

use aes::cipher::{
    Block, BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, BlockSizeUser,
    InnerIvInit, KeyInit,
};
use aes::{Aes128, Aes256};
use des::TdesEde3;
use subtle::{Choice, ConstantTimeEq, ConstantTimeLess};

use super::{Backend, SetupError};
use crate::suites::BulkCipher;

pub(super) enum BlockCipher {
    TripleDes(Box<TdesEde3>),
    Aes128(Box<Aes128>),
    Aes256(Box<Aes256>),
    #[cfg(feature = "openssl-provider")]
    OpenSsl(Box<super::ossl::Cbc>),
}

fn key<C: KeyInit>(key: &[u8], expected: usize) -> Result<Box<C>, SetupError> {
    C::new_from_slice(key).map(Box::new).map_err(|_| SetupError::KeyLength {
        what: "enc_key",
        expected,
        got: key.len(),
    })
}

impl BlockCipher {
    /// `encrypt`: whether the cipher seals (else it opens); the RustCrypto
    /// ciphers do either, OpenSSL's context is keyed for one.
    pub(super) fn new(
        backend: Backend,
        encrypt: bool,
        cipher: BulkCipher,
        k: &[u8],
    ) -> Result<Self, SetupError> {
        #[cfg(feature = "openssl-provider")]
        if backend == Backend::OpenSsl {
            return super::ossl::Cbc::new(cipher, k, encrypt).map(|c| Self::OpenSsl(Box::new(c)));
        }
        let _ = (backend, encrypt);
        match cipher {
            BulkCipher::TripleDesEdeCbc => key(k, 24).map(Self::TripleDes),
            BulkCipher::Aes128Cbc => key(k, 16).map(Self::Aes128),
            BulkCipher::Aes256Cbc => key(k, 32).map(Self::Aes256),
            other => Err(SetupError::WrongCipherKind(other)),
        }
    }

    pub(super) fn block_len(&self) -> usize {
        match self {
            Self::TripleDes(_) => 8,
            Self::Aes128(_) | Self::Aes256(_) => 16,
            #[cfg(feature = "openssl-provider")]
            Self::OpenSsl(c) => c.block_len(),
        }
    }

    /// CBC-encrypts `data` in place; `data` is a whole number of blocks and
    /// `iv` one block (callers guarantee both).
    pub(super) fn encrypt(&mut self, iv: &[u8], data: &mut [u8]) {
        match self {
            Self::TripleDes(c) => cbc_encrypt(c.as_ref(), iv, data),
            Self::Aes128(c) => cbc_encrypt(c.as_ref(), iv, data),
            Self::Aes256(c) => cbc_encrypt(c.as_ref(), iv, data),
            #[cfg(feature = "openssl-provider")]
            Self::OpenSsl(c) => c.apply(true, iv, data),
        }
    }

    /// CBC-decrypts `data` in place.
    pub(super) fn decrypt(&mut self, iv: &[u8], data: &mut [u8]) {
        match self {
            Self::TripleDes(c) => cbc_decrypt(c.as_ref(), iv, data),
            Self::Aes128(c) => cbc_decrypt(c.as_ref(), iv, data),
            Self::Aes256(c) => cbc_decrypt(c.as_ref(), iv, data),
            #[cfg(feature = "openssl-provider")]
            Self::OpenSsl(c) => c.apply(false, iv, data),
        }
    }
}

/// CBC over whole blocks through the `cbc` crate's modes borrowing the
/// keyed cipher: one backend dispatch per record rather than per block (the
/// VAES-512 backend of `aes` broadcasts its round keys on every call, which
/// dominated a per-block loop), and parallel blocks when decrypting.
fn cbc_encrypt<C: BlockCipherEncrypt>(cipher: &C, iv: &[u8], data: &mut [u8]) {
    let Ok(iv) = Block::<C>::try_from(iv) else {
        return;
    };
    let (blocks, _) = Block::<C>::slice_as_chunks_mut(data);
    cbc::Encryptor::<&C>::inner_iv_init(cipher, &iv).encrypt_blocks(blocks);
}

fn cbc_decrypt<C: BlockCipherDecrypt + BlockSizeUser>(cipher: &C, iv: &[u8], data: &mut [u8]) {
    let Ok(iv) = Block::<C>::try_from(iv) else {
        return;
    };
    let (blocks, _) = Block::<C>::slice_as_chunks_mut(data);
    cbc::Decryptor::<&C>::inner_iv_init(cipher, &iv).decrypt_blocks(blocks);
}

/// The most padding a TLS record carries: padding_length (at most 255) and
/// its length byte (RFC 5246 6.2.3.2).
pub(super) const MAX_PADDING: usize = 256;

/// Appends the padding for `content_len` bytes (RFC 5246 6.2.3.2):
/// `padding_length` bytes each equal to `padding_length`, then the length
/// byte. SSL 3.0 lets the padding bytes be anything (RFC 6101 5.2.3.2); they
/// are filled the TLS way there too, as OpenSSL and tlslite-ng do.
///
/// `requested` overrides the length: the largest length not above it that
/// still ends the record on a block boundary (never shorter than honest).
pub(super) fn push_padding(out: &mut Vec<u8>, content_len: usize, block_len: usize, requested: Option<u8>) {
    let honest = block_len - 1 - content_len % block_len;
    let len = match requested {
        Some(r) if usize::from(r) > honest => honest + (usize::from(r) - honest) / block_len * block_len,
        _ => honest,
    };
    let byte = u8::try_from(len).unwrap_or(u8::MAX);
    out.resize(out.len() + len + 1, byte);
}

/// Checks the padding at the end of decrypted `data` (at least one byte) and
/// returns (valid, padding_length + 1). The length byte is secret: the check
/// reads a fixed window of bytes, independent of its value, and does not
/// return early (RFC 5246 6.2.3.2, the padding oracle note). `reserved` bytes
/// (the MAC) must remain before the padding.
pub(super) fn check_padding(data: &[u8], block_len: usize, reserved: usize, ssl3: bool) -> (Choice, usize) {
    let n = data.len();
    let pad = data.last().copied().unwrap_or(0);
    let pad_total = u64::from(pad) + 1;
    // padding_length + 1 + MAC must fit in the record.
    let mut good = !(n as u64).ct_lt(&(pad_total + reserved as u64));
    if ssl3 {
        // RFC 6101 5.2.3.2: the padding is shorter than one block; its
        // content is arbitrary and not checked.
        good &= u64::from(pad).ct_lt(&(block_len as u64));
    } else {
        // Every padding byte equals padding_length. Scan the last 256 bytes
        // (or all of a shorter record), masking bytes beyond the padding,
        // with plain branch-free arithmetic and one `Choice` at the end: a
        // `Choice` per byte is an optimisation barrier per byte, which made
        // small records slow to open.
        let total = u32::from(pad) + 1;
        let mut diff = 0u8;
        for (i, &b) in (0u32..).zip(data.iter().rev().take(MAX_PADDING)) {
            // i < total, both below 2^9: the subtraction wraps exactly then.
            let in_padding = (i.wrapping_sub(total) >> 31) as u8;
            diff |= in_padding.wrapping_neg() & (b ^ pad);
        }
        good &= diff.ct_eq(&0);
    }
    (good, usize::from(pad) + 1)
}
