//! Every message round-trips (decode then encode gives the same bytes) for
//! SSL 3.0 and each TLS version, with seeded random field values; and no
//! strict prefix of an encoding decodes (as Go's crypto/tls
//! handshake_messages_test.go checks).

// Helpers outside #[test] functions are test code too.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod msgs_common;

use msgs_common::{Gen, VERSIONS};
use shakedown_engine::codec::Codec;
use shakedown_engine::msgs::enums::*;
use shakedown_engine::msgs::*;

const SEEDS: u64 = 40;

#[test]
fn every_handshake_message_round_trips_in_every_version() {
    let mut seen = std::collections::HashSet::new();
    for seed in 0..SEEDS {
        let mut g = Gen::new(seed);
        for version in VERSIONS {
            let ctx = HandshakeContext::new(version);
            for msg in g.every_message(ctx) {
                let bytes = msg.to_bytes();
                let back = HandshakeMessage::from_bytes(&bytes, ctx)
                    .unwrap_or_else(|e| panic!("seed {seed} {version:?} {:?}: {e}", msg.typ));
                assert_eq!(back, msg, "seed {seed} {version:?}");
                assert_eq!(back.to_bytes(), bytes, "seed {seed} {version:?}");
                seen.insert((msg.typ, version));
            }
        }
    }
    // 12 message kinds in 4 versions.
    assert_eq!(seen.len(), 12 * 4);
}

#[test]
fn version_dependent_forms_differ_on_the_wire() {
    let mut g = Gen::new(1);
    let ssl3 = HandshakeContext::new(ProtocolVersion::Ssl3);
    let tls10 = HandshakeContext::new(ProtocolVersion::Tls10);
    let tls12 = HandshakeContext::new(ProtocolVersion::Tls12);
    let ct = g.bytes(128);

    // RFC 6101 5.6.7: bare; RFC 5246 7.4.7.1: u16-prefixed.
    let mut out = Vec::new();
    ClientKeyExchange::new(ssl3, ct.clone()).encode(&mut out);
    assert_eq!(out, ct);
    out.clear();
    ClientKeyExchange::new(tls10, ct.clone()).encode(&mut out);
    assert_eq!(out[..2], [0, 128]);
    assert_eq!(out[2..], ct[..]);

    // RFC 5246 7.4.8: TLS 1.2 puts the algorithm before the signature.
    let cv = g.certificate_verify(tls12);
    let body = {
        let mut b = Vec::new();
        cv.encode(&mut b);
        b
    };
    let alg = cv.algorithm.unwrap();
    assert_eq!(body[..2], [alg.hash.get(), alg.signature.get()]);
    assert!(g.certificate_verify(tls10).algorithm.is_none());

    // Finished: 36 bytes in SSL 3.0, 12 in TLS.
    assert_eq!(ssl3.verify_data_len(), 36);
    assert_eq!(tls10.verify_data_len(), 12);
    assert_eq!(tls12.verify_data_len(), 12);
}

#[test]
fn hello_extensions_absent_and_empty_are_kept_apart() {
    let mut g = Gen::new(2);
    let mut ch = g.client_hello();
    ch.extensions = None;
    let absent = ch.to_bytes();
    ch.extensions = Some(Vec::new());
    let empty = ch.to_bytes();
    assert_eq!(empty.len(), absent.len() + 2);
    assert_eq!(ClientHello::from_bytes(&absent).unwrap().extensions, None);
    assert_eq!(ClientHello::from_bytes(&empty).unwrap().extensions, Some(Vec::new()));

    let mut sh = g.server_hello();
    sh.extensions = None;
    assert_eq!(ServerHello::from_bytes(&sh.to_bytes()).unwrap().extensions, None);
    sh.extensions = Some(vec![]);
    assert_eq!(ServerHello::from_bytes(&sh.to_bytes()).unwrap().extensions, Some(vec![]));
}

#[test]
fn record_alert_ccs_and_sslv2_hello_round_trip() {
    for seed in 0..SEEDS {
        let mut g = Gen::new(seed);
        let rec = Record {
            content_type: ContentType::from_wire(g.u8()),
            version: ProtocolVersion::from_wire(g.u16()),
            fragment: g.bytes_in(0, 2000),
        };
        let bytes = rec.to_bytes();
        assert_eq!(Record::from_bytes(&bytes).unwrap(), rec);
        assert_eq!(&bytes[..5], &rec.header().to_bytes()[..]);

        let alert = Alert::new(AlertLevel::from_wire(g.u8()), AlertDescription::from_wire(g.u8()));
        assert_eq!(Alert::from_bytes(&alert.to_bytes()).unwrap(), alert);

        let v2 = g.sslv2_hello();
        let bytes = v2.to_bytes();
        assert_eq!(Sslv2ClientHello::from_bytes(&bytes).unwrap(), v2, "seed {seed}");
        assert_eq!(Sslv2ClientHello::from_bytes(&bytes).unwrap().to_bytes(), bytes);
    }
    assert_eq!(ChangeCipherSpec.to_bytes(), [1]);
    assert_eq!(ChangeCipherSpec::from_bytes(&[1]), Ok(ChangeCipherSpec));
}

