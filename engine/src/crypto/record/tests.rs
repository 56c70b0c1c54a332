use super::*;
use crate::crypto::SeededRandom;

/// Every (suite, version, encrypt_then_mac) the engine can set up.
fn configs() -> Vec<(&'static SuiteInfo, ProtocolVersion, bool)> {
    crate::fuzzing::record_configs().to_vec()
}

fn keys(suite: &SuiteInfo, version: ProtocolVersion, salt: u8) -> DirectionKeys {
    let l = suite.key_block_layout(version);
    let bytes = |n: usize, base: u8| -> Vec<u8> {
        (0..n).map(|i| base.wrapping_add(i as u8).wrapping_mul(7)).collect()
    };
    DirectionKeys {
        mac_key: bytes(l.mac_key_len, salt),
        enc_key: bytes(l.enc_key_len, salt.wrapping_add(1)),
        fixed_iv: bytes(l.fixed_iv_len, salt.wrapping_add(2)),
    }
}

fn pair(suite: &'static SuiteInfo, version: ProtocolVersion, etm: bool) -> (RecordSealer, RecordOpener) {
    let k = keys(suite, version, 3);
    (RecordSealer::new(suite, version, &k, etm).unwrap(), RecordOpener::new(suite, version, &k, etm).unwrap())
}

const HS: ContentType = ContentType::Handshake;
const APP: ContentType = ContentType::ApplicationData;

fn honest() -> SealTweak {
    SealTweak::default()
}

#[test]
fn round_trip_every_suite_and_version() {
    let mut rng = SeededRandom::from_seed(1);
    for (suite, version, etm) in configs() {
        let (mut s, mut o) = pair(suite, version, etm);
        for (i, len) in [0usize, 1, 15, 16, 17, 100, 1000, MAX_PLAINTEXT_LEN].into_iter().enumerate() {
            let pt: Vec<u8> = (0..len).map(|b| b as u8).collect();
            let typ = if i % 2 == 0 { HS } else { APP };
            assert_eq!(s.sequence_number(), i as u64);
            let frag = s.seal(typ, version, &pt, &mut rng, &honest());
            assert!(frag.len() <= MAX_CIPHERTEXT_LEN);
            assert_eq!(
                o.open(typ, version, &frag),
                Ok(pt),
                "{} {version} etm={etm} len={len}",
                suite.iana_name
            );
            assert_eq!(o.sequence_number(), i as u64 + 1);
        }
    }
}

#[test]
fn records_opened_out_of_order_or_with_another_header_fail() {
    let mut rng = SeededRandom::from_seed(2);
    for (suite, version, etm) in configs() {
        let (mut s, mut o) = pair(suite, version, etm);
        let _first = s.seal(APP, version, b"one", &mut rng, &honest());
        let second = s.seal(APP, version, b"two", &mut rng, &honest());
        assert_eq!(
            o.open(APP, version, &second),
            Err(RecordError::BadRecordMac),
            "{} {version}",
            suite.iana_name
        );
        // The content type is covered by the MAC in every version.
        let (mut s, mut o) = pair(suite, version, etm);
        let frag = s.seal(APP, version, b"typed", &mut rng, &honest());
        assert_eq!(o.open(HS, version, &frag), Err(RecordError::BadRecordMac));
    }
}

#[test]
fn stream_and_chained_cbc_state_carries_across_records() {
    let mut rng = SeededRandom::from_seed(3);
    for (suite, version, etm) in configs() {
        let (mut s, _) = pair(suite, version, etm);
        let a = s.seal(APP, version, &[0x55; 32], &mut rng, &honest());
        let b = s.seal(APP, version, &[0x55; 32], &mut rng, &honest());
        // Same plaintext twice: the sequence number changes the MAC, and for
        // RC4 the keystream and for CBC the IV change the ciphertext.
        assert_ne!(a, b, "{} {version}", suite.iana_name);
        if suite.cipher != BulkCipher::Null && !suite.is_aead() {
            assert_ne!(a.get(..16), b.get(..16), "{} {version}", suite.iana_name);
        }
    }
}

/// The length of plaintext that with the MAC and the length byte fills whole
/// blocks, so the SSL 3.0 padding has no unchecked content bytes.
fn no_padding_content_len(suite: &SuiteInfo) -> usize {
    match suite.cipher.kind() {
        CipherKind::Block { block_len } => {
            let fixed = suite.mac.output_len() + 1;
            fixed.div_ceil(block_len) * block_len + block_len - fixed
        }
        _ => 11,
    }
}

