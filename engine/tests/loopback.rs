//! Engine client against engine server, in memory: every version x suite x
//! client-auth mode, resumption, and the failures the RFCs name.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::sync::Arc;

use shakedown_engine::config::CertifiedKey;
use shakedown_engine::crypto::SeededRandom;
use shakedown_engine::msgs::enums::{AlertDescription, ProtocolVersion};
use shakedown_engine::pair::Pair;
use shakedown_engine::suites::ALL_SUITES;
use shakedown_engine::x509::TrustAnchors;
use shakedown_engine::{
    ClientAuthMode, ClientConfig, Connection, ConnectionEvent, Error, ServerConfig, VersionRange,
};

/// 2026-11-29: inside the shipped certificates' validity.
const NOW: i64 = 1_795_910_400;

fn certs(name: &str) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/certs/");
    std::fs::read_to_string(format!("{dir}{name}")).unwrap()
}

fn server_identity() -> CertifiedKey {
    CertifiedKey::from_pem(&certs("server.chain.pem"), &certs("server.key.pem")).unwrap()
}

fn client_identity() -> CertifiedKey {
    CertifiedKey::from_pem(&certs("client.pem"), &certs("client.key.pem")).unwrap()
}

fn anchors() -> TrustAnchors {
    TrustAnchors::from_pem(&certs("ca.pem")).unwrap()
}

fn client_config(version: ProtocolVersion) -> ClientConfig {
    ClientConfig {
        versions: VersionRange::only(version),
        server_name: Some("localhost".into()),
        trust: Some(anchors()),
        ..ClientConfig::default()
    }
}

fn server_config(version: ProtocolVersion) -> ServerConfig {
    ServerConfig {
        versions: VersionRange::only(version),
        client_trust: Some(anchors()),
        ..ServerConfig::new(server_identity())
    }
}

fn handshake(client: ClientConfig, server: Arc<ServerConfig>, seed: u64) -> Pair {
    let mut pair = Pair::new(Arc::new(client), server, seed, NOW).unwrap();
    pair.handshake_and_exchange(b"ping", b"pong");
    pair
}

fn summary(pair: &Pair, client: bool) -> &shakedown_engine::HandshakeSummary {
    pair.summary(client).unwrap_or_else(|| panic!("no handshake: {pair:#?}"))
}

#[test]
fn every_version_suite_and_client_auth_mode_completes() {
    let mut ran = 0;
    for version in ProtocolVersion::SUPPORTED {
        for suite in ALL_SUITES.iter().filter(|s| s.usable_with(version)) {
            for mode in [ClientAuthMode::Off, ClientAuthMode::Request, ClientAuthMode::Require] {
                for with_cert in [false, true] {
                    if mode == ClientAuthMode::Require && !with_cert {
                        continue;
                    }
                    let client = ClientConfig {
                        suites: vec![suite.suite],
                        client_cert: with_cert.then(client_identity),
                        ..client_config(version)
                    };
                    let server = Arc::new(ServerConfig { client_auth: mode, ..server_config(version) });
                    let out = handshake(client, server, ran);
                    let what = format!("{version} {} {mode:?} cert={with_cert}", suite.openssl_name);
                    assert!(out.client_error.is_none() && out.server_error.is_none(), "{what}: {out:#?}");
                    let cs = summary(&out, true);
                    assert_eq!((cs.version, cs.suite), (version, suite.suite), "{what}");
                    let ss = summary(&out, false);
                    let client_cert_sent = mode != ClientAuthMode::Off && with_cert;
                    assert_eq!(ss.peer_certificates.len(), usize::from(client_cert_sent), "{what}");
                    assert!(
                        out.client_events.contains(&ConnectionEvent::ApplicationData(b"pong".to_vec())),
                        "{what}"
                    );
                    assert!(
                        out.server_events.contains(&ConnectionEvent::ApplicationData(b"ping".to_vec())),
                        "{what}"
                    );
                    // Every Finished and CertificateVerify finished a copy
                    // of a digest that ran as the messages came.
                    assert_eq!(out.client.transcript_rehashes(), 0, "{what}: client rehashed its transcript");
                    assert_eq!(out.server.transcript_rehashes(), 0, "{what}: server rehashed its transcript");
                    ran += 1;
                }
            }
        }
    }
    // 7 suites in SSL 3.0, TLS 1.0 and 1.1; 12 in TLS 1.2; 5 auth cases each.
    assert_eq!(ran, (7 * 3 + 12) * 5);
}

