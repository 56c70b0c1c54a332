//! One entry point per parser. Each returns whether the input decoded, and
//! asserts the round trip (decode, encode, decode again) where it holds.
//!
//! Input layouts: where a parser needs more than bytes (the version of a
//! [`HandshakeContext`], the side of an extensions block, how a stream is
//! chunked), the first input byte carries it and the rest is the message.

use std::fmt::Debug;
use std::sync::OnceLock;

use crate::codec::{Codec, DecodeError, Reader};
use crate::crypto::DirectionKeys;
use crate::crypto::record::{MAX_PLAINTEXT_LEN, RecordOpener};
use crate::msgs::enums::{ContentType, ProtocolVersion};
use crate::msgs::extensions::{encode_extensions, first_duplicate, read_extensions};
use crate::msgs::record::{MAX_PLAINTEXT, Record};
use crate::msgs::{
    Alert, Certificate, CertificateRequest, CertificateVerify, ChangeCipherSpec, ClientHello,
    ClientKeyExchange, Deframed, Deframer, ExtensionOrigin, Finished, HandshakeContext, HandshakeJoiner,
    HandshakeMessage, ServerHello, Sslv2ClientHello,
};
use crate::suites::{ALL_SUITES, CipherKind, SuiteInfo};
use crate::x509::{Purpose, TrustAnchors, VerifyOptions, leaf_public_key, verify_chain};

/// The decoding context selected by `b`: the four supported versions and
/// TLS 1.3's number (which decodes with TLS 1.2's forms).
pub fn context_for(b: u8) -> HandshakeContext {
    let version = match b % 5 {
        0 => ProtocolVersion::Ssl3,
        1 => ProtocolVersion::Tls10,
        2 => ProtocolVersion::Tls11,
        3 => ProtocolVersion::Tls12,
        _ => ProtocolVersion::Tls13,
    };
    HandshakeContext::new(version)
}

/// Splits off the first byte (0 if the input is empty).
fn head(data: &[u8]) -> (u8, &[u8]) {
    match data.split_first() {
        Some((b, rest)) => (*b, rest),
        None => (0, data),
    }
}

/// Decode, encode, decode again: the encoding must be the input and the
/// second decoding the first.
fn round_trip<T: PartialEq + Debug>(
    data: &[u8],
    decode: impl Fn(&[u8]) -> Result<T, DecodeError>,
    encode: impl Fn(&T) -> Vec<u8>,
) -> bool {
    let Ok(value) = decode(data) else {
        return false;
    };
    let encoded = encode(&value);
    assert_eq!(encoded, data, "re-encoding {value:?} changed the bytes");
    assert_eq!(decode(&encoded).as_ref(), Ok(&value), "second decoding differs");
    true
}

fn codec_round_trip<T: Codec + PartialEq + Debug>(data: &[u8]) -> bool {
    round_trip(data, T::from_bytes, T::to_bytes)
}

