//! Ranks with ties averaged, as scipy's `rankdata(x, method="average")`, and the tie term
//! Σ(t³ - t) over groups of t tied values that the normal approximations of the rank tests
//! subtract from their variance. Infinities rank beyond every finite value and equal
//! infinities tie; a NaN (which no test here lets through) ranks last and ties nothing.

use super::values::order;

/// Average ranks (1-based, in input order) and the tie term Σ(t³ - t).
#[derive(Debug, Clone, PartialEq)]
pub struct Ranks {
    pub ranks: Vec<f64>,
    pub tie_term: f64,
}

/// Ranks of `values`, ties getting the mean of the ranks they span.
pub fn average_ranks(values: &[f64]) -> Ranks {
    let n = values.len();
    let mut by_value: Vec<usize> = (0..n).collect();
    by_value.sort_by(|&i, &j| order(&values[i], &values[j]));
    let mut ranks = vec![0.0; n];
    let mut tie_term = 0.0;
    let mut start = 0;
    while start < n {
        let first = values[by_value[start]];
        let end = start
            + by_value[start..]
                .iter()
                .take_while(|&&i| values[i] == first)
                .count()
                .max(1);
        let t = (end - start) as f64;
        // The mean of ranks start+1 ..= end, written as scipy writes it.
        let rank = (start + 1) as f64 + (t - 1.0) / 2.0;
        for &i in &by_value[start..end] {
            ranks[i] = rank;
        }
        tie_term += t * t * t - t;
        start = end;
    }
    Ranks { ranks, tie_term }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_by_hand() {
        let r = average_ranks(&[3.0, 1.0, 2.0, 2.0]);
        assert_eq!(r.ranks, vec![4.0, 1.0, 2.5, 2.5]);
        assert_eq!(r.tie_term, 6.0);
    }

    #[test]
    fn infinities_rank_last_and_tie() {
        let inf = f64::INFINITY;
        let r = average_ranks(&[inf, 5.0, inf, -inf]);
        assert_eq!(r.ranks, vec![3.5, 2.0, 3.5, 1.0]);
        assert_eq!(r.tie_term, 6.0);
    }

    #[test]
    fn all_tied_and_empty() {
        let r = average_ranks(&[7.0; 4]);
        assert_eq!(r.ranks, vec![2.5; 4]);
        assert_eq!(r.tie_term, 60.0);
        assert_eq!(average_ranks(&[]).ranks, Vec::<f64>::new());
    }

    #[test]
    fn nan_ties_nothing() {
        let r = average_ranks(&[f64::NAN, 1.0, f64::NAN]);
        assert_eq!(r.ranks[1], 1.0);
        assert_eq!(r.tie_term, 0.0);
        assert_eq!(r.ranks[0] + r.ranks[2], 5.0);
    }

    #[test]
    fn zero_signs_tie() {
        assert_eq!(average_ranks(&[-0.0, 0.0]).ranks, vec![1.5, 1.5]);
    }
}
