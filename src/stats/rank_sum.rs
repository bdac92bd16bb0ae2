//! The Mann–Whitney U test on two independent samples, as scipy 1.17's
//! `mannwhitneyu(x, y, use_continuity=True, alternative="two-sided", method="auto")`
//! (scipy/stats/_mannwhitneyu.py).
//!
//! U1 = R1 - n1(n1+1)/2 from the average ranks of the pooled sample. scipy's "auto" takes the
//! exact null distribution of U when a sample has at most 8 values and there are no ties, and
//! otherwise the normal approximation with the tie-corrected variance and the continuity
//! correction (scipy's default `use_continuity=True`). The exact two-sided p is
//! 2·P(U ≤ min(U1, U2)), capped at 1.
//!
//! The exact distribution is counted in 128-bit integers; when C(n1+n2, n1) does not fit
//! (a sample of ≤ 8 values against one of ~100 000) we fall back to the normal approximation
//! where scipy would still count in floats.

use super::rank::{Ranks, average_ranks};
use super::{Method, TestResult, normal};

/// scipy takes the asymptotic p-value when both samples are larger than this.
const EXACT_MAX_SMALLER: usize = 8;

/// Mann–Whitney U test of `x` against `y`. `statistic` is scipy's U1 (the number of pairs
/// with x > y, ties counting ½), `n` is n1 + n2. `None` when a sample is empty or has a NaN
/// (scipy raises).
pub fn mann_whitney_u(x: &[f64], y: &[f64]) -> Option<TestResult> {
    let has_nan = x.iter().chain(y).any(|v| v.is_nan());
    if x.is_empty() || y.is_empty() || has_nan {
        return None;
    }
    let (n1, n2) = (x.len(), y.len());
    let pooled: Vec<f64> = x.iter().chain(y).copied().collect();
    let Ranks { ranks, tie_term } = average_ranks(&pooled);
    let r1: f64 = ranks[..n1].iter().sum();
    let u1 = r1 - (n1 * (n1 + 1)) as f64 / 2.0;
    let u2 = (n1 * n2) as f64 - u1;
    let exact = (n1 <= EXACT_MAX_SMALLER || n2 <= EXACT_MAX_SMALLER) && tie_term == 0.0;
    let exact_p = if exact {
        exact_p(n1, n2, u1.min(u2))
    } else {
        None
    };
    let (p_value, method) = match exact_p {
        Some(p) => (p, Method::Exact),
        None => (
            asymptotic_p(n1, n2, u1.max(u2), tie_term),
            Method::Asymptotic,
        ),
    };
    Some(TestResult {
        statistic: u1,
        p_value,
        n: n1 + n2,
        method,
    })
}

/// Two-sided p from the normal approximation, written as scipy's `_get_mwu_z` writes it.
/// With every value tied the variance is 0 and z = -0.5/0 = -inf, so p = 1 as in scipy.
fn asymptotic_p(n1: usize, n2: usize, u_max: f64, tie_term: f64) -> f64 {
    let mean = (n1 * n2) as f64 / 2.0;
    let n = n1 + n2;
    let s = ((n1 * n2) as f64 / 12.0 * ((n + 1) as f64 - tie_term / (n * (n - 1)) as f64)).sqrt();
    let z = (u_max - mean - 0.5) / s;
    let p = 2.0 * normal::cdf(-z);
    if p.is_nan() { 1.0 } else { p.min(1.0) }
}

/// Exact two-sided p = 2·P(U ≤ u_min) capped at 1; `None` when the counts overflow.
fn exact_p(n1: usize, n2: usize, u_min: f64) -> Option<f64> {
    let k = u_min as usize;
    let tail: u128 = u_counts(n1, n2, k)?.iter().sum();
    let total = binomial(n1 + n2, n1.min(n2))?;
    Some((2.0 * tail as f64 / total as f64).min(1.0))
}

/// `counts[u]` = number of orderings of n1 + n2 distinct values with U = u, for u in 0..=max:
/// the coefficients of the Gaussian binomial [n1+n2 choose m]_q = ∏_{i=1..m} (1 - q^{n+i}) /
/// (1 - q^i), m = min(n1, n2), n = max. The intermediate products have negative coefficients,
/// so we work modulo 2^128 (wrapping), which is exact once the true counts (at most the
/// binomial total, checked first) fit. `None` when they do not.
pub(crate) fn u_counts(n1: usize, n2: usize, max: usize) -> Option<Vec<u128>> {
    binomial(n1 + n2, n1.min(n2))?;
    let (m, n) = (n1.min(n2), n1.max(n2));
    let mut c = vec![0u128; max + 1];
    c[0] = 1;
    for i in 1..=m {
        for s in (n + i..=max).rev() {
            c[s] = c[s].wrapping_sub(c[s - n - i]);
        }
        // Dividing by (1 - q^i) is a running sum with stride i.
        for s in i..=max {
            c[s] = c[s].wrapping_add(c[s - i]);
        }
    }
    Some(c)
}

/// C(n, k) in 128 bits, `None` on overflow.
pub(crate) fn binomial(n: usize, k: usize) -> Option<u128> {
    if k > n {
        return Some(0);
    }
    let k = k.min(n - k);
    let mut c: u128 = 1;
    for i in 0..k {
        // C(n, i+1) = C(n, i)·(n-i)/(i+1). With g = gcd(C(n, i), i+1), (i+1)/g divides n-i, so
        // both divisions are exact and nothing overflows unless the result does.
        let (up, down) = ((n - i) as u128, (i + 1) as u128);
        let g = gcd(c, down);
        c = (c / g).checked_mul(up / (down / g))?;
    }
    Some(c)
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u_distribution_by_hand() {
        // n1 = n2 = 2: the 6 orderings have U = 0,1,2,2,3,4.
        assert_eq!(u_counts(2, 2, 4).unwrap(), vec![1, 1, 2, 1, 1]);
        // n1 = 1, n2 = 3: U uniform on 0..=3.
        assert_eq!(u_counts(1, 3, 3).unwrap(), vec![1, 1, 1, 1]);
        assert_eq!(u_counts(3, 1, 1).unwrap(), vec![1, 1]);
    }

    #[test]
    fn binomials() {
        assert_eq!(binomial(5, 2), Some(10));
        assert_eq!(binomial(4, 0), Some(1));
        assert_eq!(binomial(100, 50), Some(100891344545564193334812497256));
        assert_eq!(
            binomial(127, 63),
            Some(11975573020964041433067793888190275875)
        );
        assert_eq!(binomial(300, 150), None);
    }

    #[test]
    fn exact_by_hand() {
        // x above y entirely, 2 vs 2: U1 = 4, p = 2·P(U ≤ 0) = 2/6.
        let r = mann_whitney_u(&[3.0, 4.0], &[1.0, 2.0]).unwrap();
        assert_eq!((r.statistic, r.method, r.n), (4.0, Method::Exact, 4));
        assert!((r.p_value - 1.0 / 3.0).abs() < 1e-16);
        // One value each: p = 2·½ = 1.
        assert_eq!(mann_whitney_u(&[1.0], &[2.0]).unwrap().p_value, 1.0);
    }

    #[test]
    fn all_tied_gives_one() {
        let r = mann_whitney_u(&[2.0; 3], &[2.0; 4]).unwrap();
        assert_eq!(
            (r.statistic, r.p_value, r.method),
            (6.0, 1.0, Method::Asymptotic)
        );
    }

    #[test]
    fn undefined_inputs() {
        assert_eq!(mann_whitney_u(&[], &[1.0]), None);
        assert_eq!(mann_whitney_u(&[1.0], &[f64::NAN]), None);
    }
}
