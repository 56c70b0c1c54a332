//! Malformed and hostile certificate DER: trailing bytes, duplicated
//! extensions, tampered signatures and algorithms, over-long chains and
//! every truncation. Nothing may panic; each must fail with its own error.

// Test helpers outside #[test] functions panic on purpose too.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use sha2::Digest;
use shakedown_engine::msgs::enums::AlertDescription;
use shakedown_engine::x509::{
    CertError, MAX_CHAIN_LEN, Purpose, TrustAnchors, VerifyOptions, leaf_public_key, load_pem_certs,
    load_private_key_pem, verify_chain,
};

const SERVER_DER: &[u8] = include_bytes!("../../vectors/certs/server.der");
const INT_DER: &[u8] = include_bytes!("../../vectors/certs/int.der");
const NOW: i64 = 1_750_000_000;

fn anchors() -> TrustAnchors {
    TrustAnchors::from_pem(include_str!("../../vectors/certs/ca.pem")).unwrap()
}

fn opts() -> VerifyOptions<'static> {
    VerifyOptions { now_unix: NOW, server_name: Some("localhost"), purpose: Purpose::ServerAuth }
}

fn verify_server(leaf: Vec<u8>) -> Result<(), CertError> {
    verify_chain(&[leaf, INT_DER.to_vec()], &anchors(), &opts()).map(|_| ())
}

/// A minimal DER TLV reader and writer, enough to rebuild a certificate.
mod der {
    /// (tag, content, total length of the TLV) of the element at the start.
    pub fn read(b: &[u8]) -> (u8, &[u8], usize) {
        let tag = b[0];
        let (len, hdr) = if b[1] < 0x80 {
            (b[1] as usize, 2)
        } else {
            let n = (b[1] & 0x7f) as usize;
            (b[2..2 + n].iter().fold(0usize, |acc, &x| acc << 8 | x as usize), 2 + n)
        };
        (tag, &b[hdr..hdr + len], hdr + len)
    }

    /// The elements of a constructed content, in order, as whole TLVs.
    pub fn children(mut content: &[u8]) -> Vec<&[u8]> {
        let mut out = Vec::new();
        while !content.is_empty() {
            let (_, _, total) = read(content);
            out.push(&content[..total]);
            content = &content[total..];
        }
        out
    }

    pub fn write(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|&b| b == 0).collect();
            out.push(0x80 | bytes.len() as u8);
            out.extend(bytes);
        }
        out.extend_from_slice(content);
        out
    }
}

/// Rebuild `cert` with TBS field `field` replaced by `value`, signed with
/// sha256WithRSA by the PEM private key `signer`.
fn resign(cert: &[u8], field: usize, value: Vec<u8>, signer: &str) -> Vec<u8> {
    let (_, content, _) = der::read(cert);
    let parts = der::children(content);
    let (tbs, sig_alg) = (parts[0], parts[1]);
    let mut fields: Vec<Vec<u8>> = der::children(der::read(tbs).1).into_iter().map(<[u8]>::to_vec).collect();
    fields[field] = value;
    let tbs = der::write(0x30, &fields.concat());
    let key = load_private_key_pem(signer).unwrap();
    let sig = key
        .as_rustcrypto()
        .sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &sha2::Sha256::digest(&tbs))
        .unwrap();
    let mut bits = vec![0u8];
    bits.extend(sig);
    der::write(0x30, &[tbs, sig_alg.to_vec(), der::write(0x03, &bits)].concat())
}

/// The server certificate with its first extension repeated, re-signed by
/// the intermediate so the duplicate is its only flaw.
fn server_with_duplicated_extension() -> Vec<u8> {
    let tbs = der::children(der::read(SERVER_DER).1)[0];
    let fields = der::children(der::read(tbs).1);
    let last = fields.len() - 1;
    let (tag, explicit, _) = der::read(fields[last]);
    assert_eq!(tag, 0xa3, "extensions are the last TBS field");
    let mut list = der::children(der::read(explicit).1);
    list.push(list[0]);
    let exts = der::write(0xa3, &der::write(0x30, &list.concat()));
    resign(SERVER_DER, last, exts, include_str!("../../vectors/certs/int.key.pem"))
}

