//! The handshake protocol's framing and its message enum (RFC 5246 7.4;
//! RFC 6101 5.6).

use super::certificate::{Certificate, CertificateRequest, CertificateVerify};
use super::client_key_exchange::ClientKeyExchange;
pub use super::context::HandshakeContext;
use super::enums::HandshakeType;
use super::finished::Finished;
use super::hello::{ClientHello, ServerHello};
use crate::codec::{Codec, DecodeError, Reader, Width, put_prefixed};

/// Handshake header length: `HandshakeType msg_type; uint24 length;`
/// (RFC 5246 7.4).
pub const HEADER_LEN: usize = 4;

/// Largest body accepted for a message without a larger legal maximum of
/// its own: 64 KiB (the u24 length would allow 16 MiB).
pub const MAX_HANDSHAKE_BODY: usize = 65536;

pub use super::context::MAX_CERTIFICATE_BODY;

/// The largest legal ClientHello body (RFC 5246 7.4.1.2): client_version 2,
/// random 32, session_id <0..32> 1 + 32, cipher_suites <2..2^16-2>
/// 2 + 65534, compression_methods <1..2^8-1> 1 + 255, extensions
/// <0..2^16-1> 2 + 65535.
pub const MAX_CLIENT_HELLO_BODY: usize = 2 + 32 + (1 + 32) + (2 + 65534) + (1 + 255) + (2 + 65535);

/// The largest legal ServerHello body (RFC 5246 7.4.1.3): version 2, random
/// 32, session_id 1 + 32, cipher_suite 2, compression_method 1, extensions
/// 2 + 65535.
pub const MAX_SERVER_HELLO_BODY: usize = 2 + 32 + (1 + 32) + 2 + 1 + (2 + 65535);

/// The largest legal CertificateRequest body (RFC 5246 7.4.4):
/// certificate_types <1..2^8-1> 1 + 255, supported_signature_algorithms
/// <2..2^16-2> 2 + 65534, certificate_authorities <0..2^16-1> 2 + 65535.
pub const MAX_CERTIFICATE_REQUEST_BODY: usize = (1 + 255) + (2 + 65534) + (2 + 65535);

/// The largest legal ClientKeyExchange body for RSA (RFC 5246 7.4.7.1): an
/// encrypted premaster <0..2^16-1>.
pub const MAX_CLIENT_KEY_EXCHANGE_BODY: usize = 2 + 65535;

/// The largest legal CertificateVerify body (RFC 5246 7.4.8, 4.7): a
/// SignatureAndHashAlgorithm 2 and a signature <0..2^16-1>.
pub const MAX_CERTIFICATE_VERIFY_BODY: usize = 2 + 2 + 65535;

/// The largest body accepted for a message of type `typ`: the structure's
/// legal maximum where it is above 64 KiB, so no legal message is refused
/// by its length alone.
pub fn max_body_len(typ: HandshakeType) -> usize {
    match typ {
        HandshakeType::ClientHello => MAX_CLIENT_HELLO_BODY,
        HandshakeType::ServerHello => MAX_SERVER_HELLO_BODY,
        HandshakeType::Certificate => MAX_CERTIFICATE_BODY,
        HandshakeType::CertificateRequest => MAX_CERTIFICATE_REQUEST_BODY,
        HandshakeType::ClientKeyExchange => MAX_CLIENT_KEY_EXCHANGE_BODY,
        HandshakeType::CertificateVerify => MAX_CERTIFICATE_VERIFY_BODY,
        _ => MAX_HANDSHAKE_BODY,
    }
}

/// A handshake header (RFC 5246 7.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandshakeHeader {
    pub typ: HandshakeType,
    pub length: u32,
}

impl HandshakeHeader {
    /// Reads the header and refuses a length over [`max_body_len`] before
    /// any of the body is looked at.
    pub fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let typ = HandshakeType::read(r)?;
        let length = r.u24("handshake length")?;
        check_body_len(typ, length as usize)?;
        Ok(Self { typ, length })
    }
}

/// The limit check of [`HandshakeHeader::read`], shared with reassembly.
pub fn check_body_len(typ: HandshakeType, len: usize) -> Result<(), DecodeError> {
    let max = max_body_len(typ);
    match len > max {
        true => Err(DecodeError::TooLong {
            what: match typ {
                HandshakeType::Certificate => "Certificate message length",
                _ => "handshake message length",
            },
            len,
            max,
        }),
        false => Ok(()),
    }
}

/// Every handshake message body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakePayload {
    /// Empty (RFC 5246 7.4.1.1).
    HelloRequest,
    ClientHello(ClientHello),
    ServerHello(ServerHello),
    Certificate(Certificate),
    /// Kept raw: RSA key exchange has none (RFC 5246 7.4.3), but a test
    /// sends one and must recognise one.
    ServerKeyExchange(Vec<u8>),
    CertificateRequest(CertificateRequest),
    /// Empty (RFC 5246 7.4.5).
    ServerHelloDone,
    ClientKeyExchange(ClientKeyExchange),
    CertificateVerify(CertificateVerify),
    Finished(Finished),
    /// A body of a type not modelled here, kept as sent.
    Unknown(Vec<u8>),
}

