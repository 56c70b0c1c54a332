use super::*;

const KEY_PEM: &str = include_str!("../../../../vectors/kat/rsa/test_key_2048.pem");

fn key() -> RsaPrivateKey {
    RsaPrivateKey::from_pkcs8_pem(KEY_PEM).unwrap()
}

fn encrypted(key: &RsaPrivateKey, premaster: &[u8], seed: u64) -> Vec<u8> {
    let mut rng = SeededRandom::from_seed(seed);
    rsa_kx::encrypt_premaster(key.as_public_key(), premaster, &mut rng, &Pkcs1Tweak::default()).unwrap()
}

fn next_bytes(rng: &mut SeededRandom) -> [u8; 16] {
    let mut b = [0u8; 16];
    rng.fill(&mut b);
    b
}

#[test]
fn decryption_matches_the_default_provider_and_is_remembered() {
    let key = key();
    let memo = Memoized::new();
    let mut pm = vec![0x03, 0x03];
    pm.extend_from_slice(&[0x42; 46]);
    let ct = encrypted(&key, &pm, 1);
    let honest =
        RustCrypto.decrypt_premaster(&key, &ct, ProtocolVersion::Tls12, &mut SeededRandom::from_seed(7));
    assert_eq!(honest.as_slice(), pm.as_slice());
    for _ in 0..3 {
        let got = memo.decrypt_premaster(&key, &ct, ProtocolVersion::Tls12, &mut SeededRandom::from_seed(7));
        assert_eq!(got, honest);
    }
    let s = memo.stats();
    assert_eq!((s.decrypt_misses, s.decrypt_hits), (1, 2));
}

#[test]
fn bad_padding_still_gives_the_random_premaster() {
    // RFC 5246 7.4.7.1: client_version || R, R drawn before decrypting.
    let key = key();
    let memo = Memoized::new();
    let mut ct = encrypted(&key, &[0x03, 0x01, 1, 2, 3], 2);
    if let Some(b) = ct.last_mut() {
        *b ^= 1;
    }
    let mut expect_r = [0u8; PREMASTER_LEN - 2];
    SeededRandom::from_seed(9).fill(&mut expect_r);
    for _ in 0..2 {
        let got = memo.decrypt_premaster(&key, &ct, ProtocolVersion::Tls11, &mut SeededRandom::from_seed(9));
        assert_eq!(got[..2], [0x03, 0x02]);
        assert_eq!(got[2..], expect_r);
    }
}

#[test]
fn a_hit_and_a_miss_use_the_connection_randomness_alike() {
    // Otherwise a seeded campaign would send other bytes depending on what
    // another thread decrypted first.
    let key = key();
    let ct = encrypted(&key, &[0x03, 0x03].repeat(24), 3);
    let memo = Memoized::new();
    let mut after = Vec::new();
    for _ in 0..2 {
        let mut rng = SeededRandom::from_seed(11);
        memo.decrypt_premaster(&key, &ct, ProtocolVersion::Tls12, &mut rng);
        memo.sign(&key, SignatureHash::Sha256, &[5; 32], &mut rng).unwrap();
        after.push(next_bytes(&mut rng));
    }
    assert_eq!(after[0], after[1]);
    assert_eq!(memo.stats().sign_hits, 1);
}

#[test]
fn signatures_are_the_default_providers_and_verify() {
    let key = key();
    let memo = Memoized::new();
    let digest = [0x5a; 36];
    let honest =
        RustCrypto.sign(&key, SignatureHash::Md5Sha1, &digest, &mut SeededRandom::from_seed(1)).unwrap();
    let got = memo.sign(&key, SignatureHash::Md5Sha1, &digest, &mut SeededRandom::from_seed(2)).unwrap();
    assert_eq!(got, honest);
    let public = key.as_public_key();
    memo.verify(public, SignatureHash::Md5Sha1, &digest, &got).unwrap();
    memo.verify(public, SignatureHash::Md5Sha1, &digest, &got).unwrap();
    let mut bad = got.clone();
    bad[10] ^= 1;
    // A failure is never remembered, so it keeps failing for its reason.
    for _ in 0..2 {
        assert!(matches!(
            memo.verify(public, SignatureHash::Md5Sha1, &digest, &bad),
            Err(RsaError::BadSignature)
        ));
    }
    assert!(matches!(
        memo.verify(public, SignatureHash::Sha256, &digest, &got),
        Err(RsaError::DigestLength { .. })
    ));
    assert_eq!(memo.stats().verify_hits, 1);
}

