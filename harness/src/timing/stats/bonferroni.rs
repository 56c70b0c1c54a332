//! The Bonferroni correction: with `m` tests, a p-value counts as `m`
//! times itself, so the chance of any false alarm stays below alpha.

/// The corrected p-value, capped at 1.
pub fn bonferroni(p: f64, tests: usize) -> f64 {
    (p * tests.max(1) as f64).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiplies_and_caps() {
        assert_eq!(bonferroni(0.01, 5), 0.05);
        assert_eq!(bonferroni(0.3, 5), 1.0);
        assert_eq!(bonferroni(0.02, 0), 0.02);
    }
}
