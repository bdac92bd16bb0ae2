//! Deterministic percentile bootstrap intervals: for the median of a sample, the median of
//! paired differences, the difference of the medians of two independent samples, and any
//! statistic of one sample (Efron & Tibshirani, "An Introduction to the Bootstrap", ch. 13;
//! rliable's stratified bootstrap resamples each sample on its own, as we do for two).
//!
//! Determinism: each sample is first sorted (so the order in which seeds were listed does not
//! matter) and the random stream is ChaCha8 seeded with SHA-256 of a tag naming the kind of
//! bootstrap, each sorted sample's length and its values' bits (-0 read as +0): the same data
//! give the same interval on every run and machine, and different data (including a
//! different split of the same values into two samples) give unrelated streams. Indices are
//! drawn by integer arithmetic written out here (see [`Indices`]) rather than by `rand`'s
//! samplers, so that a change in `rand` cannot move the intervals. Everything is sequential:
//! no parallel reduction, no floating-point order to vary.
//!
//! The interval is the pair of order statistics leaving ⌊Bα/2⌋ - 1 resampled statistics
//! strictly outside on each side (the 50th smallest and 50th largest of B = 2000 at 95%);
//! order statistics rather than interpolated quantiles, so an infinite statistic gives an
//! infinite bound and never NaN. `estimate` is the statistic of the sample itself. A median
//! of a sample with +inf may be +inf: bounds are then f64::INFINITY (an open interval; the
//! caller prints "never").
//!
//! Samples of more than [`exact::EXACT_ABOVE`] finite values (a sweep of thousands of
//! seeds) do not resample: the median's interval comes from its exact bootstrap
//! distribution, and a difference of medians from their exact bootstrap variances
//! ([`super::exact_bootstrap`]).
//!
//! Cost: O(B) memory for the statistics plus O(n) scratch reused across resamples. The
//! median of a resample is found without sorting it, by counting how often each of the
//! presorted values was drawn and reading the middle off the running count without branches;
//! the indices come several per 64-bit draw. A 16-value median with B = 2000 took about
//! 75 µs of CPU time on the (shared, busy) development machine; `cargo bench --bench stats`
//! measures it.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

use super::exact_bootstrap as exact;
use super::values::{difference, midpoint, order, paired_differences, select};
use super::{Interval, valid_level};

/// The number of resamples the caller should use unless it has a reason not to.
pub const DEFAULT_RESAMPLES: usize = 2000;

/// Percentile interval for the median of `sample`. `None` when the sample is empty or has a
/// NaN, `resamples` is 0, or the level is not in (0, 1).
pub fn bootstrap_median(sample: &[f64], resamples: usize, level: f64) -> Option<Interval> {
    check(&[sample], resamples, level)?;
    if let Some(sorted) = large(sample) {
        return Some(exact::median_interval(
            &sorted,
            super::median(sample)?,
            level,
        ));
    }
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
    let estimate = difference(super::median(x)?, super::median(y)?);
    if x.len().max(y.len()) > exact::EXACT_ABOVE
        && let (Some(sx), Some(sy)) = (finite_sorted(x), finite_sorted(y))
    {
        return Some(exact::median_difference_interval(&sx, &sy, estimate, level));
    }
    let (mut draws_x, mut draws_y) = (Draws::new(x), Draws::new(y));
    let mut rng = seeded(TWO_SAMPLES, &[&draws_x.sorted, &draws_y.sorted]);
    let stats = (0..resamples)
        .map(|_| {
            let mx = draws_x.median(&mut rng);
            difference(mx, draws_y.median(&mut rng))
        })
        .collect();
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
    let Draws {
        sorted, indices, ..
    } = Draws::new(sample);
    let mut rng = seeded(ONE_SAMPLE, &[&sorted]);
    let mut scratch = sorted.clone();
    let estimate = statistic(&mut scratch);
    let stats = (0..resamples)
        .map(|_| {
            let mut slots = scratch.iter_mut();
            indices.draw(&mut rng, sorted.len(), |i| {
                if let Some(slot) = slots.next() {
                    *slot = sorted[i];
                }
            });
            statistic(&mut scratch)
        })
        .collect();
    Some(percentile_interval(estimate, stats, level))
}

/// A sample of more than [`exact::EXACT_ABOVE`] values, sorted: its median's interval is
/// computed exactly instead of resampled ([`exact`]; order statistics only, so an infinite
/// value, "never", is fine).
fn large(sample: &[f64]) -> Option<Vec<f64>> {
    (sample.len() > exact::EXACT_ABOVE).then(|| {
        let mut sorted = sample.to_vec();
        sorted.sort_by(f64::total_cmp);
        sorted
    })
}

