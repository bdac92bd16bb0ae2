//! Small numeric functions of the output layer: stable softmax, cross-entropy and argmax.

use super::explog::{exp, ln};

/// Writes `softmax(logits)` into `probs` and returns `ln Σ exp(logits)`, both computed
/// after subtracting the maximum so that large logits cannot overflow (the article's
/// `exp(y) / sum(exp(y))` is the same function without that guard).
#[inline(always)]
pub(crate) fn softmax(logits: &[f64], probs: &mut [f64]) -> f64 {
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for (p, &y) in probs.iter_mut().zip(logits) {
        *p = exp(y - max);
        sum += *p;
    }
    for p in probs.iter_mut() {
        *p /= sum;
    }
    max + ln(sum)
}

/// Cross-entropy `-ln p_c` from the log-sum-exp that [`softmax`] returned: finite even when
/// `p_c` underflows to zero, non-finite only when the logits are.
#[inline(always)]
pub(crate) fn cross_entropy(logits: &[f64], log_sum_exp: f64, class: usize) -> f64 {
    log_sum_exp - logits[class]
}

/// Index of the largest value; ties go to the first (the article's `np.argmax`).
#[inline(always)]
pub(crate) fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_by_hand() {
        let mut p = [0.0; 2];
        let lse = softmax(&[0.0, 0.0], &mut p);
        assert_eq!(p, [0.5, 0.5]);
        assert!((lse - 2f64.ln()).abs() < 1e-15);
        assert!((cross_entropy(&[0.0, 0.0], lse, 1) - std::f64::consts::LN_2).abs() < 1e-15);

        // logits (ln 1, ln 3): p = (1/4, 3/4), loss for class 0 = ln 4.
        let logits = [0.0, 3f64.ln()];
        let lse = softmax(&logits, &mut p);
        assert!((p[0] - 0.25).abs() < 1e-15 && (p[1] - 0.75).abs() < 1e-15);
        assert!((cross_entropy(&logits, lse, 0) - 4f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn softmax_is_stable_for_huge_logits() {
        let mut p = [0.0; 3];
        let logits = [1000.0, 1000.0, -1000.0];
        let lse = softmax(&logits, &mut p);
        assert_eq!(p, [0.5, 0.5, 0.0]);
        // p_2 underflows to 0, yet the loss stays finite: 2000 + ln 2.
        assert!((cross_entropy(&logits, lse, 2) - (2000.0 + 2f64.ln())).abs() < 1e-9);
    }

    #[test]
    fn argmax_ties_go_first() {
        assert_eq!(argmax(&[0.5, 0.5]), 0);
        assert_eq!(argmax(&[0.1, 0.7, 0.7, 0.2]), 1);
    }
}
