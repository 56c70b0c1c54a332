//! Shared fixtures of the shakedown benchmarks: the test identities, an
//! engine-to-engine handshake in memory, record keys per suite, the OpenSSL
//! side of each comparison (feature `openssl`) and the table that
//! benches/README.md shows.
//!
//! Benchmark fixtures abort loudly when setup fails: a benchmark that
//! silently measured nothing would be worse than one that does not run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

pub mod fixtures;
pub mod handshake;
pub mod misses;
#[cfg(feature = "openssl")]
pub mod ossl;
pub mod records;
pub mod speed;
pub mod table;
