//! The smallest effect a comparison could have found: the minimal detectable difference at a
//! given power and two-sided level, by normal theory.
//!
//! - Two shares of independent groups (the z-test for two proportions; Fisher's exact test,
//!   which the comparisons use, is a little more conservative, so its true minimal effect is
//!   a little larger): Fleiss, Levin & Paik, "Statistical Methods for Rates and
//!   Proportions", 3rd ed., §4.2, without the continuity correction.
//! - Two paired shares (McNemar's test) from the share of discordant pairs ψ: Connor (1987),
//!   "Sample size for testing differences in proportions for the paired-sample design",
//!   Biometrics 43.
//! - A shift in location (the rank tests): the t-test's minimal shift σ (z_α/2 + z_β) / √n
//!   divided by √(3/π), the asymptotic relative efficiency of the Wilcoxon and Mann–Whitney
//!   tests to the t-test under normality (Lehmann, "Nonparametrics", ch. 2). σ is the
//!   caller's robust spread.
//!
//! Each function returns the magnitude of the effect (a positive number), or `None` when no
//! effect within the possible range reaches the power.

use super::normal::{cdf, two_sided_z};

/// The power of the comparisons' minimal effects.
pub(crate) const POWER: f64 = 0.8;

/// The smallest |p2 - p1| the two-proportion z-test at two-sided `alpha` detects with
/// `power`, for n1 and n2 seeds around a share `p` (moving toward ½, where there is room).
pub(crate) fn mde_shares(p: f64, n1: usize, n2: usize, alpha: f64, power: f64) -> Option<f64> {
    if n1 == 0 || n2 == 0 || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let (n1, n2) = (n1 as f64, n2 as f64);
    let z = two_sided_z(1.0 - alpha);
    let power_at = |delta: f64| {
        let p2 = if p <= 0.5 { p + delta } else { p - delta };
        let mean = (n1 * p + n2 * p2) / (n1 + n2);
        let null = (mean * (1.0 - mean) * (1.0 / n1 + 1.0 / n2)).sqrt();
        let alt = (p * (1.0 - p) / n1 + p2 * (1.0 - p2) / n2).sqrt();
        cdf((delta - z * null) / alt)
    };
    smallest(power_at, p.max(1.0 - p), power)
}

/// The smallest |p10 - p01| McNemar's test at two-sided `alpha` detects with `power` in
/// `n` pairs whose share of discordant pairs is `discordant` (ψ = p10 + p01).
pub(crate) fn mde_paired_shares(discordant: f64, n: usize, alpha: f64, power: f64) -> Option<f64> {
    if n == 0 || !(discordant > 0.0 && discordant <= 1.0) {
        return None;
    }
    let n = n as f64;
    let z = two_sided_z(1.0 - alpha);
    let power_at = |delta: f64| {
        let spread = (discordant - delta * delta).max(f64::MIN_POSITIVE).sqrt();
        cdf((delta * n.sqrt() - z * discordant.sqrt()) / spread)
    };
    smallest(power_at, discordant, power)
}

/// The smallest shift a rank test at two-sided `alpha` detects with `power`, for a spread
/// `sigma` and a standard error factor `se` (1/√n paired, √(1/n1 + 1/n2) unpaired).
pub(crate) fn mde_shift(sigma: f64, se: f64, alpha: f64, power: f64) -> Option<f64> {
    let efficiency = 3.0 / std::f64::consts::PI;
    let shift = sigma * se * (two_sided_z(1.0 - alpha) + two_sided_z(2.0 * power - 1.0))
        / efficiency.sqrt();
    (shift.is_finite() && shift > 0.0).then_some(shift)
}

