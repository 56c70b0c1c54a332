//! Ranks with ties: the rank of a value is the mean of the positions its
//! equal values occupy (scipy.stats.rankdata, method "average").

/// 1-based average ranks of `values`, and the tie term sum(t^3 - t) over
/// groups of t equal values (the correction the Wilcoxon and Friedman
/// variances need).
pub fn average_ranks(values: &[f64]) -> (Vec<f64>, f64) {
    let mut order: Vec<usize> = (0..values.len()).collect();
    let value = |i: usize| values.get(i).copied().unwrap_or(f64::NAN);
    order.sort_by(|&a, &b| value(a).total_cmp(&value(b)));
    let mut ranks = vec![0.0; values.len()];
    let mut ties = 0.0;
    let mut start = 0;
    while start < order.len() {
        let first = order.get(start).map_or(f64::NAN, |&i| value(i));
        let end = order
            .iter()
            .skip(start)
            .position(|&i| value(i).total_cmp(&first).is_ne())
            .map_or(order.len(), |n| start + n);
        // Positions start+1 ..= end share their mean.
        let mean = (start + 1 + end) as f64 / 2.0;
        for &i in order.get(start..end).unwrap_or_default() {
            if let Some(r) = ranks.get_mut(i) {
                *r = mean;
            }
        }
        let t = (end - start) as f64;
        ties += t * t * t - t;
        start = end;
    }
    (ranks, ties)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_the_mean_rank() {
        // scipy.stats.rankdata([3, 1, 4, 1, 5]) -> [3. , 1.5, 4. , 1.5, 5. ]
        let (r, ties) = average_ranks(&[3.0, 1.0, 4.0, 1.0, 5.0]);
        assert_eq!(r, [3.0, 1.5, 4.0, 1.5, 5.0]);
        assert_eq!(ties, 6.0);
        let (r, ties) = average_ranks(&[2.0, 2.0, 2.0]);
        assert_eq!(r, [2.0, 2.0, 2.0]);
        assert_eq!(ties, 24.0);
        assert_eq!(average_ranks(&[]).0, Vec::<f64>::new());
    }
}
