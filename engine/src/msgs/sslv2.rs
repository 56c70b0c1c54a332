//! The SSLv2-compatible ClientHello a server must accept as a first record
//! (RFC 5246 E.2; RFC 6101 E.1).

use super::enums::{CipherSuite, Compression, ProtocolVersion};
use super::hello::{ClientHello, Random, SessionId};
use super::record::SSLV2_HEADER_LEN;
use crate::codec::{Codec, DecodeError, Reader, put_u16};

/// SSLv2 msg_type of CLIENT-HELLO (RFC 5246 E.2).
pub const SSLV2_CLIENT_HELLO: u8 = 1;

/// Challenge length bounds (RFC 5246 E.2: "MUST be between 16 and 32").
pub const MIN_CHALLENGE: usize = 16;
pub const MAX_CHALLENGE: usize = 32;

/// The SSLv2 session id length when one is sent (RFC 6101 E.1); 0 otherwise.
pub const SSLV2_SESSION_ID_LEN: usize = 16;

/// One V2CipherSpec: three bytes (RFC 5246 E.2).
pub type V2CipherSpec = [u8; 3];

/// An SSLv2-compatible ClientHello (RFC 5246 E.2):
///
/// ```text
/// uint8 V2CipherSpec[3];
/// struct {
///     uint16 msg_length;          /* high bit set: two-byte header */
///     uint8 msg_type;             /* 1 */
///     Version version;
///     uint16 cipher_spec_length;  /* non-zero multiple of 3 */
///     uint16 session_id_length;   /* 0 or 16 */
///     uint16 challenge_length;    /* 16..32 */
///     V2CipherSpec cipher_specs[V2ClientHello.cipher_spec_length];
///     opaque session_id[V2ClientHello.session_id_length];
///     opaque challenge[V2ClientHello.challenge_length];
/// } V2ClientHello;
/// ```
///
/// [`Codec`] covers the whole record, header included. The transcript hash
/// takes the bytes after the two-byte header (RFC 5246 E.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sslv2ClientHello {
    pub version: ProtocolVersion,
    pub cipher_specs: Vec<V2CipherSpec>,
    pub session_id: Vec<u8>,
    pub challenge: Vec<u8>,
}

impl Sslv2ClientHello {
    /// The equivalent ClientHello (RFC 5246 E.1/E.2): only specs whose
    /// first byte is 0 are TLS suites; the challenge is right-aligned in the
    /// 32-byte random, zero-padded on the left; compression is null only;
    /// there are no extensions.
    pub fn to_client_hello(&self) -> ClientHello {
        let mut random = [0u8; 32];
        let start = random.len().saturating_sub(self.challenge.len());
        let tail = self.challenge.len().min(random.len());
        if let (Some(dst), Some(src)) =
            (random.get_mut(start..), self.challenge.get(self.challenge.len() - tail..))
        {
            dst.copy_from_slice(src);
        }
        ClientHello {
            client_version: self.version,
            random: Random(random),
            session_id: SessionId(self.session_id.clone()),
            cipher_suites: self
                .cipher_specs
                .iter()
                .filter(|[kind, _, _]| *kind == 0)
                .map(|[_, hi, lo]| CipherSuite::from_wire(u16::from_be_bytes([*hi, *lo])))
                .collect(),
            compression_methods: vec![Compression::Null],
            extensions: None,
        }
    }

    /// The message after the two-byte record header, as hashed.
    pub fn body(record: &[u8]) -> &[u8] {
        record.get(SSLV2_HEADER_LEN..).unwrap_or_default()
    }
}

fn len16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

impl Codec for Sslv2ClientHello {
    fn encode(&self, out: &mut Vec<u8>) {
        let specs = self.cipher_specs.len() * 3;
        let body_len = 9 + specs + self.session_id.len() + self.challenge.len();
        // 15-bit length with the high bit set; saturates rather than wraps.
        put_u16(out, 0x8000 | len16(body_len.min(0x7fff)));
        out.push(SSLV2_CLIENT_HELLO);
        self.version.encode(out);
        put_u16(out, len16(specs));
        put_u16(out, len16(self.session_id.len()));
        put_u16(out, len16(self.challenge.len()));
        for spec in &self.cipher_specs {
            out.extend_from_slice(spec);
        }
        out.extend_from_slice(&self.session_id);
        out.extend_from_slice(&self.challenge);
    }

    /// Reads one whole record; its declared length must match the fields.
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let header = r.u16("SSLv2 record header")?;
        if header & 0x8000 == 0 {
            return Err(DecodeError::InvalidValue {
                what: "SSLv2 record header",
                detail: "high bit clear: not a two-byte SSLv2 header".into(),
            });
        }
        let mut m = r.sub(usize::from(header & 0x7fff), "SSLv2 ClientHello")?;
        let msg_type = m.u8("SSLv2 msg_type")?;
        if msg_type != SSLV2_CLIENT_HELLO {
            return Err(DecodeError::InvalidValue {
                what: "SSLv2 msg_type",
                detail: format!("{msg_type}, must be 1 (CLIENT-HELLO)"),
            });
        }
        let version = ProtocolVersion::read(&mut m)?;
        let spec_len = usize::from(m.u16("cipher_spec_length")?);
        let sid_len = usize::from(m.u16("session_id_length")?);
        let chal_len = usize::from(m.u16("challenge_length")?);
        if spec_len == 0 {
            return Err(DecodeError::TooShort { what: "cipher_spec_length", len: 0, min: 3 });
        }
        if spec_len % 3 != 0 {
            return Err(DecodeError::RaggedList { what: "cipher_specs", len: spec_len, element: 3 });
        }
        if sid_len != 0 && sid_len != SSLV2_SESSION_ID_LEN {
            return Err(DecodeError::InvalidValue {
                what: "session_id_length",
                detail: format!("{sid_len}, must be 0 or 16"),
            });
        }
        if chal_len < MIN_CHALLENGE {
            return Err(DecodeError::TooShort {
                what: "challenge_length",
                len: chal_len,
                min: MIN_CHALLENGE,
            });
        }
        if chal_len > MAX_CHALLENGE {
            return Err(DecodeError::TooLong { what: "challenge_length", len: chal_len, max: MAX_CHALLENGE });
        }
        let mut specs = m.sub(spec_len, "cipher_specs")?;
        let mut cipher_specs = Vec::with_capacity(spec_len / 3);
        while specs.any_left() {
            cipher_specs.push(specs.array::<3>("cipher_specs")?);
        }
        let session_id = m.take(sid_len, "session_id")?.to_vec();
        let challenge = m.take(chal_len, "challenge")?.to_vec();
        m.expect_empty("SSLv2 ClientHello")?;
        Ok(Self { version, cipher_specs, session_id, challenge })
    }
}
