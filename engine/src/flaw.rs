//! Flaws: the engine playing a *broken* implementation, so the harness's own
//! tests can prove that the runner, the fuzzer, the learner and the timing
//! probe catch each kind of bug and never flag the honest engine.
//!
//! Flaws are kept apart from the knobs of `deviate`: a knob makes the engine
//! *send* something wrong (it is the attacker's tool); a flaw makes the
//! engine *accept* something wrong, or leak (it is the victim's bug). The
//! honest engine has neither. Each flaw names the requirement it breaks.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// What a flaw belongs to, for listing and for spreading tests across the
/// families the issue asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlawFamily {
    /// Message order and state.
    State,
    /// Parsing and lengths.
    Parsing,
    /// Versions, suites, extensions, resumption.
    Negotiation,
    /// Record protection.
    Record,
    /// Certificates and signatures, Finished.
    Authentication,
    Alerts,
    /// Observable only as time.
    Timing,
}

/// Which role carries the flaw when the engine plays the peer under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlawRole {
    Client,
    Server,
    Both,
}

/// One flaw of the built-in peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flaw {
    /// Accepts the peer's Finished whatever its verify_data says.
    AcceptBadFinished,
    /// Server: a client that sent a certificate may skip CertificateVerify
    /// and go straight to ChangeCipherSpec (the state-machine bug class of
    /// CVE-2015-0205 and de Ruiter and Poll 2015).
    SkipCertificateVerify,
    /// Server: spends extra time (about 100 us of hashing) when the
    /// decrypted premaster is not a well-formed 48-byte PKCS#1 v1.5
    /// message: a Bleichenbacher / Marvin timing oracle.
    SlowBadPadding,
    /// Takes a Finished where ChangeCipherSpec must come, as if the cipher
    /// change had happened (the early/missing-CCS state bugs of
    /// CVE-2014-0224 and CVE-2015-0204's family).
    CcsOptional,
    /// Reads a ServerHelloDone or a TLS ClientKeyExchange as far as its
    /// structure goes and ignores the bytes after it.
    IgnoreTrailingBytes,
    /// Client: goes on with whatever compression method the server picked,
    /// offered or not, as if it were null.
    AcceptUnofferedCompression,
    /// Client: ignores ServerHello extensions it never offered.
    AcceptUnsolicitedExtension,
    /// Client: on a chain that does not verify, uses the leaf's key anyway
    /// (CVE-2014-0092, CVE-2014-1266 "goto fail").
    AcceptUntrustedServer,
    /// Server: takes a client certificate whose chain does not verify
    /// (untrusted root, expired), using its key anyway.
    AcceptUntrustedClient,
    /// Drops records of a content type it does not know instead of
    /// refusing them (as TLS 1.0 and 1.1 allowed; TLS 1.2 does not).
    AcceptUnknownRecordType,
    /// Reads a fatal alert as a warning and carries on.
    IgnoreFatalAlert,
    /// Client: a ServerHello version above anything it offered is read as
    /// its own highest version.
    AcceptHigherVersion,
    /// Server: a premaster whose PKCS#1 v1.5 padding does not decode to 48
    /// bytes is refused at once with handshake_failure, where a good
    /// padding with a wrong premaster fails only at Finished: the answer
    /// oracle of ROBOT (Boeck, Somorovsky, Young 2018).
    PaddingAnswerOracle,
    /// Keeps a session resumable after its connection ended in a fatal
    /// alert: a server resumes it, a client offers it again.
    ResumeInvalidatedSession,
    /// Spends extra time (the same hashing as `SlowBadPadding`) when a
    /// received CBC record's padding is bad, before refusing it with
    /// bad_record_mac like any other: the padding timing oracle of
    /// Vaudenay 2002 / Canvel et al. 2003 that Lucky Thirteen refines.
    SlowBadCbcPadding,
}

