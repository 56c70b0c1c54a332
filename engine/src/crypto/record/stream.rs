//! Stream ciphers: NULL and RC4 (RFC 5246 6.2.3.1). The RC4 keystream runs on
//! across records of one direction; it is never restarted.

use rc4::{KeyInit, Rc4, StreamCipher as _};

use super::{Backend, SetupError};
use crate::suites::BulkCipher;

pub(super) enum StreamCipher {
    Null,
    Rc4(Box<Rc4>),
    #[cfg(feature = "openssl-provider")]
    OpenSslRc4(Box<super::ossl::Rc4>),
}

impl StreamCipher {
    pub(super) fn new(backend: Backend, cipher: BulkCipher, key: &[u8]) -> Result<Self, SetupError> {
        #[cfg(feature = "openssl-provider")]
        if backend == Backend::OpenSsl && cipher == BulkCipher::Rc4_128 {
            return super::ossl::Rc4::new(key).map(|c| Self::OpenSslRc4(Box::new(c)));
        }
        let _ = backend;
        match cipher {
            BulkCipher::Null => Ok(Self::Null),
            BulkCipher::Rc4_128 => Rc4::new_from_slice(key)
                .map(|c| Self::Rc4(Box::new(c)))
                .map_err(|_| SetupError::KeyLength { what: "enc_key", expected: 16, got: key.len() }),
            other => Err(SetupError::WrongCipherKind(other)),
        }
    }

    /// Encryption and decryption are the same keystream XOR.
    pub(super) fn apply(&mut self, buf: &mut [u8]) {
        match self {
            Self::Null => {}
            Self::Rc4(c) => c.apply_keystream(buf),
            #[cfg(feature = "openssl-provider")]
            Self::OpenSslRc4(c) => c.apply(buf),
        }
    }
}
