//! The second provider: OpenSSL's libcrypto through the `openssl` crate
//! (feature `openssl-provider`, needs libssl-dev). Records go through
//! [`record::Backend::OpenSsl`] (EVP ciphers and digests under the
//! engine's own constructions); RSA through `RSA_*` with the key parsed
//! once from its PKCS#1 DER and kept beside the engine's key.
//!
//! The PKCS#1 v1.5 blocks are the engine's: encryption builds the block in
//! [`rsa_kx::encryption_block`] (so the Bleichenbacher tweaks work here
//! too) and OpenSSL does the raw public operation; decryption has OpenSSL
//! do the raw (blinded) private operation and the engine check the block
//! and choose the premaster in constant time
//! ([`rsa_kx::premaster_from_block`], [`rsa_kx::select_premaster`]),
//! RFC 5246 7.4.7.1: it never fails. As with the default provider, no
//! constant-time claim is made for the whole; OpenSSL's own RSA code is
//! what times the private operation.

use openssl::pkey::{Private, Public};
use openssl::rsa::{Padding, Rsa};

use super::finished::verify_data;
use super::key_schedule::MASTER_SECRET_LEN;
use super::prf::PrfAlgorithm;
use super::provider::{CryptoProvider, RecordOpen, RecordSeal};
use super::record::{self, RecordOpener, RecordSealer, SetupError};
use super::rsa_kx::{self, PREMASTER_LEN, Pkcs1Tweak, RsaError, RsaPrivateKey, RsaPublicKey, SignatureHash};
use super::transcript::Transcript;
use super::{DirectionKeys, RandomSource, Side};
use crate::msgs::enums::ProtocolVersion;
use crate::suites::SuiteInfo;

/// OpenSSL's libcrypto behind the provider seam.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenSsl;

impl OpenSsl {
    pub fn new() -> Self {
        Self
    }
}

/// The OpenSSL form of a public key, kept beside the engine's key.
struct PublicForm(Rsa<Public>);
/// The OpenSSL form of a private key.
struct PrivateForm(Rsa<Private>);

fn backend(e: openssl::error::ErrorStack) -> RsaError {
    RsaError::Backend(e.to_string())
}

fn public(key: &RsaPublicKey) -> Result<std::sync::Arc<PublicForm>, RsaError> {
    key.backend_form(|k| Rsa::public_key_from_der_pkcs1(k.pkcs1_der()).ok().map(PublicForm))
        .ok_or_else(|| RsaError::Backend("OpenSSL refused the public key".to_owned()))
}

fn private(key: &RsaPrivateKey) -> Result<std::sync::Arc<PrivateForm>, RsaError> {
    key.backend_form(|k| Rsa::private_key_from_der(k.pkcs1_der()).ok().map(PrivateForm))
        .ok_or_else(|| RsaError::Backend("OpenSSL refused the private key".to_owned()))
}

/// The bytes under a PKCS#1 v1.5 signature: DigestInfo || digest
/// (RFC 8017 9.2), or the bare MD5+SHA-1 of TLS 1.0/1.1 (RFC 2246 4.7).
fn signed_bytes(hash: SignatureHash, digest: &[u8]) -> Result<Vec<u8>, RsaError> {
    hash.check_digest(digest)?;
    Ok([hash.digest_info_prefix(), digest].concat())
}

