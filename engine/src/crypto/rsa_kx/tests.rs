use super::*;
use crate::crypto::SeededRandom;

const KEY_PEM: &str = include_str!("../../../../vectors/kat/rsa/test_key_2048.pem");

fn key() -> RsaPrivateKey {
    RsaPrivateKey::from_pkcs8_pem(KEY_PEM).unwrap()
}

fn premaster(version: ProtocolVersion, fill: u8) -> Vec<u8> {
    let mut p = version.get().to_be_bytes().to_vec();
    p.extend_from_slice(&[fill; 46]);
    p
}

/// Undoes the raw RSA so a test can look at the block that was built.
fn raw_block(key: &RsaPrivateKey, ct: &[u8]) -> Vec<u8> {
    let key = key.as_rustcrypto();
    let c = BoxedUint::from_be_slice(ct, key.n_bits_precision()).unwrap();
    let m = rsa::hazmat::rsa_decrypt_and_check(key, None::<&mut Blinding>, &c).unwrap();
    i2osp(&m.to_be_bytes(), key.size())
}

#[test]
fn honest_premaster_round_trips() {
    let key = key();
    let mut rng = SeededRandom::from_seed(1);
    let pm = premaster(ProtocolVersion::Tls12, 0x42);
    let ct = encrypt_premaster(key.as_public_key(), &pm, &mut rng, &Pkcs1Tweak::default()).unwrap();
    assert_eq!(ct.len(), 256);
    let em = raw_block(&key, &ct);
    assert_eq!(&em[..2], &[0, 2]);
    assert!(em[2..256 - 49].iter().all(|&b| b != 0));
    assert_eq!(em[256 - 49], 0);
    let got = decrypt_premaster(&key, &ct, ProtocolVersion::Tls12, &mut rng);
    assert_eq!(got.as_slice(), pm.as_slice());
}

#[test]
fn version_in_the_premaster_is_not_compared_but_replaced() {
    // RFC 5246 7.4.7.1: the server uses its own idea of client_version.
    let key = key();
    let mut rng = SeededRandom::from_seed(2);
    let pm = premaster(ProtocolVersion::Tls10, 0x11);
    let ct = encrypt_premaster(key.as_public_key(), &pm, &mut rng, &Pkcs1Tweak::default()).unwrap();
    let got = decrypt_premaster(&key, &ct, ProtocolVersion::Tls12, &mut rng);
    assert_eq!(&got[..2], &[3, 3]);
    assert_eq!(&got[2..], &pm[2..]);
}

fn bad_tweaks() -> Vec<(&'static str, Pkcs1Tweak, Vec<u8>)> {
    let pm = premaster(ProtocolVersion::Tls12, 0x33);
    let t = Pkcs1Tweak::default;
    vec![
        ("first byte 1", Pkcs1Tweak { first_byte: Some(1), ..t() }, pm.clone()),
        ("block type 1", Pkcs1Tweak { block_type: Some(1), ..t() }, pm.clone()),
        ("zero in padding", Pkcs1Tweak { zero_in_padding: Some(20), ..t() }, pm.clone()),
        ("zero early in padding", Pkcs1Tweak { zero_in_padding: Some(3), ..t() }, pm.clone()),
        ("no separator", Pkcs1Tweak { no_separator: true, ..t() }, pm.clone()),
        ("short padding", Pkcs1Tweak { short_padding: Some(4), ..t() }, pm.clone()),
        ("premaster 47", t(), pm[..47].to_vec()),
        ("premaster 49", t(), [pm.as_slice(), &[0x33]].concat()),
    ]
}

#[test]
fn bad_padding_yields_a_random_premaster_not_an_error() {
    let key = key();
    let mut rng = SeededRandom::from_seed(3);
    for (name, tweak, pm) in bad_tweaks() {
        let ct = encrypt_premaster(key.as_public_key(), &pm, &mut rng, &tweak).unwrap();
        let a = decrypt_premaster(&key, &ct, ProtocolVersion::Tls12, &mut rng);
        let b = decrypt_premaster(&key, &ct, ProtocolVersion::Tls12, &mut rng);
        assert_eq!(&a[..2], &[3, 3], "{name}");
        assert_ne!(&a[2..], &pm[2..pm.len().min(48)], "{name}");
        // Fresh randomness each time: nothing stable for a peer to learn.
        assert_ne!(a, b, "{name}");
    }
}

