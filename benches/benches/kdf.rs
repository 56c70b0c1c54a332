//! Key derivation per call: master secret, a full key block, the extended
//! master secret and a Finished verify_data, for each PRF; side by side with
//! OpenSSL (EVP_KDF TLS1-PRF; EVP digests for SSL 3.0) with `--features openssl`.
//! verify_data is timed as a connection computes it: the 3 KiB transcript's
//! digests already run (they were fed as the messages arrived, on both
//! sides), so a call finishes copies of them and runs the PRF.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use shakedown_benches::fixtures::{CLIENT_RANDOM, MASTER, PREMASTER, SERVER_RANDOM, transcript};
use shakedown_engine::crypto::Side;
use shakedown_engine::crypto::finished::verify_data;
use shakedown_engine::crypto::key_schedule::{extended_master_secret, key_block, master_secret};
use shakedown_engine::crypto::prf::PrfAlgorithm;
use shakedown_engine::crypto::transcript::running_transcript;
use shakedown_engine::msgs::enums::ProtocolVersion;
use shakedown_engine::suites::by_name;

/// Each PRF with the suite whose key block is the longest it derives.
const ALGS: [(PrfAlgorithm, &str, ProtocolVersion, &str); 4] = [
    (PrfAlgorithm::Ssl3, "ssl3", ProtocolVersion::Ssl3, "AES256-SHA"),
    (PrfAlgorithm::Tls10, "tls1.0", ProtocolVersion::Tls10, "AES256-SHA"),
    (PrfAlgorithm::Sha256, "tls1.2-sha256", ProtocolVersion::Tls12, "AES256-SHA256"),
    (PrfAlgorithm::Sha384, "tls1.2-sha384", ProtocolVersion::Tls12, "AES256-GCM-SHA384"),
];

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("kdf");
    let hs = transcript();
    let session_hash = [0x5a; 48];
    for (alg, name, version, suite) in ALGS {
        let layout = by_name(suite).unwrap().key_block_layout(version);
        let kb_len = layout.total();
        let ems_hash = &session_hash[..if alg == PrfAlgorithm::Sha384 {
            48
        } else if alg == PrfAlgorithm::Sha256 {
            32
        } else {
            36
        }];
        g.bench_function(BenchmarkId::new("ours", format!("{name} master secret")), |b| {
            b.iter(|| master_secret(alg, black_box(&PREMASTER), &CLIENT_RANDOM, &SERVER_RANDOM))
        });
        g.bench_function(BenchmarkId::new("ours", format!("{name} key block {kb_len} B ({suite})")), |b| {
            b.iter(|| key_block(alg, black_box(&MASTER), &CLIENT_RANDOM, &SERVER_RANDOM, layout).unwrap())
        });
        if alg != PrfAlgorithm::Ssl3 {
            g.bench_function(BenchmarkId::new("ours", format!("{name} extended master secret")), |b| {
                b.iter(|| extended_master_secret(alg, black_box(&PREMASTER), ems_hash).unwrap())
            });
        }
        let running = running_transcript(alg, &hs);
        g.bench_function(
            BenchmarkId::new("ours", format!("{name} verify_data (3 KiB running transcript)")),
            |b| b.iter(|| verify_data(alg, black_box(&MASTER), Side::Client, &running)),
        );
        assert_eq!(running.whole_hashes(), 0, "verify_data hashed the whole transcript");
        #[cfg(feature = "openssl")]
        openssl_side::bench(&mut g, alg, name, kb_len, suite, ems_hash, &hs);
    }
    g.finish();
}

#[cfg(feature = "openssl")]
mod openssl_side {
    use std::hint::black_box;

    use criterion::measurement::WallTime;
    use criterion::{BenchmarkGroup, BenchmarkId};
    use openssl::hash::MessageDigest;
    use shakedown_benches::fixtures::{CLIENT_RANDOM, MASTER, PREMASTER, SERVER_RANDOM};
    use shakedown_benches::ossl::Tls1Prf;
    use shakedown_benches::ossl::kdf::{running, ssl3_prf, ssl3_verify_data, tls_verify_data};
    use shakedown_engine::crypto::Side;
    use shakedown_engine::crypto::finished::verify_data;
    use shakedown_engine::crypto::key_schedule::master_secret;
    use shakedown_engine::crypto::prf::PrfAlgorithm;
    use shakedown_engine::crypto::transcript::running_transcript;

