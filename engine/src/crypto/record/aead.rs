//! AES-GCM records (RFC 5288 3; RFC 5246 6.2.3.3): nonce = 4-byte salt from
//! the key block + 8-byte explicit nonce carried in the record.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes128Gcm, Aes256Gcm, KeyInit, Nonce};

use super::SetupError;
use crate::suites::BulkCipher;

pub(super) const EXPLICIT_NONCE_LEN: usize = 8;
pub(super) const TAG_LEN: usize = 16;
pub(super) const SALT_LEN: usize = 4;

pub(super) enum GcmCipher {
    Aes128(Box<Aes128Gcm>),
    Aes256(Box<Aes256Gcm>),
}

fn key<C: KeyInit>(key: &[u8], expected: usize) -> Result<Box<C>, SetupError> {
    C::new_from_slice(key).map(Box::new).map_err(|_| SetupError::KeyLength {
        what: "enc_key",
        expected,
        got: key.len(),
    })
}

fn nonce(salt: &[u8; SALT_LEN], explicit: &[u8; EXPLICIT_NONCE_LEN]) -> [u8; 12] {
    let mut n = [0u8; 12];
    for (d, s) in n.iter_mut().zip(salt.iter().chain(explicit.iter())) {
        *d = *s;
    }
    n
}

impl GcmCipher {
    pub(super) fn new(cipher: BulkCipher, k: &[u8]) -> Result<Self, SetupError> {
        match cipher {
            BulkCipher::Aes128Gcm => key(k, 16).map(Self::Aes128),
            BulkCipher::Aes256Gcm => key(k, 32).map(Self::Aes256),
            other => Err(SetupError::WrongCipherKind(other)),
        }
    }

    /// Ciphertext followed by the 16-byte tag.
    pub(super) fn seal(
        &self,
        salt: &[u8; SALT_LEN],
        explicit: &[u8; EXPLICIT_NONCE_LEN],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Vec<u8> {
        let n = Nonce::from(nonce(salt, explicit));
        let payload = Payload { msg: plaintext, aad };
        let out = match self {
            Self::Aes128(c) => c.encrypt(&n, payload),
            Self::Aes256(c) => c.encrypt(&n, payload),
        };
        // GCM refuses only plaintexts beyond 2^36 bytes, which a record never
        // reaches; should it happen, an all-zero stand-in is sent, which any
        // peer rejects.
        out.unwrap_or_else(|_| vec![0; plaintext.len() + TAG_LEN])
    }

    pub(super) fn open(
        &self,
        salt: &[u8; SALT_LEN],
        explicit: &[u8; EXPLICIT_NONCE_LEN],
        aad: &[u8],
        ciphertext: &[u8],
    ) -> Option<Vec<u8>> {
        let n = Nonce::from(nonce(salt, explicit));
        let payload = Payload { msg: ciphertext, aad };
        match self {
            Self::Aes128(c) => c.decrypt(&n, payload),
            Self::Aes256(c) => c.decrypt(&n, payload),
        }
        .ok()
    }
}
