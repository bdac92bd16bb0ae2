//! The Wilcoxon signed-rank test on paired samples, as scipy 1.17's
//! `wilcoxon(a, b, zero_method="wilcox", correction=False, alternative="two-sided",
//! method="auto")` (scipy/stats/_wilcoxon.py).
//!
//! Zero differences are dropped (Wilcoxon's rule), the rest ranked by |d| with ties
//! averaged. scipy's "auto" then picks, from the number of pairs N *before* dropping zeros:
//! - N ≤ 50, no ties and no zeros: the exact null distribution of W+;
//! - N ≤ 13 with ties or zeros: an exact permutation test over all 2^N sign flips (whose
//!   proportions equal those over the 2^n flips of the n non-zero differences, which is what
//!   we enumerate, by a subset-sum count over doubled ranks so half ranks stay integers);
//! - otherwise the normal approximation with the tie-corrected variance and, as scipy's
//!   default, no continuity correction.
//!
//! All zero differences (n = 0): scipy gives p = 1 for N ≤ 13 (the permutation
//! distribution is a single point) and NaN above (0/0 in z). We return p = 1 throughout:
//! the data carry no evidence of a difference. Empty input, unequal lengths or a NaN: `None`.

use super::rank::{Ranks, average_ranks};
use super::values::paired_differences;
use super::{Method, TestResult, normal};

/// Largest N for which scipy's "auto" uses an exact distribution.
const EXACT_MAX: usize = 50;
/// Largest N for which scipy enumerates the permutation distribution in full (2^13 < 9999
/// resamples).
const PERMUTATION_MAX: usize = 13;

/// Wilcoxon signed-rank test of `a` against `b` (pairs `a[i]`, `b[i]`) on the
/// [`difference`](super::difference)s `a - b`: a pair of two equal infinities is a zero
/// difference, one infinite side gives ±inf, the largest |d|.
///
/// `statistic` is scipy's min(W+, W-); `n` the number of non-zero differences.
pub fn wilcoxon_signed_rank(a: &[f64], b: &[f64]) -> Option<TestResult> {
    wilcoxon_differences(&paired_differences(a, b)?)
}

/// [`wilcoxon_signed_rank`] on differences already taken, as scipy's `wilcoxon(d)`.
pub fn wilcoxon_differences(d: &[f64]) -> Option<TestResult> {
    if d.is_empty() || d.iter().any(|x| x.is_nan()) {
        return None;
    }
    let nonzero: Vec<f64> = d.iter().copied().filter(|&x| x != 0.0).collect();
    let n = nonzero.len();
    let abs: Vec<f64> = nonzero.iter().map(|x| x.abs()).collect();
    let Ranks { ranks, tie_term } = average_ranks(&abs);
    let w_plus: f64 = sum_where(&nonzero, &ranks, |x| x > 0.0);
    let w_minus: f64 = sum_where(&nonzero, &ranks, |x| x < 0.0);
    let method = choose_method(d.len(), tie_term > 0.0 || n < d.len());
    let p_value = if n == 0 {
        1.0
    } else if method == Method::Asymptotic {
        asymptotic_p(n, w_plus, tie_term)
    } else {
        sign_flip_p(&ranks, w_plus.min(w_minus))
    };
    Some(TestResult {
        statistic: w_plus.min(w_minus),
        p_value,
        n,
        method,
    })
}

/// Sum of `ranks[i]` where `keep(values[i])`.
fn sum_where(values: &[f64], ranks: &[f64], keep: impl Fn(f64) -> bool) -> f64 {
    values
        .iter()
        .zip(ranks)
        .filter(|&(&x, _)| keep(x))
        .map(|(_, r)| r)
        .sum()
}

/// scipy's choice for `method="auto"` from the number of pairs and whether there are ties
/// or zeros.
fn choose_method(pairs: usize, ties_or_zeros: bool) -> Method {
    if pairs > EXACT_MAX {
        Method::Asymptotic
    } else if !ties_or_zeros {
        Method::Exact
    } else if pairs <= PERMUTATION_MAX {
        Method::Permutation
    } else {
        Method::Asymptotic
    }
}

/// Two-sided p from the normal approximation to W+, tie-corrected, no continuity correction,
/// each step written as scipy writes it so that the rounding matches.
fn asymptotic_p(n: usize, w_plus: f64, tie_term: f64) -> f64 {
    let count = n as f64;
    let mean = count * (count + 1.0) * 0.25;
    let var24 = count * (count + 1.0) * (2.0 * count + 1.0);
    let se = ((var24 - tie_term / 2.0) / 24.0).sqrt();
    normal::two_sided_p((w_plus - mean) / se)
}