    fn seed(a: &[u8; 32], b: &[u8; 32]) -> [u8; 64] {
        let mut s = [0u8; 64];
        s[..32].copy_from_slice(a);
        s[32..].copy_from_slice(b);
        s
    }

    pub fn bench(
        g: &mut BenchmarkGroup<'_, WallTime>,
        alg: PrfAlgorithm,
        name: &str,
        kb_len: usize,
        suite: &str,
        ems_hash: &[u8],
        hs: &[u8],
    ) {
        let ms_seed = seed(&CLIENT_RANDOM, &SERVER_RANDOM);
        let kb_seed = seed(&SERVER_RANDOM, &CLIENT_RANDOM);
        if alg == PrfAlgorithm::Ssl3 {
            // Same answers as the engine, checked once.
            let mut ms = [0u8; 48];
            ssl3_prf(&PREMASTER, &ms_seed, &mut ms);
            assert_eq!(ms, master_secret(alg, &PREMASTER, &CLIENT_RANDOM, &SERVER_RANDOM));
            let md5_sha1 = running(&[MessageDigest::md5(), MessageDigest::sha1()], hs);
            assert_eq!(
                ssl3_verify_data(&MASTER, &md5_sha1, b"CLNT"),
                verify_data(alg, &MASTER, Side::Client, &running_transcript(alg, hs))
            );
            g.bench_function(BenchmarkId::new("openssl", format!("{name} master secret")), |b| {
                b.iter(|| {
                    let mut out = [0u8; 48];
                    ssl3_prf(black_box(&PREMASTER), &ms_seed, &mut out);
                    out
                })
            });
            g.bench_function(
                BenchmarkId::new("openssl", format!("{name} key block {kb_len} B ({suite})")),
                |b| {
                    b.iter(|| {
                        let mut out = vec![0u8; kb_len];
                        ssl3_prf(black_box(&MASTER), &kb_seed, &mut out);
                        out
                    })
                },
            );
            g.bench_function(
                BenchmarkId::new("openssl", format!("{name} verify_data (3 KiB running transcript)")),
                |b| b.iter(|| ssl3_verify_data(black_box(&MASTER), &md5_sha1, b"CLNT")),
            );
            return;
        }
        let (digest, hashes) = match alg {
            PrfAlgorithm::Tls10 => (c"MD5-SHA1", vec![MessageDigest::md5(), MessageDigest::sha1()]),
            PrfAlgorithm::Sha256 => (c"SHA256", vec![MessageDigest::sha256()]),
            _ => (c"SHA384", vec![MessageDigest::sha384()]),
        };
        let digests = running(&hashes, hs);
        let prf = Tls1Prf::new(digest);
        let mut ms = [0u8; 48];
        prf.derive(&PREMASTER, b"master secret", &ms_seed, &mut ms);
        assert_eq!(ms, master_secret(alg, &PREMASTER, &CLIENT_RANDOM, &SERVER_RANDOM));
        assert_eq!(
            tls_verify_data(&prf, &digests, &MASTER).to_vec(),
            verify_data(alg, &MASTER, Side::Client, &running_transcript(alg, hs))
        );
        g.bench_function(BenchmarkId::new("openssl", format!("{name} master secret")), |b| {
            b.iter(|| {
                let mut out = [0u8; 48];
                prf.derive(black_box(&PREMASTER), b"master secret", &ms_seed, &mut out);
                out
            })
        });
        g.bench_function(
            BenchmarkId::new("openssl", format!("{name} key block {kb_len} B ({suite})")),
            |b| {
                b.iter(|| {
                    let mut out = vec![0u8; kb_len];
                    prf.derive(black_box(&MASTER), b"key expansion", &kb_seed, &mut out);
                    out
                })
            },
        );
        g.bench_function(BenchmarkId::new("openssl", format!("{name} extended master secret")), |b| {
            b.iter(|| {
                let mut out = [0u8; 48];
                prf.derive(black_box(&PREMASTER), b"extended master secret", ems_hash, &mut out);
                out
            })
        });
        g.bench_function(
            BenchmarkId::new("openssl", format!("{name} verify_data (3 KiB running transcript)")),
            |b| b.iter(|| tls_verify_data(&prf, &digests, black_box(&MASTER))),
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
