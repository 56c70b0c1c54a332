//! Trust anchors (RFC 5280 6.1.1 (d)): the name and RSA key that end a
//! path. Anchors are taken as given: their validity period, basic
//! constraints and key usage are not checked (RFC 5280 6.1 leaves anchor
//! constraints optional), except that an anchor's own pathLenConstraint,
//! when present, is honoured.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};
use x509_parser::certificate::X509Certificate;

use super::CertError;
use super::parse::{parse_strict, rsa_key, verify_signature};

/// Certificate signatures remembered as verified, per set of anchors: a
/// peer sends the same chain on every connection, and each check is an
/// RSA public operation (plus building the issuer's key). Only successes
/// are kept, keyed by the exact bytes verified, so a hit answers what the
/// check would have.
pub const VERIFIED_SIGNATURES: usize = 4_096;

/// One anchor: the certificate it came from and what validation needs.
#[derive(Debug, Clone)]
pub(crate) struct Anchor {
    pub(crate) der: Vec<u8>,
    pub(crate) subject_der: Vec<u8>,
    pub(crate) subject: String,
    pub(crate) key: rsa::PublicKey,
    /// The anchor's SubjectPublicKeyInfo, as DER.
    pub(crate) spki_der: Vec<u8>,
    pub(crate) path_len: Option<u32>,
}

/// The set of root certificates a chain may end at.
#[derive(Debug, Clone, Default)]
pub struct TrustAnchors {
    anchors: Vec<Anchor>,
    /// Shared by the clones of one set (every connection of a config).
    verified: Arc<Mutex<HashSet<[u8; 32]>>>,
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
                spki_der: cert.public_key().raw.to_vec(),
                path_len,
            });
        }
        Ok(Self { anchors, verified: Arc::default() })
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

    /// [`verify_signature`] of `cert` by the issuer whose key is
    /// `issuer_spki` (built by `issuer_key` only when not remembered).
    pub(crate) fn verify_signed(
        &self,
        cert: &X509Certificate<'_>,
        issuer_spki: &[u8],
        issuer_key: impl FnOnce() -> Result<rsa::PublicKey, CertError>,
        index: usize,
    ) -> Result<(), CertError> {
        let mut h = Sha256::new();
        for part in [
            issuer_spki,
            cert.signature_algorithm.algorithm.as_bytes(),
            cert.tbs_certificate.as_ref(),
            &cert.signature_value.data,
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part);
        }
        let id: [u8; 32] = h.finalize().into();
        // Inserts are single calls: a poisoned lock holds no torn state.
        let lock = || self.verified.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if lock().contains(&id) {
            return Ok(());
        }
        verify_signature(cert, &issuer_key()?, index)?;
        let mut set = lock();
        if set.len() >= VERIFIED_SIGNATURES {
            set.clear();
        }
        set.insert(id);
        Ok(())
    }
}
