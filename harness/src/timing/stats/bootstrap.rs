//! Percentile bootstrap confidence intervals of a location statistic of
//! the paired differences: resample the differences with replacement,
//! compute the statistic each time, and take the 2.5% and 97.5% quantiles.
//! The RNG is seeded, so the same samples give the same interval.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Which location statistic.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Statistic {
    Median,
    /// Mean after cutting this fraction off each end (scipy.stats.trim_mean:
    /// floor(fraction * n) values each side).
    TrimmedMean(f64),
}

impl Statistic {
    /// Computes the statistic; reorders `v`. NaN for an empty slice.
    pub fn of(self, v: &mut [f64]) -> f64 {
        match self {
            Self::Median => median(v),
            Self::TrimmedMean(cut) => trimmed_mean(v, cut),
        }
    }

    pub fn name(self) -> String {
        match self {
            Self::Median => "median".into(),
            Self::TrimmedMean(cut) => format!("{:.0}% trimmed mean", cut * 100.0),
        }
    }
}

/// An estimate with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Interval {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

impl Interval {
    pub fn width(&self) -> f64 {
        self.high - self.low
    }

    /// Whether zero lies outside the interval.
    pub fn excludes_zero(&self) -> bool {
        self.low > 0.0 || self.high < 0.0
    }
}

/// Median, with the mean of the two middle values for an even count.
pub fn median(v: &mut [f64]) -> f64 {
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    let (_, &mut upper, _) = v.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        return upper;
    }
    // The lower middle is the largest of the part left of n/2.
    let lower = v.get(..n / 2).unwrap_or_default().iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (lower + upper) / 2.0
}

/// Trimmed mean: sorts `v`, cuts floor(cut * n) values off each end.
pub fn trimmed_mean(v: &mut [f64], cut: f64) -> f64 {
    v.sort_unstable_by(f64::total_cmp);
    let n = v.len();
    let k = ((cut.clamp(0.0, 0.5) * n as f64).floor() as usize).min(n / 2);
    let kept = v.get(k..n - k).unwrap_or_default();
    if kept.is_empty() {
        return median(v);
    }
    kept.iter().sum::<f64>() / kept.len() as f64
}

/// The q-quantile (0..=1) of sorted values, interpolated linearly between
/// order statistics (numpy.percentile's default).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let pos = q.clamp(0.0, 1.0) * (n - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let (a, b) = (sorted.get(lo).copied().unwrap_or(f64::NAN), sorted.get(hi).copied().unwrap_or(f64::NAN));
    a + (b - a) * (pos - lo as f64)
}

/// 95% percentile-bootstrap interval of `stat` over `diffs`, from
/// `resamples` resamples drawn with a ChaCha8 RNG seeded by `seed`.
/// `None` for no data.
pub fn bootstrap_ci(diffs: &[f64], stat: Statistic, resamples: usize, seed: u64) -> Option<Interval> {
    if diffs.is_empty() || resamples == 0 {
        return None;
    }
    let estimate = stat.of(&mut diffs.to_vec());
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut scratch = vec![0.0; diffs.len()];
    let mut stats = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        for slot in scratch.iter_mut() {
            let i = rng.random_range(0..diffs.len());
            *slot = diffs.get(i).copied().unwrap_or(f64::NAN);
        }
        stats.push(stat.of(&mut scratch));
    }
    stats.sort_unstable_by(f64::total_cmp);
    Some(Interval { estimate, low: quantile_sorted(&stats, 0.025), high: quantile_sorted(&stats, 0.975) })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// d_i = ((i*53) % 17) - 7 + 0.5 * ((i*29) % 11), i in 0..n.
    fn data(n: usize) -> Vec<f64> {
        (0..n).map(|i| ((i * 53) % 17) as f64 - 7.0 + 0.5 * ((i * 29) % 11) as f64).collect()
    }

    #[test]
    fn location_statistics_match_numpy_and_scipy() {
        // python3 -c "import numpy as np; from scipy.stats import trim_mean;
        //   d=[((i*53)%17)-7+0.5*((i*29)%11) for i in range(101)];
        //   print(np.median(d), trim_mean(d, 0.1))"  -> 3.5 3.425925925925926
        let mut d = data(101);
        assert_eq!(median(&mut d), 3.5);
        assert!((trimmed_mean(&mut d, 0.1) - 3.425925925925926).abs() < 1e-12);
        // Even count, and an outlier the trimmed mean drops:
        // np.median(d2), trim_mean(d2, 0.1) -> 5.5 5.5
        let mut d2 = [1.0, 2.0, 3.0, 4.0, 100.0, 5.0, 6.0, 7.0, 8.0, 9.0];
        assert_eq!(median(&mut d2), 5.5);
        assert_eq!(trimmed_mean(&mut d2, 0.1), 5.5);
        assert!(median(&mut []).is_nan());
    }

    #[test]
    fn quantiles_interpolate_like_numpy() {
        // np.percentile([1..10], [2.5, 97.5]) -> [1.225 9.775]
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert!((quantile_sorted(&v, 0.025) - 1.225).abs() < 1e-12);
        assert!((quantile_sorted(&v, 0.975) - 9.775).abs() < 1e-12);
    }

    #[test]
    fn intervals_agree_with_scipy_bootstrap() {
        // Different RNGs, so agreement within the resampling noise only.
        // python3 -c "import numpy as np; from scipy.stats import bootstrap, trim_mean;
        //   d=np.array([((i*53)%17)-7+0.5*((i*29)%11) for i in range(301)], dtype=float);
        //   print(bootstrap((d,), np.median, method='percentile', n_resamples=20000,
        //         rng=np.random.default_rng(1)).confidence_interval);
        //   print(bootstrap((d,), lambda x, axis: trim_mean(x, 0.1, axis=axis),
        //         method='percentile', n_resamples=20000, rng=np.random.default_rng(1)).confidence_interval)"
        // -> median 3.5, CI (2.5, 4.0); 10% trimmed mean 3.4481327800829877,
        //    CI (2.7904564315352696, 4.097510373443983)
        let d = data(301);
        let m = bootstrap_ci(&d, Statistic::Median, 20_000, 1).unwrap();
        assert_eq!(m.estimate, 3.5);
        assert!((m.low - 2.5).abs() <= 0.5 && (m.high - 4.0).abs() <= 0.5, "{m:?}");
        let t = bootstrap_ci(&d, Statistic::TrimmedMean(0.1), 20_000, 1).unwrap();
        assert!((t.estimate - 3.4481327800829877).abs() < 1e-12);
        assert!((t.low - 2.7904564315352696).abs() < 0.1, "{t:?}");
        assert!((t.high - 4.097510373443983).abs() < 0.1, "{t:?}");
    }

    #[test]
    fn same_seed_same_interval_and_a_shift_is_inside() {
        let shifted: Vec<f64> = data(500).iter().map(|x| x + 100.0).collect();
        let a = bootstrap_ci(&shifted, Statistic::Median, 500, 7).unwrap();
        let b = bootstrap_ci(&shifted, Statistic::Median, 500, 7).unwrap();
        assert_eq!(a, b);
        assert!(a.low > 100.0 && a.high < 106.0 && a.excludes_zero(), "{a:?}");
        assert!(bootstrap_ci(&[], Statistic::Median, 10, 1).is_none());
    }
}
