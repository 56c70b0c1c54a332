//! Record protection for every suite of [`crate::suites`]: the MAC, stream,
//! CBC and AEAD constructions of RFC 6101 5.2.3, RFC 2246 / 4346 / 5246
//! 6.2.3, and encrypt_then_mac (RFC 7366).
//!
//! One [`RecordSealer`] per write direction and one [`RecordOpener`] per read
//! direction; each keeps its own 64-bit sequence number and cipher state.
//! The sealer takes a [`SealTweak`] so the harness can send records that are
//! wrong in exactly one chosen way; the default tweak is honest.
//!
//! Timing: opening never returns early on the content of the CBC padding and
//! every failure is the same [`RecordError::BadRecordMac`]. A
//! MAC-then-encrypt CBC record's MAC is computed and read in constant time
//! whatever the padding length ([`masked`], against Lucky Thirteen), with
//! either backend.

mod aead;
mod block_hash;
mod cbc;
mod mac;
mod masked;
#[cfg(feature = "openssl-provider")]
mod ossl;
mod stream;

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use self::aead::{EXPLICIT_NONCE_LEN, GcmCipher, SALT_LEN, TAG_LEN};
use self::cbc::BlockCipher;
use self::mac::RecordMac;
use self::masked::{MacHeader, MaskedMac};
use self::stream::StreamCipher;
use super::{DirectionKeys, RandomSource};
use crate::msgs::enums::{ContentType, ProtocolVersion};
use crate::suites::{BulkCipher, CipherKind, MacAlgorithm, SuiteInfo};

/// Largest plaintext fragment (RFC 5246 6.2.1).
pub const MAX_PLAINTEXT_LEN: usize = 1 << 14;
/// Largest protected fragment (RFC 5246 6.2.3).
pub const MAX_CIPHERTEXT_LEN: usize = MAX_PLAINTEXT_LEN + 2048;

/// Why a received record was refused; each maps to one alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordError {
    /// MAC, padding, tag or length wrong: one error for all of them, so a
    /// peer cannot tell which (RFC 5246 6.2.3.2).
    BadRecordMac,
    /// Ciphertext over 2^14 + 2048 or plaintext over 2^14 (RFC 5246 6.2.3).
    RecordOverflow,
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::BadRecordMac => "bad record MAC",
            Self::RecordOverflow => "record overflow",
        })
    }
}

impl std::error::Error for RecordError {}

/// Why record protection could not be set up from the given keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupError {
    /// The suite is not defined for this version (for example GCM before
    /// TLS 1.2).
    SuiteNotUsable {
        suite: &'static str,
        version: ProtocolVersion,
    },
    KeyLength {
        what: &'static str,
        expected: usize,
        got: usize,
    },
    /// SSL 3.0 defines its MAC for MD5 and SHA-1 only.
    NoSsl3Mac(MacAlgorithm),
    WrongCipherKind(BulkCipher),
    /// The backend library refused the key or cipher: its own words.
    Backend(String),
}

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SuiteNotUsable { suite, version } => {
                write!(f, "{suite} is not defined for {version}")
            }
            Self::KeyLength { what, expected, got } => {
                write!(f, "{what} is {got} bytes, expected {expected}")
            }
            Self::NoSsl3Mac(m) => write!(f, "SSL 3.0 has no MAC over {m:?}"),
            Self::WrongCipherKind(c) => write!(f, "internal: cipher {c:?} in the wrong mode"),
            Self::Backend(e) => write!(f, "crypto backend: {e}"),
        }
    }
}

impl std::error::Error for SetupError {}

/// XOR one byte of a region with a mask; `index` wraps around the region's
/// length. A zero mask changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ByteFlip {
    pub index: usize,
    pub xor: u8,
}

impl ByteFlip {
    pub fn apply(&self, region: &mut [u8]) {
        if let Some(i) = self.index.checked_rem(region.len())
            && let Some(b) = region.get_mut(i)
        {
            *b ^= self.xor;
        }
    }
}

/// Misbehaviour knobs for one sealed record. The default is honest.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct SealTweak {
    /// Flip a byte of the MAC (the GCM tag for AEAD suites) after computing it.
    pub corrupt_mac: Option<ByteFlip>,
    /// CBC only: pad with the largest length not above this value that still
    /// ends on a block boundary: 255 gives the longest TLS padding; any value
    /// of a block or more gives SSL 3.0 padding that RFC 6101 5.2.3.2 forbids.
    pub padding_len: Option<u8>,
    /// CBC only: flip a byte of the padding, counted back from the end:
    /// index 0 is the padding_length byte, 1 the padding byte before it, and
    /// so on (wrapping). SSL 3.0 does not check padding content
    /// (RFC 6101 5.2.3.2), so there only index 0 makes a record invalid.
    pub corrupt_padding: Option<ByteFlip>,
}

