//! Hodges–Lehmann location estimates with the distribution-free confidence intervals that
//! invert the rank tests, following R 4.2's `wilcox.test(..., conf.int = TRUE)` where it uses
//! exact distributions (Hollander, Wolfe & Chicken, "Nonparametric Statistical Methods",
//! §3.2 and §4.3).
//!
//! Paired: the estimate is the median of the n(n+1)/2 Walsh averages (d_i + d_j)/2, i ≤ j, of
//! the differences d = a - b (zeros kept: a seed where the two agree is evidence for a shift
//! of 0; R, whose exact branch never sees zeros, drops them in its approximate branch). The
//! interval is [W(k), W(M+1-k)] in the sorted Walsh averages, M = n(n+1)/2, with k = R's
//! `qsignrank(α/2, n)` (the smallest k with P(V ≤ k) ≥ α/2 under the signed-rank null),
//! raised to 1 when it is 0.
//!
//! Two-sample: the estimate is the median of the n_x·n_y differences x_i - y_j, the interval
//! [D(k), D(M+1-k)] with M = n_x·n_y and k = R's `qwilcox(α/2, n_x, n_y)`, raised to 1.
//!
//! For no ties and n < 50 (paired) or both samples < 50 (two-sample) this is exactly R's
//! exact branch, and the fixtures hold R's own numbers. We use the same exact critical values
//! when there are ties (R switches to a root-finding inversion of its tie-corrected normal
//! approximation with `uniroot(tol = 1e-4)`, whose result we cannot reproduce to more than
//! 4 digits); the interval then is the textbook order-statistic interval, conservative under
//! ties. Larger samples take k from the normal approximation of the same quantile,
//! k = ⌈μ - ½ - zσ⌉ (μ, σ the null mean and sd of the statistic, without tie correction);
//! the fixtures check those against a numpy implementation of this same construction.
//!
//! `level` in the result is the requested level, or the lower one actually achieved when the
//! sample is too small to reach it (k raised from 0 to 1: the interval is the whole range of
//! the Walsh averages, with level 1 - 2P(V = 0), e.g. 0.75 for n = 3; R reports such a level,
//! rounded to two digits, only when it falls short by more than α/2).
//!
//! Infinite values: Walsh averages and differences use [`midpoint`] and [`difference`], so
//! an infinite difference gives infinite averages (+inf means "later than any"), two equal
//! infinities differ by 0, opposite ones average to 0; no NaN arises. An estimate or bound of
//! ±inf is then the honest answer ("never" in the caller's words).
//!
//! Cost: the M averages are never stored: the order statistics are selected from their
//! sorted rows ([`super::sorted_rows`]), O(n log² n) time and O(n) memory, so 50,000 seeds
//! (1.25 billion Walsh averages) take well under a second.

use super::rank_sum::{binomial, u_counts};
use super::signed_rank::subset_sum_counts;
use super::sorted_rows::kth_smallest;
use super::values::{difference, midpoint, paired_differences, positive_zero};
use super::{Interval, normal, valid_level};

/// Exact critical values below this sample size, as R.
const EXACT_BELOW: usize = 50;
/// R's `qsignrank`/`qwilcox` allow this much rounding in the cumulative probability.
const QUANTILE_FUZZ: f64 = 10.0 * f64::EPSILON;

/// Hodges–Lehmann shift of paired samples (median Walsh average of `a - b`) with its
/// signed-rank interval. `None` when empty, lengths differ, a value is NaN, the level is not
/// in (0, 1) or the sample is too large.
pub fn hodges_lehmann_paired(a: &[f64], b: &[f64], level: f64) -> Option<Interval> {
    let mut d = paired_differences(a, b)?;
    let n = d.len();
    if n == 0 || d.iter().any(|x| x.is_nan()) {
        return None;
    }
    let m = n.checked_mul(n + 1)? / 2;
    let critical = if n < EXACT_BELOW {
        signed_rank_critical(n, level)?
    } else {
        let nf = n as f64;
        let sd = (nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0).sqrt();
        normal_critical(m, sd, level)?
    };
    // Sorted, row i holds the averages of d_i with d_j, j >= i, in order.
    d.sort_by(f64::total_cmp);
    let rows: Vec<(usize, usize)> = (0..n).map(|i| (i, n)).collect();
    let value = |i: usize, j: usize| midpoint(d[i], d[j]);
    order_statistics(&rows, &value, m, critical)
}

