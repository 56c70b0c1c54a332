//! AES-GCM records (RFC 5288 3; RFC 5246 6.2.3.3): nonce = 4-byte salt from
//! the key block + 8-byte explicit nonce carried in the record. Sealed and
//! opened in place in the caller's output buffer: no other allocation or
//! copy per record.

use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes128Gcm, Aes256Gcm, KeyInit, Nonce, Tag};

use super::{Backend, SetupError};
use crate::suites::BulkCipher;

pub(super) const EXPLICIT_NONCE_LEN: usize = 8;
pub(super) const TAG_LEN: usize = 16;
pub(super) const SALT_LEN: usize = 4;

pub(super) enum GcmCipher {
    Aes128(Box<Aes128Gcm>),
    Aes256(Box<Aes256Gcm>),
    #[cfg(feature = "openssl-provider")]
    OpenSsl(Box<super::ossl::Gcm>),
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
    pub(super) fn new(backend: Backend, cipher: BulkCipher, k: &[u8]) -> Result<Self, SetupError> {
        #[cfg(feature = "openssl-provider")]
        if backend == Backend::OpenSsl {
            return super::ossl::Gcm::new(cipher, k).map(|c| Self::OpenSsl(Box::new(c)));
        }
        let _ = backend;
        match cipher {
            BulkCipher::Aes128Gcm => key(k, 16).map(Self::Aes128),
            BulkCipher::Aes256Gcm => key(k, 32).map(Self::Aes256),
            other => Err(SetupError::WrongCipherKind(other)),
        }
    }

    /// Encrypts `data` in place and returns the tag.
    pub(super) fn seal(
        &mut self,
        salt: &[u8; SALT_LEN],
        explicit: &[u8; EXPLICIT_NONCE_LEN],
        aad: &[u8],
        data: &mut [u8],
    ) -> [u8; TAG_LEN] {
        let n = nonce(salt, explicit);
        let tag = match self {
            Self::Aes128(c) => {
                c.encrypt_inout_detached(&Nonce::from(n), aad, data.into()).ok().map(Into::into)
            }
            Self::Aes256(c) => {
                c.encrypt_inout_detached(&Nonce::from(n), aad, data.into()).ok().map(Into::into)
            }
            #[cfg(feature = "openssl-provider")]
            Self::OpenSsl(c) => c.seal(&n, aad, data),
        };
        // GCM refuses only plaintexts beyond 2^36 bytes, which a record never
        // reaches; should it happen, all zeros are sent, which any peer
        // rejects.
        tag.unwrap_or_else(|| {
            data.fill(0);
            [0; TAG_LEN]
        })
    }

    /// Decrypts `data` in place if `tag` verifies.
    pub(super) fn open(
        &mut self,
        salt: &[u8; SALT_LEN],
        explicit: &[u8; EXPLICIT_NONCE_LEN],
        aad: &[u8],
        data: &mut [u8],
        tag: &[u8],
    ) -> bool {
        let n = nonce(salt, explicit);
        let Ok(t) = <Tag>::try_from(tag) else {
            return false;
        };
        match self {
            Self::Aes128(c) => c.decrypt_inout_detached(&Nonce::from(n), aad, data.into(), &t).is_ok(),
            Self::Aes256(c) => c.decrypt_inout_detached(&Nonce::from(n), aad, data.into(), &t).is_ok(),
            #[cfg(feature = "openssl-provider")]
            Self::OpenSsl(c) => c.open(&n, aad, data, tag),
        }
    }
}
