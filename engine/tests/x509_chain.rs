//! Chain validation against the shipped certificates in vectors/certs/
//! (made by vectors/certs/make.sh; see its README.md).

// Test helpers outside #[test] functions panic on purpose too.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use shakedown_engine::msgs::enums::AlertDescription;
use shakedown_engine::x509::{
    CertError, Purpose, TrustAnchors, VerifyOptions, leaf_public_key, load_pem_certs, load_private_key_pem,
    verify_chain,
};

macro_rules! cert_file {
    ($name:literal) => {
        include_str!(concat!("../../vectors/certs/", $name))
    };
}

/// 2025-06-15T12:00:00Z, inside every good certificate's 2024..2099 window.
const NOW: i64 = 1_750_000_000;
/// 2000-06-01T00:00:00Z, inside the expired client certificate's window.
const IN_2000: i64 = 959_817_600;

fn anchors() -> TrustAnchors {
    TrustAnchors::from_pem(cert_file!("ca.pem")).unwrap()
}

fn chain(pem: &str) -> Vec<Vec<u8>> {
    load_pem_certs(pem).unwrap()
}

fn server_opts(name: Option<&str>) -> VerifyOptions<'_> {
    VerifyOptions { now_unix: NOW, server_name: name, purpose: Purpose::ServerAuth }
}

fn client_opts(now: i64) -> VerifyOptions<'static> {
    VerifyOptions { now_unix: now, server_name: None, purpose: Purpose::ClientAuth }
}

#[test]
fn server_chain_verifies_for_localhost() {
    let server = chain(cert_file!("server.chain.pem"));
    assert_eq!(server.len(), 2);
    let leaf = verify_chain(&server, &anchors(), &server_opts(Some("localhost"))).unwrap();
    assert_eq!(leaf.subject, "O=shakedown test, CN=localhost");
    assert_eq!(leaf.anchor_subject, "O=shakedown test, CN=shakedown test root CA");
    assert_eq!(leaf.path_len, 2);
    let key = load_private_key_pem(cert_file!("server.key.pem")).unwrap();
    assert_eq!(leaf.public_key, key.to_public_key());
}

#[test]
fn server_name_matches_case_insensitively_and_by_ip() {
    let server = chain(cert_file!("server.chain.pem"));
    for name in ["LocalHost", "localhost.", "127.0.0.1"] {
        verify_chain(&server, &anchors(), &server_opts(Some(name))).unwrap();
    }
    verify_chain(&server, &anchors(), &server_opts(None)).unwrap();
}

#[test]
fn server_chain_fails_for_another_name() {
    let server = chain(cert_file!("server.chain.pem"));
    for name in ["example.com", "127.0.0.2", "::1", "localhost.localdomain"] {
        let err = verify_chain(&server, &anchors(), &server_opts(Some(name))).unwrap_err();
        assert_eq!(err, CertError::NameMismatch, "{name}");
        assert_eq!(err.alert(), AlertDescription::BadCertificate);
    }
}

#[test]
fn server_leaf_without_its_intermediate_has_unknown_issuer() {
    let server = chain(cert_file!("server.pem"));
    let err = verify_chain(&server, &anchors(), &server_opts(Some("localhost"))).unwrap_err();
    assert_eq!(err, CertError::UnknownIssuer { index: 0 });
    assert_eq!(err.alert(), AlertDescription::UnknownCa);
}

#[test]
fn intermediate_or_leaf_may_be_the_anchor() {
    let server = chain(cert_file!("server.pem"));
    let int = TrustAnchors::from_pem(cert_file!("int.pem")).unwrap();
    assert_eq!(verify_chain(&server, &int, &server_opts(Some("localhost"))).unwrap().path_len, 1);
    let itself = TrustAnchors::from_pem(cert_file!("server.pem")).unwrap();
    verify_chain(&server, &itself, &server_opts(Some("localhost"))).unwrap();
}

#[test]
fn chain_that_repeats_the_root_verifies() {
    let mut server = chain(cert_file!("server.chain.pem"));
    server.extend(chain(cert_file!("ca.pem")));
    assert_eq!(verify_chain(&server, &anchors(), &server_opts(Some("localhost"))).unwrap().path_len, 2);
}

#[test]
fn sha1_signed_leaf_verifies() {
    let server = chain(cert_file!("server-sha1.chain.pem"));
    verify_chain(&server, &anchors(), &server_opts(Some("localhost"))).unwrap();
}

#[test]
fn client_cert_verifies_for_client_auth() {
    let client = chain(cert_file!("client.pem"));
    let leaf = verify_chain(&client, &anchors(), &client_opts(NOW)).unwrap();
    assert_eq!(leaf.subject, "O=shakedown test, CN=shakedown test client");
}

#[test]
fn client_cert_is_not_a_server_cert() {
    let client = chain(cert_file!("client.pem"));
    let err = verify_chain(&client, &anchors(), &server_opts(None)).unwrap_err();
    assert_eq!(err, CertError::LeafKeyUsage);
}

#[test]
fn server_cert_is_not_a_client_cert() {
    let server = chain(cert_file!("server.chain.pem"));
    let err = verify_chain(&server, &anchors(), &client_opts(NOW)).unwrap_err();
    assert_eq!(err, CertError::ExtendedKeyUsage);
    assert_eq!(err.alert(), AlertDescription::BadCertificate);
}

