//! Certificate, CertificateRequest and CertificateVerify (RFC 5246 7.4.2,
//! 7.4.4, 7.4.8; RFC 6101 5.6.2, 5.6.4, 5.6.8).

use super::context::HandshakeContext;
use super::enums::ClientCertificateType;
use super::extensions::SignatureAndHashAlgorithm;
use super::{FixedSize, read_fixed_list, read_list};
use crate::codec::{Codec, DecodeError, LengthPrefix, ListElement, Reader, Width, put_opaque};
use std::fmt;

/// At most this many certificates in one Certificate message (a limit as
/// trusted stacks set it; the RFC has none).
pub const MAX_CERTIFICATES: usize = 10;

/// One DER certificate: `opaque ASN.1Cert<1..2^24-1>` (RFC 5246 7.4.2).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CertificateDer(pub Vec<u8>);

impl fmt::Debug for CertificateDer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CertificateDer({} bytes)", self.0.len())
    }
}

impl Codec for CertificateDer {
    fn encode(&self, out: &mut Vec<u8>) {
        put_opaque(out, Width::U24, &self.0);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        const CERT: LengthPrefix = LengthPrefix::u24("ASN.1Cert", 1, 0xff_ffff);
        r.opaque(&CERT).map(Self)
    }
}

/// `ASN.1Cert certificate_list<0..2^24-1>` (RFC 5246 7.4.2). The ceiling
/// here is the Certificate message limit less this prefix; the handshake
/// header check ([`super::context::MAX_CERTIFICATE_BODY`]) fires first.
impl ListElement for CertificateDer {
    const LIST: LengthPrefix =
        LengthPrefix::u24("certificate_list", 0, super::context::MAX_CERTIFICATE_BODY - 3);
}

/// Certificate: the sender's chain, leaf first (RFC 5246 7.4.2). An empty
/// list is a client's "no certificate" in TLS (7.4.6).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Certificate {
    pub chain: Vec<CertificateDer>,
}

impl Codec for Certificate {
    fn encode(&self, out: &mut Vec<u8>) {
        self.chain.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut sub = r.prefixed(&CertificateDer::LIST)?;
        let mut chain = Vec::new();
        while sub.any_left() {
            if chain.len() == MAX_CERTIFICATES {
                return Err(DecodeError::TooLong {
                    what: "certificate_list count",
                    len: chain.len() + 1,
                    max: MAX_CERTIFICATES,
                });
            }
            chain.push(CertificateDer::read(&mut sub)?);
        }
        Ok(Self { chain })
    }
}

/// `opaque DistinguishedName<1..2^16-1>` (RFC 5246 7.4.4), DER as sent.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DistinguishedName(pub Vec<u8>);

impl fmt::Debug for DistinguishedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DistinguishedName({} bytes)", self.0.len())
    }
}

impl Codec for DistinguishedName {
    fn encode(&self, out: &mut Vec<u8>) {
        put_opaque(out, Width::U16, &self.0);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        const DN: LengthPrefix = LengthPrefix::u16("DistinguishedName", 1, 0xffff);
        r.opaque(&DN).map(Self)
    }
}

/// `DistinguishedName certificate_authorities<0..2^16-1>` (RFC 5246 7.4.4).
///
/// Deliberately not checked: SSL 3.0 and TLS 1.0 declare a floor of 3
/// (RFC 6101 5.6.4, RFC 2246 7.4.4), but deployed servers send an empty
/// list in every version and every trusted stack accepts it, so the floor
/// is 0 throughout.
impl ListElement for DistinguishedName {
    const LIST: LengthPrefix = LengthPrefix::u16("certificate_authorities", 0, 0xffff);
}

/// `ClientCertificateType certificate_types<1..2^8-1>` (RFC 5246 7.4.4).
impl ListElement for ClientCertificateType {
    const LIST: LengthPrefix = LengthPrefix::u8("certificate_types", 1, 0xff);
}

impl FixedSize for ClientCertificateType {
    const SIZE: usize = 1;
}

/// CertificateRequest (RFC 5246 7.4.4; RFC 6101 5.6.4).
///
/// `signature_algorithms` is `Some` exactly in the TLS 1.2 form, where the
/// list sits between the certificate types and the authorities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRequest {
    pub certificate_types: Vec<ClientCertificateType>,
    pub signature_algorithms: Option<Vec<SignatureAndHashAlgorithm>>,
    pub certificate_authorities: Vec<DistinguishedName>,
}

impl CertificateRequest {
    pub fn encode(&self, out: &mut Vec<u8>) {
        self.certificate_types.encode(out);
        if let Some(algs) = &self.signature_algorithms {
            algs.encode(out);
        }
        self.certificate_authorities.encode(out);
    }

    pub fn read(r: &mut Reader<'_>, ctx: HandshakeContext) -> Result<Self, DecodeError> {
        let certificate_types = read_fixed_list(r)?;
        let signature_algorithms = match ctx.has_signature_algorithms() {
            true => Some(read_fixed_list(r)?),
            false => None,
        };
        Ok(Self { certificate_types, signature_algorithms, certificate_authorities: read_list(r)? })
    }
}

/// `opaque signature<0..2^16-1>` of a digitally-signed element
/// (RFC 5246 4.7; SSL 3.0 and TLS 1.0 prefix it the same way).
pub const SIGNATURE: LengthPrefix = LengthPrefix::u16("signature", 0, 0xffff);

/// CertificateVerify (RFC 5246 7.4.8; RFC 6101 5.6.8). `algorithm` is
/// `Some` exactly in the TLS 1.2 form (RFC 5246 4.7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateVerify {
    pub algorithm: Option<SignatureAndHashAlgorithm>,
    pub signature: Vec<u8>,
}

impl CertificateVerify {
    pub fn encode(&self, out: &mut Vec<u8>) {
        if let Some(alg) = &self.algorithm {
            alg.encode(out);
        }
        put_opaque(out, Width::U16, &self.signature);
    }

    pub fn read(r: &mut Reader<'_>, ctx: HandshakeContext) -> Result<Self, DecodeError> {
        let algorithm = match ctx.has_signature_algorithms() {
            true => Some(SignatureAndHashAlgorithm::read(r)?),
            false => None,
        };
        Ok(Self { algorithm, signature: r.opaque(&SIGNATURE)? })
    }
}
