//! Malformed input of each kind gives the specific typed error, naming the
//! field, and never a panic.

// Helpers outside #[test] functions are test code too.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod msgs_common;

use msgs_common::Gen;
use shakedown_engine::codec::{Codec, DecodeError};
use shakedown_engine::msgs::certificate::MAX_CERTIFICATES;
use shakedown_engine::msgs::enums::*;
use shakedown_engine::msgs::handshake::{MAX_CERTIFICATE_BODY, MAX_HANDSHAKE_BODY};
use shakedown_engine::msgs::record::MAX_CIPHERTEXT;
use shakedown_engine::msgs::*;

fn tls(v: ProtocolVersion) -> HandshakeContext {
    HandshakeContext::new(v)
}

fn tls12() -> HandshakeContext {
    tls(ProtocolVersion::Tls12)
}

/// A ClientHello body with the given session id, suites and compression
/// bytes (each given with its own length prefix) and optional tail.
fn client_hello_body(sid: &[u8], suites: &[u8], comps: &[u8], tail: &[u8]) -> Vec<u8> {
    let mut b = vec![3, 3];
    b.extend([7u8; 32]);
    b.extend(sid);
    b.extend(suites);
    b.extend(comps);
    b.extend(tail);
    b
}

fn ch(body: &[u8]) -> Result<HandshakePayload, DecodeError> {
    HandshakePayload::read_body(HandshakeType::ClientHello, body, tls12())
}

fn handshake(typ: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![typ];
    m.extend(&(body.len() as u32).to_be_bytes()[1..]);
    m.extend(body);
    m
}

#[test]
fn minimal_client_hello_decodes() {
    assert!(ch(&client_hello_body(&[0], &[0, 2, 0, 0x2f], &[1, 0], &[])).is_ok());
}

#[test]
fn short_input_is_truncated_naming_the_field() {
    assert!(matches!(
        ch(&client_hello_body(&[0], &[0, 4, 0, 0x2f], &[], &[])),
        Err(DecodeError::Truncated { what: "cipher_suites", needed: 4, left: 2 })
    ));
    assert!(matches!(ch(&[3, 3, 1]), Err(DecodeError::Truncated { what: "random", .. })));
    assert!(matches!(Alert::from_bytes(&[2]), Err(DecodeError::Truncated { what: "AlertDescription", .. })));
}

#[test]
fn trailing_bytes_are_refused() {
    // After an extensions block.
    let body = client_hello_body(&[0], &[0, 2, 0, 0x2f], &[1, 0], &[0, 0, 9]);
    assert!(matches!(ch(&body), Err(DecodeError::TrailingBytes { what: "client_hello", left: 1 })));
    // In bodies that must be empty (RFC 5246 7.4.1.1, 7.4.5).
    assert!(matches!(
        HandshakePayload::read_body(HandshakeType::HelloRequest, &[0], tls12()),
        Err(DecodeError::TrailingBytes { what: "hello_request", left: 1 })
    ));
    assert!(matches!(
        HandshakePayload::read_body(HandshakeType::ServerHelloDone, &[0, 0], tls12()),
        Err(DecodeError::TrailingBytes { what: "server_hello_done", left: 2 })
    ));
    // After a whole handshake message.
    let mut m = handshake(14, &[]);
    m.push(0);
    assert!(matches!(
        HandshakeMessage::from_bytes(&m, tls12()),
        Err(DecodeError::TrailingBytes { what: "handshake message", left: 1 })
    ));
    assert!(matches!(Alert::from_bytes(&[2, 40, 0]), Err(DecodeError::TrailingBytes { left: 1, .. })));
    // TLS ClientKeyExchange whose prefix says less than the body holds.
    assert!(matches!(
        HandshakePayload::read_body(HandshakeType::ClientKeyExchange, &[0, 1, 9, 9], tls12()),
        Err(DecodeError::TrailingBytes { what: "client_key_exchange", left: 1 })
    ));
}

