//! PEM loading (RFC 7468) through x509-parser's PEM reader: certificates as
//! DER, and RSA private keys in PKCS#8 ("PRIVATE KEY", RFC 5958) or PKCS#1
//! ("RSA PRIVATE KEY", RFC 8017 A.1.2) form. Other blocks are skipped, so a
//! combined key-and-chain file works.

use x509_parser::pem::Pem;

use super::CertError;
use crate::crypto::keys::RsaPrivateKey;

fn blocks(text: &str) -> Result<Vec<Pem>, CertError> {
    Pem::iter_from_buffer(text.as_bytes()).map(|block| block.map_err(|_| CertError::BadPem)).collect()
}

/// Every CERTIFICATE block, as DER, in order. No block at all is an error.
/// The DER is not parsed here.
pub fn load_pem_certs(text: &str) -> Result<Vec<Vec<u8>>, CertError> {
    let certs: Vec<Vec<u8>> =
        blocks(text)?.into_iter().filter(|b| b.label == "CERTIFICATE").map(|b| b.contents).collect();
    if certs.is_empty() {
        return Err(CertError::NoPem { wanted: "CERTIFICATE" });
    }
    Ok(certs)
}

/// The first RSA private key block (PKCS#8 or PKCS#1, unencrypted).
pub fn load_private_key_pem(text: &str) -> Result<RsaPrivateKey, CertError> {
    for block in blocks(text)? {
        match block.label.as_str() {
            "PRIVATE KEY" => {
                return RsaPrivateKey::from_pkcs8_der(&block.contents).map_err(|_| CertError::BadPrivateKey);
            }
            "RSA PRIVATE KEY" => {
                return RsaPrivateKey::from_pkcs1_der(&block.contents).map_err(|_| CertError::BadPrivateKey);
            }
            _ => {}
        }
    }
    Err(CertError::NoPem { wanted: "PRIVATE KEY or RSA PRIVATE KEY" })
}