#[test]
fn rebuilt_certificate_without_changes_still_verifies() {
    // Guards the DER helper: a faithful rebuild must equal the original.
    let (_, cert, _) = der::read(SERVER_DER);
    let rebuilt = der::write(0x30, &der::children(cert).concat());
    assert_eq!(rebuilt, SERVER_DER);
    verify_server(rebuilt).unwrap();
    // And re-signing an unchanged TBS with the intermediate's key verifies.
    let serial = der::children(der::read(der::children(der::read(SERVER_DER).1)[0]).1)[1].to_vec();
    let resigned = resign(SERVER_DER, 1, serial, include_str!("../../vectors/certs/int.key.pem"));
    verify_server(resigned).unwrap();
}

#[test]
fn duplicated_extension_is_rejected() {
    let dup = server_with_duplicated_extension();
    let err = verify_server(dup.clone()).unwrap_err();
    assert_eq!(err, CertError::DuplicateExtension { index: 0 });
    assert_eq!(err.alert(), AlertDescription::BadCertificate);
    assert!(leaf_public_key(&dup).is_err());
}

#[test]
fn trailing_byte_is_rejected() {
    let mut der = SERVER_DER.to_vec();
    der.push(0);
    let err = verify_server(der.clone()).unwrap_err();
    assert_eq!(err, CertError::TrailingBytes { index: 0, left: 1 });
    assert_eq!(err.alert(), AlertDescription::BadCertificate);
    assert_eq!(leaf_public_key(&der), Err(CertError::TrailingBytes { index: 0, left: 1 }));
    let mut int = INT_DER.to_vec();
    int.extend_from_slice(b"xy");
    let err = verify_chain(&[SERVER_DER.to_vec(), int], &anchors(), &opts()).unwrap_err();
    assert_eq!(err, CertError::TrailingBytes { index: 1, left: 2 });
}

#[test]
fn tampered_signature_is_rejected() {
    let mut der = SERVER_DER.to_vec();
    *der.last_mut().unwrap() ^= 1;
    let err = verify_server(der).unwrap_err();
    assert_eq!(err, CertError::BadSignature { index: 0 });
    assert_eq!(err.alert(), AlertDescription::BadCertificate);
}

#[test]
fn tampered_intermediate_signature_is_rejected() {
    let mut int = INT_DER.to_vec();
    *int.last_mut().unwrap() ^= 0x80;
    let err = verify_chain(&[SERVER_DER.to_vec(), int], &anchors(), &opts()).unwrap_err();
    assert_eq!(err, CertError::BadSignature { index: 1 });
}

const SHA256_WITH_RSA: [u8; 11] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];

fn replace_sig_oids(der: &[u8], which: &[usize], last_byte: u8) -> Vec<u8> {
    let mut out = der.to_vec();
    let at: Vec<usize> = der
        .windows(SHA256_WITH_RSA.len())
        .enumerate()
        .filter(|(_, w)| *w == SHA256_WITH_RSA)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(at.len(), 2, "inner and outer signature AlgorithmIdentifier");
    for &n in which {
        out[at[n] + SHA256_WITH_RSA.len() - 1] = last_byte;
    }
    out
}

#[test]
fn unsupported_signature_algorithm_is_rejected() {
    // sha224WithRSAEncryption (1.2.840.113549.1.1.14) in both places.
    let der = replace_sig_oids(SERVER_DER, &[0, 1], 0x0e);
    let err = verify_server(der).unwrap_err();
    assert_eq!(err, CertError::UnsupportedSignatureAlgorithm { index: 0 });
    assert_eq!(err.alert(), AlertDescription::UnsupportedCertificate);
}

#[test]
fn mismatched_signature_algorithms_are_rejected() {
    // Outer algorithm sha512WithRSAEncryption, inner still sha256.
    let der = replace_sig_oids(SERVER_DER, &[1], 0x0d);
    assert_eq!(verify_server(der), Err(CertError::SignatureAlgorithmMismatch { index: 0 }));
}

#[test]
fn chain_of_eleven_is_rejected() {
    let chain = vec![SERVER_DER.to_vec(); MAX_CHAIN_LEN + 1];
    let err = verify_chain(&chain, &anchors(), &opts()).unwrap_err();
    assert_eq!(err, CertError::ChainTooLong { len: 11, max: 10 });
    assert_eq!(err.alert(), AlertDescription::BadCertificate);
}

