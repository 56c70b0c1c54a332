//! The Friedman test: in each block, rank the classes' samples; if no
//! class differs, every class's rank sum is about the same. The statistic
//! is chi-square with k - 1 degrees of freedom for large n (the
//! approximation scipy.stats.friedmanchisquare uses), with the tie
//! correction.

use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::rank::average_ranks;

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Friedman {
    pub statistic: f64,
    pub df: usize,
    pub p_value: f64,
}

/// Friedman test over `blocks`, each holding one sample per class in the
/// same class order. `None` with fewer than 3 classes (scipy's minimum),
/// no block, or blocks of unequal width.
pub fn friedman(blocks: &[Vec<f64>]) -> Option<Friedman> {
    let k = blocks.first()?.len();
    if k < 3 || blocks.iter().any(|b| b.len() != k) {
        return None;
    }
    let n = blocks.len() as f64;
    let kf = k as f64;
    let mut rank_sums = vec![0.0; k];
    let mut ties = 0.0;
    for block in blocks {
        let (ranks, t) = average_ranks(block);
        ties += t;
        for (sum, r) in rank_sums.iter_mut().zip(ranks) {
            *sum += r;
        }
    }
    let squares: f64 = rank_sums.iter().map(|r| r * r).sum();
    let correction = 1.0 - ties / (kf * (kf * kf - 1.0) * n);
    let raw = 12.0 / (n * kf * (kf + 1.0)) * squares - 3.0 * n * (kf + 1.0);
    // Every block all ties: no ordering information at all.
    let statistic = match correction > 0.0 {
        true => raw / correction,
        false => 0.0,
    };
    let df = k - 1;
    let p_value = ChiSquared::new(df as f64).ok()?.sf(statistic.max(0.0));
    Some(Friedman { statistic, df, p_value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs()
    }

    /// `cols[j][i]`: class j, block i, turned into blocks.
    fn blocks(cols: &[Vec<f64>]) -> Vec<Vec<f64>> {
        let n = cols[0].len();
        (0..n).map(|i| cols.iter().map(|c| c[i]).collect()).collect()
    }

    #[test]
    fn shifted_class_matches_scipy() {
        // python3 -c "from scipy.stats import friedmanchisquare as f;
        //   cols=[[((i*(31+7*j))%23)+(3 if j==2 else 0) for i in range(30)] for j in range(4)];
        //   print(f(*cols))"
        // -> statistic=9.737024221453282, pvalue=0.020939025874288378
        let cols: Vec<Vec<f64>> = (0..4)
            .map(|j| {
                (0..30).map(|i| ((i * (31 + 7 * j)) % 23) as f64 + if j == 2 { 3.0 } else { 0.0 }).collect()
            })
            .collect();
        let f = friedman(&blocks(&cols)).unwrap();
        assert_eq!(f.df, 3);
        assert!(close(f.statistic, 9.737024221453282), "{}", f.statistic);
        assert!(close(f.p_value, 0.020939025874288378), "{}", f.p_value);
    }

    #[test]
    fn ties_within_blocks_match_scipy() {
        // python3 -c "from scipy.stats import friedmanchisquare as f;
        //   cols=[[float((i*7+j*3)%5) for i in range(12)] for j in range(3)]; print(f(*cols))"
        // -> statistic=1.5, pvalue=0.4723665527410149
        let cols: Vec<Vec<f64>> =
            (0..3).map(|j| (0..12).map(|i| ((i * 7 + j * 3) % 5) as f64).collect()).collect();
        let f = friedman(&blocks(&cols)).unwrap();
        assert!(close(f.statistic, 1.5), "{}", f.statistic);
        assert!(close(f.p_value, 0.4723665527410149), "{}", f.p_value);
    }

    #[test]
    fn too_few_classes_or_ragged_blocks_are_no_test() {
        assert!(friedman(&[vec![1.0, 2.0]]).is_none());
        assert!(friedman(&[vec![1.0, 2.0, 3.0], vec![1.0]]).is_none());
        assert!(friedman(&[]).is_none());
    }
}