impl Flaw {
    /// Every flaw, in listing order.
    pub const ALL: &'static [Flaw] = &[
        Flaw::AcceptBadFinished,
        Flaw::SkipCertificateVerify,
        Flaw::SlowBadPadding,
        Flaw::CcsOptional,
        Flaw::IgnoreTrailingBytes,
        Flaw::AcceptUnofferedCompression,
        Flaw::AcceptUnsolicitedExtension,
        Flaw::AcceptUntrustedServer,
        Flaw::AcceptUntrustedClient,
        Flaw::AcceptUnknownRecordType,
        Flaw::IgnoreFatalAlert,
        Flaw::AcceptHigherVersion,
        Flaw::PaddingAnswerOracle,
        Flaw::ResumeInvalidatedSession,
        Flaw::SlowBadCbcPadding,
    ];

    /// The snake_case name used on the command line and in vectors.
    pub fn name(self) -> &'static str {
        match self {
            Self::AcceptBadFinished => "accept_bad_finished",
            Self::SkipCertificateVerify => "skip_certificate_verify",
            Self::SlowBadPadding => "slow_bad_padding",
            Self::CcsOptional => "ccs_optional",
            Self::IgnoreTrailingBytes => "ignore_trailing_bytes",
            Self::AcceptUnofferedCompression => "accept_unoffered_compression",
            Self::AcceptUnsolicitedExtension => "accept_unsolicited_extension",
            Self::AcceptUntrustedServer => "accept_untrusted_server",
            Self::AcceptUntrustedClient => "accept_untrusted_client",
            Self::AcceptUnknownRecordType => "accept_unknown_record_type",
            Self::IgnoreFatalAlert => "ignore_fatal_alert",
            Self::AcceptHigherVersion => "accept_higher_version",
            Self::PaddingAnswerOracle => "padding_answer_oracle",
            Self::ResumeInvalidatedSession => "resume_invalidated_session",
            Self::SlowBadCbcPadding => "slow_bad_cbc_padding",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|f| f.name() == name)
    }

    pub fn family(self) -> FlawFamily {
        match self {
            Self::AcceptBadFinished => FlawFamily::Authentication,
            Self::SkipCertificateVerify => FlawFamily::State,
            Self::SlowBadPadding | Self::SlowBadCbcPadding => FlawFamily::Timing,
            Self::CcsOptional => FlawFamily::State,
            Self::IgnoreTrailingBytes => FlawFamily::Parsing,
            Self::AcceptUnofferedCompression
            | Self::AcceptUnsolicitedExtension
            | Self::AcceptHigherVersion
            | Self::ResumeInvalidatedSession => FlawFamily::Negotiation,
            Self::AcceptUntrustedServer | Self::AcceptUntrustedClient => FlawFamily::Authentication,
            Self::AcceptUnknownRecordType => FlawFamily::Record,
            Self::IgnoreFatalAlert | Self::PaddingAnswerOracle => FlawFamily::Alerts,
        }
    }

    pub fn role(self) -> FlawRole {
        match self {
            Self::AcceptBadFinished
            | Self::CcsOptional
            | Self::IgnoreTrailingBytes
            | Self::AcceptUnknownRecordType
            | Self::IgnoreFatalAlert
            | Self::ResumeInvalidatedSession
            | Self::SlowBadCbcPadding => FlawRole::Both,
            Self::SkipCertificateVerify
            | Self::SlowBadPadding
            | Self::AcceptUntrustedClient
            | Self::PaddingAnswerOracle => FlawRole::Server,
            Self::AcceptUnofferedCompression
            | Self::AcceptUnsolicitedExtension
            | Self::AcceptUntrustedServer
            | Self::AcceptHigherVersion => FlawRole::Client,
        }
    }

    /// The requirement the flaw breaks.
    pub fn citation(self) -> &'static str {
        match self {
            Self::AcceptBadFinished => "RFC 5246 7.4.9: recipients MUST verify that the contents are correct",
            Self::SkipCertificateVerify => {
                "RFC 5246 7.4.8: CertificateVerify follows a client certificate with signing capability; CVE-2015-0205"
            }
            Self::SlowBadPadding => {
                "RFC 5246 7.4.7.1: no distinguishable difference on bad PKCS#1 padding; Bleichenbacher 1998, Marvin 2023"
            }
            Self::CcsOptional => {
                "RFC 5246 7.1, 7.4.9: Finished is the first message protected by the new keys, after ChangeCipherSpec; CVE-2014-0224"
            }
            Self::IgnoreTrailingBytes => {
                "RFC 5246 7.4.1.2, 7.4.5: a message must match its format exactly, else decode_error"
            }
            Self::AcceptUnofferedCompression => {
                "RFC 5246 7.4.1.3: compression_method is selected from ClientHello.compression_methods"
            }
            Self::AcceptUnsolicitedExtension => {
                "RFC 5246 7.4.1.4: a client receiving an extension it did not request MUST abort with unsupported_extension"
            }
            Self::AcceptUntrustedServer => {
                "RFC 5246 7.4.2, RFC 5280 6.1: the server chain must verify to a trust anchor; CVE-2014-0092, CVE-2014-1266"
            }
            Self::AcceptUntrustedClient => {
                "RFC 5246 7.4.6, RFC 5280 6.1: a server requiring client authentication refuses a chain that does not verify"
            }
            Self::AcceptUnknownRecordType => {
                "RFC 5246 6: a record of an unexpected type MUST be answered with unexpected_message"
            }
            Self::IgnoreFatalAlert => {
                "RFC 5246 7.2: on receiving a fatal alert both parties immediately close the connection"
            }
            Self::AcceptHigherVersion => {
                "RFC 5246 7.4.1.3, E.1: server_version is at most the client's version; anything else is refused"
            }
            Self::PaddingAnswerOracle => {
                "RFC 5246 7.4.7.1: a badly formatted premaster is treated like a wrong one, never told apart; ROBOT 2018, CVE-2017-13099"
            }
            Self::ResumeInvalidatedSession => {
                "RFC 5246 7.2.2: a fatal alert invalidates the session; it MUST NOT be used to establish new connections"
            }
            Self::SlowBadCbcPadding => {
                "RFC 5246 6.2.3.2: the MAC is computed even when the padding is bad, so no timing oracle remains; Vaudenay 2002, Lucky Thirteen 2013"
            }
        }
    }
}

