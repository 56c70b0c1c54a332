//! The change cipher spec protocol (RFC 5246 7.1; RFC 6101 5.3).

use crate::codec::{Codec, DecodeError, Reader};

/// ChangeCipherSpec: one byte of value 1 (RFC 5246 7.1:
/// `enum { change_cipher_spec(1), (255) } type;`).
///
/// Anything else (another value, an empty fragment, more than one byte) is
/// an error when decoded with [`Codec::from_bytes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ChangeCipherSpec;

impl ChangeCipherSpec {
    /// The only value RFC 5246 7.1 defines.
    pub const VALUE: u8 = 1;
}

impl Codec for ChangeCipherSpec {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(Self::VALUE);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8("change_cipher_spec")? {
            Self::VALUE => Ok(Self),
            other => Err(DecodeError::InvalidValue {
                what: "change_cipher_spec",
                detail: format!("value {other}, must be 1"),
            }),
        }
    }
}
