//! Kernel density estimates of one sample, for the violins of the effect figures: a
//! Gaussian kernel with Silverman's rule-of-thumb bandwidth.
//!
//! The bandwidth is R's `bw.nrd0` (Silverman 1986, "Density Estimation for Statistics and
//! Data Analysis", eq. 3.31): 0.9 · min(s, IQR / 1.34) · n^(-1/5), with s the sample standard
//! deviation (n - 1) and the quartiles as [`quantile_sorted`] takes them (R's type 7, numpy's
//! default). Where that minimum is 0 (at least half the values tie, as accuracies on a small
//! test set do), `bw.nrd0` takes s instead, then |x|, then 1; so do we.
//!
//! The density at `x` is (1 / (n h)) · Σ φ((x - xᵢ) / h), φ the standard normal density.
//! Like the rest of [`crate::stats`]: no panics, `None` where undefined (fewer than two
//! values for a bandwidth, an empty sample, a non-finite value or bandwidth).

use super::descriptive::{quantile_sorted, stats};

/// Silverman's rule-of-thumb bandwidth of `values` (R's `bw.nrd0`). `None` for fewer than
/// two values or any value that is not finite.
pub(crate) fn silverman_bandwidth(values: &[f64]) -> Option<f64> {
    if values.len() < 2 || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let s = stats(values)?;
    let sd = s.std?;
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let iqr = quantile_sorted(&sorted, 0.75) - quantile_sorted(&sorted, 0.25);
    let spread = [sd.min(iqr / 1.34), sd, values[0].abs(), 1.0]
        .into_iter()
        .find(|&x| x > 0.0)
        .unwrap_or(1.0);
    Some(0.9 * spread * (values.len() as f64).powf(-0.2))
}

/// The Gaussian kernel density estimate of `values` with `bandwidth`, at `at`. `None` for an
/// empty sample, a value that is not finite, or a bandwidth that is not positive and finite.
pub(crate) fn gaussian_density(values: &[f64], bandwidth: f64, at: f64) -> Option<f64> {
    let usable = bandwidth > 0.0 && bandwidth.is_finite() && at.is_finite();
    if values.is_empty() || !usable || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let norm = 1.0 / (2.0 * std::f64::consts::PI).sqrt();
    let sum: f64 = values
        .iter()
        .map(|v| {
            let z = (at - v) / bandwidth;
            norm * (-0.5 * z * z).exp()
        })
        .sum();
    Some(sum / (values.len() as f64 * bandwidth))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silverman_bandwidth_by_hand() {
        // 1..5: s = sqrt(10 / 4) = 1.5811, quartiles 2 and 4, IQR / 1.34 = 1.4925 (the
        // smaller), 5^(-1/5) = 0.72478: h = 0.9 * 1.4925 * 0.72478 = 0.97357 (R: bw.nrd0(1:5)).
        let h = silverman_bandwidth(&[3.0, 1.0, 5.0, 2.0, 4.0]).unwrap();
        assert!((h - 0.973_57).abs() < 1e-4, "{h}");
        // Most values tie, so the IQR is 0: the standard deviation instead. [1, 1, 1, 1, 0]:
        // mean 0.8, s = sqrt(0.8 / 4) = 0.44721, h = 0.9 * 0.44721 * 0.72478 = 0.29172.
        let h = silverman_bandwidth(&[1.0, 1.0, 0.0, 1.0, 1.0]).unwrap();
        assert!((h - 0.291_72).abs() < 1e-4, "{h}");
        // Every value equal: |x| (0.5), then h = 0.9 * 0.5 * 2^(-1/5) = 0.39175.
        let h = silverman_bandwidth(&[0.5, 0.5]).unwrap();
        assert!((h - 0.391_75).abs() < 1e-4, "{h}");
        // All zero: 1.
        let h = silverman_bandwidth(&[0.0, 0.0]).unwrap();
        assert!((h - 0.9 * 2f64.powf(-0.2)).abs() < 1e-12);
        assert_eq!(silverman_bandwidth(&[1.0]), None);
        assert_eq!(silverman_bandwidth(&[1.0, f64::INFINITY]), None);
    }

    #[test]
    fn gaussian_density_by_hand() {
        // Two values 0 and 2, h = 1: at 1 both are one bandwidth away, the density is
        // (phi(1) + phi(-1)) / 2 = phi(1) = 0.241971; at 0 it is (phi(0) + phi(2)) / 2 =
        // (0.398942 + 0.053991) / 2 = 0.226466.
        let f = |x| gaussian_density(&[0.0, 2.0], 1.0, x).unwrap();
        assert!((f(1.0) - 0.241_971).abs() < 1e-6, "{}", f(1.0));
        assert!((f(0.0) - 0.226_466).abs() < 1e-6, "{}", f(0.0));
        assert!(
            (f(0.0) - f(2.0)).abs() < 1e-15,
            "symmetric about the sample's centre"
        );
        // h = 0.5 halves the distances' scale: at 0, (phi(0) + phi(4)) / (2 * 0.5) =
        // 0.398942 + 0.000134 = 0.399076.
        let g = gaussian_density(&[0.0, 2.0], 0.5, 0.0).unwrap();
        assert!((g - 0.399_076).abs() < 1e-6, "{g}");
        // It integrates to 1 (a Riemann sum over +-10 bandwidths).
        let step = 0.01;
        let total: f64 = (-1000..=1200).map(|i| f(f64::from(i) * step) * step).sum();
        assert!((total - 1.0).abs() < 1e-6, "{total}");
        assert_eq!(gaussian_density(&[], 1.0, 0.0), None);
        assert_eq!(gaussian_density(&[0.0], 0.0, 0.0), None);
        assert_eq!(gaussian_density(&[f64::NAN], 1.0, 0.0), None);
    }
}
