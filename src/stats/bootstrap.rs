//! Deterministic percentile bootstrap intervals: for the median of a sample, the median of
//! paired differences, the difference of the medians of two independent samples, and any
//! statistic of one sample (Efron & Tibshirani, "An Introduction to the Bootstrap", ch. 13;
//! rliable's stratified bootstrap resamples each sample on its own, as we do for two).
//!
//! Determinism: each sample is first sorted (so the order in which seeds were listed does not
//! matter) and the random stream is ChaCha8 seeded with SHA-256 of a tag naming the kind of
//! bootstrap, each sorted sample's length and its values' bits (-0 read as +0): the same data
//! give the same interval on every run and machine, and different data (including a
//! different split of the same values into two samples) give unrelated streams. Indices come
//! from Lemire's multiply-and-reject on 32-bit draws, written out here rather than taken from
//! `rand` so that a change of `rand`'s sampling cannot move the intervals. Everything is
//! sequential: no parallel reduction, no floating-point order to vary.
//!
//! The interval is the pair of order statistics leaving ⌊Bα/2⌋ - 1 resampled statistics
//! strictly outside on each side (the 50th smallest and 50th largest of B = 2000 at 95%);
//! order statistics rather than interpolated quantiles, so an infinite statistic gives an
//! infinite bound and never NaN. `estimate` is the statistic of the sample itself. A median
//! of a sample with +inf may be +inf: bounds are then f64::INFINITY (an open interval; the
//! caller prints "never").
//!
//! Cost: O(B) memory for the statistics plus O(n) scratch reused across resamples; the
//! median of a resample is found without sorting it, by counting how often each of the
//! presorted values was drawn and walking the counts to the middle.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

use super::values::{difference, midpoint, order, paired_differences, select};
use super::{Interval, valid_level};

/// The number of resamples the caller should use unless it has a reason not to.
pub const DEFAULT_RESAMPLES: usize = 2000;

/// Percentile interval for the median of `sample`. `None` when the sample is empty or has a
/// NaN, `resamples` is 0, or the level is not in (0, 1).
pub fn bootstrap_median(sample: &[f64], resamples: usize, level: f64) -> Option<Interval> {
    check(&[sample], resamples, level)?;
    let mut draws = Draws::new(sample);
    let mut rng = seeded(ONE_SAMPLE, &[&draws.sorted]);
    let stats = (0..resamples).map(|_| draws.median(&mut rng)).collect();
    Some(percentile_interval(super::median(sample)?, stats, level))
}

/// Percentile interval for the median of the paired [`difference`]s `a - b` (pairs are
/// resampled together). `None` as [`bootstrap_median`], or when the lengths differ.
pub fn bootstrap_paired_median(
    a: &[f64],
    b: &[f64],
    resamples: usize,
    level: f64,
) -> Option<Interval> {
    bootstrap_median(&paired_differences(a, b)?, resamples, level)
}

/// Percentile interval for median(x) - median(y), each sample resampled on its own. The
/// difference of two infinite medians is 0 (see [`difference`]). `None` as
/// [`bootstrap_median`] for either sample.
pub fn bootstrap_median_difference(
    x: &[f64],
    y: &[f64],
    resamples: usize,
    level: f64,
) -> Option<Interval> {
    check(&[x, y], resamples, level)?;
    let (mut draws_x, mut draws_y) = (Draws::new(x), Draws::new(y));
    let mut rng = seeded(TWO_SAMPLES, &[&draws_x.sorted, &draws_y.sorted]);
    let stats = (0..resamples)
        .map(|_| {
            let mx = draws_x.median(&mut rng);
            difference(mx, draws_y.median(&mut rng))
        })
        .collect();
    let estimate = difference(super::median(x)?, super::median(y)?);
    Some(percentile_interval(estimate, stats, level))
}

