//! The bootstrap distribution of a sample median computed exactly rather than by
//! resampling, for large samples: resampling costs B·n (2000 × 50,000 seeds is 10^8 draws
//! per interval), this costs O(√n) binomial probabilities.
//!
//! A resample's k-th order statistic is at most the sample's x_(j) exactly when at least k
//! of its n draws fall on x_(1..j), so P(X*_(k) ≤ x_(j)) = P(Binomial(n, j/n) ≥ k)
//! (Maritz & Jarrett 1978; Efron 1982, §10). The percentile interval of the median is then
//! read off these probabilities: the B → ∞ limit of what [`super::bootstrap`] estimates with
//! B draws. For an even n the median is the mean of the two middle order statistics; the
//! lower bound comes from the lower one's distribution and the upper bound from the upper
//! one's, which can only widen the interval, by at most one order statistic on each side.
//!
//! The difference of two independent medians gets Efron's normal interval from their
//! exact bootstrap variances (its percentile interval would need their convolution).

use statrs::distribution::{Binomial, DiscreteCDF};

use super::Interval;
use super::normal::two_sided_z;
use super::values::difference;

/// Samples above this size take the exact intervals.
pub(crate) const EXACT_ABOVE: usize = 1000;

/// P(X*_(k) ≤ x_(j)) for a resample of the n sorted values (1-based k and j).
fn below(n: usize, k: usize, j: usize) -> f64 {
    if j >= n {
        return 1.0;
    }
    match Binomial::new(j as f64 / n as f64, n as u64) {
        // P(B ≥ k) = 1 - P(B ≤ k - 1).
        Ok(b) => b.sf(k as u64 - 1),
        Err(_) => f64::NAN,
    }
}

/// The smallest j in 1..=n with P(X*_(k) ≤ x_(j)) ≥ p.
fn quantile_rank(n: usize, k: usize, p: f64) -> usize {
    let (mut lo, mut hi) = (1, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if below(n, k, mid) >= p {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// The percentile interval of the median of the sorted, NaN-free `sorted` at `level`.
pub(crate) fn median_interval(sorted: &[f64], estimate: f64, level: f64) -> Interval {
    let n = sorted.len();
    let tail = (1.0 - level) / 2.0;
    let (lower_middle, upper_middle) = (n.div_ceil(2), n / 2 + 1);
    let low = quantile_rank(n, lower_middle, tail);
    let high = quantile_rank(n, upper_middle, 1.0 - tail);
    Interval {
        estimate: estimate + 0.0,
        low: sorted[low - 1] + 0.0,
        high: sorted[high - 1] + 0.0,
        level,
    }
}

/// The variance of the bootstrap distribution of the median of the sorted, finite
/// `sorted` (the mean of the two middle order statistics' distributions' variances for an
/// even n), over the order statistics that carry all but 1e-12 of it.
fn median_variance(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    let middles = [n.div_ceil(2), n / 2 + 1];
    let mut total = 0.0;
    for &k in &middles {
        let first = quantile_rank(n, k, 1e-13);
        let last = quantile_rank(n, k, 1.0 - 1e-13);
        let (mut mean, mut square, mut cdf) = (0.0, 0.0, below(n, k, first - 1));
        for j in first..=last {
            let next = below(n, k, j);
            let p = next - cdf;
            cdf = next;
            mean += p * sorted[j - 1];
            square += p * sorted[j - 1] * sorted[j - 1];
        }
        total += (square - mean * mean).max(0.0);
    }
    total / middles.len() as f64
}

/// Efron's normal interval for median(x) - median(y) from each median's exact bootstrap
/// variance; both sorted and finite.
pub(crate) fn median_difference_interval(
    x: &[f64],
    y: &[f64],
    estimate: f64,
    level: f64,
) -> Interval {
    let sd = (median_variance(x) + median_variance(y)).sqrt();
    let half = two_sided_z(level) * sd;
    Interval {
        estimate: estimate + 0.0,
        low: difference(estimate, half) + 0.0,
        high: estimate + half + 0.0,
        level,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_statistic_probabilities_by_hand() {
        // n = 3, the median (k = 2) at most x_(1): at least two draws on x_(1),
        // 3·(1/3)²·(2/3) + (1/3)³ = 7/27.
        assert!((below(3, 2, 1) - 7.0 / 27.0).abs() < 1e-12);
        assert!((below(3, 2, 2) - 20.0 / 27.0).abs() < 1e-12);
        assert_eq!(below(3, 2, 3), 1.0);
    }

    #[test]
    fn agrees_with_resampling_at_a_large_n() {
        // 1201 and 1200 values: the exact bounds against 20,000 resamples, within one order
        // statistic's step of the resampled ones.
        for n in [1201usize, 1200] {
            let mut x = 7u64;
            let mut v: Vec<f64> = (0..n)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((x >> 11) as f64 / (1u64 << 53) as f64).powi(2)
                })
                .collect();
            v.sort_by(f64::total_cmp);
            let estimate = super::super::median(&v).unwrap();
            let exact = median_interval(&v, estimate, 0.95);
            let resampled = super::super::bootstrap_median(&v, 20_000, 0.95).unwrap();
            let rank = |value: f64| v.partition_point(|&a| a < value) as i64;
            assert!(
                (rank(exact.low) - rank(resampled.low)).abs() <= 2,
                "{n}: {exact:?} {resampled:?}"
            );
            assert!(
                (rank(exact.high) - rank(resampled.high)).abs() <= 2,
                "{n}: {exact:?} {resampled:?}"
            );
            // The difference with a shifted copy: Efron's normal interval against the
            // resampled percentile one, bounds within a tenth of its width.
            let y: Vec<f64> = v.iter().map(|a| a + 0.01).collect();
            let est = estimate - super::super::median(&y).unwrap();
            let exact = median_difference_interval(&v, &y, est, 0.95);
            let resampled =
                super::super::bootstrap_median_difference(&v, &y, 20_000, 0.95).unwrap();
            let width = resampled.high - resampled.low;
            assert!(
                (exact.low - resampled.low).abs() < 0.1 * width,
                "{exact:?} {resampled:?}"
            );
            assert!(
                (exact.high - resampled.high).abs() < 0.1 * width,
                "{exact:?} {resampled:?}"
            );
        }
    }
}
