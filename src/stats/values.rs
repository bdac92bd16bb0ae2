//! Arithmetic on metric values that may be infinite: ±inf is a value beyond every finite one,
//! so we take each operation's limit as the infinities grow (inf - inf = 0: two runs that
//! never got there do not differ; the midpoint of -inf and +inf is 0). These replace the IEEE
//! results that would be NaN; everything else is plain IEEE arithmetic, so finite inputs give
//! bit for bit what the references compute.

use std::cmp::Ordering;

/// `a - b`, but 0 when `a == b` (so two equal infinities give 0, not NaN).
pub fn difference(a: f64, b: f64) -> f64 {
    if a == b { 0.0 } else { a - b }
}

/// `(a + b) / 2` as R and numpy compute it, but 0 for opposite infinities (not NaN).
pub fn midpoint(a: f64, b: f64) -> f64 {
    if a.is_infinite() && b == -a {
        0.0
    } else {
        (a + b) / 2.0
    }
}

/// Pairwise [`difference`]s `a[i] - b[i]`; `None` when the lengths differ.
pub fn paired_differences(a: &[f64], b: &[f64]) -> Option<Vec<f64>> {
    (a.len() == b.len()).then(|| a.iter().zip(b).map(|(&x, &y)| difference(x, y)).collect())
}

/// The sample median (the [`midpoint`] of the two middle values for an even count); `None`
/// when empty or when a value is NaN. May be ±inf.
pub fn median(sample: &[f64]) -> Option<f64> {
    if sample.is_empty() || sample.iter().any(|x| x.is_nan()) {
        return None;
    }
    let mut scratch = sample.to_vec();
    Some(median_in_place(&mut scratch))
}

/// The median of a non-empty, NaN-free slice, reordering it (selection, not a full sort).
pub(crate) fn median_in_place(values: &mut [f64]) -> f64 {
    let n = values.len();
    let (below, &mut upper, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        return upper;
    }
    // The lower middle value is the largest of the half below the upper one.
    let lower = below.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    midpoint(lower, upper)
}

/// The order statistic with 0-based `rank` of a NaN-free slice, reordering it.
pub(crate) fn select(values: &mut [f64], rank: usize) -> f64 {
    *values.select_nth_unstable_by(rank, f64::total_cmp).1
}

/// Sort order with NaN after everything (rank ties are decided by `==`, not by this).
pub(crate) fn order(a: &f64, b: &f64) -> Ordering {
    a.partial_cmp(b)
        .unwrap_or_else(|| a.is_nan().cmp(&b.is_nan()))
}

/// +0.0 for -0.0, so that results never print as "-0".
pub(crate) fn positive_zero(x: f64) -> f64 {
    x + 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn difference_of_infinities() {
        assert_eq!(difference(f64::INFINITY, f64::INFINITY), 0.0);
        assert_eq!(difference(f64::NEG_INFINITY, f64::NEG_INFINITY), 0.0);
        assert_eq!(difference(f64::INFINITY, 3.0), f64::INFINITY);
        assert_eq!(difference(3.0, f64::INFINITY), f64::NEG_INFINITY);
        assert_eq!(difference(5.0, 3.5), 1.5);
    }

    #[test]
    fn midpoint_of_infinities() {
        assert_eq!(midpoint(f64::NEG_INFINITY, f64::INFINITY), 0.0);
        assert_eq!(midpoint(f64::INFINITY, f64::INFINITY), f64::INFINITY);
        assert_eq!(midpoint(2.0, f64::INFINITY), f64::INFINITY);
        assert_eq!(midpoint(2.0, 5.0), 3.5);
    }

    #[test]
    fn medians_by_hand() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[f64::NAN, 1.0]), None);
        assert_eq!(median(&[4.0]), Some(4.0));
        assert_eq!(median(&[4.0, 1.0]), Some(2.5));
        assert_eq!(median(&[3.0, 9.0, 1.0]), Some(3.0));
        assert_eq!(median(&[3.0, 9.0, 1.0, 4.0]), Some(3.5));
        assert_eq!(median(&[f64::INFINITY, 1.0]), Some(f64::INFINITY));
        assert_eq!(median(&[f64::INFINITY, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[f64::INFINITY, f64::NEG_INFINITY]), Some(0.0));
    }

    #[test]
    fn paired_differences_need_equal_lengths() {
        assert_eq!(paired_differences(&[1.0], &[]), None);
        assert_eq!(
            paired_differences(&[1.0, f64::INFINITY], &[0.5, f64::INFINITY]),
            Some(vec![0.5, 0.0])
        );
    }
}
