//! RSA key exchange (RFC 5246 7.4.7.1; RFC 6101 5.6.7.1) and the RSA
//! signatures of CertificateVerify (RFC 2246 4.7; RFC 5246 4.7).
//!
//! The client side builds the PKCS#1 v1.5 block itself (RFC 8017 7.2.1) so a
//! [`Pkcs1Tweak`] can break it in one chosen way. The server side runs RSADP
//! ([`rsadp`]: the rsa crate's constant-time CRT behind base blinding), judges
//! the block in constant time ([`premaster_from_block`]) and applies the
//! RFC 5246 7.4.7.1 countermeasure: whatever the padding, the result is a
//! premaster, never an error, and the final choice is a constant-time
//! selection. Whether the whole leaks is measured, not claimed:
//! `shakedown timing --probe marvin` (harness/src/timing/README.md).

use rsa::BoxedUint;
use rsa::hazmat::rsa_encrypt;
use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::rand_core::{Infallible, TryCryptoRng, TryRng};
use rsa::traits::PublicKeyParts;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use super::RandomSource;
pub use super::keys::{RsaPrivateKey, RsaPublicKey};
use crate::msgs::enums::{HashAlgorithm, ProtocolVersion};

/// Length of the RSA premaster secret (RFC 5246 7.4.7.1).
pub const PREMASTER_LEN: usize = 48;

/// RFC 8017 7.2.1: the padding string is at least 8 bytes.
const MIN_PS_LEN: usize = 8;

#[derive(Debug)]
pub enum RsaError {
    /// The message does not fit the modulus with the padding asked for.
    MessageTooLong { message: usize, modulus: usize },
    /// The digest length does not match the hash.
    DigestLength { expected: usize, got: usize },
    /// The signature does not verify.
    BadSignature,
    /// The backend refused the operation (invalid key, a block not below
    /// the modulus, ...): its own words.
    Backend(String),
}

impl std::fmt::Display for RsaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MessageTooLong { message, modulus } => {
                write!(f, "{message}-byte message does not fit a {modulus}-byte modulus")
            }
            Self::DigestLength { expected, got } => {
                write!(f, "digest is {got} bytes, expected {expected}")
            }
            Self::BadSignature => f.write_str("RSA signature does not verify"),
            Self::Backend(e) => write!(f, "RSA backend: {e}"),
        }
    }
}

impl std::error::Error for RsaError {}

/// Ways to build a wrong PKCS#1 v1.5 type-2 block for the ClientKeyExchange
/// (the Bleichenbacher probes of tlsfuzzer / ROBOT). The default is honest.
/// A premaster of the wrong length (47, 49) is the caller's premaster.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Pkcs1Tweak {
    /// First byte of the block instead of 0x00 (RFC 8017 7.2.2 step 3
    /// rejects anything else); keep it below the modulus's top byte.
    pub first_byte: Option<u8>,
    /// Block type byte instead of 0x02 (for example 0x01, or 0x00).
    pub block_type: Option<u8>,
    /// Put a 0x00 at this index of the padding string (wrapping), which ends
    /// the padding early.
    pub zero_in_padding: Option<usize>,
    /// Replace the 0x00 separator with a nonzero byte: no separator at all.
    pub no_separator: bool,
    /// Make the padding string this many bytes (under 8 to break the block),
    /// with the separator after it; the rest of the block is filled with
    /// nonzero random bytes ahead of the premaster, so the decoded message
    /// is longer than the premaster.
    pub short_padding: Option<usize>,
}

/// Encrypts the premaster for the server's key (RFC 5246 7.4.7.1), with
/// PKCS#1 v1.5 padding built here and the raw public operation.
pub fn encrypt_premaster(
    key: &RsaPublicKey,
    premaster: &[u8],
    rng: &mut dyn RandomSource,
    tweak: &Pkcs1Tweak,
) -> Result<Vec<u8>, RsaError> {
    raw_public(key, &encryption_block(key, premaster, rng, tweak)?)
}