impl CryptoProvider for OpenSsl {
    fn name(&self) -> &'static str {
        "openssl"
    }

    fn new_sealer(
        &self,
        suite: &'static SuiteInfo,
        version: ProtocolVersion,
        keys: &DirectionKeys,
        encrypt_then_mac: bool,
    ) -> Result<Box<dyn RecordSeal>, SetupError> {
        let s = RecordSealer::with_backend(record::Backend::OpenSsl, suite, version, keys, encrypt_then_mac)?;
        Ok(Box::new(s))
    }

    fn new_opener(
        &self,
        suite: &'static SuiteInfo,
        version: ProtocolVersion,
        keys: &DirectionKeys,
        encrypt_then_mac: bool,
    ) -> Result<Box<dyn RecordOpen>, SetupError> {
        let o = RecordOpener::with_backend(record::Backend::OpenSsl, suite, version, keys, encrypt_then_mac)?;
        Ok(Box::new(o))
    }

    fn encrypt_premaster(
        &self,
        key: &RsaPublicKey,
        premaster: &[u8],
        rng: &mut dyn RandomSource,
        tweak: &Pkcs1Tweak,
    ) -> Result<Vec<u8>, RsaError> {
        let block = rsa_kx::encryption_block(key, premaster, rng, tweak)?;
        let rsa = public(key)?;
        let mut out = vec![0u8; key.size()];
        // RSAEP on the block as built; OpenSSL refuses a block not below n.
        let n = rsa.0.public_encrypt(&block, &mut out, Padding::NONE).map_err(backend)?;
        out.truncate(n);
        Ok(out)
    }

    fn decrypt_premaster(
        &self,
        key: &RsaPrivateKey,
        ciphertext: &[u8],
        client_version: ProtocolVersion,
        rng: &mut dyn RandomSource,
    ) -> [u8; PREMASTER_LEN] {
        // RFC 5246 7.4.7.1: R first, whatever follows.
        let mut random = [0u8; PREMASTER_LEN - 2];
        rng.fill(&mut random);
        let mut em = vec![0u8; key.size()];
        // A ciphertext of the wrong length or not below n fails here; both
        // are public (the peer chose them), so this branch leaks nothing the
        // peer does not know. The padding itself is judged below.
        let decrypted = private(key)
            .ok()
            .filter(|_| ciphertext.len() == key.size())
            .and_then(|rsa| rsa.0.private_decrypt(ciphertext, &mut em, Padding::NONE).ok())
            .filter(|&n| n == em.len());
        let (m, ok) = rsa_kx::premaster_from_block(if decrypted.is_some() { &em } else { &[] });
        rsa_kx::select_premaster(client_version, &random, &m, ok)
    }

    fn sign(
        &self,
        key: &RsaPrivateKey,
        hash: SignatureHash,
        digest: &[u8],
        _rng: &mut dyn RandomSource,
    ) -> Result<Vec<u8>, RsaError> {
        // OpenSSL blinds with its own generator; the signature is
        // deterministic either way.
        let input = signed_bytes(hash, digest)?;
        let rsa = private(key)?;
        let mut out = vec![0u8; key.size()];
        let n = rsa.0.private_encrypt(&input, &mut out, Padding::PKCS1).map_err(backend)?;
        out.truncate(n);
        Ok(out)
    }

    fn verify(
        &self,
        key: &RsaPublicKey,
        hash: SignatureHash,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<(), RsaError> {
        let expected = signed_bytes(hash, digest)?;
        // RFC 8017 8.2.2 step 1: the signature is exactly k bytes.
        if signature.len() != key.size() {
            return Err(RsaError::BadSignature);
        }
        let rsa = public(key)?;
        let mut out = vec![0u8; key.size()];
        let n =
            rsa.0.public_decrypt(signature, &mut out, Padding::PKCS1).map_err(|_| RsaError::BadSignature)?;
        // RFC 5246 4.7: DigestInfo with NULL parameters or none.
        let bare = [hash.digest_info_prefix_without_null(), digest].concat();
        let got = out.get(..n);
        let with_bare = !hash.digest_info_prefix_without_null().is_empty() && got == Some(bare.as_slice());
        if got == Some(expected.as_slice()) || with_bare { Ok(()) } else { Err(RsaError::BadSignature) }
    }

    /// The PRFs are the engine's for every provider (see [`CryptoProvider`]).
    fn verify_data(
        &self,
        prf: PrfAlgorithm,
        master: &[u8; MASTER_SECRET_LEN],
        sender: Side,
        transcript: &Transcript,
    ) -> Vec<u8> {
        verify_data(prf, master, sender, transcript)
    }
}
