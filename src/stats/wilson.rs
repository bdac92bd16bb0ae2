//! The Wilson score interval for a share k/n, as scipy 1.17's
//! `binomtest(k, n).proportion_ci(confidence_level, method="wilson")`
//! (scipy/stats/_binomtest.py). That method has no continuity correction (scipy's
//! "wilsoncc" is the corrected one), and its bounds are exactly 0 when k = 0 and exactly 1
//! when k = n. The formulas are Newcombe (1998), as scipy writes them.

use super::{Interval, normal, valid_level};

/// Wilson interval for `k` successes out of `n` at `level` (e.g. 0.95); the estimate is k/n.
/// `None` when n = 0, k > n or the level is not in (0, 1).
pub fn wilson(k: u64, n: u64, level: f64) -> Option<Interval> {
    if n == 0 || k > n || !valid_level(level) {
        return None;
    }
    let z = normal::two_sided_z(level);
    let (nf, p) = (n as f64, k as f64 / n as f64);
    let q = 1.0 - p;
    let denom = 2.0 * (nf + z * z);
    let center = (2.0 * nf * p + z * z) / denom;
    let delta = z / denom * (4.0 * nf * p * q + z * z).sqrt();
    Some(Interval {
        estimate: p,
        low: if k == 0 { 0.0 } else { center - delta },
        high: if k == n { 1.0 } else { center + delta },
        level,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        // k = 5 of n = 10 at z: center ½, half-width z/(2(10+z²))·√(100·... ) — by formula:
        // delta = z·√(10 + z²)/(2(10 + z²)) = z / (2√(10 + z²)).
        let z = normal::two_sided_z(0.95);
        let w = wilson(5, 10, 0.95).unwrap();
        let delta = z / (2.0 * (10.0 + z * z).sqrt());
        assert!((w.low - (0.5 - delta)).abs() < 1e-15);
        assert!((w.high - (0.5 + delta)).abs() < 1e-15);
        assert_eq!(w.estimate, 0.5);
    }

    #[test]
    fn edges_are_exact() {
        let w = wilson(0, 7, 0.95).unwrap();
        assert_eq!((w.low, w.estimate), (0.0, 0.0));
        let w = wilson(7, 7, 0.95).unwrap();
        assert_eq!((w.high, w.estimate), (1.0, 1.0));
    }

    #[test]
    fn undefined() {
        assert_eq!(wilson(0, 0, 0.95), None);
        assert_eq!(wilson(3, 2, 0.95), None);
        assert_eq!(wilson(1, 2, 1.0), None);
        assert_eq!(wilson(1, 2, f64::NAN), None);
    }
}
