//! The sign test on paired samples: under "no difference" a pair is as
//! likely to go up as down, so the count of increases is Binomial(n, 1/2)
//! over the n pairs that differ (zeros are dropped).

use statrs::distribution::{Binomial, DiscreteCDF};

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SignTest {
    /// Pairs where the second sample is larger.
    pub positive: usize,
    pub negative: usize,
    pub zeros: usize,
    /// Two-sided exact binomial p-value (scipy.stats.binomtest).
    pub p_value: f64,
}

/// Sign test of `b - a`, pair by pair.
pub fn sign_test(a: &[f64], b: &[f64]) -> SignTest {
    let (mut positive, mut negative, mut zeros) = (0usize, 0usize, 0usize);
    for d in super::differences(a, b) {
        if d > 0.0 {
            positive += 1;
        } else if d < 0.0 {
            negative += 1;
        } else {
            zeros += 1;
        }
    }
    let n = positive + negative;
    let k = positive.min(negative);
    // With p = 1/2 the distribution is symmetric: two-sided is twice the
    // smaller tail.
    let p_value = match Binomial::new(0.5, n as u64) {
        Ok(b) if n > 0 => (2.0 * b.cdf(k as u64)).min(1.0),
        _ => 1.0,
    };
    SignTest { positive, negative, zeros, p_value }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_p_value_match_scipy() {
        // 8 up, 2 down, 1 tie.
        // python3 -c "from scipy.stats import binomtest; print(binomtest(8, 10, 0.5).pvalue)"
        // -> 0.109375
        let a = [0.0; 11];
        let b = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, -1.0, -2.0, 0.0];
        let s = sign_test(&a, &b);
        assert_eq!((s.positive, s.negative, s.zeros), (8, 2, 1));
        assert!((s.p_value - 0.109375).abs() < 1e-12, "{}", s.p_value);
    }

    #[test]
    fn large_samples_match_scipy() {
        // python3 -c "from scipy.stats import binomtest; print(binomtest(540, 1000, 0.5).pvalue)"
        // -> 0.012444146277171799
        let a = vec![0.0; 1000];
        let b: Vec<f64> = (0..1000).map(|i| if i < 540 { 1.0 } else { -1.0 }).collect();
        let s = sign_test(&a, &b);
        assert!((s.p_value - 0.012444146277171799).abs() < 1e-9, "{}", s.p_value);
    }

    #[test]
    fn all_ties_give_no_evidence() {
        assert_eq!(sign_test(&[1.0, 2.0], &[1.0, 2.0]).p_value, 1.0);
    }
}
