//! A provider that is another provider with a few methods watched or
//! changed (a fuzzer's probe that notes which states it reached, a test
//! that records premasters, a provider under another name). Implement
//! [`Wrapping`] with the inner provider and override only what differs;
//! every other method forwards, here, once. Name the trait by its path in
//! the `impl` rather than importing it: with both traits in scope a call
//! like `p.sign(..)` would be ambiguous.

use std::fmt::Debug;

use super::key_schedule::MASTER_SECRET_LEN;
use super::prf::PrfAlgorithm;
use super::provider::{CryptoProvider, RecordOpen, RecordSeal};
use super::record::SetupError;
use super::rsa_kx::{PREMASTER_LEN, Pkcs1Tweak, RsaError, RsaPrivateKey, RsaPublicKey, SignatureHash};
use super::transcript::Transcript;
use super::{DirectionKeys, RandomSource, Side};
use crate::msgs::enums::ProtocolVersion;
use crate::suites::SuiteInfo;

/// [`CryptoProvider`] by forwarding to [`Wrapping::inner`]; the methods
/// mean what the provider's do.
pub trait Wrapping: Send + Sync + Debug {
    /// The provider every method not overridden goes to.
    fn inner(&self) -> &dyn CryptoProvider;

    fn name(&self) -> &'static str;

    fn new_sealer(
        &self,
        suite: &'static SuiteInfo,
        version: ProtocolVersion,
        keys: &DirectionKeys,
        encrypt_then_mac: bool,
    ) -> Result<Box<dyn RecordSeal>, SetupError> {
        self.inner().new_sealer(suite, version, keys, encrypt_then_mac)
    }

    fn new_opener(
        &self,
        suite: &'static SuiteInfo,
        version: ProtocolVersion,
        keys: &DirectionKeys,
        encrypt_then_mac: bool,
    ) -> Result<Box<dyn RecordOpen>, SetupError> {
        self.inner().new_opener(suite, version, keys, encrypt_then_mac)
    }

    fn encrypt_premaster(
        &self,
        key: &RsaPublicKey,
        premaster: &[u8],
        rng: &mut dyn RandomSource,
        tweak: &Pkcs1Tweak,
    ) -> Result<Vec<u8>, RsaError> {
        self.inner().encrypt_premaster(key, premaster, rng, tweak)
    }

    fn decrypt_premaster(
        &self,
        key: &RsaPrivateKey,
        ciphertext: &[u8],
        client_version: ProtocolVersion,
        rng: &mut dyn RandomSource,
    ) -> [u8; PREMASTER_LEN] {
        self.inner().decrypt_premaster(key, ciphertext, client_version, rng)
    }

    fn sign(
        &self,
        key: &RsaPrivateKey,
        hash: SignatureHash,
        digest: &[u8],
        rng: &mut dyn RandomSource,
    ) -> Result<Vec<u8>, RsaError> {
        self.inner().sign(key, hash, digest, rng)
    }

    fn verify(
        &self,
        key: &RsaPublicKey,
        hash: SignatureHash,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<(), RsaError> {
        self.inner().verify(key, hash, digest, signature)
    }

    fn verify_data(
        &self,
        prf: PrfAlgorithm,
        master: &[u8; MASTER_SECRET_LEN],
        sender: Side,
        transcript: &Transcript,
    ) -> Vec<u8> {
        self.inner().verify_data(prf, master, sender, transcript)
    }
}

impl<W: Wrapping> CryptoProvider for W {
    fn name(&self) -> &'static str {
        Wrapping::name(self)
    }

    fn new_sealer(
        &self,
        suite: &'static SuiteInfo,
        version: ProtocolVersion,
        keys: &DirectionKeys,
        encrypt_then_mac: bool,
    ) -> Result<Box<dyn RecordSeal>, SetupError> {
        Wrapping::new_sealer(self, suite, version, keys, encrypt_then_mac)
    }

    fn new_opener(
        &self,
        suite: &'static SuiteInfo,
        version: ProtocolVersion,
        keys: &DirectionKeys,
        encrypt_then_mac: bool,
    ) -> Result<Box<dyn RecordOpen>, SetupError> {
        Wrapping::new_opener(self, suite, version, keys, encrypt_then_mac)
    }

    fn encrypt_premaster(
        &self,
        key: &RsaPublicKey,
        premaster: &[u8],
        rng: &mut dyn RandomSource,
        tweak: &Pkcs1Tweak,
    ) -> Result<Vec<u8>, RsaError> {
        Wrapping::encrypt_premaster(self, key, premaster, rng, tweak)
    }

    fn decrypt_premaster(
        &self,
        key: &RsaPrivateKey,
        ciphertext: &[u8],
        client_version: ProtocolVersion,
        rng: &mut dyn RandomSource,
    ) -> [u8; PREMASTER_LEN] {
        Wrapping::decrypt_premaster(self, key, ciphertext, client_version, rng)
    }

    fn sign(
        &self,
        key: &RsaPrivateKey,
        hash: SignatureHash,
        digest: &[u8],
        rng: &mut dyn RandomSource,
    ) -> Result<Vec<u8>, RsaError> {
        Wrapping::sign(self, key, hash, digest, rng)
    }

    fn verify(
        &self,
        key: &RsaPublicKey,
        hash: SignatureHash,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<(), RsaError> {
        Wrapping::verify(self, key, hash, digest, signature)
    }

    fn verify_data(
        &self,
        prf: PrfAlgorithm,
        master: &[u8; MASTER_SECRET_LEN],
        sender: Side,
        transcript: &Transcript,
    ) -> Vec<u8> {
        Wrapping::verify_data(self, prf, master, sender, transcript)
    }
}
