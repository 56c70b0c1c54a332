//! The SSLv2-compatible ClientHello (RFC 5246 E.2; RFC 6101 E.1).

// Helpers outside #[test] functions are test code too.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use shakedown_engine::codec::{Codec, DecodeError};
use shakedown_engine::msgs::enums::*;
use shakedown_engine::msgs::*;

/// A hand-built V2ClientHello offering TLS 1.0: SSL_CK_RC4_128_WITH_MD5
/// (an SSLv2-only spec, 0x010080), TLS_RSA_WITH_AES_128_CBC_SHA and
/// TLS_RSA_WITH_RC4_128_MD5, no session id, a 16-byte challenge.
fn sample() -> Vec<u8> {
    let mut b = vec![0x80, 0, 1, 3, 1, 0, 9, 0, 0, 0, 16];
    b.extend([0x01, 0x00, 0x80, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x04]);
    b.extend(1..=16u8);
    b[1] = (b.len() - 2) as u8;
    b
}

#[test]
fn sample_decodes_and_converts_to_a_client_hello() {
    let bytes = sample();
    let v2 = Sslv2ClientHello::from_bytes(&bytes).unwrap();
    assert_eq!(v2.version, ProtocolVersion::Tls10);
    assert_eq!(v2.cipher_specs.len(), 3);
    assert_eq!(v2.to_bytes(), bytes);
    assert_eq!(Sslv2ClientHello::body(&bytes), &bytes[2..]);

    let ch = v2.to_client_hello();
    assert_eq!(ch.client_version, ProtocolVersion::Tls10);
    // Only specs whose first byte is 0 are TLS suites.
    assert_eq!(
        ch.cipher_suites,
        [CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA, CipherSuite::TLS_RSA_WITH_RC4_128_MD5]
    );
    // Challenge right-aligned, zero-padded on the left.
    let mut want = [0u8; 32];
    for (i, b) in (1..=16u8).enumerate() {
        want[16 + i] = b;
    }
    assert_eq!(ch.random, Random(want));
    assert!(ch.session_id.is_empty());
    assert_eq!(ch.compression_methods, [Compression::Null]);
    assert_eq!(ch.extensions, None);
}

#[test]
fn a_32_byte_challenge_fills_the_random() {
    let v2 = Sslv2ClientHello {
        version: ProtocolVersion::Tls12,
        cipher_specs: vec![[0, 0, 0x2f]],
        session_id: vec![9; 16],
        challenge: vec![7; 32],
    };
    let ch = Sslv2ClientHello::from_bytes(&v2.to_bytes()).unwrap().to_client_hello();
    assert_eq!(ch.random, Random([7; 32]));
    assert_eq!(ch.session_id, SessionId(vec![9; 16]));
}

#[test]
fn malformed_v2_hellos_give_typed_errors() {
    let with = |f: &dyn Fn(&mut Vec<u8>)| {
        let mut b = sample();
        f(&mut b);
        Sslv2ClientHello::from_bytes(&b)
    };
    assert!(matches!(with(&|b| b[2] = 2), Err(DecodeError::InvalidValue { what: "SSLv2 msg_type", .. })));
    assert!(matches!(
        with(&|b| b[0] = 0x00),
        Err(DecodeError::InvalidValue { what: "SSLv2 record header", .. })
    ));
    assert_eq!(
        with(&|b| b[6] = 0),
        Err(DecodeError::TooShort { what: "cipher_spec_length", len: 0, min: 3 })
    );
    assert_eq!(
        with(&|b| b[6] = 8),
        Err(DecodeError::RaggedList { what: "cipher_specs", len: 8, element: 3 })
    );
    assert!(matches!(with(&|b| b[8] = 5), Err(DecodeError::InvalidValue { what: "session_id_length", .. })));
    assert_eq!(
        with(&|b| b[10] = 15),
        Err(DecodeError::TooShort { what: "challenge_length", len: 15, min: 16 })
    );
    assert_eq!(
        with(&|b| b[10] = 33),
        Err(DecodeError::TooLong { what: "challenge_length", len: 33, max: 32 })
    );
    // Header length says one more byte than the fields use.
    assert!(matches!(
        with(&|b| {
            b.push(0);
            b[1] += 1;
        }),
        Err(DecodeError::TrailingBytes { what: "SSLv2 ClientHello", left: 1 })
    ));
    // Header length says one byte fewer.
    assert!(matches!(with(&|b| b[1] -= 1), Err(DecodeError::Truncated { .. })));
}