/// Percentile interval for any `statistic` of one sample. `statistic` gets a resample in a
/// scratch buffer it may reorder (the order of its values is arbitrary) and must not return
/// NaN. The resamples are those [`bootstrap_median`] draws, so passing the median gives its
/// interval exactly. `None` as [`bootstrap_median`].
pub fn bootstrap_interval<F>(
    sample: &[f64],
    mut statistic: F,
    resamples: usize,
    level: f64,
) -> Option<Interval>
where
    F: FnMut(&mut [f64]) -> f64,
{
    check(&[sample], resamples, level)?;
    let sorted = Draws::new(sample).sorted;
    let mut rng = seeded(ONE_SAMPLE, &[&sorted]);
    let mut scratch = sorted.clone();
    let estimate = statistic(&mut scratch);
    let n = sorted.len() as u32;
    let stats = (0..resamples)
        .map(|_| {
            for slot in scratch.iter_mut() {
                *slot = sorted[below(&mut rng, n) as usize];
            }
            statistic(&mut scratch)
        })
        .collect();
    Some(percentile_interval(estimate, stats, level))
}

/// `Some(())` when every sample is non-empty, NaN-free and indexable by a u32, and the
/// resample count and level are usable.
fn check(samples: &[&[f64]], resamples: usize, level: f64) -> Option<()> {
    let usable = |s: &&[f64]| {
        !s.is_empty() && u32::try_from(s.len()).is_ok() && !s.iter().any(|x| x.is_nan())
    };
    (resamples > 0 && valid_level(level) && samples.iter().all(usable)).then_some(())
}

/// Seed tags: one sample (median, paired median, any statistic) and two samples.
const ONE_SAMPLE: &[u8] = b"one sample";
const TWO_SAMPLES: &[u8] = b"two samples";

/// ChaCha8 seeded from SHA-256 of `tag`, then each sample's length and values' bits.
fn seeded(tag: &[u8], samples: &[&[f64]]) -> ChaCha8Rng {
    let mut hash = Sha256::new();
    hash.update(b"sweep bootstrap v1: ");
    hash.update(tag);
    for sample in samples {
        hash.update((sample.len() as u64).to_le_bytes());
        for &x in *sample {
            hash.update((x + 0.0).to_bits().to_le_bytes());
        }
    }
    ChaCha8Rng::from_seed(hash.finalize().into())
}

/// A uniform integer in 0..n (n ≥ 1) by Lemire's method: the high half of a 32x32-bit
/// product, rejecting the few low halves that would bias it.
fn below(rng: &mut ChaCha8Rng, n: u32) -> u32 {
    let mut product = u64::from(rng.next_u32()) * u64::from(n);
    if (product as u32) < n {
        let threshold = n.wrapping_neg() % n;
        while (product as u32) < threshold {
            product = u64::from(rng.next_u32()) * u64::from(n);
        }
    }
    (product >> 32) as u32
}

/// A sample sorted once, and the per-value draw counts of the current resample.
struct Draws {
    sorted: Vec<f64>,
    counts: Vec<u32>,
}

impl Draws {
    fn new(sample: &[f64]) -> Draws {
        let mut sorted = sample.to_vec();
        sorted.sort_by(order);
        Draws {
            counts: vec![0; sorted.len()],
            sorted,
        }
    }

    /// Median of a fresh resample: draw n indices into the sorted values, then walk the
    /// counts to the middle order statistics. Same draws, same median as the generic path.
    fn median(&mut self, rng: &mut ChaCha8Rng) -> f64 {
        let n = self.sorted.len();
        self.counts.fill(0);
        for _ in 0..n {
            self.counts[below(rng, n as u32) as usize] += 1;
        }
        let (lower_rank, upper_rank) = ((n - 1) / 2, n / 2);
        let (mut seen, mut lower) = (0, f64::NAN);
        for (&count, &value) in self.counts.iter().zip(&self.sorted) {
            seen += count as usize;
            if lower.is_nan() && seen > lower_rank {
                lower = value;
            }
            if seen > upper_rank {
                return midpoint(lower, value);
            }
        }
        unreachable_median()
    }
}

/// The walk always reaches the middle (the counts sum to n); this keeps the function total.
#[cold]
fn unreachable_median() -> f64 {
    f64::NAN
}

