//! The one seam between the handshake and its cryptography. The handshake
//! asks a [`CryptoProvider`] for record protection, RSA operations and
//! Finished values; the default is [`RustCrypto`]. A second backend (say,
//! OpenSSL for speed) or the deliberately insecure [`InsecureFuzzing`]
//! provider, which lets a fuzzer reach the states after ClientKeyExchange
//! and Finished, slots in through the configs.

use std::fmt::Debug;

use super::finished::verify_data;
use super::key_schedule::MASTER_SECRET_LEN;
use super::prf::PrfAlgorithm;
use super::record::{RecordError, RecordOpener, RecordSealer, SealTweak, SetupError};
use super::rsa_kx::{self, PREMASTER_LEN, Pkcs1Tweak, RsaError, RsaPrivateKey, RsaPublicKey, SignatureHash};
use super::transcript::Transcript;
use super::{DirectionKeys, RandomSource, Side};
use crate::msgs::enums::{ContentType, ProtocolVersion};
use crate::suites::SuiteInfo;

/// Protects outgoing records of one direction.
pub trait RecordSeal: Send + Debug {
    fn seal(
        &mut self,
        typ: ContentType,
        version: ProtocolVersion,
        plaintext: &[u8],
        rng: &mut dyn RandomSource,
        tweak: &SealTweak,
    ) -> Vec<u8>;
}

/// Checks and removes the protection of incoming records of one direction.
pub trait RecordOpen: Send + Debug {
    fn open(
        &mut self,
        typ: ContentType,
        version: ProtocolVersion,
        fragment: &[u8],
    ) -> Result<Vec<u8>, RecordError>;
}

impl RecordSeal for RecordSealer {
    fn seal(
        &mut self,
        typ: ContentType,
        version: ProtocolVersion,
        plaintext: &[u8],
        rng: &mut dyn RandomSource,
        tweak: &SealTweak,
    ) -> Vec<u8> {
        RecordSealer::seal(self, typ, version, plaintext, rng, tweak)
    }
}

impl RecordOpen for RecordOpener {
    fn open(
        &mut self,
        typ: ContentType,
        version: ProtocolVersion,
        fragment: &[u8],
    ) -> Result<Vec<u8>, RecordError> {
        RecordOpener::open(self, typ, version, fragment)
    }
}

/// Everything cryptographic the handshake does that a fuzzer or a second
/// backend may want to replace. Key derivation (the PRFs) stays outside:
/// it is deterministic and cheap, and its known answers pin it down.
pub trait CryptoProvider: Send + Sync + Debug {
    fn name(&self) -> &'static str;

    fn new_sealer(
        &self,
        suite: &'static SuiteInfo,
        version: ProtocolVersion,
        keys: &DirectionKeys,
        encrypt_then_mac: bool,
    ) -> Result<Box<dyn RecordSeal>, SetupError>;

    fn new_opener(
        &self,
        suite: &'static SuiteInfo,
        version: ProtocolVersion,
        keys: &DirectionKeys,
        encrypt_then_mac: bool,
    ) -> Result<Box<dyn RecordOpen>, SetupError>;

    /// RFC 5246 7.4.7.1, client side.
    fn encrypt_premaster(
        &self,
        key: &RsaPublicKey,
        premaster: &[u8],
        rng: &mut dyn RandomSource,
        tweak: &Pkcs1Tweak,
    ) -> Result<Vec<u8>, RsaError>;

    /// RFC 5246 7.4.7.1, server side, with the countermeasure: never fails.
    fn decrypt_premaster(
        &self,
        key: &RsaPrivateKey,
        ciphertext: &[u8],
        client_version: ProtocolVersion,
        rng: &mut dyn RandomSource,
    ) -> [u8; PREMASTER_LEN];

    fn sign(
        &self,
        key: &RsaPrivateKey,
        hash: SignatureHash,
        digest: &[u8],
        rng: &mut dyn RandomSource,
    ) -> Result<Vec<u8>, RsaError>;

    fn verify(
        &self,
        key: &RsaPublicKey,
        hash: SignatureHash,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<(), RsaError>;

    /// Finished verify_data (RFC 5246 7.4.9; RFC 6101 5.6.9).
    fn verify_data(
        &self,
        prf: PrfAlgorithm,
        master: &[u8; MASTER_SECRET_LEN],
        sender: Side,
        transcript: &Transcript,
    ) -> Vec<u8>;
}

/// The real thing: RustCrypto's ciphers, hashes and RSA.
#[derive(Debug, Clone, Copy, Default)]
pub struct RustCrypto;

impl CryptoProvider for RustCrypto {
    fn name(&self) -> &'static str {
        "rustcrypto"
    }

    fn new_sealer(
        &self,
        suite: &'static SuiteInfo,
        version: ProtocolVersion,
        keys: &DirectionKeys,
        encrypt_then_mac: bool,
    ) -> Result<Box<dyn RecordSeal>, SetupError> {
        Ok(Box::new(RecordSealer::new(suite, version, keys, encrypt_then_mac)?))
    }

