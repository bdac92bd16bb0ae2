//! Fisher's exact test on a 2x2 table, as scipy 1.17's `fisher_exact(table,
//! alternative="two-sided")` (scipy/stats/_stats_py.py).
//!
//! Given the margins, the top-left count X is hypergeometric. The two-sided p-value sums the
//! probabilities of all tables no more probable than the observed one, with scipy's relative
//! tolerance 1e-14 (so tables equally probable in exact arithmetic count despite rounding),
//! and is 1 when the observed table is (within that tolerance) the most probable. We get the
//! probabilities by walking from the mode with the ratio P(x+1)/P(x), which never overflows
//! and is accurate to a few ulps per step; tables so improbable that their probability
//! relative to the mode underflows are left out (they add nothing at double precision).
//!
//! Tables with a total above 2^40 (the walk would take too long) get the normal approximation
//! to the hypergeometric instead; seed counts never come near.
//!
//! The statistic is scipy's: the sample odds ratio ad/bc, +inf when b or c is 0, and NaN (with
//! p = 1) when a row or column sums to 0.

use super::{Method, TestResult, normal};

/// scipy's relative tolerance for "no more probable than the observed table".
const RELATIVE_TOLERANCE: f64 = 1e-14;
/// Above this table total the p-value comes from the normal approximation.
const WALK_MAX: u128 = 1 << 40;

/// Fisher's exact test on `[[a, b], [c, d]]`. `n` is the table total.
pub fn fisher_exact(table: [[u64; 2]; 2]) -> TestResult {
    let [[a, b], [c, d]] = table.map(|row| row.map(u128::from));
    let total = a + b + c + d;
    let result = |statistic, p_value| TestResult {
        statistic,
        p_value,
        n: usize::try_from(total).unwrap_or(usize::MAX),
        method: Method::Exact,
    };
    if a + b == 0 || c + d == 0 || a + c == 0 || b + d == 0 {
        return result(f64::NAN, 1.0);
    }
    // As numpy: the integer products, each converted to a double, then divided.
    let odds_ratio = if b > 0 && c > 0 {
        (a * d) as f64 / (b * c) as f64
    } else {
        f64::INFINITY
    };
    let hypergeometric = Hypergeometric {
        rows: (a + b, c + d),
        column: a + c,
    };
    let p_value = if total > WALK_MAX {
        hypergeometric.normal_p(a)
    } else {
        hypergeometric.two_sided_p(a)
    };
    result(odds_ratio, p_value)
}

/// X = top-left count, given first-row total `rows.0`, second-row total `rows.1` and
/// first-column total `column`.
struct Hypergeometric {
    rows: (u128, u128),
    column: u128,
}

impl Hypergeometric {
    /// P(x+1) / P(x) = (n1 - x)(n - x) / ((x + 1)(n2 - n + x + 1)).
    fn up(&self, x: u128) -> f64 {
        let (n1, n2) = self.rows;
        let n = self.column;
        product(n1 - x, n - x) / product(x + 1, n2 + x + 1 - n)
    }

    /// P(x-1) / P(x), the inverse ratio written from x's side.
    fn down(&self, x: u128) -> f64 {
        let (n1, n2) = self.rows;
        let n = self.column;
        product(x, n2 + x - n) / product(n1 - x + 1, n - x + 1)
    }

    /// Two-sided p from X's mean and variance, for tables too large to walk.
    fn normal_p(&self, observed: u128) -> f64 {
        let (n1, n2) = (self.rows.0 as f64, self.rows.1 as f64);
        let (n, total) = (self.column as f64, (self.rows.0 + self.rows.1) as f64);
        let mean = n1 * n / total;
        let variance = n1 * n2 * n * (total - n) / (total * total * (total - 1.0));
        normal::two_sided_p((observed as f64 - mean) / variance.sqrt())
    }

    /// Support bounds and the mode ⌊(n+1)(n1+1)/(N+2)⌋.
    fn support(&self) -> (u128, u128, u128) {
        let (n1, n2) = self.rows;
        let n = self.column;
        let low = n.saturating_sub(n2);
        let high = n.min(n1);
        let mode = ((n + 1) * (n1 + 1) / (n1 + n2 + 2)).clamp(low, high);
        (low, high, mode)
    }

    /// Probability of `observed` relative to the mode's.
    fn relative_to_mode(&self, observed: u128) -> f64 {
        let (_, _, mode) = self.support();
        let mut w = 1.0;
        if observed > mode {
            for x in mode..observed {
                w *= self.up(x);
                if w == 0.0 {
                    break;
                }
            }
        } else {
            for x in (observed + 1..=mode).rev() {
                w *= self.down(x);
                if w == 0.0 {
                    break;
                }
            }
        }
        w
    }

    fn two_sided_p(&self, observed: u128) -> f64 {
        let w_observed = self.relative_to_mode(observed);
        if (w_observed - 1.0).abs() <= RELATIVE_TOLERANCE {
            return 1.0;
        }
        let threshold = w_observed * (1.0 + RELATIVE_TOLERANCE);
        let (low, high, mode) = self.support();
        let (mut total, mut extreme) = (1.0, 0.0);
        let mut add = |w: f64| {
            total += w;
            if w <= threshold {
                extreme += w;
            }
        };
        // Walk out from the mode each way until the support ends or the weights underflow.
        let mut w = 1.0;
        for x in mode..high {
            w *= self.up(x);
            add(w);
            if w == 0.0 {
                break;
            }
        }
        let mut w = 1.0;
        for x in (low + 1..=mode).rev() {
            w *= self.down(x);
            add(w);
            if w == 0.0 {
                break;
            }
        }
        (extreme / total).min(1.0)
    }
}

/// a·b as a double: exact (as the integer product numpy would take) below 2^53.
fn product(a: u128, b: u128) -> f64 {
    a as f64 * b as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tea_tasting_by_hand() {
        // [[3, 1], [1, 3]]: P(X = k) = C(4,k)C(4,4-k)/70 = 1,16,36,16,1 /70; tables no more
        // probable than 16/70 are k = 0, 1, 3, 4: p = 34/70.
        let r = fisher_exact([[3, 1], [1, 3]]);
        assert!((r.p_value - 34.0 / 70.0).abs() < 1e-15);
        assert_eq!((r.statistic, r.n), (9.0, 8));
    }

    #[test]
    fn most_probable_table_gives_one() {
        assert_eq!(fisher_exact([[2, 2], [2, 2]]).p_value, 1.0);
        assert_eq!(fisher_exact([[1, 0], [0, 1]]).statistic, f64::INFINITY);
    }

    #[test]
    fn zero_margin_is_nan_and_one() {
        let r = fisher_exact([[0, 0], [3, 4]]);
        assert!(r.statistic.is_nan());
        assert_eq!(r.p_value, 1.0);
        assert_eq!(fisher_exact([[0, 0], [0, 0]]).p_value, 1.0);
    }

    #[test]
    fn huge_counts_do_not_hang_or_panic() {
        let r = fisher_exact([[u64::MAX / 4, 1], [1, u64::MAX / 4]]);
        assert!((0.0..=1.0).contains(&r.p_value));
        let r = fisher_exact([[1 << 39, 1 << 20], [1 << 20, 1 << 39]]);
        assert!((0.0..=1.0).contains(&r.p_value));
        let r = fisher_exact([[u64::MAX; 2]; 2]);
        assert_eq!(r.p_value, 1.0);
    }
}