/// Whose primitives protect the records. The constructions (MAC order,
/// padding, IVs, tweaks) are this module's whatever the backend, so every
/// backend puts the same bytes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// RustCrypto's ciphers and hashes.
    #[default]
    RustCrypto,
    /// OpenSSL's EVP ciphers and digests (feature `openssl-provider`).
    #[cfg(feature = "openssl-provider")]
    OpenSsl,
}

/// Which way a record layer runs: a backend may key only that way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Seal,
    Open,
}

/// The per-direction cipher state shared by sealing and opening.
enum Protection {
    Stream {
        cipher: StreamCipher,
        mac: RecordMac,
    },
    Cbc {
        cipher: BlockCipher,
        mac: RecordMac,
        /// SSL 3.0 / TLS 1.0: the IV for the next record, the last ciphertext
        /// block of the previous one (RFC 2246 6.2.3.2). `None` for TLS 1.1+,
        /// which sends an explicit IV per record (RFC 4346 6.2.3.2).
        chained_iv: Option<Vec<u8>>,
        encrypt_then_mac: bool,
        /// An opener's MAC keyed for the constant-time check of
        /// MAC-then-encrypt records ([`masked`]), whatever the backend:
        /// the `openssl` crate does not expose a digest's chaining state,
        /// so this check runs over the RustCrypto compression functions
        /// for both (a dummy-block equaliser over OpenSSL's digests left 29-30
        /// ns between padding lengths). `None` when sealing and with
        /// encrypt_then_mac, where the MAC's input length is public.
        masked: Option<MaskedMac>,
    },
    Aead {
        cipher: GcmCipher,
        salt: [u8; SALT_LEN],
    },
}

fn check_len(what: &'static str, got: &[u8], expected: usize) -> Result<(), SetupError> {
    if got.len() == expected { Ok(()) } else { Err(SetupError::KeyLength { what, expected, got: got.len() }) }
}

fn required_mac(mac: Option<RecordMac>, alg: MacAlgorithm) -> Result<RecordMac, SetupError> {
    mac.ok_or(SetupError::NoSsl3Mac(alg))
}

impl Protection {
    fn new(
        backend: Backend,
        direction: Direction,
        suite: &'static SuiteInfo,
        version: ProtocolVersion,
        keys: &DirectionKeys,
        encrypt_then_mac: bool,
    ) -> Result<Self, SetupError> {
        if !suite.usable_with(version) {
            return Err(SetupError::SuiteNotUsable { suite: suite.iana_name, version });
        }
        let layout = suite.key_block_layout(version);
        check_len("mac_key", &keys.mac_key, layout.mac_key_len)?;
        check_len("enc_key", &keys.enc_key, layout.enc_key_len)?;
        check_len("fixed_iv", &keys.fixed_iv, layout.fixed_iv_len)?;
        let mac = RecordMac::new(backend, suite.mac, version, &keys.mac_key)?;
        Ok(match suite.cipher.kind() {
            CipherKind::Stream => Self::Stream {
                cipher: StreamCipher::new(backend, suite.cipher, &keys.enc_key)?,
                mac: required_mac(mac, suite.mac)?,
            },
            CipherKind::Block { .. } => Self::Cbc {
                cipher: BlockCipher::new(backend, direction == Direction::Seal, suite.cipher, &keys.enc_key)?,
                mac: required_mac(mac, suite.mac)?,
                chained_iv: (!version.has_explicit_iv()).then(|| keys.fixed_iv.clone()),
                encrypt_then_mac,
                masked: match direction == Direction::Open && !encrypt_then_mac {
                    true => Some(
                        MaskedMac::new(suite.mac, version.is_ssl3(), &keys.mac_key)
                            .ok_or(SetupError::NoSsl3Mac(suite.mac))?,
                    ),
                    false => None,
                },
            },
            CipherKind::Aead => {
                let mut salt = [0u8; SALT_LEN];
                salt.copy_from_slice(&keys.fixed_iv);
                Self::Aead { cipher: GcmCipher::new(backend, suite.cipher, &keys.enc_key)?, salt }
            }
        })
    }
}

/// Protects the records of one direction.
pub struct RecordSealer {
    suite: &'static SuiteInfo,
    version: ProtocolVersion,
    seq: u64,
    state: Protection,
}

