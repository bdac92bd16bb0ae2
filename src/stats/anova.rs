//! What each setting of a full grid explains of a metric's variance, against the seed noise:
//! the sums of squares of a balanced factorial design (every configuration of the grid on
//! the same seeds) split into each setting's main effect, each pair's interaction, the
//! higher-order rest, and the within-configuration (seed-to-seed) part, each as a share of
//! the total. For a balanced design these are the sums of squares statsmodels 0.15's
//! `anova_lm(ols("y ~ C(a) * C(b) * ...").fit(), typ=2)` gives (Type I, II and III agree
//! there); `tests/fixtures/anova.json` (made by `make_anova_fixtures.py`) holds its numbers.
//!
//! Intervals: a percentile bootstrap over seeds (the same seeds drawn for every
//! configuration, so the pairing by seed stays), deterministic from the values.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::Interval;

/// One term's sum of squares and degrees of freedom.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// The factors it is made of: one (a main effect), two (an interaction); empty for the
    /// higher-order rest and for the seed noise (see [`Shares`]).
    pub factors: Vec<usize>,
    pub sum_sq: f64,
    pub df: usize,
}

/// A balanced design's decomposition.
#[derive(Debug, Clone, PartialEq)]
pub struct Shares {
    /// Main effects, then pairwise interactions (in factor order).
    pub terms: Vec<Term>,
    /// Interactions of three factors or more, together.
    pub rest: Term,
    /// Within configurations: seed to seed.
    pub noise: Term,
    pub total: f64,
}

/// The decomposition of `y[c][s]` (configuration c on seed s, every row as long) where
/// configuration c has level `levels[c][f]` of factor f, `counts[f]` levels each, every
/// combination once. `None` when the design is not a full balanced grid, a value is not
/// finite, or there are fewer than two seeds.
pub fn variance_shares(y: &[Vec<f64>], levels: &[Vec<usize>], counts: &[usize]) -> Option<Shares> {
    let seeds = y.first()?.len();
    let full: usize = counts.iter().product();
    let ok = seeds >= 2
        && y.len() == full
        && levels.len() == full
        && y.iter()
            .all(|r| r.len() == seeds && r.iter().all(|v| v.is_finite()));
    if !ok {
        return None;
    }
    let n = seeds as f64;
    let cell: Vec<f64> = y.iter().map(|r| r.iter().sum::<f64>() / n).collect();
    let grand = cell.iter().sum::<f64>() / full as f64;
    let total: f64 = y.iter().flatten().map(|v| (v - grand).powi(2)).sum();
    let within: f64 = y
        .iter()
        .zip(&cell)
        .map(|(r, m)| r.iter().map(|v| (v - m).powi(2)).sum::<f64>())
        .sum();
    let mains: Vec<Vec<f64>> = (0..counts.len())
        .map(|f| marginal(&cell, levels, &[f], counts))
        .collect();
    let mut terms = Vec::new();
    for (f, m) in mains.iter().enumerate() {
        let ss = cell
            .iter()
            .enumerate()
            .map(|(c, _)| n * (m[levels[c][f]] - grand).powi(2))
            .sum();
        terms.push(Term {
            factors: vec![f],
            sum_sq: ss,
            df: counts[f] - 1,
        });
    }
    terms.extend(pair_terms(&cell, levels, counts, &mains, grand, n));
    let between = total - within;
    let explained: f64 = terms.iter().map(|t| t.sum_sq).sum();
    let df_explained: usize = terms.iter().map(|t| t.df).sum();
    Some(Shares {
        rest: Term {
            factors: Vec::new(),
            sum_sq: (between - explained).max(0.0),
            df: (full - 1).saturating_sub(df_explained),
        },
        noise: Term {
            factors: Vec::new(),
            sum_sq: within,
            df: full * (seeds - 1),
        },
        terms,
        total,
    })
}

/// Each pair of factors' interaction: the two-way cell means less both main effects.
fn pair_terms(
    cell: &[f64],
    levels: &[Vec<usize>],
    counts: &[usize],
    mains: &[Vec<f64>],
    grand: f64,
    n: f64,
) -> Vec<Term> {
    let mut terms = Vec::new();
    for f in 0..counts.len() {
        for g in f + 1..counts.len() {
            let pair = marginal(cell, levels, &[f, g], counts);
            let ss = (0..cell.len())
                .map(|c| {
                    let (a, b) = (levels[c][f], levels[c][g]);
                    n * (pair[a * counts[g] + b] - mains[f][a] - mains[g][b] + grand).powi(2)
                })
                .sum();
            terms.push(Term {
                factors: vec![f, g],
                sum_sq: ss,
                df: (counts[f] - 1) * (counts[g] - 1),
            });
        }
    }
    terms
}