#[test]
fn tweaks_build_the_block_they_name() {
    let key = key();
    let mut rng = SeededRandom::from_seed(4);
    let pm = premaster(ProtocolVersion::Tls12, 0x33);
    let enc = |t: &Pkcs1Tweak, rng: &mut SeededRandom| {
        raw_block(&key, &encrypt_premaster(key.as_public_key(), &pm, rng, t).unwrap())
    };
    let em = enc(&Pkcs1Tweak { block_type: Some(1), ..Pkcs1Tweak::default() }, &mut rng);
    assert_eq!(&em[..2], &[0, 1]);
    let em = enc(&Pkcs1Tweak { no_separator: true, ..Pkcs1Tweak::default() }, &mut rng);
    assert!(em[1..].iter().take(256 - 48 - 1).all(|&b| b != 0));
    let em = enc(&Pkcs1Tweak { short_padding: Some(4), ..Pkcs1Tweak::default() }, &mut rng);
    assert_eq!(em.iter().skip(1).position(|&b| b == 0), Some(2 + 4 - 1));
    assert_eq!(&em[256 - 48..], pm.as_slice());
}

#[test]
fn unusable_ciphertexts_yield_a_random_premaster() {
    let key = key();
    let mut rng = SeededRandom::from_seed(5);
    for ct in [vec![], vec![1; 255], vec![1; 257], vec![0xff; 256]] {
        let got = decrypt_premaster(&key, &ct, ProtocolVersion::Tls11, &mut rng);
        assert_eq!(&got[..2], &[3, 2]);
    }
}

#[test]
fn premaster_too_long_for_the_key_is_an_error() {
    let key = key();
    let mut rng = SeededRandom::from_seed(6);
    let long = vec![1u8; 256 - 10];
    assert!(matches!(
        encrypt_premaster(key.as_public_key(), &long, &mut rng, &Pkcs1Tweak::default()),
        Err(RsaError::MessageTooLong { .. })
    ));
}

#[test]
fn signatures_verify_and_reject_changes() {
    let key = key();
    let mut rng = SeededRandom::from_seed(7);
    for hash in [
        SignatureHash::Md5Sha1,
        SignatureHash::Sha1,
        SignatureHash::Sha256,
        SignatureHash::Sha384,
        SignatureHash::Sha512,
    ] {
        let digest = vec![0x5a; hash.digest_len()];
        let sig = sign(&key, hash, &digest, &mut rng).unwrap();
        // Deterministic: blinding does not change the signature.
        assert_eq!(sign(&key, hash, &digest, &mut rng).unwrap(), sig);
        verify(key.as_public_key(), hash, &digest, &sig).unwrap();
        let mut bad = sig.clone();
        bad[100] ^= 1;
        assert!(matches!(verify(key.as_public_key(), hash, &digest, &bad), Err(RsaError::BadSignature)));
        let mut other = digest.clone();
        other[0] ^= 1;
        assert!(verify(key.as_public_key(), hash, &other, &sig).is_err());
        assert!(matches!(sign(&key, hash, &digest[1..], &mut rng), Err(RsaError::DigestLength { .. })));
    }
}

/// RFC 5246 4.7: DigestInfo with NULL parameters is what a signer sends,
/// and one without parameters is accepted too. The knob's signature holds
/// exactly the bare DigestInfo (read back with the public key), both
/// verify, and a DigestInfo naming another hash does not.
#[test]
fn digest_info_with_and_without_null_parameters_both_verify() {
    let key = key();
    let public = key.as_public_key();
    let mut rng = SeededRandom::from_seed(3);
    for hash in [SignatureHash::Sha1, SignatureHash::Sha256, SignatureHash::Sha384, SignatureHash::Sha512] {
        let digest = vec![0x5a; hash.digest_len()];
        let bare = hash.digest_info_prefix_without_null();
        assert_eq!(bare.len() + 2, hash.digest_info_prefix().len(), "{hash:?}");
        let without = sign_without_null(&key, hash, &digest, &mut rng).unwrap();
        let block = {
            let k = public.as_rustcrypto();
            let s = BoxedUint::from_be_slice(&without, k.n_bits_precision()).unwrap();
            i2osp(&rsa_encrypt(k, &s).unwrap().to_be_bytes(), k.size())
        };
        assert!(block.ends_with(&[bare, digest.as_slice()].concat()), "{hash:?}");
        verify(public, hash, &digest, &without).unwrap();
        let with = sign(&key, hash, &digest, &mut rng).unwrap();
        assert_ne!(with, without);
        verify(public, hash, &digest, &with).unwrap();
        let other = if hash == SignatureHash::Sha1 { SignatureHash::Sha256 } else { SignatureHash::Sha1 };
        let wrong = sign_without_null(&key, other, &vec![0x5a; other.digest_len()], &mut rng).unwrap();
        assert!(verify(public, hash, &digest, &wrong).is_err(), "{hash:?}");
    }
}