/// Two-sided p = min(1, 2·P(W ≤ w_min)) under random signs of the given (average) ranks.
/// The sign-flip distribution is symmetric, so this is scipy's 2·min(P(W+ ≤ w+),
/// P(W+ ≥ w+)). Counts are exact integers below 2^53 (n ≤ 50), so the p-value is the exact
/// dyadic fraction, as scipy's.
fn sign_flip_p(ranks: &[f64], w_min: f64) -> f64 {
    // Average ranks are multiples of 1/2: double them to count over integers.
    let weights = ranks.iter().map(|&r| (2.0 * r) as usize);
    let counts = subset_sum_counts(weights, (2.0 * w_min) as usize);
    let tail: u64 = counts.iter().sum();
    let total = 2f64.powi(ranks.len() as i32);
    (2.0 * tail as f64 / total).min(1.0)
}

/// `counts[s]` = number of subsets of `weights` summing to s, for s in 0..=max (a truncated
/// product of (1 + q^w) polynomials). Exact while the number of weights is below 64.
pub(crate) fn subset_sum_counts(weights: impl Iterator<Item = usize>, max: usize) -> Vec<u64> {
    let mut counts = vec![0u64; max + 1];
    counts[0] = 1;
    for w in weights {
        for s in (w..=max).rev() {
            counts[s] += counts[s - w];
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subset_sums_of_one_to_three() {
        // Subsets of {1,2,3}: sums 0,1,2,3,3,4,5,6.
        let c = subset_sum_counts([1, 2, 3].into_iter(), 6);
        assert_eq!(c, vec![1, 1, 1, 2, 1, 1, 1]);
        assert_eq!(subset_sum_counts([1, 2, 3].into_iter(), 2), vec![1, 1, 1]);
    }

    #[test]
    fn exact_small_by_hand() {
        // d = 1, 2, 3 all positive: W- = 0, P(W ≤ 0) = 1/8, p = 1/4.
        let r = wilcoxon_differences(&[1.0, 2.0, 3.0]).unwrap();
        assert_eq!(
            (r.statistic, r.p_value, r.n, r.method),
            (0.0, 0.25, 3, Method::Exact)
        );
        // d = 1, -2, 3: W- = 2; P(W ≤ 2) = 3/8, p = 3/4.
        let r = wilcoxon_differences(&[1.0, -2.0, 3.0]).unwrap();
        assert_eq!((r.statistic, r.p_value), (2.0, 0.75));
    }

    #[test]
    fn ties_use_the_permutation_distribution() {
        // |d| = 1, 1, 2: ranks 1.5, 1.5, 3; all positive, W- = 0; only the empty subset
        // reaches 0, so p = 2/8.
        let r = wilcoxon_differences(&[1.0, 1.0, 2.0]).unwrap();
        assert_eq!((r.p_value, r.method), (0.25, Method::Permutation));
    }

    #[test]
    fn zeros_dropped_and_all_zeros_give_one() {
        let r = wilcoxon_differences(&[0.0, 1.0, 2.0, 3.0]).unwrap();
        assert_eq!((r.n, r.p_value, r.method), (3, 0.25, Method::Permutation));
        let r = wilcoxon_differences(&[0.0; 20]).unwrap();
        assert_eq!((r.n, r.p_value, r.statistic), (0, 1.0, 0.0));
    }

    #[test]
    fn asymptotic_by_hand() {
        // 51 differences 1..=51 all positive: W+ = 1326, mean 663, var 51·52·103/24.
        let d: Vec<f64> = (1..=51).map(f64::from).collect();
        let r = wilcoxon_differences(&d).unwrap();
        let z = 663.0 / (51.0f64 * 52.0 * 103.0 / 24.0).sqrt();
        assert_eq!(r.method, Method::Asymptotic);
        assert_eq!(r.p_value, normal::two_sided_p(z));
    }

    #[test]
    fn undefined_inputs() {
        assert_eq!(wilcoxon_differences(&[]), None);
        assert_eq!(wilcoxon_differences(&[1.0, f64::NAN]), None);
        assert_eq!(wilcoxon_signed_rank(&[1.0], &[1.0, 2.0]), None);
    }
}