/// The mean of the cell means at each combination of `factors`' levels (row-major).
fn marginal(cell: &[f64], levels: &[Vec<usize>], factors: &[usize], counts: &[usize]) -> Vec<f64> {
    let size: usize = factors.iter().map(|&f| counts[f]).product();
    let mut sum = vec![0.0; size];
    let mut count = vec![0usize; size];
    for (c, m) in cell.iter().enumerate() {
        let index = factors.iter().fold(0, |i, &f| i * counts[f] + levels[c][f]);
        sum[index] += m;
        count[index] += 1;
    }
    sum.iter()
        .zip(&count)
        .map(|(s, &k)| s / k.max(1) as f64)
        .collect()
}

/// Percentile intervals at `level` of every share (terms, rest, noise, in that order) over
/// `resamples` bootstrap draws of the seeds; `None` as [`variance_shares`].
pub fn share_intervals(
    y: &[Vec<f64>],
    levels: &[Vec<usize>],
    counts: &[usize],
    resamples: usize,
    level: f64,
) -> Option<Vec<Interval>> {
    let point = variance_shares(y, levels, counts)?;
    let shares = |s: &Shares| -> Vec<f64> {
        let t = s.total.max(f64::MIN_POSITIVE);
        s.terms
            .iter()
            .chain([&s.rest, &s.noise])
            .map(|x| x.sum_sq / t)
            .collect()
    };
    let estimate = shares(&point);
    let seeds = y[0].len();
    let seed: u64 = y.iter().flatten().fold(0xcbf2_9ce4_8422_2325, |h, v| {
        (h ^ v.to_bits()).wrapping_mul(0x100_0000_01b3)
    });
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut draws: Vec<Vec<f64>> = vec![Vec::with_capacity(resamples); estimate.len()];
    for _ in 0..resamples {
        let picks: Vec<usize> = (0..seeds).map(|_| rng.random_range(0..seeds)).collect();
        let again: Vec<Vec<f64>> = y
            .iter()
            .map(|r| picks.iter().map(|&s| r[s]).collect())
            .collect();
        if let Some(s) = variance_shares(&again, levels, counts) {
            for (d, x) in draws.iter_mut().zip(shares(&s)) {
                d.push(x);
            }
        }
    }
    let tail = (1.0 - level) / 2.0;
    Some(
        estimate
            .iter()
            .zip(draws.iter_mut())
            .map(|(&e, d)| {
                d.sort_by(f64::total_cmp);
                let at = |q: f64| {
                    let i = ((d.len().max(1) - 1) as f64 * q).round() as usize;
                    d.get(i).copied().unwrap_or(e)
                };
                Interval {
                    estimate: e,
                    low: at(tail),
                    high: at(1.0 - tail),
                    level,
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pure_main_effect_and_noise_by_hand() {
        // Two factors of 2 levels; y = 10·a + seed noise ±1 on 2 seeds.
        let levels = vec![vec![0, 0], vec![0, 1], vec![1, 0], vec![1, 1]];
        let y = vec![
            vec![-1.0, 1.0],
            vec![-1.0, 1.0],
            vec![9.0, 11.0],
            vec![9.0, 11.0],
        ];
        let s = variance_shares(&y, &levels, &[2, 2]).unwrap();
        // Grand mean 5: between = 8·25 = 200, within = 8·1 = 8.
        assert_eq!((s.total, s.noise.sum_sq), (208.0, 8.0));
        assert_eq!(s.terms[0].sum_sq, 200.0);
        assert_eq!(
            (s.terms[1].sum_sq, s.terms[2].sum_sq, s.rest.sum_sq),
            (0.0, 0.0, 0.0)
        );
        assert_eq!((s.terms[2].df, s.noise.df), (1, 4));
    }

    #[test]
    fn not_a_full_grid_is_refused() {
        let levels = vec![vec![0], vec![1]];
        assert_eq!(variance_shares(&[vec![1.0, 2.0]], &levels, &[2]), None);
        assert_eq!(
            variance_shares(&[vec![1.0], vec![2.0]], &levels, &[2]),
            None
        );
        let y = vec![vec![1.0, f64::INFINITY], vec![2.0, 3.0]];
        assert_eq!(variance_shares(&y, &levels, &[2]), None);
    }
}
