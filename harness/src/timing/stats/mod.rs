//! The statistics of the timing probes, as pure functions over samples in
//! nanoseconds: paired tests per pair of classes (sign test, Wilcoxon
//! signed-rank), a Friedman test over all classes, the Bonferroni
//! correction, and bootstrap confidence intervals of the differences. The
//! design follows tlsfuzzer's timing analysis (docs/source/timing-analysis.rst):
//! samples come in blocks, one per class in random order, so samples of two
//! classes are paired by block.
//!
//! Known answers in the tests come from scipy.stats on this machine; each
//! test quotes the Python it ran.

pub mod bonferroni;
pub mod bootstrap;
pub mod friedman;
pub mod rank;
pub mod sign;
pub mod wilcoxon;

pub use bonferroni::bonferroni;
pub use bootstrap::{Interval, Statistic, bootstrap_ci, median, trimmed_mean};
pub use friedman::{Friedman, friedman};
pub use sign::{SignTest, sign_test};
pub use wilcoxon::{Wilcoxon, WilcoxonMethod, wilcoxon};

/// Paired differences `b - a`, element by element (the shorter length wins).
pub fn differences(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| y - x).collect()
}