/// `sample` sorted, if every value is finite.
fn finite_sorted(sample: &[f64]) -> Option<Vec<f64>> {
    if !sample.iter().all(|x| x.is_finite()) {
        return None;
    }
    let mut sorted = sample.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(sorted)
}

/// `Some(())` when every sample is non-empty and NaN-free, and the resample count and level
/// are usable.
fn check(samples: &[&[f64]], resamples: usize, level: f64) -> Option<()> {
    let usable = |s: &&[f64]| !s.is_empty() && !s.iter().any(|x| x.is_nan());
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

/// The largest n^k that one 64-bit draw is split into: keeps Lemire's rejection below 2^-16
/// per draw.
const MAX_RANGE: u64 = 1 << 48;

/// Uniform indices in 0..n, k of them from each 64-bit draw r (the batched method of
/// Brackett-Rozinsky & Lemire, "Batched ranged random integer generation", 2024): with
/// t = n^k ≤ 2^48, I = ⌊r·t / 2^64⌋ is uniform on 0..t once Lemire's test rejects the few r
/// whose remainder r·t mod 2^64 falls below 2^64 mod t, and I's k base-n digits are k
/// independent uniform indices, read off high to low by multiplying the remainder by n.
/// When n = 2^b the digits are just r's b-bit fields from the top: no rejection is needed, so
/// a draw yields ⌊64/b⌋ of them (all 16 indices of a 16-seed resample from one draw).
struct Indices {
    n: u64,
    per_draw: usize,
    /// n^per_draw, for Lemire's test (unused for powers of two).
    range: u64,
    /// b when n = 2^b > 1.
    bits: Option<u32>,
}

impl Indices {
    /// Indices into a sample of n ≥ 1 values.
    fn new(n: usize) -> Indices {
        let n = n as u64;
        if n > 1 && n.is_power_of_two() {
            let bits = n.trailing_zeros();
            return Indices {
                n,
                per_draw: (64 / bits) as usize,
                range: 0,
                bits: Some(bits),
            };
        }
        let (mut per_draw, mut range) = (1, n);
        while per_draw < 64 && range.checked_mul(n).is_some_and(|r| r <= MAX_RANGE) {
            per_draw += 1;
            range *= n;
        }
        Indices {
            n,
            per_draw,
            range,
            bits: None,
        }
    }

    /// Calls `visit` with each of `count` fresh indices.
    fn draw(&self, rng: &mut ChaCha8Rng, count: usize, mut visit: impl FnMut(usize)) {
        let mut left = count;
        while left > 0 {
            let k = self.per_draw.min(left);
            match self.bits {
                Some(bits) => fields(rng.next_u64(), bits, k, &mut visit),
                None => {
                    let range = if k == self.per_draw {
                        self.range
                    } else {
                        self.n.pow(k as u32)
                    };
                    split(accepted(rng, range), self.n, k, &mut visit);
                }
            }
            left -= k;
        }
    }
}

/// Calls `visit` with the k base-n digits of ⌊r·n^k / 2^64⌋, high to low: each digit is the
/// high word of the remainder times n, the low word the next remainder.
fn split(r: u64, n: u64, k: usize, mut visit: impl FnMut(usize)) {
    let mut rest = r;
    for _ in 0..k {
        let wide = u128::from(rest) * u128::from(n);
        visit((wide >> 64) as usize);
        rest = wide as u64;
    }
}

/// [`split`] for n = 2^bits: the top k bit fields of r.
fn fields(r: u64, bits: u32, k: usize, mut visit: impl FnMut(usize)) {
    for j in 0..k as u32 {
        visit(((r << (j * bits)) >> (64 - bits)) as usize);
    }
}

/// A 64-bit draw r whose ⌊r·range / 2^64⌋ is uniform on 0..range (Lemire's test: reject r when
/// r·range mod 2^64 < 2^64 mod range; the division only runs in that rare case).
fn accepted(rng: &mut ChaCha8Rng, range: u64) -> u64 {
    loop {
        let r = rng.next_u64();
        let low = r.wrapping_mul(range);
        if low >= range || low >= range.wrapping_neg() % range {
            return r;
        }
    }
}

/// A sample sorted once, its index stream, and the per-value draw counts of the current
/// resample.
struct Draws {
    sorted: Vec<f64>,
    indices: Indices,
    counts: Vec<u32>,
}

impl Draws {
    fn new(sample: &[f64]) -> Draws {
        let mut sorted = sample.to_vec();
        sorted.sort_by(order);
        Draws {
            indices: Indices::new(sorted.len()),
            counts: vec![0; sorted.len()],
            sorted,
        }
    }

    /// Median of a fresh resample: count how often each sorted value is drawn, then the
    /// middle order statistics are at the number of values whose running count has not yet
    /// passed the middle ranks (summed without branches: the counts are random, so branches
    /// would mispredict). Same draws, same median as the generic path.
    fn median(&mut self, rng: &mut ChaCha8Rng) -> f64 {
        let n = self.sorted.len();
        self.counts.fill(0);
        let counts = &mut self.counts;
        self.indices.draw(rng, n, |i| counts[i] += 1);
        let (lower_rank, upper_rank) = ((n - 1) / 2, n / 2);
        let (mut seen, mut lower, mut upper) = (0, 0, 0);
        for &count in &self.counts {
            seen += count as usize;
            lower += usize::from(seen <= lower_rank);
            upper += usize::from(seen <= upper_rank);
        }
        midpoint(self.sorted[lower], self.sorted[upper])
    }
}

/// The interval from the B resampled statistics: the order statistics leaving ⌊Bα/2⌋ - 1 on
/// each side (at least the minimum and maximum).
fn percentile_interval(estimate: f64, mut stats: Vec<f64>, level: f64) -> Interval {
    let b = stats.len();
    // The tiny addition keeps B·α/2 = 50 from flooring to 49 when α = 1 - 0.95 rounds low.
    let tail = (b as f64 * (1.0 - level) / 2.0 + 1e-9).floor() as usize;
    let low_rank = tail.clamp(1, b.div_ceil(2)) - 1;
    let low = select(&mut stats, low_rank);
    // Everything above the low rank is now after it: select the high one among those.
    let high = select(&mut stats[low_rank..], b - 1 - 2 * low_rank);
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

    fn digits(n: u64, k: usize, r: u64) -> Vec<usize> {
        let mut out = vec![];
        split(r, n, k, |d| out.push(d));
        out
    }

    #[test]
    fn batch_digits_by_hand() {
        // r = 2^63 is one half: ½·100 = 50 → digits 5, 0.
        assert_eq!(digits(10, 2, 1 << 63), vec![5, 0]);
        // r = 2^64 - 1: ⌊(1 - 2^-64)·1000⌋ = 999.
        assert_eq!(digits(10, 3, u64::MAX), vec![9, 9, 9]);
        // r = 3·2^62 is ¾: ¾·16² = 192 = 12·16 + 0.
        assert_eq!(digits(16, 2, 3 << 62), vec![12, 0]);
    }

    #[test]
    fn power_of_two_fields_are_the_same_digits() {
        for (r, k) in [(0x0123_4567_89ab_cdef_u64, 16), (u64::MAX, 3), (1 << 63, 5)] {
            let mut fast = vec![];
            fields(r, 4, k, |d| fast.push(d));
            assert_eq!(fast, digits(16, k, r));
        }
        let mut f = vec![];
        fields(0x0123_4567_89ab_cdef, 4, 16, |d| f.push(d));
        assert_eq!(f, (0..16).collect::<Vec<_>>());
        let mut f = vec![];
        fields(0b101 << 61, 3, 2, |d| f.push(d));
        assert_eq!(f, vec![5, 0]);
    }

    #[test]
    fn batch_sizes() {
        let i = Indices::new(16);
        assert_eq!((i.per_draw, i.bits), (16, Some(4)));
        let i = Indices::new(10);
        assert_eq!((i.per_draw, i.range), (14, 10u64.pow(14)));
        assert_eq!(Indices::new(1).per_draw, 64);
        assert_eq!(Indices::new(1000).per_draw, 4);
        assert_eq!(Indices::new(1 << 30).per_draw, 2);
        assert_eq!(Indices::new(1_000_000_007).per_draw, 1);
    }

    #[test]
    fn indices_are_in_range_and_uniform_enough() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for n in [1, 2, 7, 8, 16, 100] {
            let mut hits = vec![0u32; n];
            Indices::new(n).draw(&mut rng, 10_000 * n, |i| hits[i] += 1);
            assert!(
                hits.iter().all(|&h| (9_500..10_500).contains(&h)),
                "{n}: {hits:?}"
            );
        }
    }

    #[test]
    fn rejection_keeps_the_rest_uniform() {
        // range 3: 2^64 mod 3 = 1, so only r with r·3 mod 2^64 = 0 (r = 0) is rejected.
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let r = accepted(&mut rng, 3);
        assert_ne!(r.wrapping_mul(3), 0);
    }

    #[test]
    fn fast_median_matches_the_generic_path() {
        let inf = f64::INFINITY;
        let mut sample = vec![3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, inf, -2.0];
        sample.extend([0.5, 7.0, 8.0, -1.0, 2.5, 3.5, -inf, 4.5, 1.5]);
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