    fn new_opener(
        &self,
        suite: &'static SuiteInfo,
        version: ProtocolVersion,
        keys: &DirectionKeys,
        encrypt_then_mac: bool,
    ) -> Result<Box<dyn RecordOpen>, SetupError> {
        Ok(Box::new(RecordOpener::new(suite, version, keys, encrypt_then_mac)?))
    }

    fn encrypt_premaster(
        &self,
        key: &RsaPublicKey,
        premaster: &[u8],
        rng: &mut dyn RandomSource,
        tweak: &Pkcs1Tweak,
    ) -> Result<Vec<u8>, RsaError> {
        rsa_kx::encrypt_premaster(key, premaster, rng, tweak)
    }

    fn decrypt_premaster(
        &self,
        key: &RsaPrivateKey,
        ciphertext: &[u8],
        client_version: ProtocolVersion,
        rng: &mut dyn RandomSource,
    ) -> [u8; PREMASTER_LEN] {
        rsa_kx::decrypt_premaster(key, ciphertext, client_version, rng)
    }

    fn sign(
        &self,
        key: &RsaPrivateKey,
        hash: SignatureHash,
        digest: &[u8],
        rng: &mut dyn RandomSource,
    ) -> Result<Vec<u8>, RsaError> {
        rsa_kx::sign(key, hash, digest, rng)
    }

    fn verify(
        &self,
        key: &RsaPublicKey,
        hash: SignatureHash,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<(), RsaError> {
        rsa_kx::verify(key, hash, digest, signature)
    }

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

/// Deliberately insecure, for fuzzing only: records travel in the clear
/// with no MAC, the premaster is a constant, signatures are the digest
/// itself, and verify_data is all zeros. A fuzzer then walks through
/// ClientKeyExchange, CertificateVerify and Finished into application data
/// without solving any cryptography. Never use it to talk to anyone.
#[derive(Debug, Clone, Copy, Default)]
pub struct InsecureFuzzing;

/// Plaintext "protection" of [`InsecureFuzzing`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Cleartext;

impl RecordSeal for Cleartext {
    fn seal(
        &mut self,
        _: ContentType,
        _: ProtocolVersion,
        plaintext: &[u8],
        _: &mut dyn RandomSource,
        _: &SealTweak,
    ) -> Vec<u8> {
        plaintext.to_vec()
    }
}

impl RecordOpen for Cleartext {
    fn open(&mut self, _: ContentType, _: ProtocolVersion, fragment: &[u8]) -> Result<Vec<u8>, RecordError> {
        // A fuzzer still reaches the bad_record_mac path with an empty record.
        if fragment.is_empty() {
            return Err(RecordError::BadRecordMac);
        }
        Ok(fragment.to_vec())
    }
}

impl CryptoProvider for InsecureFuzzing {
    fn name(&self) -> &'static str {
        "insecure-fuzzing"
    }

    fn new_sealer(
        &self,
        _: &'static SuiteInfo,
        _: ProtocolVersion,
        _: &DirectionKeys,
        _: bool,
    ) -> Result<Box<dyn RecordSeal>, SetupError> {
        Ok(Box::new(Cleartext))
    }

    fn new_opener(
        &self,
        _: &'static SuiteInfo,
        _: ProtocolVersion,
        _: &DirectionKeys,
        _: bool,
    ) -> Result<Box<dyn RecordOpen>, SetupError> {
        Ok(Box::new(Cleartext))
    }

    fn encrypt_premaster(
        &self,
        _: &RsaPublicKey,
        premaster: &[u8],
        _: &mut dyn RandomSource,
        _: &Pkcs1Tweak,
    ) -> Result<Vec<u8>, RsaError> {
        Ok(premaster.to_vec())
    }

    fn decrypt_premaster(
        &self,
        _: &RsaPrivateKey,
        ciphertext: &[u8],
        client_version: ProtocolVersion,
        _: &mut dyn RandomSource,
    ) -> [u8; PREMASTER_LEN] {
        let mut premaster = [0u8; PREMASTER_LEN];
        let (v, rest) = premaster.split_at_mut(2);
        v.copy_from_slice(&client_version.get().to_be_bytes());
        for (d, s) in rest.iter_mut().zip(ciphertext.iter().skip(2)) {
            *d = *s;
        }
        premaster
    }

    fn sign(
        &self,
        _: &RsaPrivateKey,
        _: SignatureHash,
        digest: &[u8],
        _: &mut dyn RandomSource,
    ) -> Result<Vec<u8>, RsaError> {
        Ok(digest.to_vec())
    }

    fn verify(
        &self,
        _: &RsaPublicKey,
        _: SignatureHash,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<(), RsaError> {
        if digest == signature { Ok(()) } else { Err(RsaError::BadSignature) }
    }

    fn verify_data(
        &self,
        prf: PrfAlgorithm,
        _: &[u8; MASTER_SECRET_LEN],
        _: Side,
        _: &Transcript,
    ) -> Vec<u8> {
        let len = match prf {
            PrfAlgorithm::Ssl3 => crate::msgs::finished::SSL3_VERIFY_DATA_LEN,
            _ => crate::msgs::finished::TLS_VERIFY_DATA_LEN,
        };
        vec![0; len]
    }
}
