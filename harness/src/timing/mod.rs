//! `shakedown timing`: timing side channels measured with statistics.
//! Probe classes are generated before timing starts, sent in seeded random
//! order one connection per sample, timed at the socket (or from packet
//! timestamps, capture.rs), and compared with
//! paired tests and bootstrap intervals (tlsfuzzer's method).

pub mod analysis;
pub mod capture;
pub mod output;
pub mod plot;
pub mod probe;
pub mod stats;
pub mod target;
