//! The k-th smallest of a set of pairwise values (Walsh averages, pairwise differences)
//! without storing them: the values form rows that are each sorted, and a randomised
//! selection (pick a pivot among the candidates, count each row's values below it by binary
//! search, keep the side that holds rank k) finds it in O(n log n) expected time per round
//! and about log M rounds, in O(n) memory. The n(n+1)/2 Walsh averages of 50,000 seeds are
//! 1.25 billion numbers; sorting them is not an option.
//!
//! Order is `f64::total_cmp`'s, so the value found is the one a full sort by it would put at
//! rank k, bit for bit. The pivots come from a fixed generator: the same inputs take the
//! same path (the answer does not depend on it).

use std::cmp::Ordering;

/// Below this many candidates they are gathered and sorted.
const GATHER: usize = 4096;

/// The `k`-th smallest (1-based) of the values `value(i, j)` for every row `i` and `j` in
/// `rows[i]` (a half-open range), each row non-decreasing in `j` by `total_cmp`. `None` when
/// `k` is 0 or larger than the number of values.
pub(crate) fn kth_smallest(
    rows: &[(usize, usize)],
    value: &impl Fn(usize, usize) -> f64,
    k: usize,
) -> Option<f64> {
    let mut lo: Vec<usize> = rows.iter().map(|r| r.0).collect();
    let mut hi: Vec<usize> = rows.iter().map(|r| r.1.max(r.0)).collect();
    let mut below = 0usize;
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    loop {
        let count: usize = lo.iter().zip(&hi).map(|(l, h)| h - l).sum();
        if k <= below || k > below + count {
            return None;
        }
        if count <= GATHER {
            let mut values: Vec<f64> = (0..rows.len())
                .flat_map(|i| (lo[i]..hi[i]).map(move |j| (i, j)))
                .map(|(i, j)| value(i, j))
                .collect();
            values.sort_by(f64::total_cmp);
            return values.get(k - 1 - below).copied();
        }
        state = splitmix(state);
        let pivot = nth_candidate(&lo, &hi, (state % count as u64) as usize, value);
        let mut less = Vec::with_capacity(rows.len());
        let mut not_more = Vec::with_capacity(rows.len());
        for i in 0..rows.len() {
            let cmp = |j: usize| value(i, j).total_cmp(&pivot);
            less.push(first(lo[i], hi[i], |j| cmp(j) != Ordering::Less) - lo[i]);
            not_more.push(first(lo[i], hi[i], |j| cmp(j) == Ordering::Greater) - lo[i]);
        }
        let n_less: usize = less.iter().sum();
        let n_not_more: usize = not_more.iter().sum();
        if k <= below + n_less {
            for i in 0..rows.len() {
                hi[i] = lo[i] + less[i];
            }
        } else if k > below + n_not_more {
            below += n_not_more;
            for i in 0..rows.len() {
                lo[i] += not_more[i];
            }
        } else {
            return Some(pivot);
        }
    }
}

/// The candidate at position `r` counting row by row.
fn nth_candidate(
    lo: &[usize],
    hi: &[usize],
    mut r: usize,
    value: &impl Fn(usize, usize) -> f64,
) -> f64 {
    for i in 0..lo.len() {
        let n = hi[i] - lo[i];
        if r < n {
            return value(i, lo[i] + r);
        }
        r -= n;
    }
    f64::NAN
}

/// The first index in `lo..hi` where `past` holds (it holds from there on), or `hi`.
fn first(mut lo: usize, mut hi: usize, past: impl Fn(usize) -> bool) -> usize {
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if past(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rank of the Walsh averages of `d` against a full sort.
    fn check_walsh(mut d: Vec<f64>) {
        d.sort_by(f64::total_cmp);
        let n = d.len();
        let value = |i: usize, j: usize| (d[i] + d[j]) / 2.0;
        let rows: Vec<(usize, usize)> = (0..n).map(|i| (i, n)).collect();
        let mut all: Vec<f64> = (0..n)
            .flat_map(|i| (i..n).map(move |j| (i, j)))
            .map(|(i, j)| value(i, j))
            .collect();
        all.sort_by(f64::total_cmp);
        for k in (1..=all.len())
            .step_by(all.len() / 97 + 1)
            .chain([all.len()])
        {
            let got = kth_smallest(&rows, &value, k).unwrap();
            assert_eq!(
                got.to_bits(),
                all[k - 1].to_bits(),
                "k = {k} of {}",
                all.len()
            );
        }
        assert_eq!(kth_smallest(&rows, &value, 0), None);
        assert_eq!(kth_smallest(&rows, &value, all.len() + 1), None);
    }

    #[test]
    fn ranks_of_walsh_averages_are_those_of_a_full_sort() {
        // Hand-computed: d = 1, 2, 6 gives 1, 1.5, 2, 3.5, 4, 6.
        let d = [1.0, 2.0, 6.0];
        let value = |i: usize, j: usize| (d[i] + d[j]) / 2.0;
        let rows = [(0, 3), (1, 3), (2, 3)];
        let got: Vec<f64> = (1..=6)
            .map(|k| kth_smallest(&rows, &value, k).unwrap())
            .collect();
        assert_eq!(got, [1.0, 1.5, 2.0, 3.5, 4.0, 6.0]);
        // Past the gathering size, with many ties (accuracies) and with distinct values.
        let ties: Vec<f64> = (0..400).map(|i| f64::from(i % 7) / 6.0 - 0.5).collect();
        check_walsh(ties);
        let mut x = 1u64;
        let noisy: Vec<f64> = (0..300)
            .map(|_| {
                x = splitmix(x);
                (x >> 11) as f64 / (1u64 << 53) as f64 - 0.3
            })
            .collect();
        check_walsh(noisy);
    }
}