/// The k-byte PKCS#1 v1.5 block (RFC 8017 7.2.1) for `premaster`, with
/// the tweak applied; [`raw_public`] encrypts it.
pub fn encryption_block(
    key: &RsaPublicKey,
    premaster: &[u8],
    rng: &mut dyn RandomSource,
    tweak: &Pkcs1Tweak,
) -> Result<Vec<u8>, RsaError> {
    let k = key.size();
    let too_long = RsaError::MessageTooLong { message: premaster.len(), modulus: k };
    // EM = 0x00 || 0x02 || PS || 0x00 || M, |PS| = k - 3 - |M| >= 8.
    let ps_len = k.checked_sub(3 + premaster.len()).filter(|&n| n >= MIN_PS_LEN).ok_or(too_long)?;
    let mut em = vec![0u8; k];
    let (head, rest) = em.split_at_mut(2);
    let (ps, rest) = rest.split_at_mut(ps_len);
    let (sep, msg) = rest.split_at_mut(1);
    if let [first, block_type] = head {
        *first = tweak.first_byte.unwrap_or(0x00);
        *block_type = tweak.block_type.unwrap_or(0x02);
    }
    rng.fill_nonzero(ps);
    msg.copy_from_slice(premaster);
    if let Some(short) = tweak.short_padding.filter(|&s| s < ps_len) {
        // The separator moves to just after `short` bytes; the bytes between
        // it and the premaster stay nonzero padding.
        if let Some(b) = ps.get_mut(short) {
            *b = 0;
        }
    }
    if let Some(i) = tweak.zero_in_padding
        && let Some(b) = i.checked_rem(ps.len()).and_then(|i| ps.get_mut(i))
    {
        *b = 0;
    }
    if tweak.no_separator {
        let mut b = [0u8; 1];
        rng.fill_nonzero(&mut b);
        sep.copy_from_slice(&b);
    }
    Ok(em)
}

/// RSAEP on a k-byte block: m^e mod n, as a k-byte string.
pub fn raw_public(key: &RsaPublicKey, em: &[u8]) -> Result<Vec<u8>, RsaError> {
    let rc = key.as_rustcrypto();
    let m = BoxedUint::from_be_slice(em, rc.n_bits_precision())
        .map_err(|_| RsaError::MessageTooLong { message: em.len(), modulus: key.size() })?;
    let c = rsa_encrypt(rc, &m).map_err(|e| RsaError::Backend(e.to_string()))?;
    Ok(i2osp(&c.to_be_bytes(), key.size()))
}

/// Left-pads or trims leading zeros of a big-endian integer to `k` bytes.
fn i2osp(be: &[u8], k: usize) -> Vec<u8> {
    let mut out = vec![0u8; k];
    for (d, s) in out.iter_mut().rev().zip(be.iter().rev()) {
        *d = *s;
    }
    out
}

/// Decrypts a ClientKeyExchange into the premaster with the RFC 5246
/// 7.4.7.1 countermeasure: 46 random bytes R are drawn first; if the
/// padding is wrong, the plaintext is not 48 bytes or the ciphertext is
/// unusable (wrong length, not below the modulus), the premaster is
/// client_version || R, else client_version || M[2..48]. The version bytes
/// of M are never compared: a client that sent another version gets a
/// premaster that differs from its own and fails at Finished.
pub fn decrypt_premaster(
    key: &RsaPrivateKey,
    ciphertext: &[u8],
    client_version: ProtocolVersion,
    rng: &mut dyn RandomSource,
) -> [u8; PREMASTER_LEN] {
    let mut random = [0u8; PREMASTER_LEN - 2];
    rng.fill(&mut random);
    let (m, ok) = decrypt_block(key, ciphertext, rng);
    select_premaster(client_version, &random, &m, ok)
}