#[test]
fn a_table_never_holds_more_than_its_bound() {
    let mut t = Table::<()>::default();
    for i in 0..(MEMO_ENTRIES as u32 + 10) {
        let mut k = [0u8; 32];
        k[..4].copy_from_slice(&i.to_be_bytes());
        t.put(k, ());
        assert!(t.entries.len() <= MEMO_ENTRIES);
    }
}

#[test]
fn encryption_matches_the_default_provider_and_draws_the_same_padding() {
    let key = key();
    let public = key.as_public_key();
    let memo = Memoized::new();
    let pm = [0x03; 48];
    let tweak = Pkcs1Tweak { no_separator: true, ..Pkcs1Tweak::default() };
    let mut honest_rng = SeededRandom::from_seed(4);
    let honest = RustCrypto.encrypt_premaster(public, &pm, &mut honest_rng, &tweak).unwrap();
    for _ in 0..2 {
        let mut rng = SeededRandom::from_seed(4);
        assert_eq!(memo.encrypt_premaster(public, &pm, &mut rng, &tweak).unwrap(), honest);
        assert_eq!(next_bytes(&mut rng), next_bytes(&mut honest_rng.clone()));
    }
    assert_eq!((memo.stats().encrypt_misses, memo.stats().encrypt_hits), (1, 1));
}

/// RustCrypto under another name, so [`Memoized::over`] takes the path of
/// any other provider: only through the provider's own methods.
#[derive(Debug)]
struct Other;

impl crate::crypto::wrapping::Wrapping for Other {
    fn inner(&self) -> &dyn CryptoProvider {
        &RustCrypto
    }

    fn name(&self) -> &'static str {
        "other"
    }
}

/// Over any provider, a premaster decrypts as the provider itself gives it,
/// a bad one to the connection's random fallback, and a premaster whose
/// message is all zero bytes (which the first, zero-filled asking cannot
/// tell from the fallback) is still the decrypted one; each is remembered.
fn decrypts_as_the_provider_does(provider: Arc<dyn CryptoProvider>) {
    let key = key();
    let memo = Memoized::over(provider.clone());
    let mut zeros = vec![0x03, 0x03];
    zeros.extend_from_slice(&[0; 46]);
    let mut bad = encrypted(&key, &[0x42; 48], 6);
    if let Some(b) = bad.last_mut() {
        *b ^= 1;
    }
    let cases = [encrypted(&key, &[0x42; 48], 5), encrypted(&key, &zeros, 7), bad];
    for ct in &cases {
        let honest =
            provider.decrypt_premaster(&key, ct, ProtocolVersion::Tls12, &mut SeededRandom::from_seed(3));
        for _ in 0..2 {
            let got =
                memo.decrypt_premaster(&key, ct, ProtocolVersion::Tls12, &mut SeededRandom::from_seed(3));
            assert_eq!(got, honest);
        }
    }
    assert_eq!((memo.stats().decrypt_misses, memo.stats().decrypt_hits), (3, 3));
    let digest = [0x5a; 32];
    let sig = memo.sign(&key, SignatureHash::Sha256, &digest, &mut SeededRandom::from_seed(1)).unwrap();
    assert_eq!(
        sig,
        provider.sign(&key, SignatureHash::Sha256, &digest, &mut SeededRandom::from_seed(2)).unwrap()
    );
    memo.verify(key.as_public_key(), SignatureHash::Sha256, &digest, &sig).unwrap();
}

#[test]
fn another_provider_is_remembered_through_its_own_methods() {
    let memo = Memoized::over(Arc::new(Other));
    assert_eq!(memo.name(), "memoized");
    decrypts_as_the_provider_does(Arc::new(Other));
    // RustCrypto itself keeps the direct path.
    assert_eq!(Memoized::over(Arc::new(RustCrypto)).name(), "rustcrypto-memoized");
}

#[cfg(feature = "openssl-provider")]
#[test]
fn the_openssl_provider_is_remembered_too() {
    decrypts_as_the_provider_does(Arc::new(super::super::openssl_provider::OpenSsl));
}