/// The interval from the B resampled statistics: the order statistics leaving ⌊Bα/2⌋ - 1 on
/// each side (at least the minimum and maximum).
fn percentile_interval(estimate: f64, mut stats: Vec<f64>, level: f64) -> Interval {
    let b = stats.len();
    // The tiny addition keeps B·α/2 = 50 from flooring to 49 when α = 1 - 0.95 rounds low.
    let tail = (b as f64 * (1.0 - level) / 2.0 + 1e-9).floor() as usize;
    let low_rank = tail.clamp(1, b.div_ceil(2)) - 1;
    let low = select(&mut stats, low_rank);
    let high = select(&mut stats, b - 1 - low_rank);
    Interval {
        estimate: estimate + 0.0,
        low: low + 0.0,
        high: high + 0.0,
        level,
    }
}

/// The median of a resample, by selection; what [`bootstrap_interval`] users would pass for
/// the median, kept here to test the fast path against.
#[cfg(test)]
pub(crate) fn median_statistic(values: &mut [f64]) -> f64 {
    super::values::median_in_place(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lemire_stays_in_range_and_is_uniform_enough() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut hits = [0u32; 7];
        for _ in 0..70_000 {
            hits[below(&mut rng, 7) as usize] += 1;
        }
        assert!(
            hits.iter().all(|&h| (9_500..10_500).contains(&h)),
            "{hits:?}"
        );
        assert_eq!(below(&mut rng, 1), 0);
    }

    #[test]
    fn fast_median_matches_the_generic_path() {
        let sample = [
            3.0,
            1.0,
            4.0,
            1.0,
            5.0,
            9.0,
            2.0,
            6.0,
            5.0,
            f64::INFINITY,
            -2.0,
        ];
        for n in 1..=sample.len() {
            let s = &sample[..n];
            let fast = bootstrap_median(s, 300, 0.9).unwrap();
            let generic = bootstrap_interval(s, median_statistic, 300, 0.9).unwrap();
            assert_eq!(fast, generic, "n = {n}");
        }
    }

    #[test]
    fn input_order_does_not_matter() {
        let a = [0.8, 0.9, 0.85, 0.7, 0.95, 0.9, 0.75];
        let mut b = a;
        b.reverse();
        assert_eq!(
            bootstrap_median(&a, 500, 0.95),
            bootstrap_median(&b, 500, 0.95)
        );
        let i = bootstrap_median(&a, 500, 0.95).unwrap();
        assert!(i.low <= i.estimate && i.estimate <= i.high);
    }

    #[test]
    fn percentile_ranks_by_hand() {
        let stats: Vec<f64> = (1..=2000).map(f64::from).collect();
        let i = percentile_interval(0.0, stats, 0.95);
        assert_eq!((i.low, i.high), (50.0, 1951.0));
        let i = percentile_interval(0.0, vec![2.0, 1.0, 3.0], 0.95);
        assert_eq!((i.low, i.high), (1.0, 3.0));
        let i = percentile_interval(0.0, vec![7.0], 0.5);
        assert_eq!((i.low, i.high), (7.0, 7.0));
    }

    #[test]
    fn infinite_medians_give_infinite_bounds() {
        let inf = f64::INFINITY;
        let i = bootstrap_median(&[inf, inf, inf, 3.0], 300, 0.95).unwrap();
        assert_eq!((i.estimate, i.high), (inf, inf));
        let i = bootstrap_median_difference(&[inf; 3], &[inf; 4], 300, 0.95).unwrap();
        assert_eq!((i.estimate, i.low, i.high), (0.0, 0.0, 0.0));
    }

    #[test]
    fn undefined() {
        assert_eq!(bootstrap_median(&[], 10, 0.95), None);
        assert_eq!(bootstrap_median(&[1.0], 0, 0.95), None);
        assert_eq!(bootstrap_median(&[f64::NAN], 10, 0.95), None);
        assert_eq!(bootstrap_median(&[1.0], 10, 1.0), None);
        assert_eq!(bootstrap_paired_median(&[1.0], &[], 10, 0.95), None);
        assert_eq!(bootstrap_median_difference(&[1.0], &[], 10, 0.95), None);
    }
}
