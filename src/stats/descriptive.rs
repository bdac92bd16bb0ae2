//! Descriptive statistics of one sample: mean, sample standard deviation, median,
//! quartiles, min and max.

/// Statistics of a non-empty sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub n: usize,
    pub mean: f64,
    /// Sample standard deviation (n - 1 in the denominator); `None` for one value.
    pub std: Option<f64>,
    pub median: f64,
    /// Quartiles, as [`quantile_sorted`] takes them.
    pub q25: f64,
    pub q75: f64,
    pub min: f64,
    pub max: f64,
}

/// Statistics of `values`, `None` when empty.
pub(crate) fn stats(values: &[f64]) -> Option<Stats> {
    if values.is_empty() {
        return None;
    }
    let n = values.len();
    // Values so large that their sum or squares would overflow (a loss of 1e308 is finite)
    // are summed scaled down by a power of two, which changes no bit of the result of
    // ordinary values and keeps these finite.
    let big = values.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let scale = if big > 1e150 { 2f64.powi(-600) } else { 1.0 };
    let mean = values.iter().map(|x| x * scale).sum::<f64>() / n as f64;
    let std = (n > 1).then(|| {
        let ss: f64 = values
            .iter()
            .map(|x| {
                let d = x * scale - mean;
                d * d
            })
            .sum();
        (ss / (n - 1) as f64).sqrt() / scale
    });
    let mean = mean / scale;
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(Stats {
        n,
        mean,
        std,
        median: median_sorted(&sorted),
        q25: quantile_sorted(&sorted, 0.25),
        q75: quantile_sorted(&sorted, 0.75),
        min: sorted[0],
        max: sorted[n - 1],
    })
}

/// Median of sorted values: the middle one, or the mean of the two middle ones.
pub(crate) fn median_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        midpoint(sorted[n / 2 - 1], sorted[n / 2])
    }
}

/// Quantile `q` in [0, 1] of sorted values, linear between neighbours (numpy's default).
pub(crate) fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// The mean of two values, finite wherever both are (`(a + b) / 2` overflows near the
/// largest floats); the same bits as `(a + b) / 2` otherwise.
fn midpoint(a: f64, b: f64) -> f64 {
    let m = (a + b) / 2.0;
    if m.is_finite() { m } else { a / 2.0 + b / 2.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_finite_values_give_finite_statistics() {
        // Regression: a record's loss of 1e308 made the standard deviation inf.
        let s = stats(&[1e308, 1e308, 5e307, 1.5e308]).unwrap();
        assert!(s.mean.is_finite() && s.std.unwrap().is_finite() && s.median.is_finite());
        assert_eq!(s.median, 1e308);
        // By hand: the mean is 4e308 / 4 = 1e308; deviations 0, 0, -0.5, 0.5 (x 1e308),
        // squares summing to 0.5, over n - 1 = 3.
        assert!((s.mean / 1e308 - 1.0).abs() < 1e-12, "{}", s.mean);
        let want = (0.5f64 / 3.0).sqrt() * 1e308;
        assert!((s.std.unwrap() / want - 1.0).abs() < 1e-12);
        // Ordinary values: the same bits as the plain formulas.
        let v = [0.1, 0.2, 0.7];
        let s = stats(&v).unwrap();
        let mean: f64 = (0.1 + 0.2 + 0.7) / 3.0;
        assert_eq!(s.mean.to_bits(), mean.to_bits());
    }

    #[test]
    fn by_hand() {
        let s = stats(&[4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!(
            (s.n, s.mean, s.median, s.min, s.max),
            (4, 2.5, 2.5, 1.0, 4.0)
        );
        assert_eq!((s.q25, s.q75), (1.75, 3.25));
        // Squares of deviations: 2.25 + 0.25 + 0.25 + 2.25 = 5; 5 / 3.
        assert!((s.std.unwrap() - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
        let one = stats(&[7.0]).unwrap();
        assert_eq!((one.std, one.median), (None, 7.0));
        assert_eq!(stats(&[]), None);
        assert_eq!(stats(&[3.0, 1.0, 2.0]).unwrap().median, 2.0);
    }

    #[test]
    fn quantiles_like_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile_sorted(&v, 0.25), 2.0);
        assert_eq!(quantile_sorted(&v, 0.5), 3.0);
        assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 0.25), 1.75);
        assert_eq!(quantile_sorted(&[5.0], 0.75), 5.0);
    }
}
