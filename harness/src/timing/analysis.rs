//! From timed samples to a verdict: every pair of classes gets the sign
//! and Wilcoxon tests (Bonferroni-corrected over all the tests made) and
//! bootstrap intervals of the median and trimmed-mean difference; the
//! Friedman test looks at all classes at once. The verdict states a size,
//! never a bare p-value.

use serde::Serialize;

use super::stats::{
    Friedman, Interval, SignTest, Statistic, Wilcoxon, bonferroni, bootstrap_ci, differences, friedman,
    sign_test, wilcoxon,
};

/// Samples in nanoseconds: `blocks[i][c]` is block i's sample of class c.
/// A block holds one sample of every class, sent in random order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Samples {
    pub classes: Vec<String>,
    pub blocks: Vec<Vec<f64>>,
}

impl Samples {
    /// The same blocks without the classes named in `left_out`.
    pub fn without(&self, left_out: &[String]) -> Samples {
        let keep: Vec<usize> = (0..self.classes.len())
            .filter(|&c| self.classes.get(c).is_some_and(|n| !left_out.contains(n)))
            .collect();
        Samples {
            classes: keep.iter().filter_map(|&c| self.classes.get(c).cloned()).collect(),
            blocks: self
                .blocks
                .iter()
                .map(|b| keep.iter().filter_map(|&c| b.get(c).copied()).collect())
                .collect(),
        }
    }

    /// Class `c`'s samples in block order.
    pub fn class(&self, c: usize) -> Vec<f64> {
        self.blocks.iter().filter_map(|b| b.get(c).copied()).collect()
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Family-wise error rate.
    pub alpha: f64,
    pub resamples: usize,
    pub seed: u64,
    /// Fraction cut off each end for the trimmed mean.
    pub trim: f64,
}

impl Default for Options {
    fn default() -> Self {
        Self { alpha: 0.05, resamples: 1000, seed: 0, trim: 0.1 }
    }
}

/// One pair of classes; differences are `b - a` in nanoseconds.
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    pub a: String,
    pub b: String,
    pub sign: SignTest,
    pub wilcoxon: Option<Wilcoxon>,
    pub sign_p_corrected: f64,
    pub wilcoxon_p_corrected: f64,
    pub median: Option<Interval>,
    pub trimmed_mean: Option<Interval>,
    pub significant: bool,
}

