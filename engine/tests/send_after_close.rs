//! A peer may send close_notify in the same flight as its Finished (OpenSSL
//! s_server does when its input ends). The client then completes the
//! handshake and is closed at once: sending must say so, never report a
//! configuration error (the `shakedown connect --send` race of TLS 1.0).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::sync::Arc;

use shakedown_engine::config::CertifiedKey;
use shakedown_engine::deviate::{Anchor, Deviations, Knob};
use shakedown_engine::error::CannotSend;
use shakedown_engine::msgs::enums::{AlertDescription, AlertLevel, ProtocolVersion as V};
use shakedown_engine::pair::Pair;
use shakedown_engine::{ClientConfig, ConnectionEvent, Error, ServerConfig, VersionRange};

fn certs(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../vectors/certs/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn close_notify_with_the_servers_finished_refuses_sending_as_closed() {
    for v in [V::Ssl3, V::Tls10, V::Tls11, V::Tls12] {
        let identity = CertifiedKey::from_pem(&certs("server.chain.pem"), &certs("server.key.pem")).unwrap();
        let server = ServerConfig {
            versions: VersionRange::only(v),
            deviations: Deviations(vec![Knob::InjectAlert {
                at: Anchor::AfterHandshake,
                level: AlertLevel::Warning,
                description: AlertDescription::CloseNotify,
            }]),
            ..ServerConfig::new(identity)
        };
        let client = ClientConfig { versions: VersionRange::only(v), ..ClientConfig::default() };
        let mut pair = Pair::new(Arc::new(client), Arc::new(server), 3, 1_795_910_400).unwrap();
        pair.pump();
        assert!(pair.summary(true).is_some(), "{v:?}: {:?}", pair.client_error);
        assert!(pair.client_events.contains(&ConnectionEvent::PeerClosed), "{v:?}");
        assert_eq!(
            pair.client.send_application_data(b"hello"),
            Err(Error::CannotSend(CannotSend::Closed)),
            "{v:?}"
        );
    }
}

#[test]
fn sending_before_the_handshake_is_refused_as_handshaking() {
    let mut client = shakedown_engine::Connection::client(
        Arc::new(ClientConfig::default()),
        Box::new(shakedown_engine::crypto::SeededRandom::from_seed(1)),
        0,
    )
    .unwrap();
    assert_eq!(client.send_application_data(b"x"), Err(Error::CannotSend(CannotSend::Handshaking)));
}