/// Hodges–Lehmann shift of `x` against `y` (median of all `x_i - y_j`) with its Mann–Whitney
/// interval. `None` when a sample is empty, a value is NaN, the level is not in (0, 1) or the
/// samples are too large.
pub fn hodges_lehmann_shift(x: &[f64], y: &[f64], level: f64) -> Option<Interval> {
    let (nx, ny) = (x.len(), y.len());
    let m = nx.checked_mul(ny).filter(|&m| m > 0)?;
    if x.iter().chain(y).any(|v| v.is_nan()) {
        return None;
    }
    // y from the largest: row i holds x_i - y_j in order.
    let mut y = y.to_vec();
    y.sort_by(|a, b| b.total_cmp(a));
    let rows: Vec<(usize, usize)> = (0..nx).map(|_| (0, ny)).collect();
    let value = |i: usize, j: usize| difference(x[i], y[j]);
    let critical = if nx < EXACT_BELOW && ny < EXACT_BELOW {
        rank_sum_critical(nx, ny, level)?
    } else {
        let sd = ((nx * ny) as f64 * (nx + ny + 1) as f64 / 12.0).sqrt();
        normal_critical(m, sd, level)?
    };
    order_statistics(&rows, &value, m, critical)
}

/// The order-statistic rank k (1-based) of the lower bound and the level achieved.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Critical {
    k: usize,
    level: f64,
}

/// The median of the `m` values of `rows` and the bounds at ranks k and M + 1 - k.
fn order_statistics(
    rows: &[(usize, usize)],
    value: &impl Fn(usize, usize) -> f64,
    m: usize,
    critical: Critical,
) -> Option<Interval> {
    let at = |rank: usize| kth_smallest(rows, value, rank);
    let (lower, upper) = ((m - 1) / 2 + 1, m / 2 + 1);
    let middle = at(lower)?;
    let next = if upper == lower { middle } else { at(upper)? };
    Some(Interval {
        estimate: positive_zero(midpoint(middle, next)),
        low: positive_zero(at(critical.k)?),
        high: positive_zero(at(m + 1 - critical.k)?),
        level: critical.level,
    })
}

/// k from the exact signed-rank null distribution of n differences.
fn signed_rank_critical(n: usize, level: f64) -> Option<Critical> {
    let m = n * (n + 1) / 2;
    let counts = subset_sum_counts(1..=n, m);
    let total = 2f64.powi(n as i32);
    exact_critical(counts.iter().map(|&c| c as f64 / total), m, level)
}

/// k from the exact Mann–Whitney null distribution of n_x and n_y values.
fn rank_sum_critical(nx: usize, ny: usize, level: f64) -> Option<Critical> {
    let m = nx * ny;
    let counts = u_counts(nx, ny, m)?;
    let total = binomial(nx + ny, nx)? as f64;
    exact_critical(counts.iter().map(|&c| c as f64 / total), m, level)
}

/// R's quantile of a null distribution given by its probabilities at 0..=m: the smallest k
/// with P(T ≤ k) ≥ α/2 (less R's fuzz), raised to 1; the achieved level 1 - 2P(T ≤ k - 1).
fn exact_critical(pmf: impl Iterator<Item = f64>, m: usize, level: f64) -> Option<Critical> {
    if !valid_level(level) {
        return None;
    }
    let target = (1.0 - level) / 2.0 - QUANTILE_FUZZ;
    let (mut cdf, mut below) = (0.0, 0.0);
    let mut k = m;
    for (q, p) in pmf.enumerate() {
        cdf += p;
        if cdf >= target {
            k = q;
            break;
        }
        below = cdf;
    }
    // When k is raised from 0 to 1, P(T ≤ k - 1) is P(T = 0), not the 0 left in `below`.
    let (k, below) = if k == 0 { (1, cdf) } else { (k, below) };
    Some(Critical {
        k: k.min(m.div_ceil(2)),
        level: level.min(1.0 - 2.0 * below),
    })
}