#[test]
fn over_long_lengths_are_too_long() {
    let mut sid = vec![33];
    sid.extend([0u8; 33]);
    assert_eq!(
        ch(&client_hello_body(&sid, &[0, 2, 0, 0x2f], &[1, 0], &[])),
        Err(DecodeError::TooLong { what: "session_id", len: 33, max: 32 })
    );
    let mut rec = vec![22, 3, 3];
    rec.extend(((MAX_CIPHERTEXT + 1) as u16).to_be_bytes());
    assert_eq!(
        Record::from_bytes(&rec),
        Err(DecodeError::TooLong { what: "record length", len: MAX_CIPHERTEXT + 1, max: MAX_CIPHERTEXT })
    );
}

#[test]
fn under_minimum_lengths_are_too_short() {
    assert_eq!(
        ch(&client_hello_body(&[0], &[0, 0], &[1, 0], &[])),
        Err(DecodeError::TooShort { what: "cipher_suites", len: 0, min: 2 })
    );
    assert_eq!(
        ch(&client_hello_body(&[0], &[0, 2, 0, 0x2f], &[0], &[])),
        Err(DecodeError::TooShort { what: "compression_methods", len: 0, min: 1 })
    );
    // server_name with an empty list (RFC 6066 3: <1..2^16-1>).
    let sni = [0, 6, 0, 0, 0, 2, 0, 0];
    assert_eq!(
        ch(&client_hello_body(&[0], &[0, 2, 0, 0x2f], &[1, 0], &sni)),
        Err(DecodeError::TooShort { what: "server_name_list", len: 0, min: 1 })
    );
    // signature_algorithms with an empty list (RFC 5246 7.4.1.4.1: <2..2^16-2>).
    let sigalgs = [0, 6, 0, 13, 0, 2, 0, 0];
    assert_eq!(
        ch(&client_hello_body(&[0], &[0, 2, 0, 0x2f], &[1, 0], &sigalgs)),
        Err(DecodeError::TooShort { what: "supported_signature_algorithms", len: 0, min: 2 })
    );
    // CertificateRequest with no certificate types (RFC 5246 7.4.4: <1..2^8-1>).
    assert_eq!(
        HandshakePayload::read_body(
            HandshakeType::CertificateRequest,
            &[0, 0, 0],
            tls(ProtocolVersion::Tls10)
        ),
        Err(DecodeError::TooShort { what: "certificate_types", len: 0, min: 1 })
    );
}

#[test]
fn ragged_lists_are_ragged() {
    assert_eq!(
        ch(&client_hello_body(&[0], &[0, 3, 0, 0x2f, 0], &[1, 0], &[])),
        Err(DecodeError::RaggedList { what: "cipher_suites", len: 3, element: 2 })
    );
    let sigalgs = [0, 9, 0, 13, 0, 5, 0, 3, 4, 1, 2];
    assert_eq!(
        ch(&client_hello_body(&[0], &[0, 2, 0, 0x2f], &[1, 0], &sigalgs)),
        Err(DecodeError::RaggedList { what: "supported_signature_algorithms", len: 3, element: 2 })
    );
}

#[test]
fn change_cipher_spec_is_exactly_one_byte_of_one() {
    for bad in [0u8, 2, 0xff] {
        assert!(matches!(
            ChangeCipherSpec::from_bytes(&[bad]),
            Err(DecodeError::InvalidValue { what: "change_cipher_spec", .. })
        ));
    }
    assert!(matches!(
        ChangeCipherSpec::from_bytes(&[]),
        Err(DecodeError::Truncated { what: "change_cipher_spec", .. })
    ));
    assert!(matches!(ChangeCipherSpec::from_bytes(&[1, 1]), Err(DecodeError::TrailingBytes { left: 1, .. })));
}

#[test]
fn finished_of_the_wrong_length_is_refused() {
    let fin = |v, n: usize| HandshakePayload::read_body(HandshakeType::Finished, &vec![0u8; n], tls(v));
    assert!(fin(ProtocolVersion::Ssl3, 36).is_ok());
    assert!(fin(ProtocolVersion::Tls10, 12).is_ok());
    assert_eq!(
        fin(ProtocolVersion::Tls12, 36),
        Err(DecodeError::TooLong { what: "Finished verify_data", len: 36, max: 12 })
    );
    assert_eq!(
        fin(ProtocolVersion::Ssl3, 12),
        Err(DecodeError::TooShort { what: "Finished verify_data", len: 12, min: 36 })
    );
    assert_eq!(
        fin(ProtocolVersion::Tls11, 0),
        Err(DecodeError::TooShort { what: "Finished verify_data", len: 0, min: 12 })
    );
}

