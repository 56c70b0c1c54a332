//! RSA keys as the engine owns them, so the [`CryptoProvider`] seam names
//! no backend's types. A key keeps its PKCS#1 DER (RFC 8017 A.1) and its
//! modulus and exponent; each backend turns that into its own form once
//! and keeps it beside the key ([`RsaPublicKey::backend_form`]), so a
//! handshake parses nothing per operation. The RustCrypto form is parsed
//! at load: certificate checks need it whatever the provider.
//!
//! [`CryptoProvider`]: super::provider::CryptoProvider

use std::any::{Any, TypeId};
use std::sync::{Arc, Mutex};

use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey, EncodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::traits::PublicKeyParts;
use zeroize::Zeroizing;

/// Why bytes are not an RSA key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyError;

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not an RSA key")
    }
}

impl std::error::Error for KeyError {}

type Form = Arc<dyn Any + Send + Sync>;

/// Backend forms of one key, one per type. A handful at most (one per
/// provider in the process), so a list beats a map.
#[derive(Default)]
struct Forms(Mutex<Vec<(TypeId, Form)>>);

impl Forms {
    fn get_or_build<T: Any + Send + Sync>(&self, build: impl FnOnce() -> Option<T>) -> Option<Arc<T>> {
        let id = TypeId::of::<T>();
        let mut forms = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, f)) = forms.iter().find(|(t, _)| *t == id) {
            return f.clone().downcast::<T>().ok();
        }
        // Built under the lock: two threads never build the same form twice.
        let built = Arc::new(build()?);
        forms.push((id, built.clone()));
        Some(built)
    }
}

struct PublicInner {
    rustcrypto: rsa::PublicKey,
    /// RSAPublicKey (RFC 8017 A.1.1).
    der: Vec<u8>,
    /// Big-endian, no leading zeros.
    n: Vec<u8>,
    e: Vec<u8>,
    forms: Forms,
}

/// An RSA public key: a server's from its certificate, a client's from
/// its CertificateVerify certificate. Cheap to clone (shared).
#[derive(Clone)]
pub struct RsaPublicKey(Arc<PublicInner>);

impl RsaPublicKey {
    /// From the rsa crate's key (what the certificate parser yields).
    pub fn from_rustcrypto(key: rsa::PublicKey) -> Result<Self, KeyError> {
        let der = key.to_pkcs1_der().map_err(|_| KeyError)?.as_bytes().to_vec();
        let n = key.n().to_be_bytes().iter().copied().skip_while(|&b| b == 0).collect();
        let e = key.e().to_be_bytes().iter().copied().skip_while(|&b| b == 0).collect();
        Ok(Self(Arc::new(PublicInner { rustcrypto: key, der, n, e, forms: Forms::default() })))
    }

    /// From RSAPublicKey DER (RFC 8017 A.1.1).
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        Self::from_rustcrypto(rsa::PublicKey::from_pkcs1_der(der).map_err(|_| KeyError)?)
    }

    /// From SubjectPublicKeyInfo DER (RFC 5280 4.1.2.7).
    pub fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        Self::from_rustcrypto(rsa::PublicKey::from_public_key_der(der).map_err(|_| KeyError)?)
    }

    /// The modulus length in bytes (k of RFC 8017).
    pub fn size(&self) -> usize {
        self.0.n.len()
    }

    /// The modulus, big-endian without leading zeros.
    pub fn modulus(&self) -> &[u8] {
        &self.0.n
    }

    /// The public exponent, big-endian without leading zeros.
    pub fn exponent(&self) -> &[u8] {
        &self.0.e
    }

    /// RSAPublicKey DER, for a backend to parse.
    pub fn pkcs1_der(&self) -> &[u8] {
        &self.0.der
    }

    /// The RustCrypto form, parsed at load.
    pub fn as_rustcrypto(&self) -> &rsa::PublicKey {
        &self.0.rustcrypto
    }

    /// A backend's own form of this key, built by `build` the first time a
    /// backend asks and kept for the key's life. `None` if `build` fails.
    pub fn backend_form<T: Any + Send + Sync>(
        &self,
        build: impl FnOnce(&Self) -> Option<T>,
    ) -> Option<Arc<T>> {
        self.0.forms.get_or_build(|| build(self))
    }
}