/// Provider A on one side and B on the other, every ordered pair of the
/// providers compiled in (with `openssl-provider`: RustCrypto against
/// OpenSSL both ways), every version and suite, with a client certificate
/// (so both sides sign and verify) and encrypt_then_mac on, then a
/// resumption: the providers must agree byte for byte.
#[test]
fn every_provider_pair_completes_every_version_and_suite() {
    use shakedown_engine::crypto::providers;
    let mut ran = 0;
    for a in providers::available() {
        for b in providers::available() {
            for version in ProtocolVersion::SUPPORTED {
                for suite in ALL_SUITES.iter().filter(|s| s.usable_with(version)) {
                    let what =
                        format!("client {} server {} {version} {}", a.name(), b.name(), suite.openssl_name);
                    let client = ClientConfig {
                        suites: vec![suite.suite],
                        client_cert: Some(client_identity()),
                        encrypt_then_mac: true,
                        provider: a.clone(),
                        ..client_config(version)
                    };
                    let server = Arc::new(ServerConfig {
                        client_auth: ClientAuthMode::Require,
                        encrypt_then_mac: true,
                        provider: b.clone(),
                        ..server_config(version)
                    });
                    let first = handshake(client.clone(), server.clone(), ran);
                    assert!(
                        first.client_error.is_none() && first.server_error.is_none(),
                        "{what}: {first:#?}"
                    );
                    assert!(
                        first.server_events.contains(&ConnectionEvent::ApplicationData(b"ping".to_vec())),
                        "{what}"
                    );
                    let session = summary(&first, true).session.clone();
                    let again = handshake(ClientConfig { resume: Some(session), ..client }, server, ran + 1);
                    assert!(summary(&again, true).resumed, "{what}: not resumed");
                    assert!(
                        again.client_events.contains(&ConnectionEvent::ApplicationData(b"pong".to_vec())),
                        "{what}"
                    );
                    for (side, conn) in [("client", &again.client), ("server", &again.server)] {
                        assert_eq!(
                            conn.transcript_rehashes(),
                            0,
                            "{what}: resumed {side} rehashed its transcript"
                        );
                    }
                    ran += 1;
                }
            }
        }
    }
    let n = providers::available().len() as u64;
    assert_eq!(ran, (7 * 3 + 12) * n * n);
}

#[test]
fn resumption_by_session_id_for_every_version() {
    for version in ProtocolVersion::SUPPORTED {
        let server = Arc::new(server_config(version));
        let first = handshake(client_config(version), server.clone(), 1);
        let session = summary(&first, true).session.clone();
        assert!(!summary(&first, true).resumed);
        let second =
            handshake(ClientConfig { resume: Some(session.clone()), ..client_config(version) }, server, 3);
        let s = summary(&second, true);
        assert!(s.resumed, "{version}: {second:#?}");
        assert!(summary(&second, false).resumed);
        assert_eq!(s.session_id, session.session_id);
    }
}

#[test]
fn unknown_session_id_falls_back_to_a_full_handshake() {
    let version = ProtocolVersion::Tls12;
    let first = handshake(client_config(version), Arc::new(server_config(version)), 1);
    let session = summary(&first, true).session.clone();
    // A different server (empty cache) does not know the id.
    let out = handshake(
        ClientConfig { resume: Some(session), ..client_config(version) },
        Arc::new(server_config(version)),
        5,
    );
    assert!(!summary(&out, true).resumed);
}

#[test]
fn required_client_certificate_missing_is_handshake_failure() {
    for version in ProtocolVersion::SUPPORTED {
        let server =
            Arc::new(ServerConfig { client_auth: ClientAuthMode::Require, ..server_config(version) });
        let out = handshake(client_config(version), server, 9);
        assert!(out.server_error.is_some(), "{version}");
        assert_eq!(
            out.client_error,
            Some(Error::AlertReceived(AlertDescription::HandshakeFailure)),
            "{version}"
        );
    }
}

