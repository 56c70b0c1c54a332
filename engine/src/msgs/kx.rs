//! ClientKeyExchange for RSA and Finished (RFC 5246 7.4.7.1, 7.4.9;
//! RFC 6101 5.6.7, 5.6.9).

use super::handshake::HandshakeContext;
use crate::codec::{DecodeError, LengthPrefix, Reader, Width, put_opaque};

/// How the encrypted premaster secret is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PremasterForm {
    /// SSL 3.0: the bare ciphertext fills the message (RFC 6101 5.6.7.1).
    Bare,
    /// TLS: `opaque EncryptedPreMasterSecret<0..2^16-1>` (RFC 5246 7.4.7.1).
    Prefixed,
}

/// The TLS prefix of the encrypted premaster secret (RFC 5246 7.4.7.1).
pub const ENCRYPTED_PREMASTER: LengthPrefix = LengthPrefix::u16("EncryptedPreMasterSecret", 0, 0xffff);

/// ClientKeyExchange with RSA key exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientKeyExchange {
    pub form: PremasterForm,
    pub encrypted_premaster: Vec<u8>,
}

impl ClientKeyExchange {
    /// The form `ctx`'s version uses.
    pub fn new(ctx: HandshakeContext, encrypted_premaster: Vec<u8>) -> Self {
        let form = match ctx.is_ssl3() {
            true => PremasterForm::Bare,
            false => PremasterForm::Prefixed,
        };
        Self {
            form,
            encrypted_premaster,
        }
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        match self.form {
            PremasterForm::Bare => out.extend_from_slice(&self.encrypted_premaster),
            PremasterForm::Prefixed => put_opaque(out, Width::U16, &self.encrypted_premaster),
        }
    }

    pub fn read(r: &mut Reader<'_>, ctx: HandshakeContext) -> Result<Self, DecodeError> {
        let (form, encrypted_premaster) = match ctx.is_ssl3() {
            true => (PremasterForm::Bare, r.take_rest().to_vec()),
            false => (PremasterForm::Prefixed, r.opaque(&ENCRYPTED_PREMASTER)?),
        };
        Ok(Self {
            form,
            encrypted_premaster,
        })
    }
}

/// SSL 3.0 verify data: MD5 (16) + SHA-1 (20) hashes (RFC 6101 5.6.9).
pub const SSL3_VERIFY_DATA_LEN: usize = 36;

/// TLS verify data: 12 bytes for every suite here (RFC 5246 7.4.9).
pub const TLS_VERIFY_DATA_LEN: usize = 12;

/// Finished: the verify data fills the message (RFC 5246 7.4.9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub verify_data: Vec<u8>,
}

impl Finished {
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.verify_data);
    }

    /// Reads verify data of exactly the length `ctx`'s version uses:
    /// shorter is `TooShort`, longer is `TooLong`.
    pub fn read(r: &mut Reader<'_>, ctx: HandshakeContext) -> Result<Self, DecodeError> {
        let want = ctx.verify_data_len();
        let len = r.left();
        if len < want {
            return Err(DecodeError::TooShort {
                what: "Finished verify_data",
                len,
                min: want,
            });
        }
        if len > want {
            return Err(DecodeError::TooLong {
                what: "Finished verify_data",
                len,
                max: want,
            });
        }
        Ok(Self {
            verify_data: r.take_rest().to_vec(),
        })
    }
}
