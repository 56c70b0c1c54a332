//! shakedown: a conformance test harness and interop fuzzer for SSL 3.0 and
//! TLS 1.0-1.2, built on the reference engine in `shakedown-engine`.

pub mod args;
pub mod cli;
pub mod console;
pub mod expect;
pub mod fuzz;
pub mod fuzzing;
pub mod learn;
pub mod pcap;
pub mod peer;
pub mod report;
pub mod run;
pub mod session;
pub mod timing;
pub mod vector;
