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
    /// The figure tlsfuzzer reports, for comparing with it; over the
    /// classes that differ in secret content only when the caller says
    /// which differ publicly ([`worst_pair`]).
    pub worst_pair: Option<WorstPair>,
}

/// What tlsfuzzer's analysis (`analysis.py`, `_write_summary`) reports for
/// a run: the most dissimilar pair and the 95% intervals of several
/// location statistics of its differences, each with its half-width ("±").
/// The smallest half-width is the smallest difference the run could have
/// detected in tlsfuzzer's terms. Our own verdict bound is stricter: the
/// full width, of the widest pair.
#[derive(Debug, Clone, Serialize)]
pub struct WorstPair {
    pub a: String,
    pub b: String,
    /// The Wilcoxon signed-rank p-value (uncorrected) that chose it.
    pub wilcoxon_p: f64,
    /// `(statistic, interval)`: the median and the 5%, 25% and 45% trimmed
    /// means of the differences, as tlsfuzzer computes them.
    pub intervals: Vec<(String, Interval)>,
    /// The narrowest interval's half-width, and which statistic it is.
    pub smallest_half_width_ns: f64,
    pub smallest_statistic: String,
}

/// The pair with the smallest Wilcoxon p-value (ties: the larger median
/// difference), among `samples`' classes, with tlsfuzzer's intervals.
pub fn worst_pair(samples: &Samples, pairs: &[Pair], opts: &Options) -> Option<WorstPair> {
    let index = |name: &str| samples.classes.iter().position(|c| c == name);
    let worst = pairs
        .iter()
        .filter(|p| index(&p.a).is_some() && index(&p.b).is_some())
        .filter_map(|p| Some((p, p.wilcoxon?.p_value, p.median?.estimate.abs())))
        .min_by(|x, y| x.1.total_cmp(&y.1).then(y.2.total_cmp(&x.2)))?;
    let (pair, wilcoxon_p, _) = worst;
    let d = differences(&samples.class(index(&pair.a)?), &samples.class(index(&pair.b)?));
    let statistics = [
        Statistic::Median,
        Statistic::TrimmedMean(0.05),
        Statistic::TrimmedMean(0.25),
        Statistic::TrimmedMean(0.45),
    ];
    let intervals: Vec<(String, Interval)> = statistics
        .iter()
        .filter_map(|st| Some((st.name(), bootstrap_ci(&d, *st, opts.resamples, opts.seed)?)))
        .collect();
    let (smallest_statistic, narrowest) =
        intervals.iter().min_by(|x, y| x.1.width().total_cmp(&y.1.width()))?;
    Some(WorstPair {
        a: pair.a.clone(),
        b: pair.b.clone(),
        wilcoxon_p,
        smallest_half_width_ns: narrowest.width() / 2.0,
        smallest_statistic: smallest_statistic.clone(),
        intervals,
    })
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
    let worst_pair = worst_pair(samples, &pairs, opts);
    Analysis {
        samples_per_class: samples.blocks.len(),
        alpha: opts.alpha,
        trim: opts.trim,
        resamples: opts.resamples,
        friedman: friedman(&samples.blocks),
        pairs,
        verdict,
        worst_pair,
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

    /// tlsfuzzer's figure: the shifted class is in the worst pair, every
    /// interval covers the shift, and the smallest half-width is half the
    /// narrowest interval's width, below our own (full-width) bound.
    #[test]
    fn the_worst_pair_carries_tlsfuzzers_intervals() {
        let a = analyse(&synthetic(400, 5_000.0), &Options::default());
        let w = a.worst_pair.as_ref().unwrap();
        assert!(w.a == "bad" || w.b == "bad", "{w:?}");
        assert_eq!(w.intervals.len(), 4);
        for (name, i) in &w.intervals {
            assert!((4_500.0..5_500.0).contains(&i.estimate.abs()), "{name}: {i:?}");
        }
        let narrowest = w.intervals.iter().map(|(_, i)| i.width()).fold(f64::INFINITY, f64::min);
        assert_eq!(w.smallest_half_width_ns, narrowest / 2.0);

        // Without a shift: the same figure over the two unshifted classes
        // only, as the CLI computes it with a public class left out.
        let flat = analyse(&synthetic(400, 0.0), &Options::default());
        let Verdict::NoDifference { bound_ns } = flat.verdict else { panic!("{}", flat.verdict) };
        let w = flat.worst_pair.as_ref().unwrap();
        assert!(w.smallest_half_width_ns > 0.0 && w.smallest_half_width_ns < bound_ns, "{w:?} vs {bound_ns}");
        let samples = synthetic(400, 5_000.0);
        let left = worst_pair(&samples.without(&["bad".into()]), &a.pairs, &Options::default()).unwrap();
        assert_eq!((left.a.as_str(), left.b.as_str()), ("valid", "control"));
    }

    #[test]
    fn no_samples_is_inconclusive() {
        let s = Samples { classes: vec!["a".into(), "b".into()], blocks: vec![] };
        assert_eq!(analyse(&s, &Options::default()).verdict, Verdict::Inconclusive);
    }
}
