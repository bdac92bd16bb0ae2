//! The standard normal distribution as scipy.special computes it: `ndtr` (the CDF) and `ndtri`
//! (its inverse), to a few ulps.
//!
//! The CDF is libm's erf/erfc (FreeBSD's msun, under an ulp) with Cephes' switch between them.
//! statrs' own erfc is only good to ~1e-10 relative, too coarse to match scipy's p-values to
//! 1e-12, so statrs serves only as the starting guess of the inverse, which Newton's method
//! on the accurate CDF then finishes.

use statrs::function::erf::erfc_inv;
use std::f64::consts::{FRAC_1_SQRT_2, PI, SQRT_2};

/// Φ(x). Near 0 it uses erf (accurate there), in the tails erfc (accurate for tiny
/// probabilities), at the same switch point as Cephes' `ndtr`.
pub(crate) fn cdf(x: f64) -> f64 {
    let z = x * FRAC_1_SQRT_2;
    if z.abs() < FRAC_1_SQRT_2 {
        0.5 + 0.5 * libm::erf(z)
    } else {
        let tail = 0.5 * libm::erfc(z.abs());
        if z > 0.0 { 1.0 - tail } else { tail }
    }
}

/// Φ⁻¹(p) for p in [0, 1]. The upper half goes through 1 - p (exact there) so that every
/// Newton step works on a lower tail, where Φ is accurate relative to its size.
pub(crate) fn quantile(p: f64) -> f64 {
    if p > 0.5 {
        return -lower_quantile(1.0 - p);
    }
    lower_quantile(p)
}

/// Φ⁻¹(p) for p in [0, ½]: statrs' estimate, then Newton steps x ← x - (Φ(x) - p)/φ(x).
fn lower_quantile(p: f64) -> f64 {
    let mut x = -SQRT_2 * erfc_inv(2.0 * p);
    for _ in 0..3 {
        let density = (-0.5 * x * x).exp() / (2.0 * PI).sqrt();
        if !x.is_finite() || density == 0.0 {
            break;
        }
        let step = (cdf(x) - p) / density;
        x -= step;
        if step.abs() <= f64::EPSILON * x.abs() {
            break;
        }
    }
    x
}

/// The two-sided critical value z with P(|Z| ≤ z) = `level`, as scipy writes it.
pub(crate) fn two_sided_z(level: f64) -> f64 {
    quantile(0.5 + 0.5 * level)
}

/// Two-sided p-value 2·Φ(-|z|), capped at 1; 1 where z is NaN (no information).
pub(crate) fn two_sided_p(z: f64) -> f64 {
    let p = 2.0 * cdf(-z.abs());
    if p.is_nan() { 1.0 } else { p.min(1.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs()
    }

    // Reference values: scipy.special.ndtr / ndtri 1.17. In the far tail rounding x/√2 costs
    // both a few 1e-15 (at -10, scipy is 7e-15 and we are 4e-15 off mpmath's value).
    #[test]
    fn cdf_matches_ndtr() {
        assert_eq!(cdf(0.0), 0.5);
        assert!(close(cdf(-1.959963984540054), 0.025, 1e-15));
        assert!(close(cdf(-10.0), 7.61985302416047e-24, 1e-14));
        assert!(close(cdf(-10.0), 7.619853024160526e-24, 1e-14));
        assert!(close(cdf(0.3), 0.6179114221889526, 1e-15));
        assert!(close(cdf(-1.0), 0.15865525393145707, 1e-15));
        assert!(close(cdf(-3.0), 0.0013498980316300933, 1e-15));
        assert_eq!(cdf(f64::NEG_INFINITY), 0.0);
        assert_eq!(cdf(f64::INFINITY), 1.0);
    }

    #[test]
    fn quantile_matches_ndtri() {
        assert!(close(two_sided_z(0.95), 1.959963984540054, 1e-15));
        assert!(close(quantile(0.9), 1.2815515655446004, 1e-15));
        assert!(close(quantile(1e-20), -9.262340089798409, 1e-15));
        assert!(close(quantile(0.3), -0.5244005127080409, 1e-15));
        assert_eq!(quantile(0.5), 0.0);
        assert_eq!(quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(quantile(1.0), f64::INFINITY);
    }

    #[test]
    fn two_sided_p_caps_and_handles_nan() {
        assert_eq!(two_sided_p(0.0), 1.0);
        assert_eq!(two_sided_p(f64::NAN), 1.0);
        assert!(close(two_sided_p(1.959963984540054), 0.05, 1e-15));
    }
}