impl std::fmt::Display for Flaw {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The flaws of one side; empty for the honest engine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Flaws(BTreeSet<Flaw>);

impl Flaws {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn has(&self, flaw: Flaw) -> bool {
        self.0.contains(&flaw)
    }

    pub fn is_honest(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = Flaw> + '_ {
        self.0.iter().copied()
    }
}

impl FromIterator<Flaw> for Flaws {
    fn from_iter<I: IntoIterator<Item = Flaw>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// The timing flaw's extra work: hashing rather than a sleep, because the
/// engine reads no clock. About 100 us on a machine hashing SHA-256 at
/// 1.5 GB/s; the timing probe measures what it really is.
pub(crate) fn slow_path_work() {
    use sha2::Digest;
    let block = [0x5au8; 4096];
    let mut h = sha2::Sha256::new();
    for _ in 0..40 {
        h.update(std::hint::black_box(&block));
    }
    std::hint::black_box(h.finalize());
}

/// The `slow_bad_cbc_padding` flaw at the provider seam: the honest opener
/// wrapped, so the record layer itself stays as it is. A record the honest
/// opener refuses is decrypted once more here, and if its padding is bad
/// (RFC 5246 6.2.3.2: every padding byte equals padding_length, and the
/// padding and MAC fit in the record; RFC 6101 5.2.3.2: under one block
/// for SSL 3.0) the extra work is done before the refusal goes out.
/// Anything but MAC-then-encrypt CBC is returned unwrapped: under
/// encrypt-then-MAC (RFC 7366 3) the MAC is checked before any padding.
pub(crate) fn flawed_opener(
    inner: Box<dyn crate::crypto::provider::RecordOpen>,
    flaws: &Flaws,
    suite: &crate::suites::SuiteInfo,
    version: crate::msgs::enums::ProtocolVersion,
    enc_key: &[u8],
    encrypt_then_mac: bool,
) -> Box<dyn crate::crypto::provider::RecordOpen> {
    if !flaws.has(Flaw::SlowBadCbcPadding) || encrypt_then_mac {
        return inner;
    }
    match PaddingPeek::new(suite.cipher, enc_key) {
        Some(peek) => Box::new(SlowBadCbcPadding {
            inner,
            peek,
            mac_len: suite.mac.output_len(),
            explicit_iv: version.has_explicit_iv(),
            ssl3: version.is_ssl3(),
        }),
        None => inner,
    }
}

/// A second copy of the peer's CBC key, only to read the padding.
enum PaddingPeek {
    TripleDes(Box<des::TdesEde3>),
    Aes128(Box<aes::Aes128>),
    Aes256(Box<aes::Aes256>),
}

impl PaddingPeek {
    fn new(cipher: crate::suites::BulkCipher, key: &[u8]) -> Option<Self> {
        use crate::suites::BulkCipher;
        use aes::cipher::KeyInit;
        match cipher {
            BulkCipher::TripleDesEdeCbc => {
                des::TdesEde3::new_from_slice(key).ok().map(|c| Self::TripleDes(Box::new(c)))
            }
            BulkCipher::Aes128Cbc => aes::Aes128::new_from_slice(key).ok().map(|c| Self::Aes128(Box::new(c))),
            BulkCipher::Aes256Cbc => aes::Aes256::new_from_slice(key).ok().map(|c| Self::Aes256(Box::new(c))),
            _ => None,
        }
    }

    fn block_len(&self) -> usize {
        match self {
            Self::TripleDes(_) => 8,
            Self::Aes128(_) | Self::Aes256(_) => 16,
        }
    }

