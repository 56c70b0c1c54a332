//! Trust anchors (RFC 5280 6.1.1 (d)): the name and RSA key that end a
//! path. Anchors are taken as given: their validity period, basic
//! constraints and key usage are not checked (RFC 5280 6.1 leaves anchor
//! constraints optional), except that an anchor's own pathLenConstraint,
//! when present, is honoured.

use super::CertError;
use super::parse::{parse_strict, rsa_key};

/// One anchor: the certificate it came from and what validation needs.
#[derive(Debug, Clone)]
pub(crate) struct Anchor {
    pub(crate) der: Vec<u8>,
    pub(crate) subject_der: Vec<u8>,
    pub(crate) subject: String,
    pub(crate) key: rsa::PublicKey,
    pub(crate) path_len: Option<u32>,
}

/// The set of root certificates a chain may end at.
#[derive(Debug, Clone, Default)]
pub struct TrustAnchors {
    anchors: Vec<Anchor>,
}

impl TrustAnchors {
    /// Anchors from every CERTIFICATE block in `pem`.
    pub fn from_pem(pem: &str) -> Result<Self, CertError> {
        Self::from_der(&super::load_pem_certs(pem)?)
    }

    /// Anchors from DER certificates. Each must parse strictly and carry an
    /// RSA key (only RSA signatures are verified).
    pub fn from_der(certs: &[Vec<u8>]) -> Result<Self, CertError> {
        let mut anchors = Vec::with_capacity(certs.len());
        for (index, der) in certs.iter().enumerate() {
            let cert = parse_strict(der, index)?;
            let key = rsa_key(cert.public_key(), index)?;
            let path_len = cert
                .basic_constraints()
                .map_err(|_| CertError::DuplicateExtension { index })?
                .and_then(|bc| bc.value.path_len_constraint);
            anchors.push(Anchor {
                der: der.clone(),
                subject_der: cert.subject().as_raw().to_vec(),
                subject: cert.subject().to_string(),
                key,
                path_len,
            });
        }
        Ok(Self { anchors })
    }

    /// The anchors' subject names as DER, for the certificate_authorities
    /// list of a CertificateRequest (RFC 5246 7.4.4).
    pub fn subjects(&self) -> Vec<Vec<u8>> {
        self.anchors.iter().map(|a| a.subject_der.clone()).collect()
    }

    /// How many anchors there are.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Anchor> {
        self.anchors.iter()
    }
}