impl HandshakePayload {
    /// The type this payload is normally sent as; `None` for `Unknown`.
    pub fn typ(&self) -> Option<HandshakeType> {
        Some(match self {
            Self::HelloRequest => HandshakeType::HelloRequest,
            Self::ClientHello(_) => HandshakeType::ClientHello,
            Self::ServerHello(_) => HandshakeType::ServerHello,
            Self::Certificate(_) => HandshakeType::Certificate,
            Self::ServerKeyExchange(_) => HandshakeType::ServerKeyExchange,
            Self::CertificateRequest(_) => HandshakeType::CertificateRequest,
            Self::ServerHelloDone => HandshakeType::ServerHelloDone,
            Self::ClientKeyExchange(_) => HandshakeType::ClientKeyExchange,
            Self::CertificateVerify(_) => HandshakeType::CertificateVerify,
            Self::Finished(_) => HandshakeType::Finished,
            Self::Unknown(_) => return None,
        })
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::HelloRequest | Self::ServerHelloDone => {}
            Self::ClientHello(m) => m.encode(out),
            Self::ServerHello(m) => m.encode(out),
            Self::Certificate(m) => m.encode(out),
            Self::ServerKeyExchange(raw) | Self::Unknown(raw) => out.extend_from_slice(raw),
            Self::CertificateRequest(m) => m.encode(out),
            Self::ClientKeyExchange(m) => m.encode(out),
            Self::CertificateVerify(m) => m.encode(out),
            Self::Finished(m) => m.encode(out),
        }
    }

    /// Decodes a whole body (no header) of type `typ`; the body must be
    /// consumed exactly.
    pub fn read_body(typ: HandshakeType, body: &[u8], ctx: HandshakeContext) -> Result<Self, DecodeError> {
        let r = &mut Reader::new(body);
        let payload = match typ {
            HandshakeType::HelloRequest => Self::HelloRequest,
            HandshakeType::ClientHello => Self::ClientHello(ClientHello::read(r)?),
            HandshakeType::ServerHello => Self::ServerHello(ServerHello::read(r)?),
            HandshakeType::Certificate => Self::Certificate(Certificate::read(r)?),
            HandshakeType::ServerKeyExchange => Self::ServerKeyExchange(r.take_rest().to_vec()),
            HandshakeType::CertificateRequest => Self::CertificateRequest(CertificateRequest::read(r, ctx)?),
            HandshakeType::ServerHelloDone => Self::ServerHelloDone,
            HandshakeType::ClientKeyExchange => Self::ClientKeyExchange(ClientKeyExchange::read(r, ctx)?),
            HandshakeType::CertificateVerify => Self::CertificateVerify(CertificateVerify::read(r, ctx)?),
            HandshakeType::Finished => Self::Finished(Finished::read(r, ctx)?),
            _ => Self::Unknown(r.take_rest().to_vec()),
        };
        r.expect_empty(typ.name().unwrap_or("handshake message"))?;
        Ok(payload)
    }
}

/// One handshake message: a type and a body (RFC 5246 7.4).
///
/// `typ` is what goes on the wire; [`HandshakeMessage::new`] takes it from
/// the payload, and a test may set another to send a body under the wrong
/// type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeMessage {
    pub typ: HandshakeType,
    pub payload: HandshakePayload,
}

impl HandshakeMessage {
    /// A message of the payload's own type (`Unknown` payloads: see
    /// [`HandshakeMessage::unknown`]).
    pub fn new(payload: HandshakePayload) -> Self {
        Self { typ: payload.typ().unwrap_or(HandshakeType::Unknown(255)), payload }
    }

    /// A message of any type with a raw body.
    pub fn unknown(typ: HandshakeType, body: Vec<u8>) -> Self {
        Self { typ, payload: HandshakePayload::Unknown(body) }
    }

    /// Writes header and body. A body over 2^24-1 bytes gets a saturated
    /// length.
    pub fn encode(&self, out: &mut Vec<u8>) {
        self.typ.encode(out);
        put_prefixed(out, Width::U24, |out| self.payload.encode(out));
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// Reads one message (header and body) from `r`.
    pub fn read(r: &mut Reader<'_>, ctx: HandshakeContext) -> Result<Self, DecodeError> {
        let header = HandshakeHeader::read(r)?;
        let body = r.take(header.length as usize, "handshake body")?;
        Ok(Self { typ: header.typ, payload: HandshakePayload::read_body(header.typ, body, ctx)? })
    }

    /// Decodes exactly one message filling `bytes`.
    pub fn from_bytes(bytes: &[u8], ctx: HandshakeContext) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let m = Self::read(&mut r, ctx)?;
        r.expect_empty("handshake message")?;
        Ok(m)
    }
}