#[test]
fn a_flipped_bit_anywhere_is_bad_record_mac() {
    let mut rng = SeededRandom::from_seed(4);
    for (suite, version, etm) in configs() {
        for len in [no_padding_content_len(suite), 40] {
            if version.is_ssl3() && len == 40 {
                continue; // SSL3 padding content is not authenticated; see below.
            }
            let (mut s, _) = pair(suite, version, etm);
            let frag = s.seal(APP, version, &vec![0xa5; len], &mut rng, &honest());
            for i in 0..frag.len() {
                for mask in [0x01u8, 0x80] {
                    let mut bad = frag.clone();
                    bad[i] ^= mask;
                    let (_, mut o) = pair(suite, version, etm);
                    assert_eq!(
                        o.open(APP, version, &bad),
                        Err(RecordError::BadRecordMac),
                        "{} {version} etm={etm} len={len} byte {i}",
                        suite.iana_name
                    );
                }
            }
        }
    }
}

#[test]
fn ssl3_padding_content_is_not_authenticated() {
    // RFC 6101 5.2.3.2: padding content is arbitrary, so it is neither
    // checked nor covered by the MAC (the malleability POODLE uses).
    let mut rng = SeededRandom::from_seed(5);
    let suite = crate::suites::by_name("AES128-SHA").unwrap();
    let v = ProtocolVersion::Ssl3;
    let (mut s, mut o) = pair(suite, v, false);
    // 10 + 20 MAC + 1 = 31: one padding content byte plus the length byte.
    let tweak = SealTweak { corrupt_padding: Some(ByteFlip { index: 1, xor: 0xff }), ..SealTweak::default() };
    let frag = s.seal(APP, v, &[1; 10], &mut rng, &tweak);
    assert_eq!(o.open(APP, v, &frag), Ok(vec![1; 10]));
}

fn tweaks() -> Vec<(&'static str, SealTweak)> {
    let flip = |index, xor| Some(ByteFlip { index, xor });
    vec![
        ("mac first byte", SealTweak { corrupt_mac: flip(0, 1), ..SealTweak::default() }),
        ("mac last byte", SealTweak { corrupt_mac: flip(usize::MAX, 0x80), ..SealTweak::default() }),
        ("padding length byte", SealTweak { corrupt_padding: flip(0, 0x01), ..SealTweak::default() }),
        ("padding content byte", SealTweak { corrupt_padding: flip(1, 0x10), ..SealTweak::default() }),
        ("long padding", SealTweak { padding_len: Some(255), ..SealTweak::default() }),
    ]
}

#[test]
fn every_tweak_yields_a_record_the_honest_opener_rejects() {
    let mut rng = SeededRandom::from_seed(6);
    for (suite, version, etm) in configs() {
        let cbc = matches!(suite.cipher.kind(), CipherKind::Block { .. });
        for (name, tweak) in tweaks() {
            let padding_tweak = tweak.mac_untouched();
            if padding_tweak && !cbc {
                continue; // padding knobs only act on CBC records
            }
            // 40 bytes leaves padding content in every CBC suite.
            let (mut s, mut o) = pair(suite, version, etm);
            let frag = s.seal(APP, version, &[7; 40], &mut rng, &tweak);
            let got = o.open(APP, version, &frag);
            let expect_ok = match name {
                // Max-length padding is legal TLS (RFC 5246 6.2.3.2) but
                // longer than a block, which SSL 3.0 forbids.
                "long padding" => !version.is_ssl3(),
                // SSL 3.0 does not check padding content.
                "padding content byte" => version.is_ssl3(),
                _ => false,
            };
            let ctx = format!("{} {version} etm={etm} {name}", suite.iana_name);
            if expect_ok {
                assert_eq!(got, Ok(vec![7; 40]), "{ctx}");
            } else {
                assert_eq!(got, Err(RecordError::BadRecordMac), "{ctx}");
            }
        }
    }
}

impl SealTweak {
    fn mac_untouched(&self) -> bool {
        self.corrupt_mac.is_none()
    }
}

#[test]
fn long_padding_is_as_long_as_asked_within_block_alignment() {
    let mut rng = SeededRandom::from_seed(7);
    let suite = crate::suites::by_name("AES128-SHA").unwrap();
    let v = ProtocolVersion::Tls11;
    let (mut s, _) = pair(suite, v, false);
    let honest_len = s.seal(APP, v, &[0; 40], &mut rng, &honest()).len();
    let long = SealTweak { padding_len: Some(255), ..SealTweak::default() };
    let long_len = s.seal(APP, v, &[0; 40], &mut rng, &long).len();
    // 40 + 20 + 1 = 61 -> 3 honest padding bytes; 3 + 15 * 16 = 243 <= 255.
    assert_eq!(long_len - honest_len, 15 * 16);
}

