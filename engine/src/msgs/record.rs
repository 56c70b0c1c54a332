//! The record layer's framing: headers, records, and a deframer that turns a
//! byte stream into records (RFC 5246 6.2; RFC 6101 5.2).

use super::enums::{ContentType, ProtocolVersion};
use crate::codec::{Codec, DecodeError, Reader, put_u16};
use std::fmt;

/// Largest TLSPlaintext (and TLSCompressed before decompression checks)
/// fragment: 2^14 bytes (RFC 5246 6.2.1).
pub const MAX_PLAINTEXT: usize = 1 << 14;

/// Largest TLSCiphertext fragment: 2^14 + 2048 bytes (RFC 5246 6.2.3).
pub const MAX_CIPHERTEXT: usize = (1 << 14) + 2048;

/// Record header length: type, version, u16 length (RFC 5246 6.2.1).
pub const HEADER_LEN: usize = 5;

/// Header length of an SSLv2-compatible ClientHello (RFC 5246 E.2: the
/// two-byte form, high bit set).
pub const SSLV2_HEADER_LEN: usize = 2;

/// A record header (RFC 5246 6.2.1: `ContentType type; ProtocolVersion
/// version; uint16 length;`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordHeader {
    pub content_type: ContentType,
    pub version: ProtocolVersion,
    pub length: u16,
}

impl Codec for RecordHeader {
    fn encode(&self, out: &mut Vec<u8>) {
        self.content_type.encode(out);
        self.version.encode(out);
        put_u16(out, self.length);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            content_type: ContentType::read(r)?,
            version: ProtocolVersion::read(r)?,
            length: r.u16("record length")?,
        })
    }
}

/// One record, its fragment as sent (plaintext or protected).
///
/// [`Codec::read`] refuses a declared length over [`MAX_CIPHERTEXT`];
/// encoding writes any fragment (a fragment over 65535 bytes gets a
/// saturated length), so a test can send an over-long record.
#[derive(Clone, PartialEq, Eq)]
pub struct Record {
    pub content_type: ContentType,
    pub version: ProtocolVersion,
    pub fragment: Vec<u8>,
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record")
            .field("content_type", &self.content_type)
            .field("version", &self.version)
            .field("fragment_len", &self.fragment.len())
            .finish()
    }
}

impl Record {
    pub fn header(&self) -> RecordHeader {
        RecordHeader {
            content_type: self.content_type,
            version: self.version,
            length: u16::try_from(self.fragment.len()).unwrap_or(u16::MAX),
        }
    }
}

impl Codec for Record {
    fn encode(&self, out: &mut Vec<u8>) {
        self.header().encode(out);
        out.extend_from_slice(&self.fragment);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let header = RecordHeader::read(r)?;
        let len = usize::from(header.length);
        if len > MAX_CIPHERTEXT {
            return Err(DecodeError::TooLong { what: "record length", len, max: MAX_CIPHERTEXT });
        }
        Ok(Self {
            content_type: header.content_type,
            version: header.version,
            fragment: r.take(len, "record fragment")?.to_vec(),
        })
    }
}

/// What the deframer yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deframed {
    Record(Record),
    /// An SSLv2-compatible ClientHello, header included (RFC 5246 E.2).
    /// Decode it with `Sslv2ClientHello`; the transcript
    /// hash covers the bytes after the two-byte header.
    Sslv2Hello(Vec<u8>),
}

/// Why the deframer stopped. Once it has failed it keeps failing: the
/// connection is over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeframeError {
    /// A declared length over the limit (RFC 5246 6.2.3: record_overflow),
    /// seen in the header before any of the body was buffered.
    RecordOverflow { len: usize, max: usize },
}

impl fmt::Display for DeframeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RecordOverflow { len, max } => {
                write!(f, "record length {len} over maximum {max} (record_overflow)")
            }
        }
    }
}

impl std::error::Error for DeframeError {}

/// Turns arbitrary chunks of a byte stream into whole records.
///
/// ```text
/// push(bytes) ... pop() -> Ok(Some(record)) | Ok(None) (need more) | Err(_)
/// ```
#[derive(Debug, Clone)]
pub struct Deframer {
    buf: Vec<u8>,
    max_fragment: usize,
    sslv2_allowed: bool,
    failed: Option<DeframeError>,
}

impl Default for Deframer {
    fn default() -> Self {
        Self::new()
    }
}

impl Deframer {
    /// A deframer accepting fragments up to [`MAX_CIPHERTEXT`], with no
    /// SSLv2-compatible hello.
    pub fn new() -> Self {
        Self { buf: Vec::new(), max_fragment: MAX_CIPHERTEXT, sslv2_allowed: false, failed: None }
    }

    /// A server's deframer: the first record may be an SSLv2-compatible
    /// ClientHello (RFC 5246 E.2). The allowance ends with the first record
    /// popped, whatever its kind.
    pub fn server() -> Self {
        Self { sslv2_allowed: true, ..Self::new() }
    }

    /// Sets the largest fragment accepted, e.g. [`MAX_PLAINTEXT`] while no
    /// cipher is active (RFC 5246 6.2.1).
    pub fn set_max_fragment(&mut self, max: usize) {
        self.max_fragment = max;
    }

    pub fn max_fragment(&self) -> usize {
        self.max_fragment
    }

    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes received but not yet yielded as a record.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Hands over the bytes of the unfinished record (a log of a stream
    /// that ended mid-record wants them).
    pub fn take_buffered(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }

    /// Whether a partial record is waiting for more bytes.
    pub fn has_partial(&self) -> bool {
        !self.buf.is_empty()
    }

    /// The next whole record, `Ok(None)` if more bytes are needed.
    pub fn pop(&mut self) -> Result<Option<Deframed>, DeframeError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let Some(&first) = self.buf.first() else {
            return Ok(None);
        };
        let sslv2 = self.sslv2_allowed && first & 0x80 != 0;
        let (header_len, body_len, header) = if sslv2 {
            let Some(&second) = self.buf.get(1) else {
                return Ok(None);
            };
            // RFC 5246 E.2 / RFC 6101 E.1: two-byte header, 15-bit length.
            let len = usize::from(first & 0x7f) << 8 | usize::from(second);
            (SSLV2_HEADER_LEN, len, None)
        } else {
            // Fails only when fewer than HEADER_LEN bytes are buffered.
            let Ok(header) = RecordHeader::read(&mut Reader::new(&self.buf)) else {
                return Ok(None);
            };
            (HEADER_LEN, usize::from(header.length), Some(header))
        };
        if body_len > self.max_fragment {
            let e = DeframeError::RecordOverflow { len: body_len, max: self.max_fragment };
            self.failed = Some(e.clone());
            return Err(e);
        }
        let total = header_len + body_len;
        if self.buf.len() < total {
            return Ok(None);
        }
        let rest = self.buf.split_off(total);
        let mut whole = std::mem::replace(&mut self.buf, rest);
        self.sslv2_allowed = false;
        Ok(Some(match header {
            None => Deframed::Sslv2Hello(whole),
            Some(header) => Deframed::Record(Record {
                content_type: header.content_type,
                version: header.version,
                fragment: whole.split_off(HEADER_LEN),
            }),
        }))
    }
}