/// The PKCS#1 v1.5 decryption alone: the 48-byte message when `ciphertext`
/// decrypts to a type-2 block carrying exactly 48 bytes, else empty. It
/// branches on that verdict, so only the runner's memo takes it (its
/// answers are remembered across cases, never timed); the countermeasure
/// then makes the same choice [`decrypt_premaster`] makes without a branch.
/// `rng` only blinds the private operation.
pub fn pkcs1_decrypt(key: &RsaPrivateKey, ciphertext: &[u8], rng: &mut dyn RandomSource) -> Vec<u8> {
    let (m, ok) = decrypt_block(key, ciphertext, rng);
    if bool::from(ok) { m.to_vec() } else { Vec::new() }
}

/// RSADP, then [`premaster_from_block`]'s constant-time verdict on the
/// block (an unusable ciphertext is no block, so "not a premaster").
fn decrypt_block(
    key: &RsaPrivateKey,
    ciphertext: &[u8],
    rng: &mut dyn RandomSource,
) -> ([u8; PREMASTER_LEN], Choice) {
    let em = rsadp(key, ciphertext, rng);
    premaster_from_block(em.as_deref().map_or(&[], |em| em.as_slice()))
}

/// RFC 5246 7.4.7.1's choice, in constant time: `client_version || M`
/// when the decryption `decrypted` is 48 bytes, else `client_version ||
/// random` (drawn before decrypting).
pub fn countermeasure(
    client_version: ProtocolVersion,
    random: &[u8; PREMASTER_LEN - 2],
    decrypted: &[u8],
) -> [u8; PREMASTER_LEN] {
    let mut m = [0u8; PREMASTER_LEN];
    for (d, s) in m.iter_mut().zip(decrypted) {
        *d = *s;
    }
    let use_m = (decrypted.len() as u64).ct_eq(&(PREMASTER_LEN as u64));
    select_premaster(client_version, random, &m, use_m)
}

/// The selection of [`countermeasure`] once the decryption's verdict is a
/// [`Choice`]: `client_version || m[2..]` if `use_m`, else
/// `client_version || random`, without a branch on either.
pub fn select_premaster(
    client_version: ProtocolVersion,
    random: &[u8; PREMASTER_LEN - 2],
    m: &[u8; PREMASTER_LEN],
    use_m: Choice,
) -> [u8; PREMASTER_LEN] {
    let mut premaster = [0u8; PREMASTER_LEN];
    let (version, rest) = premaster.split_at_mut(2);
    version.copy_from_slice(&client_version.get().to_be_bytes());
    rest.copy_from_slice(random);
    for (out, from_m) in premaster.iter_mut().zip(m.iter()).skip(2) {
        *out = u8::conditional_select(out, from_m, use_m);
    }
    premaster
}

/// For a backend that hands back the raw RSADP block `em` (k bytes): is it
/// a PKCS#1 v1.5 type-2 block (RFC 8017 7.2.2 step 3) carrying exactly a
/// 48-byte message, and that message. Every byte is read whatever the
/// verdict and the verdict is a [`Choice`], so [`select_premaster`] can
/// finish the RFC 5246 7.4.7.1 countermeasure without a branch. A message
/// of another length is simply "not a premaster", as in [`countermeasure`].
pub fn premaster_from_block(em: &[u8]) -> ([u8; PREMASTER_LEN], Choice) {
    let mut m = [0u8; PREMASTER_LEN];
    let Some(sep) = em.len().checked_sub(PREMASTER_LEN + 1).filter(|&s| s >= 2 + MIN_PS_LEN) else {
        // Shorter than any key the engine loads: public, so a plain answer.
        return (m, Choice::from(0));
    };
    let mut ok = Choice::from(1);
    for (i, &b) in em.iter().enumerate() {
        ok &= match i {
            0 => b.ct_eq(&0),
            1 => b.ct_eq(&2),
            i if i < sep => !b.ct_eq(&0),
            i if i == sep => b.ct_eq(&0),
            _ => Choice::from(1),
        };
    }
    if let Some(msg) = em.get(sep + 1..) {
        for (d, s) in m.iter_mut().zip(msg) {
            *d = *s;
        }
    }
    (m, ok)
}

