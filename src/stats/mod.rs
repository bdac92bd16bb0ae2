//! Statistics over seeds: descriptive statistics of one sample ([`describe`]), its kernel
//! density estimate ([`density`], for the figures), and inferential ones: two-sided rank
//! tests (Wilcoxon signed-rank, Mann–Whitney U), exact tests on counts (Fisher, McNemar),
//! intervals for shares (Wilson, Newcombe), Hodges–Lehmann shifts with their rank-based
//! intervals, Holm's adjustment, a deterministic percentile bootstrap, and the variance a
//! full grid's settings explain against the seed noise ([`variance_shares`]).
//!
//! Each file names the reference it matches (scipy 1.17, statsmodels 0.15, R 4.2); the
//! cases in `tests/fixtures/stats.json` (made by `tests/fixtures/make_stats_fixtures.py`)
//! hold the reference's numbers and the exact call that made them. Everything here is plain
//! data in and plain data out: no I/O, no panics on any input (empty, one value, all ties,
//! infinities), `None` where a result is undefined.
//!
//! Infinities: a metric such as "first epoch at 100% accuracy" is +inf for "never". All
//! functions treat ±inf as a value beyond every finite one (two infinities of the same sign
//! tie) and take the arithmetic that follows from that limit: inf - inf is 0, the midpoint of
//! -inf and +inf is 0 (see [`values`]). NaN is not a value: functions given one return `None`.

mod anova;
mod bootstrap;
pub(crate) mod density;
pub(crate) mod descriptive;
mod exact_bootstrap;
mod fisher;
mod hodges_lehmann;
mod holm;
mod mcnemar;
pub(crate) mod normal;
pub(crate) mod power;
mod rank;
mod rank_sum;
mod shares;
mod signed_rank;
mod sorted_rows;
mod values;
mod wilson;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod properties;

pub use anova::{Shares, Term, share_intervals, variance_shares};
pub use bootstrap::{
    DEFAULT_RESAMPLES, bootstrap_interval, bootstrap_median, bootstrap_median_difference,
    bootstrap_paired_median,
};
pub use fisher::fisher_exact;
pub use hodges_lehmann::{hodges_lehmann_paired, hodges_lehmann_shift};
pub use holm::holm;
pub use mcnemar::mcnemar_exact;
pub use rank::{Ranks, average_ranks};
pub use rank_sum::mann_whitney_u;
pub use shares::{paired_share_difference, share_difference};
pub use signed_rank::{wilcoxon_differences, wilcoxon_signed_rank};
pub use values::{difference, median, midpoint, paired_differences};
pub use wilson::wilson;

/// How a test's p-value was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// From the exact null distribution of the statistic (no ties), or an exact count of
    /// tables (Fisher, McNemar).
    Exact,
    /// From the exact permutation distribution given the observed tied ranks, enumerated in
    /// full (what scipy's `PermutationMethod` does for small samples with ties or zeros).
    Permutation,
    /// From the normal approximation.
    Asymptotic,
}

/// A two-sided test's outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TestResult {
    /// The statistic as the reference returns it (each test's doc says which).
    pub statistic: f64,
    /// Two-sided p-value in [0, 1].
    pub p_value: f64,
    /// Number of observations the test used (each test's doc says which).
    pub n: usize,
    pub method: Method,
}

/// A point estimate with a two-sided confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
    /// The confidence level the interval has: the requested one, or lower where the sample
    /// is too small to reach it (each function's doc says when).
    pub level: f64,
}

/// Whether `level` can be a two-sided confidence level.
fn valid_level(level: f64) -> bool {
    level > 0.0 && level < 1.0
}