#[test]
fn no_common_suite_is_handshake_failure() {
    let version = ProtocolVersion::Tls12;
    let client = ClientConfig { suites: vec![ALL_SUITES[0].suite], ..client_config(version) };
    let server = Arc::new(ServerConfig { suites: vec![ALL_SUITES[1].suite], ..server_config(version) });
    let out = handshake(client, server, 11);
    assert_eq!(out.client_error, Some(Error::AlertReceived(AlertDescription::HandshakeFailure)));
}

#[test]
fn untrusted_client_certificate_is_unknown_ca() {
    let version = ProtocolVersion::Tls12;
    let untrusted =
        CertifiedKey::from_pem(&certs("untrusted-client.pem"), &certs("untrusted-client.key.pem")).unwrap();
    let client = ClientConfig { client_cert: Some(untrusted), ..client_config(version) };
    let server = Arc::new(ServerConfig { client_auth: ClientAuthMode::Request, ..server_config(version) });
    let out = handshake(client, server, 13);
    assert_eq!(out.client_error, Some(Error::AlertReceived(AlertDescription::UnknownCa)));
}

#[test]
fn same_seed_sends_identical_bytes() {
    let run = || {
        let mut c = Connection::client(
            Arc::new(client_config(ProtocolVersion::Tls12)),
            Box::new(SeededRandom::from_seed(42)),
            NOW,
        )
        .unwrap();
        c.take_output()
    };
    assert_eq!(run(), run());
}

#[test]
fn insecure_fuzzing_provider_completes_and_sends_cleartext() {
    use shakedown_engine::crypto::provider::InsecureFuzzing;
    let version = ProtocolVersion::Tls12;
    let client = ClientConfig {
        provider: Arc::new(InsecureFuzzing),
        client_cert: Some(client_identity()),
        ..client_config(version)
    };
    let server = Arc::new(ServerConfig {
        provider: Arc::new(InsecureFuzzing),
        client_auth: ClientAuthMode::Require,
        ..server_config(version)
    });
    let mut out = Pair::new(Arc::new(client), server, 1, NOW).unwrap();
    out.pump();
    assert!(!out.failed(), "{out:#?}");
    summary(&out, true);
    let c = &mut out.client;
    c.send_application_data(b"visible").unwrap();
    let wire = c.take_output();
    assert!(wire.windows(7).any(|w| w == b"visible"), "the fuzzing provider must not encrypt");
}

/// RFC 5246 7.2.2: a connection ended by a fatal alert invalidates its
/// session, whichever side sent it: the server forgets it (the next offer
/// gets a full handshake) and the client is told not to offer it.
#[test]
fn a_fatal_alert_invalidates_the_session_on_both_sides() {
    for version in ProtocolVersion::SUPPORTED {
        for client_aborts in [true, false] {
            let server = Arc::new(server_config(version));
            let mut first = handshake(client_config(version), server.clone(), 1);
            let session = summary(&first, true).session.clone();
            assert!(first.client.session_resumable() && first.server.session_resumable());
            assert_eq!(server.session_cache.len(), 1, "{version}");
            match client_aborts {
                true => first.client.abort(AlertDescription::InternalError),
                false => first.server.abort(AlertDescription::InternalError),
            }
            first.pump();
            assert!(!first.client.session_resumable(), "{version} client_aborts={client_aborts}");
            assert!(!first.server.session_resumable(), "{version} client_aborts={client_aborts}");
            assert!(server.session_cache.is_empty(), "{version} client_aborts={client_aborts}");
            let second =
                handshake(ClientConfig { resume: Some(session), ..client_config(version) }, server, 3);
            assert!(!summary(&second, true).resumed, "{version} client_aborts={client_aborts}");
        }
    }
}

/// A close_notify leaves the session resumable (RFC 5246 7.2.1 no longer
/// ties resumption to a proper close, and nothing went wrong here).
#[test]
fn close_notify_keeps_the_session() {
    let version = ProtocolVersion::Tls12;
    let server = Arc::new(server_config(version));
    let mut first = handshake(client_config(version), server.clone(), 1);
    first.client.close();
    first.pump();
    assert!(first.client.session_resumable() && first.server.session_resumable());
    assert_eq!(server.session_cache.len(), 1);
}
