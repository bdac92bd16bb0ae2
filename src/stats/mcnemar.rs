//! The exact McNemar test on the discordant counts of a paired 2x2 table, as statsmodels
//! 0.15's `mcnemar([[_, b], [c, _]], exact=True)` (statsmodels/stats/contingency_tables.py):
//! under the null each discordant pair goes either way with probability ½, so the statistic
//! min(b, c) is binomial and p = min(1, 2·P(Bin(b + c, ½) ≤ min(b, c))).
//!
//! The binomial tail is exact for b + c ≤ 127 (integer counts over 2^n, one rounding);
//! above that it sums the terms C(n, i)/2^n, each a product of ratios, accurate to ~1e-14.
//! Above 2^24 discordant pairs (far beyond any seed count) summing would take too long and the
//! tail comes from the normal approximation with continuity correction.

use super::rank_sum::binomial;
use super::{Method, TestResult, normal};

/// Above this many discordant pairs the tail is summed in floating point.
const EXACT_MAX: u64 = 127;
/// Above this many the tail is the normal approximation.
const SUM_MAX: u64 = 1 << 24;

/// Exact McNemar test on `b` (pairs where only the first succeeded) and `c` (only the
/// second). `statistic` is min(b, c), `n` is b + c; b = c = 0 gives p = 1.
pub fn mcnemar_exact(b: u64, c: u64) -> TestResult {
    let n = b.saturating_add(c);
    let k = b.min(c);
    let tail = if n <= EXACT_MAX {
        exact_tail(k, n)
    } else if n <= SUM_MAX {
        float_tail(k, n)
    } else {
        normal::cdf((k as f64 + 0.5 - n as f64 / 2.0) / (n as f64).sqrt() * 2.0)
    };
    TestResult {
        statistic: k as f64,
        p_value: (2.0 * tail).min(1.0),
        n: usize::try_from(n).unwrap_or(usize::MAX),
        method: Method::Exact,
    }
}

/// P(Bin(n, ½) ≤ k) from integer counts (n ≤ 127, so the sum fits in 128 bits).
fn exact_tail(k: u64, n: u64) -> f64 {
    let (k, n) = (k as usize, n as usize);
    let count: u128 = (0..=k).filter_map(|i| binomial(n, i)).sum();
    count as f64 * 2f64.powi(-(n as i32))
}

/// P(Bin(n, ½) ≤ k) for k ≤ n/2: the top term C(n, k)/2^n as a product of the ratios
/// (n-k+j)/j with the n halvings interleaved (exact, and keeping the value in range), then
/// the terms below it by t(i-1) = t(i)·i/(n-i+1) until they stop mattering.
fn float_tail(k: u64, n: u64) -> f64 {
    let mut top = 1.0f64;
    let mut halvings = n;
    for j in 1..=k {
        top *= (n - k + j) as f64 / j as f64;
        while top > 1.0 && halvings > 0 {
            top *= 0.5;
            halvings -= 1;
        }
    }
    top *= 2f64.powi(-(halvings.min(1100) as i32));
    let (mut sum, mut term) = (0.0, top);
    for i in (1..=k).rev() {
        sum += term;
        term *= i as f64 / (n - i + 1) as f64;
        if term <= sum * 1e-18 {
            return sum;
        }
    }
    sum + term
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        // b = 0, c = 3: 2·(1/8).
        let r = mcnemar_exact(0, 3);
        assert_eq!((r.statistic, r.p_value, r.n), (0.0, 0.25, 3));
        // b = 1, c = 4: 2·(1 + 5)/32.
        assert_eq!(mcnemar_exact(4, 1).p_value, 0.375);
        // Balanced and empty: 1.
        assert_eq!(mcnemar_exact(3, 3).p_value, 1.0);
        assert_eq!(mcnemar_exact(0, 0).p_value, 1.0);
    }

    #[test]
    fn float_tail_agrees_with_exact_where_both_apply() {
        for (k, n) in [(0, 10), (3, 10), (20, 60), (50, 127), (63, 127)] {
            let (e, f) = (exact_tail(k, n), float_tail(k, n));
            assert!((e - f).abs() <= 1e-14 * e, "{k} {n}: {e} {f}");
        }
    }

    #[test]
    fn huge_counts_do_not_panic() {
        assert_eq!(mcnemar_exact(u64::MAX, 0).p_value, 0.0);
        assert_eq!(mcnemar_exact(1 << 20, 1 << 20).p_value, 1.0);
        assert_eq!(mcnemar_exact(1 << 40, 1 << 40).p_value, 1.0);
        let r = mcnemar_exact(1 << 30, (1 << 30) + 100000);
        assert!(r.p_value > 0.0 && r.p_value < 0.1);
    }
}