/// Whether `ciphertext` decrypts to a well-formed premaster: PKCS#1 v1.5
/// padding, 48 bytes, and `client_version` first when one is given. Only
/// the flawed built-in peer asks (`Flaw::SlowBadPadding` with the version,
/// `Flaw::PaddingAnswerOracle` without), to branch on the answer the way a
/// broken implementation does; the honest path above never learns it.
pub fn premaster_well_formed(
    key: &RsaPrivateKey,
    ciphertext: &[u8],
    client_version: Option<ProtocolVersion>,
    rng: &mut dyn RandomSource,
) -> bool {
    let decrypted =
        key.as_rustcrypto().pkcs1v15_decrypt_with_rng(&mut Blinding(rng), ciphertext).unwrap_or_default();
    decrypted.len() == PREMASTER_LEN
        && client_version.is_none_or(|v| decrypted.get(..2) == Some(&v.get().to_be_bytes()[..]))
}

/// Adapts a [`RandomSource`] to the rsa crate's blinding RNG.
struct Blinding<'a>(&'a mut dyn RandomSource);

impl TryRng for Blinding<'_> {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.0.fill(&mut b);
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.0.fill(&mut b);
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.0.fill(dst);
        Ok(())
    }
}

impl TryCryptoRng for Blinding<'_> {}

/// The hash under an RSA signature: TLS 1.0/1.1's MD5+SHA-1 concatenation
/// without DigestInfo (RFC 2246 4.7), or a TLS 1.2 hash with DigestInfo
/// (RFC 5246 4.7, RFC 8017 9.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureHash {
    Md5Sha1,
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl SignatureHash {
    pub const fn digest_len(self) -> usize {
        match self {
            Self::Md5Sha1 => 36,
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// The TLS 1.2 signature_algorithms hash, if this is one.
    pub fn from_tls12(hash: HashAlgorithm) -> Option<Self> {
        match hash {
            HashAlgorithm::Sha1 => Some(Self::Sha1),
            HashAlgorithm::Sha256 => Some(Self::Sha256),
            HashAlgorithm::Sha384 => Some(Self::Sha384),
            HashAlgorithm::Sha512 => Some(Self::Sha512),
            _ => None,
        }
    }

    /// DER DigestInfo prefix (RFC 8017 9.2, note 1); none for MD5+SHA-1.
    pub const fn digest_info_prefix(self) -> &'static [u8] {
        match self {
            Self::Md5Sha1 => &[],
            Self::Sha1 => {
                &[0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14]
            }
            Self::Sha256 => &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
                0x05, 0x00, 0x04, 0x20,
            ],
            Self::Sha384 => &[
                0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
                0x05, 0x00, 0x04, 0x30,
            ],
            Self::Sha512 => &[
                0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03,
                0x05, 0x00, 0x04, 0x40,
            ],
        }
    }

    /// The same DigestInfo with the AlgorithmIdentifier's parameters left
    /// out instead of NULL, which RFC 5246 4.7 has verifiers accept too
    /// ("implementations MUST accept both without parameters and with NULL
    /// parameters"); none for MD5+SHA-1.
    pub const fn digest_info_prefix_without_null(self) -> &'static [u8] {
        match self {
            Self::Md5Sha1 => &[],
            Self::Sha1 => &[0x30, 0x1f, 0x30, 0x07, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x04, 0x14],
            Self::Sha256 => &[
                0x30, 0x2f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
                0x04, 0x20,
            ],
            Self::Sha384 => &[
                0x30, 0x3f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
                0x04, 0x30,
            ],
            Self::Sha512 => &[
                0x30, 0x4f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03,
                0x04, 0x40,
            ],
        }
    }

    /// The digest is as long as this hash's.
    pub fn check_digest(self, digest: &[u8]) -> Result<(), RsaError> {
        if digest.len() != self.digest_len() {
            return Err(RsaError::DigestLength { expected: self.digest_len(), got: digest.len() });
        }
        Ok(())
    }

    fn scheme(self, digest: &[u8]) -> Result<Pkcs1v15Sign, RsaError> {
        self.scheme_with(self.digest_info_prefix(), digest)
    }

    fn scheme_with(self, prefix: &[u8], digest: &[u8]) -> Result<Pkcs1v15Sign, RsaError> {
        self.check_digest(digest)?;
        Ok(Pkcs1v15Sign { hash_len: Some(self.digest_len()), prefix: prefix.into() })
    }
}

