//! Record protection: seal and open of one application-data record for every
//! suite (at TLS 1.2, plus AES128-SHA at TLS 1.0 and SSL 3.0) at 64 B, 1 KiB
//! and 16 KiB, in bytes of plaintext per second; side by side with OpenSSL
//! EVP (same construction) with `--features openssl`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use shakedown_benches::records::{SIZES, cases, plaintext};
use shakedown_engine::crypto::SeededRandom;
use shakedown_engine::crypto::record::SealTweak;
use shakedown_engine::msgs::enums::ContentType;

fn seal(c: &mut Criterion) {
    let mut g = c.benchmark_group("record-seal");
    for case in cases() {
        for size in SIZES {
            let pt = plaintext(size);
            let op = format!("{} {size}", case.name());
            g.throughput(Throughput::Bytes(size as u64));
            let mut sealer = case.sealer();
            let mut rng = SeededRandom::from_seed(3);
            let tweak = SealTweak::default();
            g.bench_function(BenchmarkId::new("ours", &op), |b| {
                b.iter(|| {
                    sealer.seal(ContentType::ApplicationData, case.version, black_box(&pt), &mut rng, &tweak)
                })
            });
            #[cfg(feature = "openssl-provider")]
            {
                use shakedown_engine::crypto::record::Backend;
                let mut sealer = case.sealer_with(Backend::OpenSsl);
                g.bench_function(BenchmarkId::new("ours-openssl", &op), |b| {
                    b.iter(|| {
                        sealer.seal(
                            ContentType::ApplicationData,
                            case.version,
                            black_box(&pt),
                            &mut rng,
                            &tweak,
                        )
                    })
                });
            }
            #[cfg(feature = "openssl")]
            {
                use shakedown_benches::ossl::record::Record;
                // OpenSSL's record opens with the engine: the same format.
                let first = Record::sealer(&case).seal(&pt);
                let opened = case.opener().open(ContentType::ApplicationData, case.version, &first).unwrap();
                assert_eq!(opened, pt, "{op}");
                let mut sealer = Record::sealer(&case);
                g.bench_function(BenchmarkId::new("openssl", &op), |b| {
                    b.iter(|| sealer.seal(black_box(&pt)))
                });
            }
        }
    }
    g.finish();
}

fn open(c: &mut Criterion) {
    let mut g = c.benchmark_group("record-open");
    for case in cases() {
        for size in SIZES {
            let pt = plaintext(size);
            let op = format!("{} {size}", case.name());
            // The first record of a direction, opened by a fresh opener each
            // iteration (setup not timed): sequence numbers and the CBC / RC4
            // state then match.
            let record = case.first_record(&pt);
            g.throughput(Throughput::Bytes(size as u64));
            g.bench_function(BenchmarkId::new("ours", &op), |b| {
                b.iter_batched(
                    || case.opener(),
                    // The opener is handed back so that dropping it (key
                    // zeroisation, frees) is not timed.
                    |mut o| {
                        let pt =
                            o.open(ContentType::ApplicationData, case.version, black_box(&record)).unwrap();
                        (o, pt)
                    },
                    BatchSize::SmallInput,
                )
            });
            #[cfg(feature = "openssl-provider")]
            {
                use shakedown_engine::crypto::record::Backend;
                g.bench_function(BenchmarkId::new("ours-openssl", &op), |b| {
                    b.iter_batched(
                        || case.opener_with(Backend::OpenSsl),
                        |mut o| {
                            let pt = o
                                .open(ContentType::ApplicationData, case.version, black_box(&record))
                                .unwrap();
                            (o, pt)
                        },
                        BatchSize::SmallInput,
                    )
                });
            }
            #[cfg(feature = "openssl")]
            {
                use shakedown_benches::ossl::record::Record;
                assert_eq!(Record::opener(&case).open(&record), pt, "{op}");
                g.bench_function(BenchmarkId::new("openssl", &op), |b| {
                    b.iter_batched(
                        || Record::opener(&case),
                        |mut o| {
                            let pt = o.open(black_box(&record));
                            (o, pt)
                        },
                        BatchSize::SmallInput,
                    )
                });
            }
        }
    }
    g.finish();
}

criterion_group!(benches, seal, open);
criterion_main!(benches);