#[test]
fn no_strict_prefix_of_a_handshake_message_decodes() {
    for seed in 0..SEEDS / 4 {
        let mut g = Gen::new(seed);
        for version in VERSIONS {
            let ctx = HandshakeContext::new(version);
            for msg in g.every_message(ctx) {
                let bytes = msg.to_bytes();
                for n in 0..bytes.len() {
                    assert!(
                        HandshakeMessage::from_bytes(&bytes[..n], ctx).is_err(),
                        "seed {seed} {version:?} {:?}: prefix {n} of {} decoded",
                        msg.typ,
                        bytes.len()
                    );
                }
            }
        }
    }
}

/// Without the handshake header to delimit it, a body's own structure must
/// reject every strict prefix. Two exceptions are inherent to the formats:
/// a hello whose extensions are present has one valid prefix, the same
/// hello with extensions absent (RFC 5246 7.4.1.2); and bodies that are
/// unframed bytes (SSL 3.0 ClientKeyExchange, ServerKeyExchange here,
/// unknown types) accept any prefix, so they are skipped.
#[test]
fn no_strict_prefix_of_a_message_body_decodes() {
    for seed in 0..SEEDS / 4 {
        let mut g = Gen::new(seed);
        for version in VERSIONS {
            let ctx = HandshakeContext::new(version);
            for msg in g.every_message(ctx) {
                let unframed = match &msg.payload {
                    HandshakePayload::ServerKeyExchange(_) | HandshakePayload::Unknown(_) => true,
                    HandshakePayload::ClientKeyExchange(c) => c.form == PremasterForm::Bare,
                    _ => false,
                };
                if unframed {
                    continue;
                }
                let no_ext_len = match &msg.payload {
                    HandshakePayload::ClientHello(ch) if ch.extensions.is_some() => {
                        Some(ClientHello { extensions: None, ..ch.clone() }.to_bytes().len())
                    }
                    HandshakePayload::ServerHello(sh) if sh.extensions.is_some() => {
                        Some(ServerHello { extensions: None, ..sh.clone() }.to_bytes().len())
                    }
                    _ => None,
                };
                let mut body = Vec::new();
                msg.payload.encode(&mut body);
                for n in 0..body.len() {
                    let r = HandshakePayload::read_body(msg.typ, &body[..n], ctx);
                    if Some(n) == no_ext_len {
                        assert!(r.is_ok(), "extension-less hello prefix must decode");
                    } else {
                        assert!(r.is_err(), "seed {seed} {version:?} {:?}: body prefix {n} decoded", msg.typ);
                    }
                }
            }
        }
    }
}

#[test]
fn no_strict_prefix_of_record_alert_ccs_or_sslv2_hello_decodes() {
    let mut g = Gen::new(9);
    let rec = Record {
        content_type: ContentType::Handshake,
        version: ProtocolVersion::Tls12,
        fragment: g.bytes(40),
    }
    .to_bytes();
    let alert = Alert::fatal(AlertDescription::DecodeError).to_bytes();
    let v2 = g.sslv2_hello().to_bytes();
    for n in 0..rec.len() {
        assert!(Record::from_bytes(&rec[..n]).is_err());
    }
    for n in 0..alert.len() {
        assert!(Alert::from_bytes(&alert[..n]).is_err());
    }
    assert!(ChangeCipherSpec::from_bytes(&[]).is_err());
    for n in 0..v2.len() {
        assert!(Sslv2ClientHello::from_bytes(&v2[..n]).is_err());
    }
}

#[test]
fn duplicate_extension_is_found() {
    let exts = vec![
        Extension::ExtendedMasterSecret,
        Extension::RenegotiationInfo(vec![]),
        Extension::EncryptThenMac,
        Extension::RenegotiationInfo(vec![1]),
        Extension::ExtendedMasterSecret,
    ];
    assert_eq!(extensions::first_duplicate(&exts), Some(ExtensionType::RenegotiationInfo));
    assert_eq!(extensions::first_duplicate(&exts[..3]), None);
    // Duplicates decode (the state machine rejects them, RFC 5246 7.4.1.4).
    let ch = ClientHello { extensions: Some(exts.clone()), ..Gen::new(3).client_hello() };
    assert_eq!(ClientHello::from_bytes(&ch.to_bytes()).unwrap().extensions, Some(exts));
}