impl PartialEq for RsaPublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.n == other.0.n && self.0.e == other.0.e
    }
}

impl Eq for RsaPublicKey {}

impl std::fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RsaPublicKey").field("bits", &(self.size() * 8)).finish_non_exhaustive()
    }
}

struct PrivateInner {
    rustcrypto: rsa::PrivateKey,
    public: RsaPublicKey,
    /// RSAPrivateKey (RFC 8017 A.1.2), wiped when dropped.
    der: Zeroizing<Vec<u8>>,
    forms: Forms,
}

/// An RSA private key: a server's, or a client's for CertificateVerify.
/// Cheap to clone (shared).
#[derive(Clone)]
pub struct RsaPrivateKey(Arc<PrivateInner>);

impl RsaPrivateKey {
    pub fn from_rustcrypto(key: rsa::PrivateKey) -> Result<Self, KeyError> {
        let der = Zeroizing::new(key.to_pkcs1_der().map_err(|_| KeyError)?.as_bytes().to_vec());
        let public = RsaPublicKey::from_rustcrypto(key.to_public_key())?;
        Ok(Self(Arc::new(PrivateInner { rustcrypto: key, public, der, forms: Forms::default() })))
    }

    /// From RSAPrivateKey DER (RFC 8017 A.1.2).
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        Self::from_rustcrypto(rsa::PrivateKey::from_pkcs1_der(der).map_err(|_| KeyError)?)
    }

    /// From PrivateKeyInfo DER (RFC 5208 5).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        Self::from_rustcrypto(rsa::PrivateKey::from_pkcs8_der(der).map_err(|_| KeyError)?)
    }

    /// From a PKCS#8 PEM text (tests and tools).
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, KeyError> {
        Self::from_rustcrypto(rsa::PrivateKey::from_pkcs8_pem(pem).map_err(|_| KeyError)?)
    }

    pub fn size(&self) -> usize {
        self.0.public.size()
    }

    pub fn as_public_key(&self) -> &RsaPublicKey {
        &self.0.public
    }

    pub fn to_public_key(&self) -> RsaPublicKey {
        self.0.public.clone()
    }

    /// RSAPrivateKey DER, for a backend to parse.
    pub fn pkcs1_der(&self) -> &[u8] {
        &self.0.der
    }

    pub fn as_rustcrypto(&self) -> &rsa::PrivateKey {
        &self.0.rustcrypto
    }

    /// As [`RsaPublicKey::backend_form`].
    pub fn backend_form<T: Any + Send + Sync>(
        &self,
        build: impl FnOnce(&Self) -> Option<T>,
    ) -> Option<Arc<T>> {
        self.0.forms.get_or_build(|| build(self))
    }
}

impl PartialEq for RsaPrivateKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.rustcrypto == other.0.rustcrypto
    }
}

impl Eq for RsaPrivateKey {}

impl std::fmt::Debug for RsaPrivateKey {
    // Never the key material.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RsaPrivateKey").field("bits", &(self.size() * 8)).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_PEM: &str = include_str!("../../../vectors/kat/rsa/test_key_2048.pem");

    #[test]
    fn der_round_trips_and_forms_are_kept() {
        let key = RsaPrivateKey::from_pkcs8_pem(KEY_PEM).unwrap();
        assert_eq!(key.size(), 256);
        let again = RsaPrivateKey::from_pkcs1_der(key.pkcs1_der()).unwrap();
        assert_eq!(again, key);
        let public = RsaPublicKey::from_pkcs1_der(key.as_public_key().pkcs1_der()).unwrap();
        assert_eq!(&public, key.as_public_key());
        assert_eq!(public.exponent(), &[1, 0, 1]);
        let mut builds = 0;
        for _ in 0..3 {
            let form = key.backend_form(|k| {
                builds += 1;
                Some(k.size())
            });
            assert_eq!(form.as_deref(), Some(&256));
        }
        assert_eq!(builds, 1);
        assert!(key.backend_form::<u8>(|_| None).is_none());
        assert!(RsaPublicKey::from_pkcs1_der(&[0x30, 0]).is_err());
    }
}
