//! Structure-aware input for the stateful targets: a sequence of
//! well-framed messages with fuzzed bodies. The fuzzer mutates bodies and
//! message types; the handshake and record headers (types, versions,
//! lengths) are written here, so mutations are not wasted on framing.
//!
//! The byte layout is this module's own so that any bytes decode to a
//! script ([`Script::from_fuzz_bytes`] is total) and a script encodes back
//! ([`Script::to_fuzz_bytes`]), which is how the seed corpus is written.
//! The fuzz crate wraps it in an `arbitrary::Arbitrary` impl.
//!
//! ```text
//! script := options:u8 record_version:u16 step*
//! step   := tag:u8 [msg_type:u8 if handshake] len:u16 body[len]
//! tag    := kind (bits 0-2) | coalesce (bit 3) | fragment (bits 4-7)
//! ```
//!
//! A body shorter than its `len` (the input ran out) is taken as it is.

use crate::codec::{Codec, put_u16};
use crate::msgs::enums::{ContentType, HandshakeType, ProtocolVersion};
use crate::msgs::record::{MAX_PLAINTEXT, Record};

/// What a step sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One handshake message of the given type (header written here).
    Handshake(HandshakeType),
    ChangeCipherSpec,
    Alert,
    ApplicationData,
    /// Bytes sent as they are, outside any record framing.
    Raw,
}

impl Kind {
    fn code(self) -> u8 {
        match self {
            Self::Handshake(_) => 0,
            Self::ChangeCipherSpec => 1,
            Self::Alert => 2,
            Self::ApplicationData => 3,
            Self::Raw => 4,
        }
    }

    fn content_type(self) -> Option<ContentType> {
        match self {
            Self::Handshake(_) => Some(ContentType::Handshake),
            Self::ChangeCipherSpec => Some(ContentType::ChangeCipherSpec),
            Self::Alert => Some(ContentType::Alert),
            Self::ApplicationData => Some(ContentType::ApplicationData),
            Self::Raw => None,
        }
    }
}

/// One message (or raw chunk) and how it is put into records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub kind: Kind,
    /// Append to the previous record if it has the same content type.
    pub coalesce: bool,
    /// 0: one record (split at 2^14); n: records of n bytes each.
    pub fragment: u8,
    pub body: Vec<u8>,
}

/// A whole input to a structured stateful target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// The same option byte as the byte-level targets take first.
    pub options: u8,
    /// Written in every record header.
    pub record_version: ProtocolVersion,
    pub steps: Vec<Step>,
}

struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn u8(&mut self) -> Option<u8> {
        let (b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*b)
    }

    fn u16(&mut self) -> Option<u16> {
        let hi = self.u8()?;
        Some(u16::from_be_bytes([hi, self.u8().unwrap_or_default()]))
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        let (taken, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        taken
    }
}

impl Script {
    /// Decodes any bytes; missing fields are zero, a short body is kept short.
    pub fn from_fuzz_bytes(data: &[u8]) -> Self {
        let mut c = Cursor(data);
        let options = c.u8().unwrap_or_default();
        let record_version = ProtocolVersion::from_wire(c.u16().unwrap_or(0x0301));
        let mut steps = Vec::new();
        while let Some(tag) = c.u8() {
            let kind = match tag & 7 {
                1 => Kind::ChangeCipherSpec,
                2 => Kind::Alert,
                3 => Kind::ApplicationData,
                4 => Kind::Raw,
                _ => Kind::Handshake(HandshakeType::from_wire(c.u8().unwrap_or_default())),
            };
            let len = usize::from(c.u16().unwrap_or_default());
            steps.push(Step { kind, coalesce: tag & 8 != 0, fragment: tag >> 4, body: c.take(len).to_vec() });
        }
        Self { options, record_version, steps }
    }

    /// The inverse of [`Script::from_fuzz_bytes`] (bodies over 65535 bytes
    /// are cut).
    pub fn to_fuzz_bytes(&self) -> Vec<u8> {
        let mut out = vec![self.options];
        put_u16(&mut out, self.record_version.get());
        for step in &self.steps {
            out.push(step.kind.code() | u8::from(step.coalesce) << 3 | (step.fragment & 15) << 4);
            if let Kind::Handshake(t) = step.kind {
                out.push(t.get());
            }
            let body = step.body.get(..usize::from(u16::MAX)).unwrap_or(&step.body);
            put_u16(&mut out, body.len() as u16);
            out.extend_from_slice(body);
        }
        out
    }

