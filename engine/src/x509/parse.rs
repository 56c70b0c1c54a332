//! Strict certificate parsing on top of x509-parser, which is a parser and
//! not a validator: this adds the structural checks it leaves to callers,
//! the RSA key extraction and the signature check with the rsa crate.

use std::collections::HashSet;

use rsa::pkcs8::DecodePublicKey;
use x509_parser::asn1_rs::Any;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::oid_registry::{
    OID_PKCS1_RSAENCRYPTION, OID_PKCS1_SHA1WITHRSA, OID_PKCS1_SHA256WITHRSA, OID_PKCS1_SHA384WITHRSA,
    OID_PKCS1_SHA512WITHRSA, OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER, OID_X509_EXT_BASIC_CONSTRAINTS,
    OID_X509_EXT_CERTIFICATE_POLICIES, OID_X509_EXT_EXTENDED_KEY_USAGE, OID_X509_EXT_KEY_USAGE,
    OID_X509_EXT_SUBJECT_ALT_NAME, OID_X509_EXT_SUBJECT_KEY_IDENTIFIER,
};
use x509_parser::prelude::FromDer;
use x509_parser::x509::{SubjectPublicKeyInfo, X509Version};

use super::CertError;

/// Parse one DER certificate and apply the structural rules x509-parser does
/// not: nothing after the certificate, no duplicate extension (RFC 5280 4.2),
/// no extension that failed to parse, no critical extension we do not
/// process, extensions only in v3 (RFC 5280 4.1.2.9), and matching inner and
/// outer signature algorithms (RFC 5280 4.1.1.2).
pub(crate) fn parse_strict(der: &[u8], index: usize) -> Result<X509Certificate<'_>, CertError> {
    let (rest, cert) = X509Certificate::from_der(der).map_err(|_| CertError::Malformed { index })?;
    if !rest.is_empty() {
        return Err(CertError::TrailingBytes { index, left: rest.len() });
    }
    if !exactly_three_elements(der) {
        return Err(CertError::Malformed { index });
    }
    let mut seen = HashSet::new();
    for ext in cert.extensions() {
        if !seen.insert(ext.oid.as_bytes()) {
            return Err(CertError::DuplicateExtension { index });
        }
        if matches!(ext.parsed_extension(), ParsedExtension::ParseError { .. }) {
            return Err(CertError::BadExtension { index });
        }
        if ext.critical && !is_processed(&ext.oid) {
            return Err(CertError::UnhandledCriticalExtension { index });
        }
    }
    if cert.version() != X509Version::V3 && !cert.extensions().is_empty() {
        return Err(CertError::BadVersion { index });
    }
    if cert.tbs_certificate.signature != cert.signature_algorithm {
        return Err(CertError::SignatureAlgorithmMismatch { index });
    }
    Ok(cert)
}

/// RFC 5280 4.1: Certificate ::= SEQUENCE { tbsCertificate,
/// signatureAlgorithm, signatureValue } and nothing more. x509-parser
/// ignores elements after the signature inside the SEQUENCE.
fn exactly_three_elements(der: &[u8]) -> bool {
    let Ok((_, outer)) = Any::from_der(der) else {
        return false;
    };
    let mut inner = outer.data;
    for _ in 0..3 {
        match Any::from_der(inner) {
            Ok((rest, _)) => inner = rest,
            Err(_) => return false,
        }
    }
    inner.is_empty()
}

/// Extensions this validator acts on, so may be critical. certificatePolicies
/// is accepted unprocessed: with an initial policy set of anyPolicy and no
/// explicit policy required (RFC 5280 6.1.1 (c)-(f)) it cannot fail a path.
/// Deliberately left out, so refused when critical: nameConstraints,
/// policyConstraints, policyMappings, inhibitAnyPolicy.
fn is_processed(oid: &x509_parser::der_parser::oid::Oid<'_>) -> bool {
    [
        OID_X509_EXT_BASIC_CONSTRAINTS,
        OID_X509_EXT_KEY_USAGE,
        OID_X509_EXT_EXTENDED_KEY_USAGE,
        OID_X509_EXT_SUBJECT_ALT_NAME,
        OID_X509_EXT_SUBJECT_KEY_IDENTIFIER,
        OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER,
        OID_X509_EXT_CERTIFICATE_POLICIES,
    ]
    .iter()
    .any(|known| known == oid)
}

/// The RSA public key of a SubjectPublicKeyInfo (RFC 3279 2.3.1).
pub(crate) fn rsa_key(spki: &SubjectPublicKeyInfo<'_>, index: usize) -> Result<rsa::PublicKey, CertError> {
    if spki.algorithm.algorithm != OID_PKCS1_RSAENCRYPTION {
        return Err(CertError::UnsupportedKey { index });
    }
    rsa::PublicKey::from_public_key_der(spki.raw).map_err(|_| CertError::UnsupportedKey { index })
}

/// Verify `cert`'s signature under `issuer_key` (RFC 5280 6.1.3 (a)(1);
/// PKCS#1 v1.5 per RFC 3279 2.2.1 and RFC 4055 5).
pub(crate) fn verify_signature(
    cert: &X509Certificate<'_>,
    issuer_key: &rsa::PublicKey,
    index: usize,
) -> Result<(), CertError> {
    let alg = &cert.signature_algorithm.algorithm;
    let tbs = cert.tbs_certificate.as_ref();
    let sig: &[u8] = &cert.signature_value.data;
    let result = if *alg == OID_PKCS1_SHA1WITHRSA {
        issuer_key.pkcs1v15_verify::<sha1::Sha1>(tbs, sig)
    } else if *alg == OID_PKCS1_SHA256WITHRSA {
        issuer_key.pkcs1v15_verify::<sha2::Sha256>(tbs, sig)
    } else if *alg == OID_PKCS1_SHA384WITHRSA {
        issuer_key.pkcs1v15_verify::<sha2::Sha384>(tbs, sig)
    } else if *alg == OID_PKCS1_SHA512WITHRSA {
        issuer_key.pkcs1v15_verify::<sha2::Sha512>(tbs, sig)
    } else {
        return Err(CertError::UnsupportedSignatureAlgorithm { index });
    };
    result.map_err(|_| CertError::BadSignature { index })
}