/// k from the normal approximation, k = ⌈μ - ½ - zσ⌉ with μ = M/2, kept within [1, ⌈M/2⌉].
fn normal_critical(m: usize, sd: f64, level: f64) -> Option<Critical> {
    if !valid_level(level) {
        return None;
    }
    let z = normal::two_sided_z(level);
    let k = (m as f64 / 2.0 - 0.5 - z * sd).ceil();
    let k = if k >= 1.0 { k as usize } else { 1 };
    Some(Critical {
        k: k.min(m.div_ceil(2)),
        level,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walsh_median_by_hand() {
        // d = 1, 2, 6: Walsh averages 1, 1.5, 2, 3.5, 4, 6 → median 2.75. n = 3 cannot reach
        // 95%: k = 1, the whole range, level 1 - 2/8.
        let i = hodges_lehmann_paired(&[1.0, 2.0, 6.0], &[0.0; 3], 0.95).unwrap();
        assert_eq!((i.estimate, i.low, i.high, i.level), (2.75, 1.0, 6.0, 0.75));
    }

    #[test]
    fn exact_critical_values_match_r_tables() {
        // R: qsignrank(0.025, 10) = 9, qwilcox(0.025, 5, 6) = 4.
        assert_eq!(signed_rank_critical(10, 0.95).unwrap().k, 9);
        assert_eq!(rank_sum_critical(5, 6, 0.95).unwrap().k, 4);
        // n = 6: P(V ≤ 0) = 1/64 < 0.025 ≤ P(V ≤ 1) = 2/64: k = 1, level 1 - 2/64.
        assert_eq!(
            signed_rank_critical(6, 0.95),
            Some(Critical { k: 1, level: 0.95 })
        );
        assert_eq!(
            signed_rank_critical(5, 0.95).unwrap().level,
            1.0 - 2.0 / 32.0
        );
    }

    #[test]
    fn normal_critical_close_to_exact_at_the_switch() {
        let nf = 49.0f64;
        let sd = (nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0).sqrt();
        let approx = normal_critical(49 * 50 / 2, sd, 0.95).unwrap().k;
        let exact = signed_rank_critical(49, 0.95).unwrap().k;
        assert!(approx.abs_diff(exact) <= 1, "{approx} vs {exact}");
    }

    #[test]
    fn two_sample_by_hand() {
        // x - y over x = 5, 7 and y = 1, 2: 4, 3, 6, 5 → median 4.5; 2 vs 2 can't reach 95%.
        let i = hodges_lehmann_shift(&[5.0, 7.0], &[1.0, 2.0], 0.95).unwrap();
        assert_eq!((i.estimate, i.low, i.high), (4.5, 3.0, 6.0));
        assert_eq!(i.level, 1.0 - 2.0 / 6.0);
    }

    #[test]
    fn infinities_give_no_nan() {
        let inf = f64::INFINITY;
        let i = hodges_lehmann_paired(&[inf, inf, 3.0, 9.0], &[1.0, inf, inf, 2.0], 0.95).unwrap();
        assert!(!i.estimate.is_nan() && !i.low.is_nan() && !i.high.is_nan());
        let i = hodges_lehmann_shift(&[inf, inf, inf], &[1.0, 2.0], 0.95).unwrap();
        assert_eq!((i.estimate, i.low, i.high), (inf, inf, inf));
        let i = hodges_lehmann_shift(&[inf, inf], &[inf, inf], 0.95).unwrap();
        assert_eq!((i.estimate, i.low, i.high), (0.0, 0.0, 0.0));
    }

    #[test]
    fn undefined() {
        assert_eq!(hodges_lehmann_paired(&[], &[], 0.95), None);
        assert_eq!(hodges_lehmann_paired(&[1.0], &[], 0.95), None);
        assert_eq!(hodges_lehmann_shift(&[1.0], &[], 0.95), None);
        assert_eq!(hodges_lehmann_shift(&[1.0], &[f64::NAN], 0.95), None);
        assert_eq!(hodges_lehmann_shift(&[1.0], &[2.0], 1.5), None);
    }
}
