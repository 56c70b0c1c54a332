//! What the learner's client and server write alike: a record, protected
//! once our ChangeCipherSpec made keys current (RFC 5246 6.2.3), a warning
//! alert, a Certificate from an identity, and the misbehaving variants.

use shakedown_engine::codec::Codec;
use shakedown_engine::config::CertifiedKey;
use shakedown_engine::crypto::SeededRandom;
use shakedown_engine::crypto::provider::RecordSeal;
use shakedown_engine::crypto::record::{ByteFlip, SealTweak};
use shakedown_engine::msgs::enums::{AlertDescription, AlertLevel, ContentType, ProtocolVersion};
use shakedown_engine::msgs::{Alert, Certificate, CertificateDer, Record};

/// A GREASE cipher suite value (RFC 8701 2): never a real suite, offered
/// or selected by no one.
pub const GREASE_SUITE: u16 = 0x0a0a;

/// Flips the first MAC byte: bad_record_mac is due (RFC 5246 6.2.3).
pub fn bad_mac() -> SealTweak {
    SealTweak { corrupt_mac: Some(ByteFlip { index: 0, xor: 0x01 }), ..SealTweak::default() }
}

/// Flips the padding_length byte of a CBC record: the padding check fails
/// and bad_record_mac is due, never decryption_failed (RFC 5246 6.2.3.2).
/// Under other suites there is no padding, so the byte flipped is the
/// MAC's (the same alert is due).
pub fn bad_padding(aead: bool) -> SealTweak {
    match aead {
        true => SealTweak { corrupt_mac: Some(ByteFlip { index: 1, xor: 0x01 }), ..SealTweak::default() },
        false => {
            SealTweak { corrupt_padding: Some(ByteFlip { index: 0, xor: 0x01 }), ..SealTweak::default() }
        }
    }
}

/// One record of `payload`, sealed by `write` when there is one.
pub fn seal(
    write: &mut Option<Box<dyn RecordSeal>>,
    rng: &mut SeededRandom,
    typ: ContentType,
    version: ProtocolVersion,
    payload: &[u8],
    tweak: &SealTweak,
) -> Vec<u8> {
    let fragment = match write {
        Some(w) => w.seal(typ, version, payload, rng, tweak),
        None => {
            let mut p = payload.to_vec();
            // Without protection a corrupt MAC is a corrupt last byte.
            if tweak != &SealTweak::default()
                && let Some(b) = p.last_mut()
            {
                *b ^= 1;
            }
            p
        }
    };
    let mut out = Vec::new();
    Record { content_type: typ, version, fragment }.encode(&mut out);
    out
}

/// A warning alert's body (RFC 5246 7.2).
pub fn warning(description: AlertDescription) -> Vec<u8> {
    let mut body = Vec::new();
    Alert::new(AlertLevel::Warning, description).encode(&mut body);
    body
}

/// A Certificate message with `id`'s chain, empty without one (7.4.2, 7.4.6).
pub fn certificate(id: Option<&CertifiedKey>) -> Certificate {
    Certificate {
        chain: id.map(|id| id.chain.iter().cloned().map(CertificateDer).collect()).unwrap_or_default(),
    }
}

/// Flips the first byte of a signature or verify_data.
pub fn corrupt_first(bytes: &mut [u8], corrupt: bool) {
    if corrupt && let Some(b) = bytes.first_mut() {
        *b ^= 1;
    }
}
