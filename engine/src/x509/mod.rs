//! X.509 certificate chains: loading, and path validation in the spirit of
//! RFC 5280 6.1, limited to what an RSA-key-exchange TLS peer needs.
//!
//! x509-parser is only a parser; everything that makes a chain acceptable
//! is checked here, and RSA signatures are verified with the rsa crate.
//! The current time is an argument ([`VerifyOptions::now_unix`]): the engine
//! reads no clock.
//!
//! Deliberately left out: revocation (CRL, OCSP), name constraints and
//! policy processing (both refused when marked critical, see
//! `parse::is_processed`), the self-issued exemption from pathLenConstraint
//! (RFC 5280 6.1.4 (l)), EKU nesting through intermediates, and any path
//! building beyond the order the peer sent (RFC 5246 7.4.2 requires each
//! certificate to certify the one before it).

mod anchors;
mod error;
mod name;
mod parse;
mod pem;

use x509_parser::certificate::X509Certificate;
use x509_parser::x509::X509Version;

pub use anchors::TrustAnchors;
pub use error::CertError;
pub use pem::{load_pem_certs, load_private_key_pem};

use anchors::Anchor;
use parse::{parse_strict, rsa_key};

use crate::crypto::keys::RsaPublicKey;

/// The most certificates accepted in one chain (leaf included).
pub const MAX_CHAIN_LEN: usize = 10;

/// What the leaf certificate is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A server certificate for RSA key exchange: keyEncipherment, serverAuth.
    ServerAuth,
    /// A client certificate that signs CertificateVerify: digitalSignature,
    /// clientAuth.
    ClientAuth,
}

/// The inputs of a validation besides the chain and anchors.
#[derive(Debug, Clone, Copy)]
pub struct VerifyOptions<'a> {
    /// The time to validate at, in seconds since the Unix epoch.
    pub now_unix: i64,
    /// The name the client asked for, a DNS name or an IP literal; `None`
    /// skips the identity check (client certificates, or by choice).
    pub server_name: Option<&'a str>,
    /// What the leaf must be usable for.
    pub purpose: Purpose,
}

/// The result of a successful validation.
#[derive(Debug, Clone)]
pub struct VerifiedLeaf {
    /// The leaf's RSA key: encrypts the premaster secret, or verifies
    /// CertificateVerify.
    pub public_key: RsaPublicKey,
    /// The leaf's subject, in RFC 4514-like text.
    pub subject: String,
    /// The leaf's subject as DER.
    pub subject_der: Vec<u8>,
    /// The subject of the anchor the path ended at.
    pub anchor_subject: String,
    /// How many certificates of the chain the path used (the leaf included).
    pub path_len: usize,
}

/// Validate `chain_der` (leaf first, as in the Certificate message) against
/// `anchors` for `opts`.
pub fn verify_chain(
    chain_der: &[Vec<u8>],
    anchors: &TrustAnchors,
    opts: &VerifyOptions<'_>,
) -> Result<VerifiedLeaf, CertError> {
    if chain_der.len() > MAX_CHAIN_LEN {
        return Err(CertError::ChainTooLong { len: chain_der.len(), max: MAX_CHAIN_LEN });
    }
    let certs = chain_der
        .iter()
        .enumerate()
        .map(|(index, der)| parse_strict(der, index))
        .collect::<Result<Vec<_>, _>>()?;
    let leaf = certs.first().ok_or(CertError::EmptyChain)?;
    let public_key = engine_key(rsa_key(leaf.public_key(), 0)?)?;
    let (anchor, path_len) = build_path(&certs, chain_der, anchors, opts.now_unix)?;
    check_leaf(leaf, opts)?;
    Ok(VerifiedLeaf {
        public_key,
        subject: leaf.subject().to_string(),
        subject_der: leaf.subject().as_raw().to_vec(),
        anchor_subject: anchor.subject.clone(),
        path_len,
    })
}

/// The leaf's RSA key without any validation, for a client configured not
/// to verify. The DER must still parse strictly.
pub fn leaf_public_key(der: &[u8]) -> Result<RsaPublicKey, CertError> {
    let cert = parse_strict(der, 0)?;
    engine_key(rsa_key(cert.public_key(), 0)?)
}

/// The leaf's key in the engine's own form, for the crypto provider.
fn engine_key(key: rsa::PublicKey) -> Result<RsaPublicKey, CertError> {
    RsaPublicKey::from_rustcrypto(key).map_err(|_| CertError::UnsupportedKey { index: 0 })
}

