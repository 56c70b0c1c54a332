//! Handshake message reassembly across records (RFC 5246 6.2.1: handshake
//! messages may be split over records and several may share one record).

use super::enums::HandshakeType;
use super::handshake::{HEADER_LEN, HandshakeContext, HandshakeMessage, HandshakePayload, check_body_len};
use crate::codec::{Codec, DecodeError, Reader};

/// One complete handshake message exactly as received, header included:
/// these are the bytes the transcript hash takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawHandshake {
    raw: Vec<u8>,
}

impl RawHandshake {
    pub fn typ(&self) -> HandshakeType {
        HandshakeType::from_wire(self.raw.first().copied().unwrap_or_default())
    }

    /// Header and body.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    pub fn into_raw(self) -> Vec<u8> {
        self.raw
    }

    /// The body, after the four-byte header.
    pub fn body(&self) -> &[u8] {
        self.raw.get(HEADER_LEN..).unwrap_or_default()
    }

    /// Decodes the body under `ctx`.
    pub fn decode(&self, ctx: HandshakeContext) -> Result<HandshakeMessage, DecodeError> {
        Ok(HandshakeMessage {
            typ: self.typ(),
            payload: HandshakePayload::read_body(self.typ(), self.body(), ctx)?,
        })
    }
}

/// Joins the fragments of handshake records into whole messages.
///
/// Not checked here (the caller's job, as only it knows the record
/// boundaries and what else arrived): an empty handshake record
/// (RFC 5246 6.2.1 forbids them) and a record of another type arriving
/// while [`HandshakeJoiner::has_partial`] is true (RFC 5246 7.1: a
/// ChangeCipherSpec mid-message is unexpected_message).
#[derive(Debug, Clone, Default)]
pub struct HandshakeJoiner {
    buf: Vec<u8>,
}

impl HandshakeJoiner {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one handshake record's fragment.
    pub fn push(&mut self, fragment: &[u8]) {
        self.buf.extend_from_slice(fragment);
    }

    /// Whether bytes of an incomplete message are waiting.
    pub fn has_partial(&self) -> bool {
        !self.buf.is_empty()
    }

    /// Bytes buffered and not yet popped.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The next complete message, `Ok(None)` if more bytes are needed. A
    /// declared length over the limit is an error as soon as the header is
    /// complete, before the body arrives.
    pub fn pop(&mut self) -> Result<Option<RawHandshake>, DecodeError> {
        let mut r = Reader::new(&self.buf);
        if r.left() < HEADER_LEN {
            return Ok(None);
        }
        let typ = HandshakeType::read(&mut r)?;
        let len = r.u24("handshake length")? as usize;
        check_body_len(typ, len)?;
        let total = HEADER_LEN + len;
        if self.buf.len() < total {
            return Ok(None);
        }
        let rest = self.buf.split_off(total);
        let raw = std::mem::replace(&mut self.buf, rest);
        Ok(Some(RawHandshake { raw }))
    }
}