#[test]
fn fragments_of_every_short_length_do_not_panic_the_opener() {
    for (suite, version, etm) in configs() {
        for len in 0..=100usize {
            for fill in [0x00u8, 0xff, 0x0f] {
                let (_, mut o) = pair(suite, version, etm);
                let frag = vec![fill; len];
                assert!(o.open(APP, version, &frag).is_err(), "{} {version} {len}", suite.iana_name);
            }
        }
    }
}

#[test]
fn oversized_records_are_record_overflow() {
    let mut rng = SeededRandom::from_seed(8);
    for (suite, version, etm) in configs() {
        let (mut s, mut o) = pair(suite, version, etm);
        let frag = s.seal(APP, version, &vec![1; MAX_PLAINTEXT_LEN + 1], &mut rng, &honest());
        assert_eq!(o.open(APP, version, &frag), Err(RecordError::RecordOverflow));
        let (_, mut o) = pair(suite, version, etm);
        let huge = vec![0; MAX_CIPHERTEXT_LEN + 1];
        assert_eq!(o.open(APP, version, &huge), Err(RecordError::RecordOverflow));
    }
}

#[test]
fn setup_refuses_wrong_versions_and_key_lengths() {
    let gcm = crate::suites::by_name("AES128-GCM-SHA256").unwrap();
    let k = keys(gcm, ProtocolVersion::Tls12, 0);
    assert!(matches!(
        RecordSealer::new(gcm, ProtocolVersion::Tls10, &k, false),
        Err(SetupError::SuiteNotUsable { .. })
    ));
    let aes = crate::suites::by_name("AES128-SHA").unwrap();
    // TLS 1.0 keys carry a fixed IV; TLS 1.1 keys must not.
    let k10 = keys(aes, ProtocolVersion::Tls10, 0);
    assert!(matches!(
        RecordOpener::new(aes, ProtocolVersion::Tls11, &k10, false),
        Err(SetupError::KeyLength { what: "fixed_iv", .. })
    ));
    let mut short = k10.clone();
    short.enc_key.pop();
    assert!(matches!(
        RecordOpener::new(aes, ProtocolVersion::Tls10, &short, false),
        Err(SetupError::KeyLength { what: "enc_key", .. })
    ));
}

#[test]
fn tweaks_round_trip_through_serde() {
    let t = SealTweak {
        corrupt_mac: Some(ByteFlip { index: 3, xor: 1 }),
        padding_len: Some(255),
        corrupt_padding: None,
    };
    let json = serde_json::to_string(&t).unwrap();
    assert_eq!(serde_json::from_str::<SealTweak>(&json).unwrap(), t);
    assert_eq!(serde_json::from_str::<SealTweak>("{}").unwrap(), SealTweak::default());
}

/// Every backend compiled in.
fn backends() -> Vec<Backend> {
    #[cfg_attr(not(feature = "openssl-provider"), allow(unused_mut))]
    let mut all = vec![Backend::RustCrypto];
    #[cfg(feature = "openssl-provider")]
    all.push(Backend::OpenSsl);
    all
}

/// The backends share the constructions, so with the same randomness they
/// must seal the same bytes, honest or tweaked, and open each other's
/// records; a flipped byte fails on every backend alike.
#[test]
fn backends_seal_the_same_bytes_and_open_each_others_records() {
    let mut all_tweaks = tweaks();
    all_tweaks.push(("honest", honest()));
    for (suite, version, etm) in configs() {
        let k = keys(suite, version, 9);
        let mut sealers: Vec<_> = backends()
            .into_iter()
            .map(|b| RecordSealer::with_backend(b, suite, version, &k, etm).unwrap())
            .collect();
        let mut openers: Vec<_> = backends()
            .into_iter()
            .map(|b| RecordOpener::with_backend(b, suite, version, &k, etm).unwrap())
            .collect();
        for (i, (name, tweak)) in all_tweaks.iter().enumerate() {
            let pt: Vec<u8> = (0..(40 + 97 * i)).map(|b| b as u8).collect();
            let sealed: Vec<Vec<u8>> = sealers
                .iter_mut()
                .map(|s| s.seal(APP, version, &pt, &mut SeededRandom::from_seed(i as u64), tweak))
                .collect();
            let ctx = format!("{} {version} etm={etm} {name}", suite.iana_name);
            assert!(sealed.windows(2).all(|w| w[0] == w[1]), "{ctx}");
            let opened: Vec<_> = openers.iter_mut().map(|o| o.open(APP, version, &sealed[0])).collect();
            assert!(opened.windows(2).all(|w| w[0] == w[1]), "{ctx}: {opened:?}");
            if *name == "honest" {
                assert_eq!(opened[0], Ok(pt), "{ctx}");
            }
            if opened[0].is_err() {
                // A failed record leaves an opener unspecified: start over.
                openers = backends()
                    .into_iter()
                    .map(|b| RecordOpener::with_backend(b, suite, version, &k, etm).unwrap())
                    .collect();
                sealers = backends()
                    .into_iter()
                    .map(|b| RecordSealer::with_backend(b, suite, version, &k, etm).unwrap())
                    .collect();
            }
        }
    }
}