impl std::fmt::Debug for RecordSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordSealer")
            .field("suite", &self.suite.iana_name)
            .field("version", &self.version)
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

/// Removes the protection of the records of one direction.
pub struct RecordOpener {
    suite: &'static SuiteInfo,
    version: ProtocolVersion,
    seq: u64,
    state: Protection,
}

impl std::fmt::Debug for RecordOpener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordOpener")
            .field("suite", &self.suite.iana_name)
            .field("version", &self.version)
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

fn aead_aad(seq: u64, typ: ContentType, version: ProtocolVersion, len: usize) -> [u8; 13] {
    // RFC 5246 6.2.3.3: seq_num + TLSCompressed.type + version + length.
    let mut aad = [0u8; 13];
    let parts: [&[u8]; 4] = [
        &seq.to_be_bytes(),
        &[typ.get()],
        &version.get().to_be_bytes(),
        &u16::try_from(len).unwrap_or(u16::MAX).to_be_bytes(),
    ];
    for (d, s) in aad.iter_mut().zip(parts.into_iter().flatten()) {
        *d = *s;
    }
    aad
}

impl RecordSealer {
    /// `version` is the negotiated version (it picks SSL3 MAC vs HMAC and
    /// chained vs explicit IV); `encrypt_then_mac` applies to CBC suites only
    /// (RFC 7366 3) and is ignored otherwise.
    pub fn new(
        suite: &'static SuiteInfo,
        version: ProtocolVersion,
        keys: &DirectionKeys,
        encrypt_then_mac: bool,
    ) -> Result<Self, SetupError> {
        Self::with_backend(Backend::RustCrypto, suite, version, keys, encrypt_then_mac)
    }

    /// As [`Self::new`], over `backend`'s primitives.
    pub fn with_backend(
        backend: Backend,
        suite: &'static SuiteInfo,
        version: ProtocolVersion,
        keys: &DirectionKeys,
        encrypt_then_mac: bool,
    ) -> Result<Self, SetupError> {
        let state = Protection::new(backend, Direction::Seal, suite, version, keys, encrypt_then_mac)?;
        Ok(Self { suite, version, seq: 0, state })
    }

    /// The sequence number the next record will be sealed with.
    pub fn sequence_number(&self) -> u64 {
        self.seq
    }

    /// Protects one record and returns the fragment to send. `version` is the
    /// record header's version, which the TLS MAC and AEAD data cover. The
    /// sealer seals what it is given, also plaintexts over 2^14, so the
    /// harness can send oversized records on purpose.
    pub fn seal(
        &mut self,
        typ: ContentType,
        version: ProtocolVersion,
        plaintext: &[u8],
        rng: &mut dyn RandomSource,
        tweak: &SealTweak,
    ) -> Vec<u8> {
        let seq = self.seq;
        // RFC 5246 6.1: sequence numbers never wrap; 2^64 records are not
        // reachable in a test run.
        self.seq = self.seq.wrapping_add(1);
        match &mut self.state {
            Protection::Stream { cipher, mac } => {
                let mut tag = mac.compute(seq, typ, version, plaintext);
                if let Some(flip) = &tweak.corrupt_mac {
                    flip.apply(tag.as_mut_slice());
                }
                let mut out = Vec::with_capacity(plaintext.len() + mac.len());
                out.extend_from_slice(plaintext);
                out.extend_from_slice(tag.as_slice());
                cipher.apply(&mut out);
                out
            }
            Protection::Cbc { cipher, mac, chained_iv, encrypt_then_mac, .. } => {
                let bl = cipher.block_len();
                let iv_len = if chained_iv.is_some() { 0 } else { bl };
                // The one allocation: [explicit IV] content [MAC] padding
                // [MAC, with encrypt_then_mac], encrypted where it lies.
                let mut out = Vec::with_capacity(iv_len + plaintext.len() + 2 * mac.len() + 256 + bl);
                let mut iv_buf = [0u8; MAX_BLOCK_LEN];
                let iv = iv_buf.get_mut(..bl).unwrap_or_default();
                match chained_iv {
                    Some(chained) => copy_into(iv, chained),
                    None => {
                        rng.fill(iv);
                        out.extend_from_slice(iv);
                    }
                }
                out.extend_from_slice(plaintext);
                if !*encrypt_then_mac {
                    let mut tag = mac.compute(seq, typ, version, plaintext);
                    if let Some(flip) = &tweak.corrupt_mac {
                        flip.apply(tag.as_mut_slice());
                    }
                    out.extend_from_slice(tag.as_slice());
                }
                let pad_start = out.len();
                cbc::push_padding(&mut out, pad_start - iv_len, bl, tweak.padding_len);
                if let Some(flip) = &tweak.corrupt_padding
                    && let Some(pad) = out.get_mut(pad_start..)
                {
                    // Counted back from the length byte.
                    pad.reverse();
                    flip.apply(pad);
                    pad.reverse();
                }
                if let Some(body) = out.get_mut(iv_len..) {
                    cipher.encrypt(iv, body);
                }
                if let Some(next) = chained_iv {
                    // SSL 3.0 / TLS 1.0: the last ciphertext block is the
                    // next record's IV (RFC 2246 6.2.3.2).
                    copy_into(next, last_block(&out, bl));
                }
                if *encrypt_then_mac {
                    // RFC 7366 3: MAC(seq_num + type + version + length + IV + ENC(...)).
                    let mut tag = mac.compute(seq, typ, version, &out);
                    if let Some(flip) = &tweak.corrupt_mac {
                        flip.apply(tag.as_mut_slice());
                    }
                    out.extend_from_slice(tag.as_slice());
                }
                out
            }
            Protection::Aead { cipher, salt } => {
                // RFC 5288 3: the explicit nonce is the sequence number, as
                // most stacks send it.
                let explicit = seq.to_be_bytes();
                let aad = aead_aad(seq, typ, version, plaintext.len());
                // The one allocation: explicit nonce, then the plaintext
                // encrypted where it lies, then the tag.
                let mut out = Vec::with_capacity(EXPLICIT_NONCE_LEN + plaintext.len() + TAG_LEN);
                out.extend_from_slice(&explicit);
                out.extend_from_slice(plaintext);
                let mut tag =
                    cipher.seal(salt, &explicit, &aad, out.get_mut(EXPLICIT_NONCE_LEN..).unwrap_or_default());
                if let Some(flip) = &tweak.corrupt_mac {
                    flip.apply(&mut tag);
                }
                out.extend_from_slice(&tag);
                out
            }
        }
    }
}

