//! shakedown-engine: a sans-IO reference SSL 3.0 / TLS 1.0-1.2 engine with
//! RSA key exchange, built to misbehave on purpose for conformance testing.
//!
//! No I/O, no clock, no global RNG: bytes, time and randomness come in as
//! arguments.

pub mod codec;
pub mod config;
pub mod conn;
pub mod crypto;
pub mod deviate;
pub mod error;
pub mod flaw;
pub mod fuzzing;
mod handshake;
pub mod msgs;
pub mod pair;
// The record layer sits below both the handshake and the connection:
// each uses it, and it uses neither.
pub(crate) mod record_layer;
pub mod suites;
pub mod x509;

pub use config::{ClientAuthMode, ClientConfig, ServerConfig, SessionCache, SessionData, VersionRange};
pub use conn::{Connection, ConnectionEvent, HandshakeSummary, Incoming, Step};
pub use error::Error;