/// Walk from the leaf towards an anchor in the order received, checking
/// each certificate's validity period, each issuer's CA properties and each
/// signature (RFC 5280 6.1.3, 6.1.4). Returns the anchor reached and how
/// many chain certificates the path used.
fn build_path<'t>(
    certs: &[X509Certificate<'_>],
    chain_der: &[Vec<u8>],
    anchors: &'t TrustAnchors,
    now: i64,
) -> Result<(&'t Anchor, usize), CertError> {
    // A leaf that is itself an anchor is trusted as is.
    if let (Some(leaf), Some(leaf_der)) = (certs.first(), chain_der.first())
        && let Some(anchor) = anchors.iter().find(|a| a.der == *leaf_der)
    {
        check_time(leaf, now, 0)?;
        return Ok((anchor, 1));
    }
    // Every step either returns or moves one further along a chain of at
    // most MAX_CHAIN_LEN, so the loop ends.
    for (index, cert) in certs.iter().enumerate() {
        check_time(cert, now, index)?;
        let issuer_name = cert.issuer().as_raw();
        let mut anchor_named = false;
        for anchor in anchors.iter().filter(|a| a.subject_der == issuer_name) {
            anchor_named = true;
            match anchors.verify_signed(cert, &anchor.spki_der, || Ok(anchor.key.clone()), index) {
                Ok(()) => {
                    // Intermediates below the anchor: certificates 1..=index.
                    if anchor.path_len.is_some_and(|max| index > max as usize) {
                        return Err(CertError::PathLenExceeded { index });
                    }
                    return Ok((anchor, index + 1));
                }
                Err(e @ CertError::UnsupportedSignatureAlgorithm { .. }) => return Err(e),
                Err(_) => {}
            }
        }
        let next = index + 1;
        match certs.get(next) {
            Some(issuer) if issuer.subject().as_raw() == issuer_name => {
                check_issuer(issuer, next)?;
                let spki = issuer.public_key();
                anchors.verify_signed(cert, spki.raw, || rsa_key(spki, next), index)?;
            }
            _ if anchor_named => return Err(CertError::BadSignature { index }),
            _ => return Err(CertError::UnknownIssuer { index }),
        }
    }
    // The last certificate was checked as an issuer but nothing signed it.
    Err(CertError::UnknownIssuer { index: certs.len().saturating_sub(1) })
}

/// RFC 5280 6.1.3 (a)(2): notBefore <= now <= notAfter. Plain comparisons
/// of i64 seconds: no arithmetic that could overflow.
fn check_time(cert: &X509Certificate<'_>, now: i64, index: usize) -> Result<(), CertError> {
    let validity = cert.validity();
    if now < validity.not_before.timestamp() {
        return Err(CertError::NotYetValid { index });
    }
    if now > validity.not_after.timestamp() {
        return Err(CertError::Expired { index });
    }
    Ok(())
}

/// What a certificate at `index` >= 1 must be to issue the one before it:
/// v3 (RFC 5280 6.1.4 (k)), basicConstraints cA=true (6.1.4 (k)),
/// pathLenConstraint not below the intermediates under it (6.1.4 (m)),
/// keyUsage, if present, with keyCertSign (6.1.4 (n)).
fn check_issuer(cert: &X509Certificate<'_>, index: usize) -> Result<(), CertError> {
    if cert.version() != X509Version::V3 {
        return Err(CertError::BadVersion { index });
    }
    let bc = cert
        .basic_constraints()
        .map_err(|_| CertError::BadExtension { index })?
        .ok_or(CertError::IssuerNotCa { index })?;
    if !bc.value.ca {
        return Err(CertError::IssuerNotCa { index });
    }
    // Intermediates between this certificate and the leaf.
    let below = index.saturating_sub(1);
    if bc.value.path_len_constraint.is_some_and(|max| below > max as usize) {
        return Err(CertError::PathLenExceeded { index });
    }
    let ku = cert.key_usage().map_err(|_| CertError::BadExtension { index })?;
    if ku.is_some_and(|ku| !ku.value.key_cert_sign()) {
        return Err(CertError::IssuerKeyUsage { index });
    }
    Ok(())
}

/// The leaf's fitness for `opts.purpose` and its identity.
fn check_leaf(leaf: &X509Certificate<'_>, opts: &VerifyOptions<'_>) -> Result<(), CertError> {
    // RFC 5280 4.2.1.3; RFC 5246 7.4.2 / 7.4.6: RSA key exchange encrypts
    // to the server key, a client certificate signs CertificateVerify.
    let ku = leaf.key_usage().map_err(|_| CertError::BadExtension { index: 0 })?;
    if let Some(ku) = ku {
        let allowed = match opts.purpose {
            Purpose::ServerAuth => ku.value.key_encipherment(),
            Purpose::ClientAuth => ku.value.digital_signature(),
        };
        if !allowed {
            return Err(CertError::LeafKeyUsage);
        }
    }
    // RFC 5280 4.2.1.12, anyExtendedKeyUsage included.
    let eku = leaf.extended_key_usage().map_err(|_| CertError::BadExtension { index: 0 })?;
    if let Some(eku) = eku {
        let eku = eku.value;
        let allowed = eku.any
            || match opts.purpose {
                Purpose::ServerAuth => eku.server_auth,
                Purpose::ClientAuth => eku.client_auth,
            };
        if !allowed {
            return Err(CertError::ExtendedKeyUsage);
        }
    }
    if let Some(server_name) = opts.server_name {
        name::check_server_name(leaf, server_name)?;
    }
    Ok(())
}