/// The largest CBC block (AES; 3DES has 8).
const MAX_BLOCK_LEN: usize = 16;

/// The last block of `ct` (empty if there is none).
fn last_block(ct: &[u8], bl: usize) -> &[u8] {
    ct.len().checked_sub(bl).and_then(|start| ct.get(start..)).unwrap_or_default()
}

/// Copies `src` over the start of `dst` (lengths are equal where used; a
/// shorter `src` leaves the rest of `dst` as it was).
fn copy_into(dst: &mut [u8], src: &[u8]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
    }
}

impl RecordOpener {
    pub fn new(
        suite: &'static SuiteInfo,
        version: ProtocolVersion,
        keys: &DirectionKeys,
        encrypt_then_mac: bool,
    ) -> Result<Self, SetupError> {
        Self::with_backend(Backend::RustCrypto, suite, version, keys, encrypt_then_mac)
    }

    /// As [`Self::new`], over `backend`'s primitives.
    pub fn with_backend(
        backend: Backend,
        suite: &'static SuiteInfo,
        version: ProtocolVersion,
        keys: &DirectionKeys,
        encrypt_then_mac: bool,
    ) -> Result<Self, SetupError> {
        let state = Protection::new(backend, Direction::Open, suite, version, keys, encrypt_then_mac)?;
        Ok(Self { suite, version, seq: 0, state })
    }

    /// The sequence number the next record is expected under.
    pub fn sequence_number(&self) -> u64 {
        self.seq
    }

