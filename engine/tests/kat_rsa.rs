//! RSA premaster decryption and CertificateVerify signatures against known
//! answers from the openssl CLI (vectors/kat/rsa_pkcs1_tls.json, made by
//! ci/kat/gen_rsa.py), and our encryption checked by `openssl pkeyutl`.
// A test crate: a wrong or missing vector field should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::PathBuf;

use serde_json::Value;
use shakedown_engine::crypto::SeededRandom;
use shakedown_engine::crypto::rsa_kx::{Pkcs1Tweak, RsaPrivateKey, SignatureHash};
use shakedown_engine::crypto::{provider, providers};
use shakedown_engine::msgs::enums::ProtocolVersion;

fn kat_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/kat")
}

fn load() -> Value {
    let path = kat_dir().join("rsa_pkcs1_tls.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn key() -> RsaPrivateKey {
    let pem = std::fs::read_to_string(kat_dir().join("rsa/test_key_2048.pem")).unwrap();
    RsaPrivateKey::from_pkcs8_pem(&pem).unwrap()
}

fn hex_field(v: &Value, field: &str) -> Vec<u8> {
    hex::decode(v[field].as_str().unwrap_or_else(|| panic!("missing {field}"))).unwrap()
}

fn hash_named(name: &str) -> SignatureHash {
    match name {
        "md5_sha1" => SignatureHash::Md5Sha1,
        "sha1" => SignatureHash::Sha1,
        "sha256" => SignatureHash::Sha256,
        "sha384" => SignatureHash::Sha384,
        "sha512" => SignatureHash::Sha512,
        other => panic!("unknown hash {other}"),
    }
}

/// Every provider compiled in (the `openssl-provider` feature adds one).
#[test]
fn premasters_and_signatures_match_openssl() {
    for p in providers::available() {
        eprintln!("provider {}", p.name());
        premasters_and_signatures_match_openssl_with(p.as_ref());
    }
}

fn premasters_and_signatures_match_openssl_with(p: &dyn provider::CryptoProvider) {
    let doc = load();
    assert!(doc["source"].as_str().unwrap().contains("OpenSSL"));
    let key = key();
    let mut rng = SeededRandom::from_seed(11);
    let (mut decrypts, mut signs, mut invalid) = (0, 0, 0);
    for group in doc["testGroups"].as_array().unwrap() {
        for test in group["tests"].as_array().unwrap() {
            let ctx = format!("{}: tcId {}: {}", p.name(), test["tcId"], test["comment"]);
            let valid = test["result"] == "valid";
            if !valid {
                invalid += 1;
            }
            match group["type"].as_str().unwrap() {
                "decrypt" => {
                    decrypts += 1;
                    let cv = u16::from_str_radix(test["clientVersion"].as_str().unwrap(), 16).unwrap();
                    let cv = ProtocolVersion::from_wire(cv);
                    let ct = hex_field(test, "ciphertext");
                    let pm = hex_field(test, "premaster");
                    let got = p.decrypt_premaster(&key, &ct, cv, &mut rng);
                    if valid {
                        assert_eq!(hex::encode(got), hex::encode(&pm), "{ctx}");
                    } else {
                        assert_eq!(&got[..2], &cv.get().to_be_bytes(), "{ctx}");
                        assert_ne!(&got[2..], &pm[2..], "{ctx}");
                    }
                }
                "sign" => {
                    signs += 1;
                    let hash = hash_named(group["hash"].as_str().unwrap());
                    let digest = hex_field(test, "digest");
                    let sig = hex_field(test, "signature");
                    let verified = p.verify(key.as_public_key(), hash, &digest, &sig);
                    if valid {
                        let ours = p.sign(&key, hash, &digest, &mut rng).unwrap();
                        assert_eq!(hex::encode(ours), hex::encode(&sig), "{ctx}");
                        assert!(verified.is_ok(), "{ctx}");
                    } else {
                        assert!(verified.is_err(), "{ctx}");
                    }
                }
                other => panic!("unknown group type {other}"),
            }
        }
    }
    assert_eq!(decrypts + signs, doc["numberOfTests"].as_u64().unwrap());
    assert!(decrypts >= 16 && signs >= 10 && invalid >= 16, "{decrypts} {signs} {invalid}");
}

/// Our PKCS#1 v1.5 blocks must be what OpenSSL expects. Needs the openssl
/// binary; without it the check says so and is not counted as run.
#[test]
fn honest_premaster_encryption_decrypts_with_openssl() {
    for p in providers::available() {
        honest_premaster_encryption_decrypts_with_openssl_with(p.as_ref());
    }
}

fn honest_premaster_encryption_decrypts_with_openssl_with(p: &dyn provider::CryptoProvider) {
    let key = key();
    let mut rng = SeededRandom::from_seed(12);
    let mut pm = vec![3, 3];
    pm.extend((0u8..46).map(|i| i.wrapping_mul(37)));
    let ct = p.encrypt_premaster(key.as_public_key(), &pm, &mut rng, &Pkcs1Tweak::default()).unwrap();
    let dir = std::env::temp_dir().join(format!("shakedown-kat-rsa-{}-{}", p.name(), std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ct_path = dir.join("ct.bin");
    std::fs::write(&ct_path, &ct).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["pkeyutl", "-decrypt", "-inkey"])
        .arg(kat_dir().join("rsa/test_key_2048.pem"))
        .arg("-in")
        .arg(&ct_path)
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    match out {
        Ok(out) => {
            assert!(out.status.success(), "openssl: {}", String::from_utf8_lossy(&out.stderr));
            assert_eq!(out.stdout, pm);
        }
        Err(e) => eprintln!("SKIPPED: openssl not runnable ({e}); encryption not cross-checked"),
    }
}

/// RFC 5246 4.7: every provider's verifier accepts a DigestInfo without
/// parameters as well as with NULL. The bare signature is read back with
/// `openssl pkeyutl -verifyrecover` (an independent decoding of the
/// PKCS#1 block) to show it holds the parameterless DigestInfo.
#[test]
fn every_provider_accepts_a_digest_info_without_parameters() {
    use shakedown_engine::crypto::rsa_kx::sign_without_null;
    let key = key();
    let mut rng = SeededRandom::from_seed(13);
    let digest = [0x24u8; 32];
    let bare = sign_without_null(&key, SignatureHash::Sha256, &digest, &mut rng).unwrap();
    for p in providers::available() {
        p.verify(key.as_public_key(), SignatureHash::Sha256, &digest, &bare)
            .unwrap_or_else(|e| panic!("{}: {e:?}", p.name()));
        let mut wrong = bare.clone();
        wrong[40] ^= 1;
        assert!(
            p.verify(key.as_public_key(), SignatureHash::Sha256, &digest, &wrong).is_err(),
            "{}",
            p.name()
        );
    }
    let dir = std::env::temp_dir().join(format!("shakedown-kat-bare-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sig = dir.join("sig.bin");
    std::fs::write(&sig, &bare).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["pkeyutl", "-verifyrecover", "-pkeyopt", "rsa_padding_mode:pkcs1", "-inkey"])
        .arg(kat_dir().join("rsa/test_key_2048.pem"))
        .arg("-in")
        .arg(&sig)
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    match out {
        Ok(out) => {
            assert!(out.status.success(), "openssl: {}", String::from_utf8_lossy(&out.stderr));
            let expected = [SignatureHash::Sha256.digest_info_prefix_without_null(), &digest].concat();
            assert_eq!(out.stdout, expected);
        }
        Err(e) => eprintln!("SKIPPED: openssl not runnable ({e}); the encoding not cross-checked"),
    }
}
