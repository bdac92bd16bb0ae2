//! Holm's step-down adjustment of p-values for multiple comparisons, as statsmodels 0.15's
//! `multipletests(p, method="holm")[1]` (statsmodels/stats/multitest.py): sort ascending,
//! multiply the i-th smallest (0-based) by m - i, take the running maximum (so adjusted values
//! never decrease with the raw ones), cap at 1, and return them in the input order.
//!
//! A NaN p-value (which no test here returns) still counts as one of the m tests, sorts last,
//! and stays NaN; it does not affect the others.

/// Holm-adjusted p-values, in the order given.
pub fn holm(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let mut by_p: Vec<usize> = (0..m).collect();
    by_p.sort_by(|&i, &j| super::values::order(&p_values[i], &p_values[j]));
    let mut adjusted = vec![0.0; m];
    let mut running_max = f64::NEG_INFINITY;
    for (rank, &i) in by_p.iter().enumerate() {
        let scaled = p_values[i] * (m - rank) as f64;
        running_max = running_max.max(scaled);
        adjusted[i] = if scaled.is_nan() {
            f64::NAN
        } else {
            running_max.min(1.0)
        };
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        // Sorted 0.01, 0.02, 0.04 → 0.03, 0.04, 0.04 (monotone), back in input order.
        assert_eq!(holm(&[0.04, 0.01, 0.02]), vec![0.04, 0.01 * 3.0, 0.04]);
        assert_eq!(holm(&[0.5, 0.9]), vec![1.0, 1.0]);
        assert_eq!(holm(&[0.2]), vec![0.2]);
        assert_eq!(holm(&[]), Vec::<f64>::new());
    }

    #[test]
    fn nan_stays_nan_and_counts() {
        let h = holm(&[f64::NAN, 0.01]);
        assert!(h[0].is_nan());
        assert_eq!(h[1], 0.02);
    }
}
