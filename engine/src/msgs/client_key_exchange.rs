//! ClientKeyExchange for RSA key exchange (RFC 5246 7.4.7.1, RFC 6101
//! 5.6.7).

use super::context::HandshakeContext;
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
        Self { form, encrypted_premaster }
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
        Ok(Self { form, encrypted_premaster })
    }
}