    /// Checks and removes the protection of one received fragment. `typ`
    /// and `version` come from its record header. An error is fatal for the
    /// connection (RFC 5246 6.2.3.2); the opener's state after one is
    /// unspecified.
    pub fn open(
        &mut self,
        typ: ContentType,
        version: ProtocolVersion,
        fragment: &[u8],
    ) -> Result<Vec<u8>, RecordError> {
        if fragment.len() > MAX_CIPHERTEXT_LEN {
            return Err(RecordError::RecordOverflow);
        }
        let seq = self.seq;
        self.seq = self.seq.wrapping_add(1);
        let ssl3 = self.version.is_ssl3();
        let plaintext = match &mut self.state {
            Protection::Stream { cipher, mac } => {
                let mut data = fragment.to_vec();
                cipher.apply(&mut data);
                let content_len = data.len().checked_sub(mac.len()).ok_or(RecordError::BadRecordMac)?;
                let (content, got) = data.split_at(content_len);
                let want = mac.compute(seq, typ, version, content);
                if !bool::from(got.ct_eq(want.as_slice())) {
                    return Err(RecordError::BadRecordMac);
                }
                data.truncate(content_len);
                data
            }
            Protection::Cbc { cipher, mac, chained_iv, encrypt_then_mac, masked } => {
                let header = MacHeader { seq, typ, version };
                open_cbc(
                    cipher,
                    mac,
                    masked.as_ref(),
                    chained_iv,
                    *encrypt_then_mac,
                    ssl3,
                    &header,
                    fragment,
                )?
            }
            Protection::Aead { cipher, salt } => {
                if fragment.len() < EXPLICIT_NONCE_LEN + TAG_LEN {
                    return Err(RecordError::BadRecordMac);
                }
                let (explicit, sealed) = fragment.split_at(EXPLICIT_NONCE_LEN);
                let (ct, tag) = sealed.split_at(sealed.len() - TAG_LEN);
                let mut nonce = [0u8; EXPLICIT_NONCE_LEN];
                nonce.copy_from_slice(explicit);
                let aad = aead_aad(seq, typ, version, ct.len());
                // The output is the only allocation; it is decrypted in place.
                let mut data = ct.to_vec();
                if !cipher.open(salt, &nonce, &aad, &mut data, tag) {
                    return Err(RecordError::BadRecordMac);
                }
                data
            }
        };
        if plaintext.len() > MAX_PLAINTEXT_LEN {
            return Err(RecordError::RecordOverflow);
        }
        Ok(plaintext)
    }
}

#[allow(clippy::too_many_arguments)]
fn open_cbc(
    cipher: &mut BlockCipher,
    mac: &RecordMac,
    masked: Option<&MaskedMac>,
    chained_iv: &mut Option<Vec<u8>>,
    encrypt_then_mac: bool,
    ssl3: bool,
    header: &MacHeader,
    fragment: &[u8],
) -> Result<Vec<u8>, RecordError> {
    let MacHeader { seq, typ, version } = *header;
    let bl = cipher.block_len();
    let mac_len = mac.len();
    let iv_len = if chained_iv.is_some() { 0 } else { bl };
    // Everything decided before decryption depends only on public lengths.
    let (protected, received_tag) = if encrypt_then_mac {
        let split = fragment.len().checked_sub(mac_len).ok_or(RecordError::BadRecordMac)?;
        let (protected, tag) = fragment.split_at(split);
        let want = mac.compute(seq, typ, version, protected);
        // RFC 7366 3: check the MAC before decrypting anything.
        if !bool::from(tag.ct_eq(want.as_slice())) {
            return Err(RecordError::BadRecordMac);
        }
        (protected, Some(tag))
    } else {
        (fragment, None)
    };
    let min_body = if encrypt_then_mac { bl } else { (mac_len + 1).div_ceil(bl) * bl };
    if protected.len() % bl != 0 || protected.len() < iv_len + min_body {
        return Err(RecordError::BadRecordMac);
    }
    let (explicit_iv, ct) = protected.split_at(iv_len);
    let mut iv_buf = [0u8; MAX_BLOCK_LEN];
    let iv = iv_buf.get_mut(..bl).unwrap_or_default();
    copy_into(iv, chained_iv.as_deref().unwrap_or(explicit_iv));
    // The output is the only allocation; it is decrypted in place.
    let mut data = ct.to_vec();
    cipher.decrypt(iv, &mut data);
    if let Some(next) = chained_iv {
        copy_into(next, last_block(ct, bl));
    }
    let reserved = if received_tag.is_some() { 0 } else { mac_len };
    let (pad_ok, pad_total) = cbc::check_padding(&data, bl, reserved, ssl3);
    // With bad padding, go on as if there were none so the MAC is still
    // computed (RFC 5246 6.2.3.2); the length below cannot underflow since
    // the record holds at least MAC + 1 bytes.
    let strip = u64::conditional_select(&0, &(pad_total as u64), pad_ok);
    let content_len = data.len().saturating_sub(usize::try_from(strip).unwrap_or(0) + reserved);
    let ok: Choice = match (received_tag, masked) {
        (Some(_), _) => pad_ok,
        // Lucky Thirteen: neither the MAC's cost nor where it is read may
        // tell the padding length.
        (None, Some(masked)) => pad_ok & masked.verify(header, &data, content_len, mac_len),
        // Setup builds the masked MAC for every MAC-then-encrypt opener.
        (None, None) => Choice::from(0),
    };
    if !bool::from(ok) {
        return Err(RecordError::BadRecordMac);
    }
    data.truncate(content_len);
    Ok(data)
}

#[cfg(test)]
mod tests;