/// The constant-time block check a raw-RSA backend relies on agrees with
/// the tweaks: only an honest block with a 48-byte message passes.
#[test]
fn premaster_from_block_accepts_only_an_honest_48_byte_message() {
    let key = key();
    let mut rng = SeededRandom::from_seed(8);
    let pm = premaster(ProtocolVersion::Tls12, 0x44);
    let em = encryption_block(key.as_public_key(), &pm, &mut rng, &Pkcs1Tweak::default()).unwrap();
    let (m, ok) = premaster_from_block(&em);
    assert!(bool::from(ok));
    assert_eq!(m.as_slice(), pm.as_slice());
    for (name, tweak, msg) in bad_tweaks() {
        let em = encryption_block(key.as_public_key(), &msg, &mut rng, &tweak).unwrap();
        assert!(!bool::from(premaster_from_block(&em).1), "{name}");
    }
    for short in [&[][..], &[0, 2, 1], &em[..57]] {
        assert!(!bool::from(premaster_from_block(short).1));
    }
    let chosen = select_premaster(ProtocolVersion::Tls11, &[9; 46], &m, Choice::from(0));
    assert_eq!((&chosen[..2], &chosen[2..]), (&[3, 2][..], &[9; 46][..]));
}

/// RSADP behind the shared blinding pair gives the crate's unblinded CRT
/// answer call after call, across fresh pairs and squared ones.
#[test]
fn rsadp_matches_the_crates_unblinded_private_operation() {
    let key = key();
    let mut rng = SeededRandom::from_seed(7);
    let n = key.as_rustcrypto().n().as_ref().clone();
    for i in 0..(2 * rsadp::BLINDING_USES + 3) {
        let mut ct = vec![0u8; 256];
        rng.fill(&mut ct);
        if BoxedUint::from_be_slice(&ct, 2048).unwrap() >= n {
            ct[0] = 0;
        }
        let got = rsadp(&key, &ct, &mut rng).unwrap();
        assert_eq!(got.as_slice(), raw_block(&key, &ct).as_slice(), "call {i}");
    }
}

#[test]
fn rsadp_refuses_ciphertexts_of_the_wrong_length_or_not_below_n() {
    let key = key();
    let mut rng = SeededRandom::from_seed(8);
    let n = key.as_public_key().modulus().to_vec();
    for ct in [vec![], vec![1; 255], vec![1; 257], n, vec![0xff; 256]] {
        assert!(rsadp(&key, &ct, &mut rng).is_none(), "{} bytes", ct.len());
    }
}

/// The pair is shared by every connection on the key, yet a connection's
/// later draws must not depend on what the others did to it.
#[test]
fn rsadp_draws_the_same_randomness_whatever_the_pair_state() {
    let ct = encrypt_premaster(
        key().as_public_key(),
        &premaster(ProtocolVersion::Tls12, 1),
        &mut SeededRandom::from_seed(9),
        &Pkcs1Tweak::default(),
    )
    .unwrap();
    let next_draw = |earlier_uses: u32| {
        let key = key();
        for _ in 0..earlier_uses {
            rsadp(&key, &ct, &mut SeededRandom::from_seed(10)).unwrap();
        }
        let mut rng = SeededRandom::from_seed(11);
        rsadp(&key, &ct, &mut rng).unwrap();
        let mut after = [0u8; 16];
        rng.fill(&mut after);
        after
    };
    let fresh = next_draw(0);
    assert_eq!(fresh, next_draw(5));
    assert_eq!(fresh, next_draw(rsadp::BLINDING_USES));
}
