//! Randomness for the generator, without a dependency.
//!
//! The generator only needs uniform numbers below a bound and biased coins. Taking them
//! through a one-method trait keeps the library free of `rand` and `proptest`: the tests feed
//! it proptest's `TestRng` (so proptest's seeds and configuration apply), the benchmark and
//! the CLI-free campaign code use [`SeededRng`].

/// A source of uniformly distributed 64-bit words.
pub trait Entropy {
    /// The next uniformly distributed word.
    fn next_u64(&mut self) -> u64;

    /// A uniform number in `0..n` (`n` must not be 0). Lemire's multiply-shift: no division,
    /// and a bias of at most `n / 2^64`, far below anything a fuzzing run can notice.
    #[inline]
    fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0, "below(0) has no value");
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// `true` with probability `percent / 100`.
    #[inline]
    fn percent(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// A uniformly chosen element, or `None` for an empty slice.
    #[inline]
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
}

/// The seeded generator used outside proptest (the benchmark, the library's own tests, the
/// spreading of a 64-bit seed): rand's `SmallRng`, so every run is reproducible from a seed.
pub type SeededRng = rand::rngs::SmallRng;

/// A [`SeededRng`] from a 64-bit seed.
pub fn seeded(seed: u64) -> SeededRng {
    <SeededRng as rand::SeedableRng>::seed_from_u64(seed)
}

impl Entropy for SeededRng {
    #[inline]
    fn next_u64(&mut self) -> u64 {
        rand::RngCore::next_u64(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_stays_below_its_bound_and_reaches_every_value() {
        let mut rng = seeded(7);
        let mut seen = [false; 5];
        for _ in 0..1_000 {
            let n = rng.below(5);
            assert!(n < 5);
            seen[n] = true;
        }
        assert!(seen.iter().all(|&s| s));
    }

    #[test]
    fn the_same_seed_gives_the_same_stream() {
        let a: Vec<u64> = (0..4)
            .map({
                let mut rng = seeded(42);
                move |_| rng.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..4)
            .map({
                let mut rng = seeded(42);
                move |_| rng.next_u64()
            })
            .collect();
        assert_eq!(a, b);
    }
}