    /// The bytes a peer would send: each step framed as the script says.
    pub fn wire_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut open: Option<Record> = None;
        let flush = |open: &mut Option<Record>, out: &mut Vec<u8>| {
            if let Some(r) = open.take() {
                r.encode(out);
            }
        };
        for step in &self.steps {
            let Some(content_type) = step.kind.content_type() else {
                flush(&mut open, &mut out);
                out.extend_from_slice(&step.body);
                continue;
            };
            let payload = match step.kind {
                Kind::Handshake(t) => {
                    let mut m = vec![t.get()];
                    crate::codec::put_u24(&mut m, step.body.len() as u32);
                    m.extend_from_slice(&step.body);
                    m
                }
                _ => step.body.clone(),
            };
            if step.coalesce
                && let Some(r) = open.as_mut()
                && r.content_type == content_type
            {
                r.fragment.extend_from_slice(&payload);
                continue;
            }
            flush(&mut open, &mut out);
            let size = match step.fragment {
                0 => MAX_PLAINTEXT,
                n => usize::from(n),
            };
            let mut chunks = payload.chunks(size).peekable();
            if chunks.peek().is_none() {
                open = Some(self.record(content_type, &[]));
            }
            while let Some(chunk) = chunks.next() {
                let r = self.record(content_type, chunk);
                match chunks.peek() {
                    Some(_) => r.encode(&mut out),
                    None => open = Some(r),
                }
            }
        }
        flush(&mut open, &mut out);
        out
    }

    fn record(&self, content_type: ContentType, fragment: &[u8]) -> Record {
        Record { content_type, version: self.record_version, fragment: fragment.to_vec() }
    }

    /// The script that sends `wire` (a peer's byte stream, records of the
    /// plaintext kind) message by message: used to turn loopback
    /// transcripts into seeds. Bytes that do not deframe become one raw step.
    pub fn from_wire(options: u8, wire: &[u8]) -> Self {
        let mut deframer = crate::msgs::Deframer::new();
        deframer.push(wire);
        let mut joiner = crate::msgs::HandshakeJoiner::new();
        let mut steps = Vec::new();
        let mut record_version = None;
        let mut used = 0;
        while let Ok(Some(crate::msgs::Deframed::Record(r))) = deframer.pop() {
            used += r.fragment.len() + crate::msgs::record::HEADER_LEN;
            // The version of the last record wins: the first flight may use
            // an older one (TLS 1.0 for a ClientHello).
            record_version = Some(r.version);
            let kind = match r.content_type {
                ContentType::Handshake => {
                    joiner.push(&r.fragment);
                    while let Ok(Some(m)) = joiner.pop() {
                        steps.push(Step {
                            kind: Kind::Handshake(m.typ()),
                            coalesce: false,
                            fragment: 0,
                            body: m.body().to_vec(),
                        });
                    }
                    continue;
                }
                ContentType::ChangeCipherSpec => Kind::ChangeCipherSpec,
                ContentType::Alert => Kind::Alert,
                _ => Kind::ApplicationData,
            };
            steps.push(Step { kind, coalesce: false, fragment: 0, body: r.fragment });
        }
        if let Some(rest) = wire.get(used..)
            && !rest.is_empty()
        {
            steps.push(Step { kind: Kind::Raw, coalesce: false, fragment: 0, body: rest.to_vec() });
        }
        Self { options, record_version: record_version.unwrap_or(ProtocolVersion::Tls10), steps }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_bytes_decode_and_reencode() {
        for data in [&b""[..], b"\x01", b"\x01\x03\x03\x00\x01\x00\x05hello", b"\xff\xff\xff\xff"] {
            let s = Script::from_fuzz_bytes(data);
            assert_eq!(Script::from_fuzz_bytes(&s.to_fuzz_bytes()), s);
        }
    }

    #[test]
    fn wire_bytes_frame_and_fragment() {
        let s = Script {
            options: 0,
            record_version: ProtocolVersion::Tls12,
            steps: vec![
                Step {
                    kind: Kind::Handshake(HandshakeType::ServerHelloDone),
                    coalesce: false,
                    fragment: 2,
                    body: vec![],
                },
                Step { kind: Kind::ChangeCipherSpec, coalesce: false, fragment: 0, body: vec![1] },
            ],
        };
        let wire = s.wire_bytes();
        assert_eq!(wire, [22, 3, 3, 0, 2, 14, 0, 22, 3, 3, 0, 2, 0, 0, 20, 3, 3, 0, 1, 1]);
        assert_eq!(Script::from_wire(0, &wire).steps.len(), 2);
    }
}