#[test]
fn handshake_size_limits_are_declared_once_and_enforced_from_the_header() {
    assert_eq!(MAX_HANDSHAKE_BODY, 65536);
    assert_eq!(MAX_CERTIFICATE_BODY, 100 * 1024);
    assert_eq!(MAX_CERTIFICATES, 10);
    // Only the header is present: the limit fires before the body matters.
    let header = |typ: u8, len: usize| {
        let mut h = vec![typ];
        h.extend(&(len as u32).to_be_bytes()[1..]);
        h
    };
    // A Finished (20) has no legal maximum above 64 KiB.
    assert_eq!(
        HandshakeMessage::from_bytes(&header(20, MAX_HANDSHAKE_BODY + 1), tls12()),
        Err(DecodeError::TooLong { what: "handshake message length", len: 65537, max: 65536 })
    );
    assert!(matches!(
        HandshakeMessage::from_bytes(&header(20, MAX_HANDSHAKE_BODY), tls12()),
        Err(DecodeError::Truncated { .. })
    ));
    // The hellos, CertificateRequest, ClientKeyExchange and
    // CertificateVerify go up to their structure's legal maximum
    // (RFC 5246 7.4.1.2, 7.4.1.3, 7.4.4, 7.4.7.1, 7.4.8) and no further.
    for (typ, max) in [(1u8, 131_396usize), (2, 65_607), (13, 131_329), (16, 65_537), (15, 65_539)] {
        assert!(
            matches!(
                HandshakeMessage::from_bytes(&header(typ, max), tls12()),
                Err(DecodeError::Truncated { .. })
            ),
            "type {typ}: {max} bytes refused by the header"
        );
        assert_eq!(
            HandshakeMessage::from_bytes(&header(typ, max + 1), tls12()),
            Err(DecodeError::TooLong { what: "handshake message length", len: max + 1, max }),
            "type {typ}"
        );
    }
    assert_eq!(
        HandshakeMessage::from_bytes(&header(11, MAX_CERTIFICATE_BODY + 1), tls12()),
        Err(DecodeError::TooLong { what: "Certificate message length", len: 102_401, max: 102_400 })
    );
    assert!(matches!(
        HandshakeMessage::from_bytes(&header(11, MAX_CERTIFICATE_BODY), tls12()),
        Err(DecodeError::Truncated { .. })
    ));
    // A Certificate of exactly 100 KiB decodes.
    let per = (MAX_CERTIFICATE_BODY - 3) / 10 - 3;
    let mut chain: Vec<CertificateDer> = (0..10).map(|_| CertificateDer(vec![0x30; per])).collect();
    let last = MAX_CERTIFICATE_BODY - 3 - 10 * (per + 3);
    chain[9].0.extend(vec![0x30; last]);
    let m = HandshakeMessage::new(HandshakePayload::Certificate(Certificate { chain }));
    let bytes = m.to_bytes();
    assert_eq!(bytes.len(), 4 + MAX_CERTIFICATE_BODY);
    assert_eq!(HandshakeMessage::from_bytes(&bytes, tls12()).unwrap(), m);
}

#[test]
fn more_than_ten_certificates_is_refused() {
    let chain = |n| Certificate { chain: (0..n).map(|_| CertificateDer(vec![0x30])).collect() };
    assert!(Certificate::from_bytes(&chain(10).to_bytes()).is_ok());
    assert_eq!(
        Certificate::from_bytes(&chain(11).to_bytes()),
        Err(DecodeError::TooLong { what: "certificate_list count", len: 11, max: 10 })
    );
    // An empty certificate inside the list (RFC 5246 7.4.2: <1..2^24-1>).
    assert_eq!(
        Certificate::from_bytes(&[0, 0, 3, 0, 0, 0]),
        Err(DecodeError::TooShort { what: "ASN.1Cert", len: 0, min: 1 })
    );
}

