//! Intervals for the difference of two shares, both from Wilson intervals by Newcombe's
//! square-and-add ("hybrid score") construction.
//!
//! Unpaired (two independent groups): Newcombe (1998a) method 10, as statsmodels 0.15's
//! `confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff")`.
//!
//! Paired (both arms on the same seeds): Newcombe (1998b, "Improved confidence intervals for
//! the difference between binomial proportions based on paired data", Stat Med 17:2635)
//! method 10, which adds a correlation term φ to the same construction. φ is Newcombe's
//! continuity-corrected estimate: (AD - BC - N/2)/√(row and column totals) when
//! AD - BC > N/2, 0 when 0 ≤ AD - BC ≤ N/2, (AD - BC)/√(...) when negative, and 0 when a
//! total is 0. statsmodels has no such interval; this is the one in Fagerland, Lydersen and
//! Laake, "Statistical Analysis of Contingency Tables" (2017) §8.5, validated against that
//! book's R code's published example (Cavo et al. 2012: -0.0621, 95% CI -0.1186 to -0.0046)
//! and an independent numpy implementation in the fixture script.

use super::{Interval, wilson};

/// Interval for k1/n1 - k2/n2 (independent groups). `None` when a group is empty, a count
/// exceeds its total, or the level is not in (0, 1). `level` is the requested one.
pub fn share_difference(k1: u64, n1: u64, k2: u64, n2: u64, level: f64) -> Option<Interval> {
    let first = wilson(k1, n1, level)?;
    let second = wilson(k2, n2, level)?;
    Some(square_and_add(first, second, 0.0))
}

/// Interval for the difference of paired shares p_a - p_b = (only_a - only_b)/N, from the
/// counts of seeds where both, only a, only b, or neither succeeded. `None` when N = 0 or
/// the level is not in (0, 1).
pub fn paired_share_difference(
    both: u64,
    only_a: u64,
    only_b: u64,
    neither: u64,
    level: f64,
) -> Option<Interval> {
    let [both, only_a, only_b, neither] = [both, only_a, only_b, neither].map(u128::from);
    let total = u64::try_from(both + only_a + only_b + neither).ok()?;
    let a_successes = u64::try_from(both + only_a).ok()?;
    let b_successes = u64::try_from(both + only_b).ok()?;
    let a = wilson(a_successes, total, level)?;
    let b = wilson(b_successes, total, level)?;
    let margins = [
        both + only_a,
        only_b + neither,
        both + only_b,
        only_a + neither,
    ];
    let phi = if margins.contains(&0) {
        0.0
    } else {
        let cross = (both * neither) as f64 - (only_a * only_b) as f64;
        let half = total as f64 / 2.0;
        let numerator = if cross > half {
            cross - half
        } else {
            cross.min(0.0)
        };
        numerator / margins.iter().map(|&m| m as f64).product::<f64>().sqrt()
    };
    Some(square_and_add(a, b, phi))
}

/// Newcombe's square-and-add: the distances from each estimate to its Wilson bounds, combined
/// as for a difference of variables with correlation φ.
fn square_and_add(first: Interval, second: Interval, phi: f64) -> Interval {
    let (p1, p2) = (first.estimate, second.estimate);
    let combine = |x: f64, y: f64| (x * x + y * y - 2.0 * phi * x * y).sqrt();
    let below = combine(p1 - first.low, second.high - p2);
    let above = combine(p2 - second.low, first.high - p1);
    let estimate = p1 - p2;
    Interval {
        estimate,
        low: estimate - below,
        high: estimate + above,
        level: first.level,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_book_example() {
        // Fagerland et al. (2017) §8.5, Cavo et al. (2012): [[59, 6], [16, 80]].
        let i = paired_share_difference(59, 6, 16, 80, 0.95).unwrap();
        assert_eq!(
            format!("{:.4} {:.4} {:.4}", i.estimate, i.low, i.high),
            "-0.0621 -0.1186 -0.0046"
        );
    }

    #[test]
    fn equal_shares_straddle_zero() {
        let i = share_difference(3, 10, 3, 10, 0.95).unwrap();
        assert_eq!(i.estimate, 0.0);
        assert_eq!(i.low, -i.high);
        let i = paired_share_difference(2, 3, 3, 2, 0.95).unwrap();
        assert_eq!(i.low, -i.high);
    }

    #[test]
    fn undefined() {
        assert_eq!(share_difference(0, 0, 1, 2, 0.95), None);
        assert_eq!(paired_share_difference(0, 0, 0, 0, 0.95), None);
        assert_eq!(paired_share_difference(1, 0, 0, 0, 0.0), None);
    }
}
