//! Hello extensions (RFC 5246 7.4.1.4) and the ones this engine models.
//! Any other extension is kept as its type and raw body so it re-encodes to
//! the same bytes.

use super::enums::{ExtensionType, HashAlgorithm, ServerNameType, SignatureAlgorithm};
use super::{FixedSize, read_fixed_list, read_list};
use crate::codec::{Codec, DecodeError, LengthPrefix, ListElement, Reader, Width, put_opaque, put_prefixed};
use std::collections::HashSet;

/// The extensions block of a hello: `Extension extensions<0..2^16-1>`
/// (RFC 5246 7.4.1.2).
pub const EXTENSIONS: LengthPrefix = LengthPrefix::u16("extensions", 0, 0xffff);

/// One extension's body: `opaque extension_data<0..2^16-1>` (RFC 5246 7.4.1.4).
pub const EXTENSION_DATA: LengthPrefix = LengthPrefix::u16("extension_data", 0, 0xffff);

/// `HostName` (RFC 6066 3: `opaque HostName<1..2^16-1>`). Other name types
/// are read with the same prefix, as every deployed stack does.
pub const HOST_NAME: LengthPrefix = LengthPrefix::u16("server_name host_name", 1, 0xffff);

/// `renegotiated_connection<0..255>` (RFC 5746 3.2).
pub const RENEGOTIATED_CONNECTION: LengthPrefix = LengthPrefix::u8("renegotiated_connection", 0, 0xff);

/// Which hello an extension sits in: a few bodies differ by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionOrigin {
    ClientHello,
    ServerHello,
}

/// A hash and signature algorithm pair (RFC 5246 7.4.1.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SignatureAndHashAlgorithm {
    pub hash: HashAlgorithm,
    pub signature: SignatureAlgorithm,
}

impl SignatureAndHashAlgorithm {
    pub const fn new(hash: HashAlgorithm, signature: SignatureAlgorithm) -> Self {
        Self { hash, signature }
    }
}

impl Codec for SignatureAndHashAlgorithm {
    fn encode(&self, out: &mut Vec<u8>) {
        self.hash.encode(out);
        self.signature.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { hash: HashAlgorithm::read(r)?, signature: SignatureAlgorithm::read(r)? })
    }
}

/// `SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>`
/// (RFC 5246 7.4.1.4.1, and the same list in CertificateRequest, 7.4.4).
impl ListElement for SignatureAndHashAlgorithm {
    const LIST: LengthPrefix = LengthPrefix::u16("supported_signature_algorithms", 2, 0xfffe);
}

impl FixedSize for SignatureAndHashAlgorithm {
    const SIZE: usize = 2;
}

/// One `ServerName` (RFC 6066 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerNameEntry {
    pub name_type: ServerNameType,
    /// The name as sent; not checked to be a valid DNS name here.
    pub name: Vec<u8>,
}

impl ServerNameEntry {
    pub fn host_name(name: &str) -> Self {
        Self { name_type: ServerNameType::HostName, name: name.as_bytes().to_vec() }
    }
}

impl Codec for ServerNameEntry {
    fn encode(&self, out: &mut Vec<u8>) {
        self.name_type.encode(out);
        put_opaque(out, Width::U16, &self.name);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { name_type: ServerNameType::read(r)?, name: r.opaque(&HOST_NAME)? })
    }
}

/// `ServerName server_name_list<1..2^16-1>` (RFC 6066 3).
impl ListElement for ServerNameEntry {
    const LIST: LengthPrefix = LengthPrefix::u16("server_name_list", 1, 0xffff);
}

/// One hello extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extension {
    /// server_name in a ClientHello (RFC 6066 3).
    ServerName(Vec<ServerNameEntry>),
    /// server_name in a ServerHello: an empty body (RFC 6066 3).
    ServerNameAck,
    /// signature_algorithms (RFC 5246 7.4.1.4.1).
    SignatureAlgorithms(Vec<SignatureAndHashAlgorithm>),
    /// renegotiation_info with its renegotiated_connection (RFC 5746 3.2).
    RenegotiationInfo(Vec<u8>),
    /// extended_master_secret: an empty body (RFC 7627 5.1).
    ExtendedMasterSecret,
    /// encrypt_then_mac: an empty body (RFC 7366 2).
    EncryptThenMac,
    /// Any other extension, kept as sent.
    Other { typ: ExtensionType, body: Vec<u8> },
}