#[test]
fn untrusted_certs_give_unknown_ca() {
    let server = chain(cert_file!("untrusted-server.pem"));
    let err = verify_chain(&server, &anchors(), &server_opts(Some("localhost"))).unwrap_err();
    assert_eq!(err, CertError::UnknownIssuer { index: 0 });
    assert_eq!(err.alert(), AlertDescription::UnknownCa);

    let mut client = chain(cert_file!("untrusted-client.pem"));
    client.extend(chain(cert_file!("untrusted-ca.pem")));
    let err = verify_chain(&client, &anchors(), &client_opts(NOW)).unwrap_err();
    assert_eq!(err, CertError::UnknownIssuer { index: 1 });
    assert_eq!(err.alert(), AlertDescription::UnknownCa);

    let own = TrustAnchors::from_pem(cert_file!("untrusted-ca.pem")).unwrap();
    verify_chain(&client[..1], &own, &client_opts(NOW)).unwrap();
}

#[test]
fn expired_client_cert_fails_after_expiry_and_passes_within_validity() {
    let expired = chain(cert_file!("expired-client.pem"));
    let err = verify_chain(&expired, &anchors(), &client_opts(NOW)).unwrap_err();
    assert_eq!(err, CertError::Expired { index: 0 });
    assert_eq!(err.alert(), AlertDescription::CertificateExpired);
    // Within its validity it passes: anchors are not checked for time
    // (RFC 5280 6.1.1 (d)), so the 2024 root does not matter.
    let leaf = verify_chain(&expired, &anchors(), &client_opts(IN_2000)).unwrap();
    assert_eq!(leaf.subject, "O=shakedown test, CN=shakedown expired client");
}

#[test]
fn good_certs_are_not_yet_valid_before_2024() {
    let client = chain(cert_file!("client.pem"));
    let err = verify_chain(&client, &anchors(), &client_opts(IN_2000)).unwrap_err();
    assert_eq!(err, CertError::NotYetValid { index: 0 });
    assert_eq!(err.alert(), AlertDescription::CertificateExpired);
}

#[test]
fn key_usage_without_key_encipherment_is_a_bad_server_cert() {
    let server = chain(cert_file!("server-no-keyenc.chain.pem"));
    let err = verify_chain(&server, &anchors(), &server_opts(Some("localhost"))).unwrap_err();
    assert_eq!(err, CertError::LeafKeyUsage);
    assert_eq!(err.alert(), AlertDescription::BadCertificate);
}

#[test]
fn extreme_times_do_not_panic() {
    let server = chain(cert_file!("server.chain.pem"));
    let at = |now_unix| {
        let opts = VerifyOptions { now_unix, ..server_opts(Some("localhost")) };
        verify_chain(&server, &anchors(), &opts).unwrap_err()
    };
    assert_eq!(at(i64::MIN), CertError::NotYetValid { index: 0 });
    assert_eq!(at(i64::MAX), CertError::Expired { index: 0 });
}

#[test]
fn anchor_subjects_are_der_names() {
    let subjects = anchors().subjects();
    assert_eq!(subjects.len(), 1);
    let name = subjects.first().unwrap();
    assert_eq!(name.first(), Some(&0x30));
    let ca_der = include_bytes!("../../vectors/certs/ca.der");
    assert!(ca_der.windows(name.len()).any(|w| w == name.as_slice()));
}

#[test]
fn leaf_public_key_reads_without_validation() {
    let untrusted = chain(cert_file!("untrusted-server.pem"));
    let key = leaf_public_key(untrusted.first().unwrap()).unwrap();
    let private = load_private_key_pem(cert_file!("untrusted-server.key.pem")).unwrap();
    assert_eq!(key, private.to_public_key());
}

#[test]
fn private_keys_load_from_pkcs8_and_pkcs1() {
    let pkcs8 = load_private_key_pem(cert_file!("server.key.pem")).unwrap();
    let pkcs1 = load_private_key_pem(cert_file!("server.key.pkcs1.pem")).unwrap();
    assert_eq!(pkcs8, pkcs1);
    let err = load_private_key_pem(cert_file!("server.pem")).unwrap_err();
    assert_eq!(err.alert(), AlertDescription::InternalError);
}

#[test]
fn pem_loading_errors() {
    assert!(matches!(load_pem_certs("no pem here"), Err(CertError::NoPem { .. })));
    assert!(matches!(load_pem_certs(cert_file!("server.key.pem")), Err(CertError::NoPem { .. })));
    let broken = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
    assert_eq!(load_pem_certs(broken), Err(CertError::BadPem));
    let unterminated = "-----BEGIN CERTIFICATE-----\nAAAA\n";
    assert_eq!(load_pem_certs(unterminated), Err(CertError::BadPem));
}

#[test]
fn a_remembered_signature_never_vouches_for_other_bytes() {
    // The anchors remember verified signatures (one RSA operation saved per
    // certificate per connection), keyed by the exact bytes verified: the
    // same chain with one signature bit flipped must still fail, and the
    // good chain still pass, in either order.
    let anchors = anchors();
    let good = chain(cert_file!("server.chain.pem"));
    let mut bad = good.clone();
    let last = bad[0].len() - 1;
    bad[0][last] ^= 1;
    for _ in 0..2 {
        verify_chain(&good, &anchors, &server_opts(Some("localhost"))).unwrap();
        let err = verify_chain(&bad, &anchors, &server_opts(Some("localhost"))).unwrap_err();
        assert!(matches!(err, CertError::BadSignature { index: 0 }), "{err:?}");
    }
    // A clone shares what its original verified; a fresh set starts empty
    // and still answers the same.
    verify_chain(&good, &anchors.clone(), &server_opts(Some("localhost"))).unwrap();
    let fresh = TrustAnchors::from_pem(cert_file!("ca.pem")).unwrap();
    assert!(verify_chain(&bad, &fresh, &server_opts(Some("localhost"))).is_err());
}
