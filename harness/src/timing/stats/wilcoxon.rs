//! The Wilcoxon signed-rank test on paired samples: rank the absolute
//! differences, sum the ranks of the positive ones (W+), and compare with
//! its distribution under "no difference". Zero differences are dropped
//! (Wilcoxon's own rule, scipy's `zero_method="wilcox"`); ties share their
//! average rank and shrink the variance.

use statrs::distribution::{ContinuousCDF, Normal};

use super::rank::average_ranks;

/// Largest count of nonzero differences for the exact distribution; above
/// it (as in scipy) the normal approximation is used.
pub const EXACT_MAX_N: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WilcoxonMethod {
    /// The exact null distribution of W+ (no ties, n <= 50).
    Exact,
    /// Normal approximation with the tie correction, no continuity
    /// correction (scipy's `method="asymptotic"`).
    Normal,
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Wilcoxon {
    /// Nonzero differences.
    pub n: usize,
    pub zeros: usize,
    pub r_plus: f64,
    pub r_minus: f64,
    /// The standardised W+ (normal method only).
    pub z: Option<f64>,
    /// Two-sided.
    pub p_value: f64,
    pub method: WilcoxonMethod,
}

/// Wilcoxon signed-rank test of `b - a`; `None` when every difference is
/// zero (no evidence either way).
pub fn wilcoxon(a: &[f64], b: &[f64]) -> Option<Wilcoxon> {
    let all = super::differences(a, b);
    let d: Vec<f64> = all.iter().copied().filter(|&x| x != 0.0).collect();
    let zeros = all.len() - d.len();
    let n = d.len();
    if n == 0 {
        return None;
    }
    let magnitudes: Vec<f64> = d.iter().map(|x| x.abs()).collect();
    let (ranks, ties) = average_ranks(&magnitudes);
    let r_plus: f64 = d.iter().zip(&ranks).filter(|(x, _)| **x > 0.0).map(|(_, r)| r).sum();
    let total = (n * (n + 1)) as f64 / 2.0;
    let r_minus = total - r_plus;
    let (z, p_value, method) = if n <= EXACT_MAX_N && ties == 0.0 {
        (None, exact_p(n, r_plus), WilcoxonMethod::Exact)
    } else {
        let nf = n as f64;
        let mean = nf * (nf + 1.0) / 4.0;
        let var = nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - ties / 48.0;
        let z = match var > 0.0 {
            true => (r_plus - mean) / var.sqrt(),
            false => 0.0,
        };
        let p = Normal::standard().sf(z.abs()) * 2.0;
        (Some(z), p.min(1.0), WilcoxonMethod::Normal)
    };
    Some(Wilcoxon { n, zeros, r_plus, r_minus, z, p_value, method })
}

/// Two-sided exact p-value of W+ = `w` with ranks 1..=n: the count of sign
/// assignments giving each rank sum, built one rank at a time.
fn exact_p(n: usize, w: f64) -> f64 {
    let max = n * (n + 1) / 2;
    let mut counts = vec![0.0f64; max + 1];
    if let Some(c) = counts.first_mut() {
        *c = 1.0;
    }
    for rank in 1..=n {
        for sum in (rank..=max).rev() {
            let add = counts.get(sum - rank).copied().unwrap_or(0.0);
            if let Some(c) = counts.get_mut(sum) {
                *c += add;
            }
        }
    }
    let all = 2f64.powi(n as i32);
    // Without ties W+ is an integer.
    let w = w.round().max(0.0) as usize;
    let below: f64 = counts.iter().take(w + 1).sum();
    let above: f64 = counts.iter().skip(w).sum();
    (2.0 * below.min(above) / all).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1e-300)
    }

    #[test]
    fn exact_small_sample_matches_scipy() {
        // python3 -c "from scipy.stats import wilcoxon;
        //   print(wilcoxon([1.5,-2.5,3.5,4.5,-5.5,6.5,7.5,8.5], method='exact'))"
        // -> statistic=7.0, pvalue=0.1484375 (statistic is min(W+, W-))
        let a = [0.0; 8];
        let b = [1.5, -2.5, 3.5, 4.5, -5.5, 6.5, 7.5, 8.5];
        let w = wilcoxon(&a, &b).unwrap();
        assert_eq!(w.method, WilcoxonMethod::Exact);
        assert_eq!((w.r_plus, w.r_minus), (29.0, 7.0));
        assert!(close(w.p_value, 0.1484375), "{}", w.p_value);
    }

    #[test]
    fn normal_approximation_with_ties_and_zeros_matches_scipy() {
        // d_i = ((i*53) % 17) - 7 for i in 0..200: ties, and zeros dropped.
        // python3 -c "from scipy.stats import wilcoxon;
        //   d=[((i*53)%17)-7 for i in range(200)];
        //   r=wilcoxon(d, method='asymptotic'); print(r.statistic, r.pvalue, r.zstatistic)"
        // -> 6972.0 0.010393819918878616 -2.5624444970415423
        let d: Vec<f64> = (0..200).map(|i| ((i * 53) % 17) as f64 - 7.0).collect();
        let w = wilcoxon(&vec![0.0; 200], &d).unwrap();
        assert_eq!(w.method, WilcoxonMethod::Normal);
        assert_eq!(w.zeros, 12);
        assert!(close(w.r_minus.min(w.r_plus), 6972.0), "{}", w.r_plus);
        assert!(close(w.p_value, 0.010393819918878616), "{}", w.p_value);
        assert!(close(w.z.unwrap().abs(), 2.5624444970415423), "{:?}", w.z);
    }

    #[test]
    fn a_shift_is_significant_and_no_shift_is_not() {
        let a: Vec<f64> = (0..400).map(|i| ((i * 37) % 101) as f64).collect();
        let shifted: Vec<f64> = a.iter().enumerate().map(|(i, x)| x + 5.0 + ((i * 13) % 7) as f64).collect();
        assert!(wilcoxon(&a, &shifted).unwrap().p_value < 1e-10);
        let b: Vec<f64> = (0..400).map(|i| ((i * 41) % 101) as f64).collect();
        assert!(wilcoxon(&a, &b).unwrap().p_value > 0.01);
    }

    #[test]
    fn all_zero_differences_are_no_test() {
        assert!(wilcoxon(&[1.0, 2.0], &[1.0, 2.0]).is_none());
    }
}