impl Extension {
    pub fn typ(&self) -> ExtensionType {
        match self {
            Self::ServerName(_) | Self::ServerNameAck => ExtensionType::ServerName,
            Self::SignatureAlgorithms(_) => ExtensionType::SignatureAlgorithms,
            Self::RenegotiationInfo(_) => ExtensionType::RenegotiationInfo,
            Self::ExtendedMasterSecret => ExtensionType::ExtendedMasterSecret,
            Self::EncryptThenMac => ExtensionType::EncryptThenMac,
            Self::Other { typ, .. } => *typ,
        }
    }

    fn encode_body(&self, out: &mut Vec<u8>) {
        match self {
            Self::ServerName(names) => names.encode(out),
            Self::SignatureAlgorithms(algs) => algs.encode(out),
            Self::RenegotiationInfo(rc) => put_opaque(out, Width::U8, rc),
            Self::ServerNameAck | Self::ExtendedMasterSecret | Self::EncryptThenMac => {}
            Self::Other { body, .. } => out.extend_from_slice(body),
        }
    }

    /// Writes type, length and body.
    pub fn encode(&self, out: &mut Vec<u8>) {
        self.typ().encode(out);
        put_prefixed(out, Width::U16, |out| self.encode_body(out));
    }

    /// Reads one extension; its body must be consumed exactly.
    pub fn read(r: &mut Reader<'_>, origin: ExtensionOrigin) -> Result<Self, DecodeError> {
        let typ = ExtensionType::read(r)?;
        let mut body = r.prefixed(&EXTENSION_DATA)?;
        let ext = match typ {
            ExtensionType::ServerName => match origin {
                ExtensionOrigin::ClientHello => Self::ServerName(read_list(&mut body)?),
                ExtensionOrigin::ServerHello => {
                    body.expect_empty("server_name in ServerHello")?;
                    Self::ServerNameAck
                }
            },
            ExtensionType::SignatureAlgorithms => Self::SignatureAlgorithms(read_fixed_list(&mut body)?),
            ExtensionType::RenegotiationInfo => {
                Self::RenegotiationInfo(body.opaque(&RENEGOTIATED_CONNECTION)?)
            }
            ExtensionType::ExtendedMasterSecret => {
                body.expect_empty("extended_master_secret")?;
                Self::ExtendedMasterSecret
            }
            ExtensionType::EncryptThenMac => {
                body.expect_empty("encrypt_then_mac")?;
                Self::EncryptThenMac
            }
            typ => Self::Other { typ, body: body.take_rest().to_vec() },
        };
        body.expect_empty(typ.name().unwrap_or("extension_data"))?;
        Ok(ext)
    }
}

/// Writes an extensions block (RFC 5246 7.4.1.2).
pub fn encode_extensions(exts: &[Extension], out: &mut Vec<u8>) {
    put_prefixed(out, Width::U16, |out| {
        for e in exts {
            e.encode(out);
        }
    });
}

/// Reads an extensions block (RFC 5246 7.4.1.2). Duplicates are kept: see
/// [`first_duplicate`].
pub fn read_extensions(r: &mut Reader<'_>, origin: ExtensionOrigin) -> Result<Vec<Extension>, DecodeError> {
    let mut sub = r.prefixed(&EXTENSIONS)?;
    let mut exts = Vec::new();
    while sub.any_left() {
        exts.push(Extension::read(&mut sub, origin)?);
    }
    Ok(exts)
}

/// The first extension type that appears more than once, if any
/// (RFC 5246 7.4.1.4: "There MUST NOT be more than one extension of the
/// same type.").
pub fn first_duplicate(exts: &[Extension]) -> Option<ExtensionType> {
    let mut seen = HashSet::new();
    exts.iter().map(Extension::typ).find(|t| !seen.insert(*t))
}
