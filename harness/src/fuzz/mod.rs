//! The interop fuzzer (`shakedown fuzz`): cases of knobs and field
//! mutations from a seed and a corpus, run black-box against any peer the
//! runner drives, judged by three oracles (spec, liveness, differential),
//! with every finding minimised and written as a replayable scenario vector.

pub mod campaign;
pub mod case;
pub mod exec;
pub mod findings;
pub mod generate;
pub mod merge;
pub mod minimize;
pub mod oracle;
pub mod signature;
pub mod spec;
