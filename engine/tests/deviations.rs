//! Each misbehaviour knob against the honest engine: the honest side must
//! answer with the alert the RFC names (seen by the misbehaving side as
//! AlertReceived).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::sync::Arc;

use shakedown_engine::config::CertifiedKey;
use shakedown_engine::crypto::record::{ByteFlip, SealTweak};
use shakedown_engine::crypto::rsa_kx::Pkcs1Tweak;
use shakedown_engine::deviate::{Anchor, Deviations, Knob, Payload};
use shakedown_engine::msgs::enums::{
    AlertDescription as A, AlertLevel, CipherSuite, Compression, ContentType, ExtensionType,
    HandshakeType as H, ProtocolVersion as V,
};
use shakedown_engine::pair::Pair;
use shakedown_engine::x509::TrustAnchors;
use shakedown_engine::{ClientAuthMode, ClientConfig, ConnectionEvent, Error, ServerConfig, VersionRange};

const NOW: i64 = 1_795_910_400;

fn certs(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../vectors/certs/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

struct Case {
    version: V,
    client: Vec<Knob>,
    server: Vec<Knob>,
    client_auth: ClientAuthMode,
    client_cert: bool,
    server_renegotiates: bool,
}

impl Case {
    fn new(version: V) -> Self {
        Self {
            version,
            client: vec![],
            server: vec![],
            client_auth: ClientAuthMode::Off,
            client_cert: false,
            server_renegotiates: false,
        }
    }
    fn client(mut self, k: Knob) -> Self {
        self.client.push(k);
        self
    }
    fn server(mut self, k: Knob) -> Self {
        self.server.push(k);
        self
    }
    fn auth(mut self, mode: ClientAuthMode, cert: bool) -> Self {
        self.client_auth = mode;
        self.client_cert = cert;
        self
    }

    fn run(self) -> Pair {
        let anchors = TrustAnchors::from_pem(&certs("ca.pem")).unwrap();
        let client = ClientConfig {
            versions: VersionRange::only(self.version),
            server_name: Some("localhost".into()),
            trust: Some(anchors.clone()),
            client_cert: self
                .client_cert
                .then(|| CertifiedKey::from_pem(&certs("client.pem"), &certs("client.key.pem")).unwrap()),
            deviations: Deviations(self.client),
            ..ClientConfig::default()
        };
        let identity = CertifiedKey::from_pem(&certs("server.chain.pem"), &certs("server.key.pem")).unwrap();
        let server = ServerConfig {
            versions: VersionRange::only(self.version),
            client_auth: self.client_auth,
            client_trust: Some(anchors),
            allow_renegotiation: self.server_renegotiates,
            deviations: Deviations(self.server),
            ..ServerConfig::new(identity)
        };
        let mut pair = Pair::new(Arc::new(client), Arc::new(server), 7, NOW).unwrap();
        pair.pump();
        pair
    }
}

fn completed(pair: &Pair) -> bool {
    !pair.failed() && pair.summary(true).is_some() && pair.summary(false).is_some()
}

/// The fatal alert the client received from the honest server.
fn server_said(pair: &Pair) -> Option<A> {
    match &pair.client_error {
        Some(Error::AlertReceived(a)) => Some(*a),
        other => panic!("client saw no alert but {other:?}; server error {:?}", pair.server_error),
    }
}

/// The fatal alert the server received from the honest client.
fn client_said(pair: &Pair) -> Option<A> {
    match &pair.server_error {
        Some(Error::AlertReceived(a)) => Some(*a),
        other => panic!("server saw no alert but {other:?}; client error {:?}", pair.client_error),
    }
}

const TLS: [V; 3] = [V::Tls10, V::Tls11, V::Tls12];

#[test]
fn corrupt_finished_is_decrypt_error_and_handshake_failure_in_ssl3() {
    for v in TLS {
        let p = Case::new(v).client(Knob::CorruptFinished(ByteFlip { index: 0, xor: 1 })).run();
        assert_eq!(server_said(&p), Some(A::DecryptError), "{v}");
        let p = Case::new(v).server(Knob::CorruptFinished(ByteFlip { index: 11, xor: 0x80 })).run();
        assert_eq!(client_said(&p), Some(A::DecryptError), "{v}");
    }
    let p = Case::new(V::Ssl3).client(Knob::CorruptFinished(ByteFlip { index: 35, xor: 1 })).run();
    assert_eq!(server_said(&p), Some(A::HandshakeFailure));
}

#[test]
fn finished_of_the_wrong_length_is_decode_error() {
    let p = Case::new(V::Tls12).client(Knob::FinishedLength(11)).run();
    assert_eq!(server_said(&p), Some(A::DecodeError));
    let p = Case::new(V::Tls12).client(Knob::FinishedLength(36)).run();
    assert_eq!(server_said(&p), Some(A::DecodeError));
}

#[test]
fn unoffered_suite_and_compression_are_illegal_parameter() {
    let p = Case::new(V::Tls12)
        .client(Knob::OfferSuites(vec![CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA]))
        .server(Knob::SelectSuite(CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA))
        .run();
    assert_eq!(client_said(&p), Some(A::IllegalParameter));
    let p = Case::new(V::Tls11).server(Knob::SelectSuite(CipherSuite::Unknown(0x1301))).run();
    assert_eq!(client_said(&p), Some(A::IllegalParameter));
    let p = Case::new(V::Tls10).server(Knob::SelectCompression(Compression::Deflate)).run();
    assert_eq!(client_said(&p), Some(A::IllegalParameter));
}

#[test]
fn offers_without_a_common_suite_or_null_compression_are_refused() {
    let p = Case::new(V::Tls12).client(Knob::OfferSuites(vec![CipherSuite::Unknown(0x1301)])).run();
    assert_eq!(server_said(&p), Some(A::HandshakeFailure));
    let p = Case::new(V::Tls12).client(Knob::OfferSuites(vec![])).run();
    assert_eq!(server_said(&p), Some(A::DecodeError));
    let p = Case::new(V::Tls12).client(Knob::OfferCompression(vec![Compression::Deflate])).run();
    assert_eq!(server_said(&p), Some(A::DecodeError));
}

#[test]
fn skipped_reordered_and_early_messages_are_unexpected() {
    let unexpected = |p: &Pair, client_side: bool| {
        let a = if client_side { client_said(p) } else { server_said(p) };
        assert_eq!(a, Some(A::UnexpectedMessage));
    };
    unexpected(&Case::new(V::Tls12).server(Knob::Skip(H::Certificate)).run(), true);
    unexpected(
        &Case::new(V::Tls12)
            .server(Knob::Hold { message: H::Certificate, until_after: H::ServerHelloDone })
            .run(),
        true,
    );
    unexpected(&Case::new(V::Tls11).server(Knob::CcsBefore(H::Certificate)).run(), true);
    unexpected(&Case::new(V::Tls10).client(Knob::CcsNever).run(), false);
    unexpected(&Case::new(V::Tls12).client(Knob::CcsTwice).run(), false);
    unexpected(
        &Case::new(V::Tls12)
            .server(Knob::InjectHandshake {
                at: Anchor::After(H::Certificate),
                typ: H::ServerKeyExchange,
                body: Payload::Filler(8),
            })
            .run(),
        true,
    );
    unexpected(
        &Case::new(V::Tls12)
            .client(Knob::InjectRecord {
                at: Anchor::Before(H::ClientKeyExchange),
                content_type: ContentType::Unknown(99),
                payload: Payload::Filler(4),
            })
            .run(),
        false,
    );
    unexpected(
        &Case::new(V::Tls12)
            .auth(ClientAuthMode::Request, true)
            .client(Knob::Skip(H::CertificateVerify))
            .run(),
        false,
    );
}

#[test]
fn malformed_change_cipher_spec_and_cut_messages_are_decode_errors() {
    let p = Case::new(V::Tls12).client(Knob::CcsBody(Payload::Hex(vec![2, 1]))).run();
    assert_eq!(server_said(&p), Some(A::DecodeError));
    let p = Case::new(V::Tls12).client(Knob::TruncateBody { message: H::ClientKeyExchange, by: 1 }).run();
    assert_eq!(server_said(&p), Some(A::DecodeError));
    let p = Case::new(V::Tls12)
        .server(Knob::PadBody { message: H::ServerHelloDone, bytes: Payload::Filler(1) })
        .run();
    assert_eq!(client_said(&p), Some(A::DecodeError));
}

#[test]
fn every_bad_premaster_gets_the_same_alert_as_a_wrong_version() {
    // RFC 5246 7.4.7.1: no padding oracle. Each bad padding, a bad
    // premaster length and a wrong premaster version must look the same.
    for v in [V::Ssl3, V::Tls10, V::Tls12] {
        let knobs = [
            Knob::PremasterVersion(V::Tls10),
            Knob::PremasterVersion(V::Ssl2),
            Knob::PremasterLength(47),
            Knob::PremasterLength(49),
            Knob::Pkcs1(Pkcs1Tweak { block_type: Some(1), ..Pkcs1Tweak::default() }),
            Knob::Pkcs1(Pkcs1Tweak { zero_in_padding: Some(3), ..Pkcs1Tweak::default() }),
            Knob::Pkcs1(Pkcs1Tweak { no_separator: true, ..Pkcs1Tweak::default() }),
            Knob::Pkcs1(Pkcs1Tweak { short_padding: Some(4), ..Pkcs1Tweak::default() }),
            Knob::CiphertextLengthDelta(-1),
            Knob::CiphertextLengthDelta(1),
        ];
        let alerts: Vec<Option<A>> = knobs
            .iter()
            .filter(|k| v != V::Tls10 || **k != Knob::PremasterVersion(V::Tls10))
            .map(|k| server_said(&Case::new(v).client(k.clone()).run()))
            .collect();
        // The server derives other keys than the client, so the client's
        // encrypted Finished fails its MAC before verify_data is compared.
        let expected = A::BadRecordMac;
        assert!(alerts.iter().all(|a| *a == Some(expected)), "{v}: {alerts:?}");
    }
}

#[test]
fn record_tweaks_are_bad_record_mac() {
    for tweak in [
        SealTweak { corrupt_mac: Some(ByteFlip { index: 0, xor: 1 }), ..SealTweak::default() },
        SealTweak { corrupt_padding: Some(ByteFlip { index: 0, xor: 1 }), ..SealTweak::default() },
        SealTweak { corrupt_padding: Some(ByteFlip { index: 1, xor: 1 }), ..SealTweak::default() },
    ] {
        let p = Case::new(V::Tls12)
            .client(Knob::OfferSuites(vec![CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA]))
            .client(Knob::TweakRecord { on: Some(H::Finished), tweak: tweak.clone() })
            .run();
        assert_eq!(server_said(&p), Some(A::BadRecordMac), "{tweak:?}");
    }
    // SSL 3.0 padding must be shorter than a block (RFC 6101 5.2.3.2).
    let p = Case::new(V::Ssl3)
        .client(Knob::OfferSuites(vec![CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA]))
        .client(Knob::TweakRecord {
            on: Some(H::Finished),
            tweak: SealTweak { padding_len: Some(200), ..SealTweak::default() },
        })
        .run();
    assert_eq!(server_said(&p), Some(A::BadRecordMac));
}

#[test]
fn fragmented_coalesced_and_warning_interleaved_handshakes_complete() {
    for knobs in [
        vec![Knob::FragmentHandshake(1)],
        vec![Knob::CoalesceHandshake],
        vec![Knob::CoalesceHandshake, Knob::FragmentHandshake(7)],
        vec![Knob::InjectAlert {
            at: Anchor::Before(H::ClientKeyExchange),
            level: AlertLevel::Warning,
            description: A::UserCanceled,
        }],
        vec![Knob::InjectRecord {
            at: Anchor::Before(H::ClientKeyExchange),
            content_type: ContentType::ApplicationData,
            payload: Payload::Filler(0),
        }],
    ] {
        for v in [V::Ssl3, V::Tls12] {
            let p = Case::new(v).auth(ClientAuthMode::Require, true).client(knobs[0].clone()).run();
            assert!(completed(&p), "{v} {knobs:?}: {p:#?}");
            let mut case = Case::new(v);
            for k in &knobs {
                case = case.server(k.clone());
            }
            assert!(completed(&case.run()), "{v} server {knobs:?}");
        }
    }
}

#[test]
fn wrong_record_version_is_protocol_version() {
    let p = Case::new(V::Tls12).client(Knob::RecordVersion(V::Tls10)).run();
    // The first record carries the ClientHello, where any 3.x is fine; the
    // ClientKeyExchange record is then refused.
    assert_eq!(server_said(&p), Some(A::ProtocolVersion));
}

#[test]
fn client_certificate_answers_and_signatures() {
    let p = Case::new(V::Tls12).auth(ClientAuthMode::Require, true).client(Knob::EmptyCertificate).run();
    assert_eq!(server_said(&p), Some(A::HandshakeFailure));
    let p = Case::new(V::Ssl3).auth(ClientAuthMode::Require, true).client(Knob::NoCertificateAlert).run();
    assert_eq!(server_said(&p), Some(A::HandshakeFailure));
    let p = Case::new(V::Ssl3).auth(ClientAuthMode::Request, true).client(Knob::NoCertificateAlert).run();
    assert!(completed(&p));
    let p = Case::new(V::Tls10).auth(ClientAuthMode::Request, true).client(Knob::EmptyCertificate).run();
    assert!(completed(&p));
    for v in TLS {
        let p = Case::new(v)
            .auth(ClientAuthMode::Request, true)
            .client(Knob::CorruptCertificateVerify(ByteFlip { index: 5, xor: 1 }))
            .run();
        assert_eq!(server_said(&p), Some(A::DecryptError), "{v}");
    }
    let p = Case::new(V::Tls12)
        .auth(ClientAuthMode::Request, true)
        .client(Knob::CertificateVerifyHash(shakedown_engine::msgs::enums::HashAlgorithm::Md5))
        .run();
    assert_eq!(server_said(&p), Some(A::IllegalParameter));
}

/// RFC 5246 4.7: a verifier accepts a DigestInfo without parameters as
/// well as one with NULL; the knob's signature is such a one, and the
/// honest server takes it (before the fix it answered decrypt_error).
#[test]
fn a_certificate_verify_without_null_parameters_is_accepted() {
    let p = Case::new(V::Tls12)
        .auth(ClientAuthMode::Require, true)
        .client(Knob::CertificateVerifyWithoutNull)
        .run();
    assert!(completed(&p), "{p:#?}");
}

#[test]
fn secure_renegotiation_completes_when_allowed_and_is_declined_otherwise() {
    for v in TLS {
        let mut case = Case::new(v).client(Knob::Renegotiate);
        case.server_renegotiates = true;
        let p = case.run();
        let count = |events: &[ConnectionEvent]| {
            events.iter().filter(|e| matches!(e, ConnectionEvent::HandshakeComplete(_))).count()
        };
        assert!(!p.failed(), "{v}: {p:#?}");
        assert_eq!((count(&p.client_events), count(&p.server_events)), (2, 2), "{v}");
        let p = Case::new(v).client(Knob::Renegotiate).run();
        assert!(p.client_events.contains(&ConnectionEvent::WarningAlert(A::NoRenegotiation)), "{v}");
    }
    // Without RFC 5746 in the first handshake the server refuses (4.4).
    let mut case = Case::new(V::Tls12)
        .client(Knob::Renegotiate)
        .client(Knob::OmitExtension(ExtensionType::RenegotiationInfo));
    case.server_renegotiates = true;
    assert_eq!(server_said(&case.run()), Some(A::NoRenegotiation));
    // A server-initiated HelloRequest is declined by the honest client.
    let p = Case::new(V::Tls12).server(Knob::Renegotiate).run();
    assert!(p.server_events.contains(&ConnectionEvent::WarningAlert(A::NoRenegotiation)));
}

/// RFC 5246 6.2.1: application data may come between the messages of a
/// renegotiation, and the receiver takes it: the injected record arrives
/// between the two HandshakeComplete events, and only in the renegotiation.
#[test]
fn application_data_inside_a_renegotiation_is_delivered() {
    let knob = Knob::RenegotiationInjectRecord {
        at: Anchor::Before(H::ClientKeyExchange),
        content_type: ContentType::ApplicationData,
        payload: Payload::Hex(b"interleaved".to_vec()),
    };
    for v in TLS {
        let mut case = Case::new(v).client(Knob::Renegotiate).client(knob.clone());
        case.server_renegotiates = true;
        let p = case.run();
        assert!(!p.failed(), "{v}: {p:#?}");
        let order: Vec<&str> = p
            .server_events
            .iter()
            .filter_map(|e| match e {
                ConnectionEvent::HandshakeComplete(_) => Some("handshake"),
                ConnectionEvent::ApplicationData(d) if d == b"interleaved" => Some("data"),
                _ => None,
            })
            .collect();
        assert_eq!(order, ["handshake", "data", "handshake"], "{v}");
    }
}

#[test]
fn knobs_are_reproducible() {
    let run = || {
        let mut p = Case::new(V::Tls12)
            .client(Knob::FragmentHandshake(3))
            .client(Knob::CorruptFinished(ByteFlip { index: 1, xor: 4 }))
            .run();
        (p.client.take_output(), format!("{:?}", p.server_error))
    };
    assert_eq!(run(), run());
}

#[test]
fn hello_request_mid_handshake_is_ignored_and_kept_out_of_the_hashes() {
    // RFC 5246 7.4.1.1, both ways the knobs can send it.
    for knob in [
        Knob::InjectHandshake {
            at: Anchor::Before(H::ServerHelloDone),
            typ: H::HelloRequest,
            body: Payload::Hex(vec![]),
        },
        Knob::InjectRecord {
            at: Anchor::Before(H::ServerHelloDone),
            content_type: ContentType::Handshake,
            payload: Payload::Hex(vec![0; 4]),
        },
    ] {
        for v in [V::Ssl3, V::Tls12] {
            let p = Case::new(v).server(knob.clone()).run();
            assert!(completed(&p), "{v} {knob:?}: {p:#?}");
        }
    }
}

/// The limits on what a peer may send in a row (record_layer.rs):
/// 32 empty records and 4 warning alerts pass, one more is
/// unexpected_message.
#[test]
fn empty_record_and_warning_alert_limits_hold_at_their_edges() {
    let empties = |n: usize| {
        (0..n)
            .map(|_| Knob::InjectRecord {
                at: Anchor::Before(H::ClientKeyExchange),
                content_type: ContentType::ApplicationData,
                payload: Payload::Filler(0),
            })
            .collect::<Vec<_>>()
    };
    let warnings = |n: usize| {
        (0..n)
            .map(|_| Knob::InjectAlert {
                at: Anchor::Before(H::ClientKeyExchange),
                level: AlertLevel::Warning,
                description: A::UserCanceled,
            })
            .collect::<Vec<_>>()
    };
    for (knobs, ok) in [(empties(32), true), (empties(33), false), (warnings(4), true), (warnings(5), false)]
    {
        let n = knobs.len();
        let mut case = Case::new(V::Tls12);
        case.client = knobs;
        let p = case.run();
        if ok {
            assert!(completed(&p), "{n} in a row must pass: {p:#?}");
        } else {
            assert_eq!(server_said(&p), Some(A::UnexpectedMessage), "{n} in a row");
        }
    }
}
