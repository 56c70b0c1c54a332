//! shakedown-engine: a sans-IO reference SSL 3.0 / TLS 1.0-1.2 engine with
//! RSA key exchange, built to misbehave on purpose for conformance testing.
//!
//! No I/O, no clock, no global RNG: bytes, time and randomness come in as
//! arguments.

pub mod codec;
pub mod crypto;
pub mod msgs;
pub mod suites;
pub mod x509;