#[test]
fn chain_of_ten_is_not_rejected_for_length() {
    let mut chain = vec![SERVER_DER.to_vec(), INT_DER.to_vec()];
    chain.extend(vec![INT_DER.to_vec(); MAX_CHAIN_LEN - 2]);
    // The path ends at the root after the first intermediate; the rest is unused.
    verify_chain(&chain, &anchors(), &opts()).unwrap();
}

#[test]
fn empty_chain_is_its_own_error() {
    let err = verify_chain(&[], &anchors(), &opts()).unwrap_err();
    assert_eq!(err, CertError::EmptyChain);
    assert_eq!(err.alert(), AlertDescription::BadCertificate);
}

#[test]
fn second_certificate_that_did_not_issue_the_first_is_unknown_issuer() {
    let client = load_pem_certs(include_str!("../../vectors/certs/client.pem")).unwrap();
    let chain = vec![SERVER_DER.to_vec(), client[0].clone()];
    assert_eq!(
        verify_chain(&chain, &anchors(), &opts()).map(|_| ()),
        Err(CertError::UnknownIssuer { index: 0 })
    );
}

#[test]
fn leaf_used_as_issuer_is_not_a_ca() {
    // The client certificate re-issued by the server certificate (names
    // and signature right), so only basicConstraints cA=false is wrong.
    let server_tbs = der::children(der::read(der::children(der::read(SERVER_DER).1)[0]).1);
    let server_subject = server_tbs[5].to_vec();
    let client = load_pem_certs(include_str!("../../vectors/certs/client.pem")).unwrap();
    let forged = resign(&client[0], 3, server_subject, include_str!("../../vectors/certs/server.key.pem"));
    let chain = vec![forged, SERVER_DER.to_vec(), INT_DER.to_vec()];
    let client_opts = VerifyOptions { now_unix: NOW, server_name: None, purpose: Purpose::ClientAuth };
    let err = verify_chain(&chain, &anchors(), &client_opts).unwrap_err();
    assert_eq!(err, CertError::IssuerNotCa { index: 1 });
    assert_eq!(err.alert(), AlertDescription::BadCertificate);
}

#[test]
fn every_truncation_fails_without_panic() {
    for len in 0..SERVER_DER.len() {
        let cut = SERVER_DER[..len].to_vec();
        assert!(leaf_public_key(&cut).is_err(), "len {len}");
        let err = verify_chain(&[cut, INT_DER.to_vec()], &anchors(), &opts()).unwrap_err();
        assert_eq!(err.alert(), AlertDescription::BadCertificate, "len {len}: {err}");
        let cut_int = INT_DER[..len.min(INT_DER.len() - 1)].to_vec();
        assert!(verify_chain(&[SERVER_DER.to_vec(), cut_int], &anchors(), &opts()).is_err());
    }
}

#[test]
fn every_single_byte_flip_fails_or_verifies_without_panic() {
    // Light mutation of the first 200 bytes (headers, serial, algorithm,
    // issuer): any outcome but a panic is acceptable.
    for i in 0..200.min(SERVER_DER.len()) {
        let mut der = SERVER_DER.to_vec();
        der[i] ^= 0x01;
        let _ = verify_server(der);
    }
}

#[test]
fn extra_element_inside_the_certificate_sequence_is_rejected() {
    let (_, cert, _) = der::read(SERVER_DER);
    let mut inner = cert.to_vec();
    inner.extend_from_slice(&[0x05, 0x00]);
    let err = verify_server(der::write(0x30, &inner)).unwrap_err();
    assert_eq!(err, CertError::Malformed { index: 0 });
}

#[test]
fn extra_element_inside_the_tbs_is_rejected() {
    let tbs = der::children(der::read(SERVER_DER).1)[0];
    let mut fields = der::read(tbs).1.to_vec();
    fields.extend_from_slice(&[0x05, 0x00]);
    let resigned = resign_whole_tbs(&der::write(0x30, &fields));
    assert!(verify_server(resigned).is_err());
}

fn resign_whole_tbs(tbs: &[u8]) -> Vec<u8> {
    let sig_alg = der::children(der::read(SERVER_DER).1)[1];
    let key = load_private_key_pem(include_str!("../../vectors/certs/int.key.pem")).unwrap();
    let sig = key
        .as_rustcrypto()
        .sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &sha2::Sha256::digest(tbs))
        .unwrap();
    let mut bits = vec![0u8];
    bits.extend(sig);
    der::write(0x30, &[tbs.to_vec(), sig_alg.to_vec(), der::write(0x03, &bits)].concat())
}
