//! Each flaw of the built-in peer against a misbehaving engine: the flawed
//! side accepts what the honest side refuses, and the honest side still
//! refuses it (so the flaw, not the knob, makes the difference).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::sync::Arc;

use shakedown_engine::config::CertifiedKey;
use shakedown_engine::crypto::record::ByteFlip;
use shakedown_engine::crypto::rsa_kx::Pkcs1Tweak;
use shakedown_engine::deviate::{Deviations, Knob};
use shakedown_engine::flaw::{Flaw, Flaws};
use shakedown_engine::msgs::enums::{AlertDescription as A, HandshakeType as H, ProtocolVersion as V};
use shakedown_engine::pair::Pair;
use shakedown_engine::x509::TrustAnchors;
use shakedown_engine::{ClientAuthMode, ClientConfig, Error, ServerConfig, VersionRange};

const NOW: i64 = 1_795_910_400;

fn certs(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../vectors/certs/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A handshake at `version` where the client carries `client_knobs` and
/// `client_flaws`, and the server `server_knobs` and `server_flaws`.
fn run(
    version: V,
    client_knobs: Vec<Knob>,
    client_flaws: &[Flaw],
    server_knobs: Vec<Knob>,
    server_flaws: &[Flaw],
    client_auth: ClientAuthMode,
) -> Pair {
    let anchors = TrustAnchors::from_pem(&certs("ca.pem")).unwrap();
    let client = ClientConfig {
        versions: VersionRange::only(version),
        server_name: Some("localhost".into()),
        trust: Some(anchors.clone()),
        client_cert: Some(CertifiedKey::from_pem(&certs("client.pem"), &certs("client.key.pem")).unwrap()),
        deviations: Deviations(client_knobs),
        flaws: client_flaws.iter().copied().collect(),
        ..ClientConfig::default()
    };
    let identity = CertifiedKey::from_pem(&certs("server.chain.pem"), &certs("server.key.pem")).unwrap();
    let server = ServerConfig {
        versions: VersionRange::only(version),
        client_auth,
        client_trust: Some(anchors),
        deviations: Deviations(server_knobs),
        flaws: server_flaws.iter().copied().collect::<Flaws>(),
        ..ServerConfig::new(identity)
    };
    let mut pair = Pair::new(Arc::new(client), Arc::new(server), 11, NOW).unwrap();
    pair.pump();
    pair
}

fn completed(pair: &Pair) -> bool {
    !pair.failed() && pair.summary(true).is_some() && pair.summary(false).is_some()
}

const ALL: [V; 4] = [V::Ssl3, V::Tls10, V::Tls11, V::Tls12];

#[test]
fn accept_bad_finished_server_takes_a_corrupt_client_finished() {
    let bad = || vec![Knob::CorruptFinished(ByteFlip { index: 0, xor: 1 })];
    for v in ALL {
        let honest = run(v, bad(), &[], vec![], &[], ClientAuthMode::Off);
        assert!(!completed(&honest), "{v:?}: the honest server accepted a bad Finished");
        let flawed = run(v, bad(), &[], vec![], &[Flaw::AcceptBadFinished], ClientAuthMode::Off);
        assert!(flawed.summary(false).is_some(), "{v:?}: {:?}", flawed.server_error);
    }
}

#[test]
fn accept_bad_finished_client_takes_a_corrupt_server_finished() {
    let bad = || vec![Knob::CorruptFinished(ByteFlip { index: 3, xor: 0x80 })];
    for v in ALL {
        let honest = run(v, vec![], &[], bad(), &[], ClientAuthMode::Off);
        assert!(honest.summary(true).is_none(), "{v:?}: the honest client accepted a bad Finished");
        let flawed = run(v, vec![], &[Flaw::AcceptBadFinished], bad(), &[], ClientAuthMode::Off);
        assert!(flawed.summary(true).is_some(), "{v:?}: {:?}", flawed.client_error);
    }
}

#[test]
fn skip_certificate_verify_server_takes_an_unproven_certificate() {
    let skip = || vec![Knob::Skip(H::CertificateVerify)];
    for v in ALL {
        let honest = run(v, skip(), &[], vec![], &[], ClientAuthMode::Require);
        assert!(!completed(&honest), "{v:?}");
        assert!(
            matches!(honest.client_error, Some(Error::AlertReceived(A::UnexpectedMessage))),
            "{v:?}: {:?}",
            honest.client_error
        );
        let flawed = run(v, skip(), &[], vec![], &[Flaw::SkipCertificateVerify], ClientAuthMode::Require);
        assert!(completed(&flawed), "{v:?}: {:?} / {:?}", flawed.client_error, flawed.server_error);
        // The flaw only opens the skip: an honest client still gets through.
        let honest_client =
            run(v, vec![], &[], vec![], &[Flaw::SkipCertificateVerify], ClientAuthMode::Require);
        assert!(completed(&honest_client), "{v:?}");
    }
}

#[test]
fn slow_bad_padding_changes_time_only_never_the_answer() {
    // The timing flaw must not change what the server says: bad padding
    // still ends at Finished (RFC 5246 7.4.7.1), and a good premaster
    // still completes. Its time is the timing probe's to measure.
    for v in ALL {
        let bad = run(
            v,
            vec![Knob::Pkcs1(Pkcs1Tweak { block_type: Some(1), ..Pkcs1Tweak::default() })],
            &[],
            vec![],
            &[Flaw::SlowBadPadding],
            ClientAuthMode::Off,
        );
        let honest = run(
            v,
            vec![Knob::Pkcs1(Pkcs1Tweak { block_type: Some(1), ..Pkcs1Tweak::default() })],
            &[],
            vec![],
            &[],
            ClientAuthMode::Off,
        );
        assert_eq!(format!("{:?}", bad.client_error), format!("{:?}", honest.client_error), "{v:?}");
        assert!(bad.client_error.is_some(), "{v:?}");
        let good = run(v, vec![], &[], vec![], &[Flaw::SlowBadPadding], ClientAuthMode::Off);
        assert!(completed(&good), "{v:?}");
    }
}