/// RSASSA-PKCS1-v1_5 signature over an already computed `digest`.
/// `rng` only blinds the private operation; the signature is deterministic.
pub fn sign(
    key: &RsaPrivateKey,
    hash: SignatureHash,
    digest: &[u8],
    rng: &mut dyn RandomSource,
) -> Result<Vec<u8>, RsaError> {
    sign_with_prefix(key, hash, hash.digest_info_prefix(), digest, rng)
}

/// The same signature with the DigestInfo's NULL parameters left out
/// (RFC 5246 4.7 lets a signer do so in the past, and has verifiers accept
/// it): what the `certificate_verify_without_null` knob sends.
pub fn sign_without_null(
    key: &RsaPrivateKey,
    hash: SignatureHash,
    digest: &[u8],
    rng: &mut dyn RandomSource,
) -> Result<Vec<u8>, RsaError> {
    sign_with_prefix(key, hash, hash.digest_info_prefix_without_null(), digest, rng)
}

/// EMSA-PKCS1-v1_5 (RFC 8017 9.2) around `prefix || digest`, then RSASP1
/// (RFC 8017 5.2.1) through [`rsadp`], the same private operation as the
/// premaster's: `00 01 FF..FF 00 || T`, at least 8 bytes of FF.
fn sign_with_prefix(
    key: &RsaPrivateKey,
    hash: SignatureHash,
    prefix: &[u8],
    digest: &[u8],
    rng: &mut dyn RandomSource,
) -> Result<Vec<u8>, RsaError> {
    hash.check_digest(digest)?;
    let k = key.size();
    let t_len = prefix.len() + digest.len();
    let Some(ps_len) = k.checked_sub(t_len + 3).filter(|&ps| ps >= MIN_PS_LEN) else {
        return Err(RsaError::MessageTooLong { message: t_len, modulus: k });
    };
    let mut em = Vec::with_capacity(k);
    em.extend_from_slice(&[0x00, 0x01]);
    em.resize(2 + ps_len, 0xff);
    em.push(0x00);
    em.extend_from_slice(prefix);
    em.extend_from_slice(digest);
    rsadp(key, &em, rng)
        .map(|s| s.to_vec())
        .ok_or_else(|| RsaError::Backend("RSASP1 failed (a CRT fault, or a key below 512 bits)".into()))
}

/// Verifies an RSASSA-PKCS1-v1_5 signature over `digest`, whose DigestInfo
/// may carry NULL parameters or none (RFC 5246 4.7: verifiers MUST accept
/// both).
pub fn verify(
    key: &RsaPublicKey,
    hash: SignatureHash,
    digest: &[u8],
    signature: &[u8],
) -> Result<(), RsaError> {
    let key = key.as_rustcrypto();
    if key.verify(hash.scheme(digest)?, digest, signature).is_ok() {
        return Ok(());
    }
    let bare = hash.digest_info_prefix_without_null();
    if bare.is_empty() {
        return Err(RsaError::BadSignature);
    }
    key.verify(hash.scheme_with(bare, digest)?, digest, signature).map_err(|_| RsaError::BadSignature)
}

#[cfg(test)]
mod tests;

mod rsadp;
pub use rsadp::rsadp;
