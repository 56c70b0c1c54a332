//! ClientHello and ServerHello (RFC 5246 7.4.1.2, 7.4.1.3; RFC 6101 5.6.1).

use super::enums::{CipherSuite, Compression, ProtocolVersion};
use super::extensions::{Extension, ExtensionOrigin, encode_extensions, read_extensions};
use super::{FixedSize, read_fixed_list};
use crate::codec::{Codec, DecodeError, LengthPrefix, ListElement, Reader, Width, put_opaque};

/// `CipherSuite cipher_suites<2..2^16-2>` (RFC 5246 7.4.1.2).
impl ListElement for CipherSuite {
    const LIST: LengthPrefix = LengthPrefix::u16("cipher_suites", 2, 0xfffe);
}

impl FixedSize for CipherSuite {
    const SIZE: usize = 2;
}

/// `CompressionMethod compression_methods<1..2^8-1>` (RFC 5246 7.4.1.2).
impl ListElement for Compression {
    const LIST: LengthPrefix = LengthPrefix::u8("compression_methods", 1, 0xff);
}

impl FixedSize for Compression {
    const SIZE: usize = 1;
}

/// The 32-byte hello random (RFC 5246 7.4.1.2: gmt_unix_time then 28
/// random bytes; the engine does not look inside).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Random(pub [u8; 32]);

impl Codec for Random {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.array("random").map(Self)
    }
}

/// `opaque SessionID<0..32>` (RFC 5246 7.4.1.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SessionId(pub Vec<u8>);

impl SessionId {
    pub const PREFIX: LengthPrefix = LengthPrefix::u8("session_id", 0, 32);

    pub fn empty() -> Self {
        Self(Vec::new())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Codec for SessionId {
    fn encode(&self, out: &mut Vec<u8>) {
        put_opaque(out, Width::U8, &self.0);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.opaque(&Self::PREFIX).map(Self)
    }
}

/// ClientHello (RFC 5246 7.4.1.2).
///
/// `extensions: None` is a hello that ends after compression_methods (SSL
/// 3.0 style, RFC 6101 5.6.1.2: "forward compatibility" bytes absent);
/// `Some(vec![])` is one with an empty extensions block. Both re-encode to
/// the bytes they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHello {
    pub client_version: ProtocolVersion,
    pub random: Random,
    pub session_id: SessionId,
    pub cipher_suites: Vec<CipherSuite>,
    pub compression_methods: Vec<Compression>,
    pub extensions: Option<Vec<Extension>>,
}

impl ClientHello {
    /// The first extension of type `typ`.
    pub fn extension(&self, typ: super::enums::ExtensionType) -> Option<&Extension> {
        self.extensions.as_deref()?.iter().find(|e| e.typ() == typ)
    }
}

impl Codec for ClientHello {
    fn encode(&self, out: &mut Vec<u8>) {
        self.client_version.encode(out);
        self.random.encode(out);
        self.session_id.encode(out);
        self.cipher_suites.encode(out);
        self.compression_methods.encode(out);
        if let Some(exts) = &self.extensions {
            encode_extensions(exts, out);
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            client_version: ProtocolVersion::read(r)?,
            random: Random::read(r)?,
            session_id: SessionId::read(r)?,
            cipher_suites: read_fixed_list(r)?,
            compression_methods: read_fixed_list(r)?,
            // RFC 5246 7.4.1.2: extensions are present iff bytes follow.
            extensions: match r.any_left() {
                true => Some(read_extensions(r, ExtensionOrigin::ClientHello)?),
                false => None,
            },
        })
    }
}

/// ServerHello (RFC 5246 7.4.1.3). `extensions` as in [`ClientHello`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHello {
    pub server_version: ProtocolVersion,
    pub random: Random,
    pub session_id: SessionId,
    pub cipher_suite: CipherSuite,
    pub compression_method: Compression,
    pub extensions: Option<Vec<Extension>>,
}

impl ServerHello {
    /// The first extension of type `typ`.
    pub fn extension(&self, typ: super::enums::ExtensionType) -> Option<&Extension> {
        self.extensions.as_deref()?.iter().find(|e| e.typ() == typ)
    }
}

impl Codec for ServerHello {
    fn encode(&self, out: &mut Vec<u8>) {
        self.server_version.encode(out);
        self.random.encode(out);
        self.session_id.encode(out);
        self.cipher_suite.encode(out);
        self.compression_method.encode(out);
        if let Some(exts) = &self.extensions {
            encode_extensions(exts, out);
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            server_version: ProtocolVersion::read(r)?,
            random: Random::read(r)?,
            session_id: SessionId::read(r)?,
            cipher_suite: CipherSuite::read(r)?,
            compression_method: Compression::read(r)?,
            extensions: match r.any_left() {
                true => Some(read_extensions(r, ExtensionOrigin::ServerHello)?),
                false => None,
            },
        })
    }
}