#[test]
fn empty_extensions_with_a_body_are_refused() {
    let ext_tail = |typ: u16, body: &[u8]| {
        let mut e = typ.to_be_bytes().to_vec();
        e.extend((body.len() as u16).to_be_bytes());
        e.extend(body);
        let mut block = (e.len() as u16).to_be_bytes().to_vec();
        block.extend(e);
        block
    };
    let hello = |tail: &[u8]| client_hello_body(&[0], &[0, 2, 0, 0x2f], &[1, 0], tail);
    assert_eq!(
        ch(&hello(&ext_tail(23, &[0]))),
        Err(DecodeError::TrailingBytes { what: "extended_master_secret", left: 1 })
    );
    assert_eq!(
        ch(&hello(&ext_tail(22, &[0, 0]))),
        Err(DecodeError::TrailingBytes { what: "encrypt_then_mac", left: 2 })
    );
    assert!(ch(&hello(&ext_tail(23, &[]))).is_ok());
    // server_name in a ServerHello must be empty (RFC 6066 3).
    let mut sh = vec![3, 3];
    sh.extend([0u8; 32]);
    sh.extend([0, 0, 0x2f, 0]);
    sh.extend(ext_tail(0, &[0]));
    assert_eq!(
        HandshakePayload::read_body(HandshakeType::ServerHello, &sh, tls12()),
        Err(DecodeError::TrailingBytes { what: "server_name in ServerHello", left: 1 })
    );
    // renegotiation_info with bytes after renegotiated_connection.
    assert_eq!(
        ch(&hello(&ext_tail(0xff01, &[0, 5]))),
        Err(DecodeError::TrailingBytes { what: "renegotiation_info", left: 1 })
    );
}

#[test]
fn tls12_certificate_request_is_not_a_tls10_one() {
    // types [rsa_sign], signature algorithms [sha256/rsa], no authorities.
    let body = [1, 1, 0, 2, 4, 1, 0, 0];
    let cr = HandshakePayload::read_body(HandshakeType::CertificateRequest, &body, tls12()).unwrap();
    let HandshakePayload::CertificateRequest(cr) = cr else { panic!("{cr:?}") };
    assert_eq!(
        cr.signature_algorithms,
        Some(vec![SignatureAndHashAlgorithm::new(HashAlgorithm::Sha256, SignatureAlgorithm::Rsa)])
    );
    // Read as TLS 1.0, the algorithm list is taken for the CA list.
    assert!(matches!(
        HandshakePayload::read_body(HandshakeType::CertificateRequest, &body, tls(ProtocolVersion::Tls10)),
        Err(DecodeError::Truncated { what: "DistinguishedName", .. })
    ));
}

#[test]
fn mutated_valid_messages_never_panic() {
    let mut g = Gen::new(6);
    for _ in 0..20 {
        for v in msgs_common::VERSIONS {
            for msg in g.every_message(tls(v)) {
                let mut bytes = msg.to_bytes();
                for _ in 0..10 {
                    let i = g.range(0, bytes.len() - 1);
                    bytes[i] ^= g.u8() | 1;
                    let _ = HandshakeMessage::from_bytes(&bytes, tls(v));
                    let _ = HandshakePayload::read_body(msg.typ, &bytes[4..], tls(v));
                }
            }
        }
    }
}

#[test]
fn random_garbage_never_panics() {
    let mut g = Gen::new(5);
    for _ in 0..3000 {
        let bytes = g.bytes_in(0, 64);
        for v in msgs_common::VERSIONS {
            let _ = HandshakeMessage::from_bytes(&bytes, tls(v));
            for t in HandshakeType::ALL {
                let _ = HandshakePayload::read_body(*t, &bytes, tls(v));
            }
        }
        let _ = Record::from_bytes(&bytes);
        let _ = Sslv2ClientHello::from_bytes(&bytes);
        let _ = Alert::from_bytes(&bytes);
        let _ = ChangeCipherSpec::from_bytes(&bytes);
    }
}