/// OpenSSL's CBC context is keyed at setup for one direction only (so the
/// first record does not pay for the key schedule); a call the other way
/// must yield zeros, never plaintext or a record sealed with a stale state.
#[cfg(feature = "openssl-provider")]
#[test]
fn openssl_cbc_runs_only_the_direction_it_was_keyed_for() {
    use super::ossl::Cbc;
    let key = [7u8; 16];
    let iv = [3u8; 16];
    let pt: Vec<u8> = (0..64u8).collect();
    let mut sealer = Cbc::new(BulkCipher::Aes128Cbc, &key, true).unwrap();
    let mut opener = Cbc::new(BulkCipher::Aes128Cbc, &key, false).unwrap();
    let mut ct = pt.clone();
    sealer.apply(true, &iv, &mut ct);
    assert_ne!(ct, pt);
    let mut wrong_way = ct.clone();
    sealer.apply(false, &iv, &mut wrong_way);
    assert_eq!(wrong_way, vec![0; 64]);
    let mut wrong_way = pt.clone();
    opener.apply(true, &iv, &mut wrong_way);
    assert_eq!(wrong_way, vec![0; 64]);
    let mut opened = ct.clone();
    opener.apply(false, &iv, &mut opened);
    assert_eq!(opened, pt);
}

/// The masked MAC check (both backends) opens honest MAC-then-encrypt CBC
/// records at every padding length the tweak can ask for and across
/// content lengths around the hash block boundaries, and refuses the same
/// records with one MAC bit flipped.
#[test]
fn every_padding_length_opens_through_the_masked_check() {
    for backend in backends() {
        for (suite, version, etm) in configs() {
            let CipherKind::Block { block_len } = suite.cipher.kind() else { continue };
            if etm {
                continue;
            }
            let k = keys(suite, version, 11);
            let pads: Vec<u8> = [0u8, 1, 7, 15, 16, 63, 64, 200, 255]
                .into_iter()
                .filter(|&p| !version.is_ssl3() || usize::from(p) < block_len)
                .collect();
            for &pad in &pads {
                for content_len in [0usize, 1, 13, 55, 56, 64, 100, 300] {
                    let ctx =
                        format!("{backend:?} {} {version} pad {pad} content {content_len}", suite.iana_name);
                    let pt: Vec<u8> = (0..content_len).map(|i| (i * 3) as u8).collect();
                    for corrupt in [false, true] {
                        let tweak = SealTweak {
                            padding_len: Some(pad),
                            corrupt_mac: corrupt.then_some(ByteFlip { index: 3, xor: 0x10 }),
                            ..SealTweak::default()
                        };
                        let mut s = RecordSealer::with_backend(backend, suite, version, &k, etm).unwrap();
                        let mut o = RecordOpener::with_backend(backend, suite, version, &k, etm).unwrap();
                        let rec = s.seal(APP, version, &pt, &mut SeededRandom::from_seed(5), &tweak);
                        let opened = o.open(APP, version, &rec);
                        match corrupt {
                            false => assert_eq!(opened.as_deref(), Ok(pt.as_slice()), "{ctx}"),
                            true => assert_eq!(opened, Err(RecordError::BadRecordMac), "{ctx} corrupt"),
                        }
                    }
                }
            }
        }
    }
}

/// Random fragments of every length up to 600 bytes (seeded), through
/// every opener of every backend: refused, never a panic, whatever the
/// decrypted padding and MAC bytes happen to be.
#[test]
fn random_fragments_are_refused_by_every_opener() {
    let mut rng = SeededRandom::from_seed(77);
    for backend in backends() {
        for (suite, version, etm) in configs() {
            let k = keys(suite, version, 13);
            for len in (0..=600usize).step_by(5) {
                let mut frag = vec![0u8; len];
                rng.fill(&mut frag);
                let mut o = RecordOpener::with_backend(backend, suite, version, &k, etm).unwrap();
                assert!(
                    o.open(APP, version, &frag).is_err(),
                    "{backend:?} {} {version} {len}",
                    suite.iana_name
                );
            }
        }
    }
}