    /// The plaintext of every block but the first, each block decrypted
    /// and XORed with the ciphertext block before it (CBC, NIST SP
    /// 800-38A 6.2): what the padding can occupy, without the first
    /// block's IV, which TLS 1.0 chains from the previous record.
    fn tail_plaintext(&self, fragment: &[u8]) -> Vec<u8> {
        match self {
            Self::TripleDes(c) => decrypt_tail(c.as_ref(), fragment),
            Self::Aes128(c) => decrypt_tail(c.as_ref(), fragment),
            Self::Aes256(c) => decrypt_tail(c.as_ref(), fragment),
        }
    }
}

fn decrypt_tail<C: aes::cipher::BlockCipherDecrypt>(cipher: &C, fragment: &[u8]) -> Vec<u8> {
    let bl = <C as aes::cipher::BlockSizeUser>::block_size();
    let blocks: Vec<&[u8]> = fragment.chunks_exact(bl).collect();
    let mut out = Vec::with_capacity(fragment.len());
    for pair in blocks.windows(2) {
        let [prev, cur] = pair else { continue };
        let Ok(mut block) = aes::cipher::Block::<C>::try_from(*cur) else { continue };
        cipher.decrypt_block(&mut block);
        out.extend(block.iter().zip(prev.iter()).map(|(p, c)| p ^ c));
    }
    out
}

struct SlowBadCbcPadding {
    inner: Box<dyn crate::crypto::provider::RecordOpen>,
    peek: PaddingPeek,
    mac_len: usize,
    explicit_iv: bool,
    ssl3: bool,
}

impl std::fmt::Debug for SlowBadCbcPadding {
    // No key material in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlowBadCbcPadding").field("inner", &self.inner).finish_non_exhaustive()
    }
}

impl SlowBadCbcPadding {
    /// Whether the padding of this fragment is bad; deliberately not
    /// constant-time, as the flaw is the leak.
    fn padding_is_bad(&self, fragment: &[u8]) -> bool {
        let bl = self.peek.block_len();
        if !fragment.len().is_multiple_of(bl) || fragment.len() < 2 * bl {
            return false;
        }
        let tail = self.peek.tail_plaintext(fragment);
        let Some(&last) = tail.last() else { return false };
        let total = usize::from(last) + 1;
        // The plaintext the record carries: everything after the explicit
        // IV (TLS 1.1+, RFC 4346 6.2.3.2), or all of it (chained IV).
        let carried = if self.explicit_iv { fragment.len() - bl } else { fragment.len() };
        if total + self.mac_len > carried || (self.ssl3 && total > bl) {
            return true;
        }
        if self.ssl3 {
            return false;
        }
        // The MAC (at least 16 bytes, a whole block or more) stands between
        // the first block and any padding that fits, so `tail` holds it.
        match tail.get(tail.len().saturating_sub(total)..) {
            Some(padding) if padding.len() == total => padding.iter().any(|&b| b != last),
            _ => true,
        }
    }
}

impl crate::crypto::provider::RecordOpen for SlowBadCbcPadding {
    fn open(
        &mut self,
        typ: crate::msgs::enums::ContentType,
        version: crate::msgs::enums::ProtocolVersion,
        fragment: &[u8],
    ) -> Result<Vec<u8>, crate::crypto::record::RecordError> {
        let result = self.inner.open(typ, version, fragment);
        if result.is_err() && self.padding_is_bad(fragment) {
            slow_path_work();
        }
        result
    }
}

/// The `ignore_trailing_bytes` flaw's reading of a message that did not
/// decode: a ServerHelloDone with a body, or a TLS ClientKeyExchange with
/// bytes after its length-prefixed ciphertext, decoded without the extra.
pub(crate) fn decode_ignoring_trailing_bytes(
    raw: &crate::msgs::reassembly::RawHandshake,
    ctx: crate::msgs::HandshakeContext,
) -> Option<crate::msgs::HandshakeMessage> {
    use crate::msgs::enums::HandshakeType;
    let body = raw.body();
    let len = match raw.typ() {
        HandshakeType::ServerHelloDone => 0,
        HandshakeType::ClientKeyExchange if !ctx.is_ssl3() => {
            let n = u16::from_be_bytes([*body.first()?, *body.get(1)?]);
            2 + usize::from(n)
        }
        _ => return None,
    };
    let payload = crate::msgs::HandshakePayload::read_body(raw.typ(), body.get(..len)?, ctx).ok()?;
    Some(crate::msgs::HandshakeMessage { typ: raw.typ(), payload })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for f in Flaw::ALL {
            assert_eq!(Flaw::from_name(f.name()), Some(*f));
            let json = serde_json::to_string(f).unwrap();
            assert_eq!(json, format!("\"{}\"", f.name()));
        }
        let names: BTreeSet<_> = Flaw::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(names.len(), Flaw::ALL.len());
        assert_eq!(Flaw::from_name("no_such_flaw"), None);
    }

    #[test]
    fn every_flaw_cites_a_requirement() {
        for f in Flaw::ALL {
            assert!(f.citation().contains("RFC") || f.citation().contains("CVE"), "{f}");
        }
    }
}