/// The smallest δ in (0, `max`] with `power_at(δ)` ≥ `power` (power grows with δ), to
/// 1e-6, by bisection; `None` if even `max` falls short.
fn smallest(power_at: impl Fn(f64) -> f64, max: f64, power: f64) -> Option<f64> {
    if power_at(max) < power {
        return None;
    }
    let (mut lo, mut hi) = (0.0, max);
    while hi - lo > 1e-6 {
        let mid = 0.5 * (lo + hi);
        if power_at(mid) >= power {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

/// A robust standard deviation: 1.4826 x the median absolute deviation of the finite
/// values, or their sample standard deviation where most of them tie (MAD 0); `None` with
/// fewer than two finite values or no spread at all.
pub(crate) fn robust_sigma(values: &[f64]) -> Option<f64> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.len() < 2 {
        return None;
    }
    let center = super::median(&finite)?;
    let deviations: Vec<f64> = finite.iter().map(|v| (v - center).abs()).collect();
    let mad = 1.4826 * super::median(&deviations)?;
    let sigma = if mad > 0.0 {
        mad
    } else {
        let mean = finite.iter().sum::<f64>() / finite.len() as f64;
        let ss: f64 = finite.iter().map(|v| (v - mean) * (v - mean)).sum();
        (ss / (finite.len() - 1) as f64).sqrt()
    };
    (sigma > 0.0).then_some(sigma)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_by_hand() {
        // Fleiss: p1 = 0.5, n = 48 per group. At δ = 0.28 the power is
        // Φ((0.28 - 1.95996·√(0.64·0.36·2/48)) / √(0.25/48 + 0.78·0.22/48)) = Φ(0.8676) ≈ 0.807,
        // and at δ = 0.27, Φ(0.8235) ≈ 0.795: the minimal effect lies between.
        let d = mde_shares(0.5, 48, 48, 0.05, 0.8).unwrap();
        assert!((0.27..0.28).contains(&d), "{d}");
        // Symmetric in p, and smaller with more seeds.
        let e = mde_shares(0.2, 48, 48, 0.05, 0.8).unwrap();
        assert!((e - mde_shares(0.8, 48, 48, 0.05, 0.8).unwrap()).abs() < 1e-6);
        assert!(mde_shares(0.5, 384, 384, 0.05, 0.8).unwrap() < d / 2.5);
        // One seed a side: no share difference can reach 80%.
        assert_eq!(mde_shares(0.5, 1, 1, 0.05, 0.8), None);
    }

    #[test]
    fn paired_shares_by_hand() {
        // ψ = 0.3, n = 48: at δ = 0.2, (0.2·√48 - 1.95996·√0.3)/√(0.3 - 0.04) = 0.6167
        // → Φ = 0.731; at δ = 0.22, (1.5242 - 1.0735)/√0.2516 = 0.8985 → 0.815.
        let d = mde_paired_shares(0.3, 48, 0.05, 0.8).unwrap();
        assert!((0.2..0.22).contains(&d), "{d}");
        assert_eq!(mde_paired_shares(0.0, 48, 0.05, 0.8), None);
    }

    #[test]
    fn shifts_by_hand() {
        // σ = 1, n = 16 paired: (1.95996 + 0.84162) / 4 / √(3/π) = 0.70040 / 0.97721 = 0.7167.
        let d = mde_shift(1.0, 0.25, 0.05, 0.8).unwrap();
        assert!((d - 0.7167).abs() < 1e-3, "{d}");
        assert_eq!(mde_shift(0.0, 0.25, 0.05, 0.8), None);
    }

    #[test]
    fn robust_sigma_by_hand() {
        // Median 3, deviations 2 1 0 1 2 → MAD 1 → 1.4826.
        assert!((robust_sigma(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap() - 1.4826).abs() < 1e-12);
        // Mostly ties: MAD 0, the standard deviation instead; "never" left out.
        let s = robust_sigma(&[1.0, 1.0, 1.0, 1.0, 0.9, f64::INFINITY]).unwrap();
        assert!((s - 0.0447213595499958).abs() < 1e-12, "{s}");
        assert_eq!(robust_sigma(&[1.0, 1.0, 1.0]), None);
        assert_eq!(robust_sigma(&[1.0]), None);
    }
}
