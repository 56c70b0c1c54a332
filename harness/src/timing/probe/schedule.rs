//! The order samples are taken in: blocks of one sample per class, each
//! block in its own seeded random order, so drift in the peer or the
//! machine falls on every class alike and samples pair up by block.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// A seeded source of block orders.
#[derive(Debug)]
pub struct Schedule {
    rng: ChaCha8Rng,
    classes: usize,
}

impl Schedule {
    pub fn new(classes: usize, seed: u64) -> Self {
        Self { rng: ChaCha8Rng::seed_from_u64(seed), classes }
    }

    /// The class order of the next block.
    pub fn next_block(&mut self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.classes).collect();
        order.shuffle(&mut self.rng);
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_permutations_reproducible_and_varied() {
        let mut a = Schedule::new(10, 5);
        let mut b = Schedule::new(10, 5);
        let blocks: Vec<Vec<usize>> = (0..50).map(|_| a.next_block()).collect();
        for block in &blocks {
            let mut sorted = block.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..10).collect::<Vec<_>>());
            assert_eq!(*block, b.next_block());
        }
        // Each class leads some block: the order really is shuffled.
        let leaders: std::collections::BTreeSet<usize> = blocks.iter().map(|b| b[0]).collect();
        assert!(leaders.len() > 5, "{leaders:?}");
    }
}
