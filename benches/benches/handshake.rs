//! Handshakes per second, engine client against engine server in memory,
//! per version: full, full with a required RSA-2048 client certificate, and
//! resumed by session id. Plus the RSA-2048 private operations alone, ours
//! (the rsa crate behind crypto::rsa_kx) and, with `--features openssl`,
//! OpenSSL's EVP_PKEY.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use shakedown_benches::fixtures::{PREMASTER, server_identity};
use shakedown_benches::handshake::{Kind, Setup};
use shakedown_benches::records::version_name;
use shakedown_engine::crypto::SeededRandom;
use shakedown_engine::crypto::rsa_kx::{
    Pkcs1Tweak, SignatureHash, decrypt_premaster, encrypt_premaster, sign,
};
use shakedown_engine::msgs::enums::ProtocolVersion;
use shakedown_engine::suites::by_name;

fn rsa(c: &mut Criterion) {
    let mut g = c.benchmark_group("rsa2048");
    let key = server_identity().key;
    let public = key.to_public_key();
    let mut rng = SeededRandom::from_seed(5);
    let ct = encrypt_premaster(&public, &PREMASTER, &mut rng, &Pkcs1Tweak::default()).unwrap();
    assert_eq!(decrypt_premaster(&key, &ct, ProtocolVersion::Tls12, &mut rng), PREMASTER);
    let digest = [0x42u8; 32];
    g.bench_function(BenchmarkId::new("ours", "decrypt premaster"), |b| {
        b.iter(|| decrypt_premaster(&key, black_box(&ct), ProtocolVersion::Tls12, &mut rng))
    });
    g.bench_function(BenchmarkId::new("ours", "sign sha256"), |b| {
        b.iter(|| sign(&key, SignatureHash::Sha256, black_box(&digest), &mut rng).unwrap())
    });
    #[cfg(feature = "openssl-provider")]
    {
        use shakedown_engine::crypto::openssl_provider::OpenSsl;
        use shakedown_engine::crypto::provider::CryptoProvider;
        let p = OpenSsl::new();
        assert_eq!(p.decrypt_premaster(&key, &ct, ProtocolVersion::Tls12, &mut rng), PREMASTER);
        g.bench_function(BenchmarkId::new("ours-openssl", "decrypt premaster"), |b| {
            b.iter(|| p.decrypt_premaster(&key, black_box(&ct), ProtocolVersion::Tls12, &mut rng))
        });
        g.bench_function(BenchmarkId::new("ours-openssl", "sign sha256"), |b| {
            b.iter(|| p.sign(&key, SignatureHash::Sha256, black_box(&digest), &mut rng).unwrap())
        });
    }
    #[cfg(feature = "openssl")]
    {
        use shakedown_benches::ossl::rsa;
        let okey = rsa::server_key();
        let oct = rsa::encrypt(&okey, &PREMASTER);
        assert_eq!(rsa::decrypt(&okey, &oct), PREMASTER);
        assert_eq!(
            rsa::sign_sha256(&okey, &digest),
            sign(&key, SignatureHash::Sha256, &digest, &mut rng).unwrap()
        );
        g.bench_function(BenchmarkId::new("openssl", "decrypt premaster"), |b| {
            b.iter(|| rsa::decrypt(&okey, black_box(&oct)))
        });
        g.bench_function(BenchmarkId::new("openssl", "sign sha256"), |b| {
            b.iter(|| rsa::sign_sha256(&okey, black_box(&digest)))
        });
    }
    g.finish();
}

fn handshakes(c: &mut Criterion) {
    let mut g = c.benchmark_group("handshake");
    // Handshakes take milliseconds: fewer samples keep a run short.
    g.sample_size(20);
    let suite = by_name("AES128-SHA").unwrap();
    for version in ProtocolVersion::SUPPORTED {
        for kind in Kind::ALL {
            let mut setup = Setup::new(version, suite, kind);
            let op = format!("{} {}", version_name(version), kind.name());
            g.bench_function(BenchmarkId::new("ours", op), |b| b.iter(|| setup.run()));
        }
    }
    g.finish();
}

criterion_group!(benches, rsa, handshakes);
criterion_main!(benches);
