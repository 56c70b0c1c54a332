//! Fuzz entry points: one `pub fn` per cargo-fuzz target in `fuzz/`, so the
//! targets stay a few lines each and a crashing input can be replayed from
//! an ordinary test (`engine/tests/fuzz_regressions.rs`).
//!
//! Every entry point takes arbitrary bytes and must not panic, except on
//! purpose: the round-trip checks `assert!` that re-encoding a decoded value
//! gives back the bytes it came from, wherever the codec promises that (all
//! of `msgs`: unknown enum values and extensions survive, encoders write
//! exactly what the value holds).
//!
//! The stateful entry points ([`server`], [`client`] and their structured
//! twins) run whole handshakes under [`InsecureFuzzing`]
//! (cleartext records, constant-ish premaster, signature = digest,
//! verify_data = zeros), with fixed randomness and time, so one input
//! always sends the same bytes and a fuzzer can walk past ClientKeyExchange
//! and Finished. They return a [`Progress`] saying how far the handshake got.
//!
//! Never use anything here to talk to a real peer.
//!
//! [`InsecureFuzzing`]: crate::crypto::provider::InsecureFuzzing

mod parsers;
mod script;
mod seeds;
mod stateful;

pub use parsers::{
    alert_ccs, certificate, certificate_request, certificate_verify, client_hello, client_key_exchange,
    context_for, extensions, finished, reassembly, record, record_configs, record_open, record_open_config,
    record_open_configs, record_open_keys, server_hello, sslv2_client_hello, x509_chain,
};
pub use script::{Kind, Script, Step};
pub use seeds::{SeedFile, seed_corpus};
pub use stateful::{
    NOW, Progress, client, client_config, client_script, server, server_config, server_script,
};