impl Pair {
    /// The narrower of the two intervals: the smallest difference this pair
    /// could have shown.
    pub fn best_width(&self) -> Option<f64> {
        [self.median, self.trimmed_mean].iter().flatten().map(Interval::width).min_by(f64::total_cmp)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A pair differs: the median difference and its interval.
    Difference { a: String, b: String, size_ns: f64, low_ns: f64, high_ns: f64 },
    /// No pair differs; any difference above the bound would have shown.
    NoDifference { bound_ns: f64 },
    /// Too few samples to say anything.
    Inconclusive,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Difference { a, b, size_ns, low_ns, high_ns } => write!(
                f,
                "difference detected: {size_ns:.0} ns (CI {low_ns:.0}..{high_ns:.0}) between classes {a} and {b}"
            ),
            Self::NoDifference { bound_ns } => {
                write!(f, "no difference larger than {bound_ns:.0} ns detected")
            }
            Self::Inconclusive => f.write_str("inconclusive: too few samples"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub samples_per_class: usize,
    pub alpha: f64,
    pub trim: f64,
    pub resamples: usize,
    pub friedman: Option<Friedman>,
    pub pairs: Vec<Pair>,
    pub verdict: Verdict,
}

pub fn analyse(samples: &Samples, opts: &Options) -> Analysis {
    let k = samples.classes.len();
    let columns: Vec<Vec<f64>> = (0..k).map(|c| samples.class(c)).collect();
    let index_pairs: Vec<(usize, usize)> = (0..k).flat_map(|a| (a + 1..k).map(move |b| (a, b))).collect();
    // Two tests per pair.
    let tests = 2 * index_pairs.len();
    let name = |c: usize| samples.classes.get(c).cloned().unwrap_or_default();
    let empty = Vec::new();
    let pairs: Vec<Pair> = index_pairs
        .iter()
        .enumerate()
        .map(|(i, &(a, b))| {
            let (xa, xb) = (columns.get(a).unwrap_or(&empty), columns.get(b).unwrap_or(&empty));
            let sign = sign_test(xa, xb);
            let wilcoxon = wilcoxon(xa, xb);
            let sign_p_corrected = bonferroni(sign.p_value, tests);
            let wilcoxon_p_corrected = bonferroni(wilcoxon.map_or(1.0, |w| w.p_value), tests);
            let d = differences(xa, xb);
            let seed = opts.seed.wrapping_add(i as u64);
            Pair {
                a: name(a),
                b: name(b),
                sign,
                wilcoxon,
                sign_p_corrected,
                wilcoxon_p_corrected,
                median: bootstrap_ci(&d, Statistic::Median, opts.resamples, seed),
                trimmed_mean: bootstrap_ci(&d, Statistic::TrimmedMean(opts.trim), opts.resamples, seed),
                significant: sign_p_corrected < opts.alpha || wilcoxon_p_corrected < opts.alpha,
            }
        })
        .collect();
    let verdict = verdict(&pairs);
    Analysis {
        samples_per_class: samples.blocks.len(),
        alpha: opts.alpha,
        trim: opts.trim,
        resamples: opts.resamples,
        friedman: friedman(&samples.blocks),
        pairs,
        verdict,
    }
}

impl Analysis {
    /// The verdict over the pairs that involve none of `left_out` (classes
    /// that differ in something public, such as their length).
    pub fn verdict_without(&self, left_out: &[String]) -> Verdict {
        let kept: Vec<Pair> = self
            .pairs
            .iter()
            .filter(|p| !left_out.contains(&p.a) && !left_out.contains(&p.b))
            .cloned()
            .collect();
        verdict(&kept)
    }
}

fn verdict(pairs: &[Pair]) -> Verdict {
    let largest = pairs
        .iter()
        .filter(|p| p.significant)
        .filter_map(|p| p.median.map(|m| (p, m)))
        .max_by(|x, y| x.1.estimate.abs().total_cmp(&y.1.estimate.abs()));
    if let Some((p, m)) = largest {
        return Verdict::Difference {
            a: p.a.clone(),
            b: p.b.clone(),
            size_ns: m.estimate,
            low_ns: m.low,
            high_ns: m.high,
        };
    }
    match pairs.iter().filter_map(Pair::best_width).max_by(f64::total_cmp) {
        Some(bound) if bound.is_finite() => Verdict::NoDifference { bound_ns: bound },
        _ => Verdict::Inconclusive,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks of three classes with seeded uniform noise of 0..1000 ns;
    /// class 2 is `shift` ns slower.
    fn synthetic(n: usize, shift: f64) -> Samples {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
        let blocks = (0..n)
            .map(|_| {
                (0..3)
                    .map(|c| {
                        let noise: f64 = rng.random_range(0.0..1000.0);
                        1_000_000.0 + noise + if c == 2 { shift } else { 0.0 }
                    })
                    .collect()
            })
            .collect();
        Samples { classes: vec!["valid".into(), "control".into(), "bad".into()], blocks }
    }

    #[test]
    fn a_shifted_class_is_found_with_its_size() {
        let a = analyse(&synthetic(400, 5_000.0), &Options::default());
        match &a.verdict {
            Verdict::Difference { a, b, size_ns, low_ns, high_ns } => {
                assert_eq!(b, "bad", "{a} vs {b}");
                assert!((4_000.0..6_000.0).contains(&size_ns.abs()), "{size_ns}");
                assert!(low_ns <= size_ns && size_ns <= high_ns);
            }
            v => panic!("{v}"),
        }
        assert!(a.friedman.unwrap().p_value < 1e-6);
        let same = a.pairs.iter().find(|p| p.a == "valid" && p.b == "control").unwrap();
        assert!(!same.significant);
    }

    #[test]
    fn no_shift_gives_a_bound_not_a_difference() {
        let a = analyse(&synthetic(400, 0.0), &Options::default());
        match a.verdict {
            Verdict::NoDifference { bound_ns } => assert!(bound_ns > 0.0 && bound_ns < 1_000.0, "{bound_ns}"),
            v => panic!("{v}"),
        }
        assert!(a.verdict.to_string().starts_with("no difference larger than"));
    }

    #[test]
    fn no_samples_is_inconclusive() {
        let s = Samples { classes: vec!["a".into(), "b".into()], blocks: vec![] };
        assert_eq!(analyse(&s, &Options::default()).verdict, Verdict::Inconclusive);
    }
}