/// Decodes a value with a context-taking `read` that must fill `data`.
fn read_all<T>(
    data: &[u8],
    ctx: HandshakeContext,
    read: fn(&mut Reader<'_>, HandshakeContext) -> Result<T, DecodeError>,
) -> Result<T, DecodeError> {
    let mut r = Reader::new(data);
    let v = read(&mut r, ctx)?;
    r.expect_empty("message")?;
    Ok(v)
}

fn encoded(encode: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut out = Vec::new();
    encode(&mut out);
    out
}

/// The record layer's deframer. First byte: bit 0 a server's deframer
/// (SSLv2-compatible hello allowed first), bit 1 the plaintext limit
/// instead of the ciphertext one, bits 2-7 the chunk size less one in
/// which the rest is pushed. Every record popped must re-encode to exactly
/// the bytes it was cut from; after an error every pop fails.
pub fn record(data: &[u8]) -> bool {
    let (mode, stream) = head(data);
    let mut deframer = match mode & 1 {
        1 => Deframer::server(),
        _ => Deframer::new(),
    };
    if mode & 2 != 0 {
        deframer.set_max_fragment(MAX_PLAINTEXT);
    }
    let chunk = usize::from(mode >> 2) + 1;
    let mut consumed = Vec::new();
    let mut failed = false;
    for piece in stream.chunks(chunk) {
        deframer.push(piece);
        loop {
            match deframer.pop() {
                Ok(Some(Deframed::Record(rec))) => {
                    let bytes = rec.to_bytes();
                    assert!(bytes.len() >= 5);
                    assert_eq!(Record::from_bytes(&bytes).as_ref(), Ok(&rec));
                    consumed.extend_from_slice(&bytes);
                }
                Ok(Some(Deframed::Sslv2Hello(raw))) => {
                    sslv2_client_hello(&raw);
                    consumed.extend_from_slice(&raw);
                }
                Ok(None) => break,
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
        if failed {
            assert!(deframer.pop().is_err(), "a failed deframer recovered");
            break;
        }
    }
    assert_eq!(stream.get(..consumed.len()), Some(consumed.as_slice()), "records are not the input");
    if !failed {
        assert_eq!(consumed.len() + deframer.buffered(), stream.len());
    }
    !consumed.is_empty()
}

/// Handshake reassembly. First byte: the decoding context (see
/// [`context_for`], low three bits) and the chunk size less one (the rest).
/// Whole messages must come out as the input, in order, and each one that
/// decodes must re-encode to its raw bytes.
pub fn reassembly(data: &[u8]) -> bool {
    let (mode, stream) = head(data);
    let ctx = context_for(mode & 7);
    let chunk = usize::from(mode >> 3) + 1;
    let mut joiner = HandshakeJoiner::new();
    let mut consumed = Vec::new();
    let mut decoded = false;
    'feed: for piece in stream.chunks(chunk) {
        joiner.push(piece);
        loop {
            match joiner.pop() {
                Ok(Some(raw)) => {
                    consumed.extend_from_slice(raw.raw());
                    if let Ok(msg) = raw.decode(ctx) {
                        decoded = true;
                        assert_eq!(msg.to_bytes(), raw.raw(), "{msg:?} re-encodes differently");
                        assert_eq!(HandshakeMessage::from_bytes(raw.raw(), ctx), Ok(msg));
                    }
                }
                Ok(None) => break,
                Err(_) => break 'feed,
            }
        }
    }
    assert_eq!(stream.get(..consumed.len()), Some(consumed.as_slice()));
    decoded
}

/// A ClientHello body.
pub fn client_hello(data: &[u8]) -> bool {
    codec_round_trip::<ClientHello>(data)
}

/// A ServerHello body.
pub fn server_hello(data: &[u8]) -> bool {
    codec_round_trip::<ServerHello>(data)
}

/// A Certificate body.
pub fn certificate(data: &[u8]) -> bool {
    codec_round_trip::<Certificate>(data)
}

/// A CertificateRequest body; first byte: the context.
pub fn certificate_request(data: &[u8]) -> bool {
    let (b, body) = head(data);
    let ctx = context_for(b);
    round_trip(body, |d| read_all(d, ctx, CertificateRequest::read), |v| encoded(|o| v.encode(o)))
}

/// A ClientKeyExchange body; first byte: the context.
pub fn client_key_exchange(data: &[u8]) -> bool {
    let (b, body) = head(data);
    let ctx = context_for(b);
    round_trip(body, |d| read_all(d, ctx, ClientKeyExchange::read), |v| encoded(|o| v.encode(o)))
}

/// A CertificateVerify body; first byte: the context.
pub fn certificate_verify(data: &[u8]) -> bool {
    let (b, body) = head(data);
    let ctx = context_for(b);
    round_trip(body, |d| read_all(d, ctx, CertificateVerify::read), |v| encoded(|o| v.encode(o)))
}

/// A Finished body; first byte: the context.
pub fn finished(data: &[u8]) -> bool {
    let (b, body) = head(data);
    let ctx = context_for(b);
    round_trip(body, |d| read_all(d, ctx, Finished::read), |v| encoded(|o| v.encode(o)))
}

/// A whole SSLv2-compatible ClientHello record, header included; its
/// ClientHello equivalent must encode and decode too.
pub fn sslv2_client_hello(data: &[u8]) -> bool {
    let ok = codec_round_trip::<Sslv2ClientHello>(data);
    if let Ok(v2) = Sslv2ClientHello::from_bytes(data) {
        let hello = v2.to_client_hello();
        // Specs with no TLS suite among them leave an empty list, which no
        // ClientHello may carry (the server answers handshake_failure).
        if !hello.cipher_suites.is_empty() {
            assert_eq!(ClientHello::from_bytes(&hello.to_bytes()), Ok(hello));
        }
    }
    ok
}

/// An alert or ChangeCipherSpec record body; first byte: even for an
/// alert, odd for ChangeCipherSpec.
pub fn alert_ccs(data: &[u8]) -> bool {
    let (b, body) = head(data);
    match b & 1 {
        0 => codec_round_trip::<Alert>(body),
        _ => codec_round_trip::<ChangeCipherSpec>(body),
    }
}

/// A hello's extensions block (u16 length included); first byte: even for
/// a ClientHello's, odd for a ServerHello's.
pub fn extensions(data: &[u8]) -> bool {
    let (b, body) = head(data);
    let origin = match b & 1 {
        0 => ExtensionOrigin::ClientHello,
        _ => ExtensionOrigin::ServerHello,
    };
    let decode = |d: &[u8]| {
        let mut r = Reader::new(d);
        let exts = read_extensions(&mut r, origin)?;
        r.expect_empty("extensions")?;
        Ok(exts)
    };
    if let Ok(exts) = decode(body) {
        let _ = first_duplicate(&exts);
    }
    round_trip(body, decode, |v| encoded(|o| encode_extensions(v, o)))
}

fn ca_anchors() -> &'static TrustAnchors {
    static ANCHORS: OnceLock<TrustAnchors> = OnceLock::new();
    ANCHORS.get_or_init(|| {
        // A compile-time constant that the x509 tests load too.
        #[allow(clippy::expect_used)]
        TrustAnchors::from_pem(include_str!("../../../vectors/certs/ca.pem")).expect("vectors/certs/ca.pem")
    })
}

/// The certificate path as the engine walks it: a Certificate message body
/// validated by [`verify_chain`] against the test CA (and the leaf's key
/// taken by [`leaf_public_key`], as an unverifying client does). First
/// byte: bit 0 the purpose, bit 1 whether to check the name "localhost",
/// bits 2-3 the time (the shipped certificates' lifetime, 0, i64::MIN,
/// i64::MAX). A body that is not a Certificate message is taken as one DER
/// certificate. Returns whether the chain validated.
pub fn x509_chain(data: &[u8]) -> bool {
    let (b, body) = head(data);
    let chain = match Certificate::from_bytes(body) {
        Ok(c) => c.chain.into_iter().map(|c| c.0).collect(),
        Err(_) => vec![body.to_vec()],
    };
    let opts = VerifyOptions {
        now_unix: match (b >> 2) & 3 {
            0 => super::NOW,
            1 => 0,
            2 => i64::MIN,
            _ => i64::MAX,
        },
        server_name: (b & 2 != 0).then_some("localhost"),
        purpose: match b & 1 {
            0 => Purpose::ServerAuth,
            _ => Purpose::ClientAuth,
        },
    };
    if let Some(leaf) = chain.first() {
        let _ = leaf_public_key(leaf);
    }
    verify_chain(&chain, ca_anchors(), &opts).is_ok()
}

/// Every (suite, version, encrypt_then_mac) a record layer can run (the
/// record tests iterate the same list).
pub fn record_configs() -> &'static [(&'static SuiteInfo, ProtocolVersion, bool)] {
    static CONFIGS: OnceLock<Vec<(&'static SuiteInfo, ProtocolVersion, bool)>> = OnceLock::new();
    CONFIGS.get_or_init(|| {
        let mut out = Vec::new();
        for suite in ALL_SUITES {
            for version in ProtocolVersion::SUPPORTED {
                if !suite.usable_with(version) {
                    continue;
                }
                out.push((suite, version, false));
                if matches!(suite.cipher.kind(), CipherKind::Block { .. }) && !version.is_ssl3() {
                    out.push((suite, version, true));
                }
            }
        }
        out
    })
}

/// The keys [`record_open`] opens under, fixed per configuration so seeds
/// sealed with them stay valid.
pub fn record_open_keys(suite: &SuiteInfo, version: ProtocolVersion) -> DirectionKeys {
    let l = suite.key_block_layout(version);
    let bytes = |n: usize, base: u8| (0..n).map(|i| base.wrapping_add(i as u8).wrapping_mul(13)).collect();
    DirectionKeys {
        mac_key: bytes(l.mac_key_len, 1),
        enc_key: bytes(l.enc_key_len, 2),
        fixed_iv: bytes(l.fixed_iv_len, 3),
    }
}

/// The configuration [`record_open`]'s first byte selects.
pub fn record_open_config(b: u8) -> Option<(&'static SuiteInfo, ProtocolVersion, bool)> {
    let all = record_configs();
    all.get(usize::from(b) % all.len().max(1)).copied()
}

/// How many configurations [`record_open_config`] cycles through.
pub fn record_open_configs() -> usize {
    record_configs().len()
}

/// Record protection removed from received fragments, the path a peer's
/// bytes take after ChangeCipherSpec: CBC padding and the constant-time
/// MAC check, encrypt_then_mac, stream ciphers and AES-GCM. First byte: the
/// configuration ([`record_open_config`]); then fragments, each behind a
/// 2-byte length, opened in turn by one opener (sequence numbers and the
/// chained IV carry over, also past a refused record). Returns whether any
/// fragment opened.
pub fn record_open(data: &[u8]) -> bool {
    let (b, mut rest) = head(data);
    let Some((suite, version, etm)) = record_open_config(b) else {
        return false;
    };
    let keys = record_open_keys(suite, version);
    let Ok(mut opener) = RecordOpener::new(suite, version, &keys, etm) else {
        return false;
    };
    let mut opened = false;
    while let [hi, lo, tail @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(tail.len());
        let (fragment, next) = tail.split_at(len);
        if let Ok(plaintext) = opener.open(ContentType::ApplicationData, version, fragment) {
            assert!(plaintext.len() <= MAX_PLAINTEXT_LEN, "opened {} bytes", plaintext.len());
            opened = true;
        }
        rest = next;
    }
    opened
}
