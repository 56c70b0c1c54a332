//! Finished (RFC 5246 7.4.9, RFC 6101 5.6.9).

use super::context::HandshakeContext;
pub use super::context::{SSL3_VERIFY_DATA_LEN, TLS_VERIFY_DATA_LEN};
use crate::codec::{DecodeError, Reader};

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
            return Err(DecodeError::TooShort { what: "Finished verify_data", len, min: want });
        }
        if len > want {
            return Err(DecodeError::TooLong { what: "Finished verify_data", len, max: want });
        }
        Ok(Self { verify_data: r.take_rest().to_vec() })
    }
}
