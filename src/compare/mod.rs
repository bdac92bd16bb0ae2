//! Whether a difference between two sets of runs is real: for each metric, the effect with
//! its 95% interval, a two-sided test, p-values adjusted by Holm over every comparison of a
//! report, and a verdict in words.
//!
//! Seeds pair configurations: two configurations of the same data, hidden size and init
//! scale draw the same initial weights and the same shuffles for the same seed, so they are
//! compared seed by seed ([`Design::Paired`]: Wilcoxon signed-rank with the Hodges–Lehmann
//! median difference, exact McNemar with Newcombe's paired interval); otherwise as two
//! independent samples ([`Design::Unpaired`]: Mann–Whitney U with the difference of medians
//! and a bootstrap interval, Fisher's exact test with Newcombe's interval). Every output says
//! which, and why.
//!
//! [`pairs`] picks which configurations of a sweep to compare, [`sides`] reads the sides of
//! `sweep compare`, [`verdict`] words the outcome, [`table`] lays out `comparisons.csv`,
//! [`seeds`] estimates the seeds a comparison needs.

pub(crate) mod columns;
pub(crate) mod pairs;
pub(crate) mod sample_size;
pub(crate) mod sides;
pub(crate) mod verdict;

use rayon::prelude::*;

use crate::metric::{Measure, Metric};
use crate::settings::SettingsParams;
use crate::stats::power::{POWER, mde_paired_shares, mde_shares, mde_shift, robust_sigma};
use crate::stats::{
    DEFAULT_RESAMPLES, Interval, TestResult, bootstrap_median_difference, fisher_exact,
    hodges_lehmann_paired, holm, mann_whitney_u, mcnemar_exact, paired_differences,
    paired_share_difference, share_difference, wilcoxon_signed_rank,
};
use crate::tables::ConfigSummary;
use crate::tables::summary::LEVEL;

/// The level a comparison's adjusted p-value must be under to call a difference real.
pub const ALPHA: f64 = 0.05;

/// One side of a comparison: a set of runs, each with a seed and its metric values.
#[derive(Debug, Clone)]
pub struct Side {
    /// How outputs name it: a configuration label, `DIR:LABEL`, a file.
    pub name: String,
    /// The seed of each run.
    pub seeds: Vec<u64>,
    /// Per metric (in [`Metric::ALL`] order), each run's value as statistics count it
    /// ([`crate::metric::RunSummary::value`]), `None` where it has none; `None` for the whole
    /// metric when the side does not have it at all (a runs table without its column).
    pub values: Vec<Option<Vec<Option<f64>>>>,
    /// What decides whether two sides' seeds draw the same numbers: the data fingerprint,
    /// hidden size and init scale, where known.
    pub draws: Option<DrawKey>,
    /// The epochs its runs train and its evaluation interval, where known.
    pub schedule: Option<(u64, u64)>,
    /// The settings of its runs, where they are one configuration's.
    pub settings: Option<SettingsParams>,
}

/// The settings two sides' configurations differ in, joined by `+` (`gradient`), where both
/// are known.
pub fn differing(a: &Side, b: &Side) -> Option<String> {
    let (x, y) = (a.settings.as_ref()?, b.settings.as_ref()?);
    let keys: Vec<&str> = crate::settings::Key::configuration()
        .filter(|k| k.value_of(x, 0) != k.value_of(y, 0))
        .map(|k| k.name())
        .collect();
    Some(keys.join("+"))
}

/// What a run's random draws depend on besides its seed.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawKey {
    pub data: String,
    pub hidden_size: u64,
    pub init_scale: f64,
}

impl Side {
    /// The values of `metric`, if the side has it.
    pub fn metric(&self, metric: Metric) -> Option<&[Option<f64>]> {
        self.values[metric as usize].as_deref()
    }
}

/// How two sides are compared.
#[derive(Debug, Clone, PartialEq)]
pub enum Design {
    /// Seed by seed, over the seeds both have.
    Paired { seeds: Vec<u64> },
    /// As independent samples; why they do not pair.
    Unpaired { why: String },
}

/// Which design two sides get: paired when their seeds draw the same initial weights and
/// shuffles (same data, hidden size and init scale) and they share at least two seeds.
pub fn design(a: &Side, b: &Side) -> Design {
    let why = match (&a.draws, &b.draws) {
        (Some(x), Some(y)) if x.data != y.data => {
            let unknown = [x, y].iter().any(|d| d.data.starts_with(sides::UNRECORDED));
            match unknown {
                true => {
                    "data not known to be the same (a results directory without its \
                         experiment.toml)"
                }
                false => "different data: seeds draw other shuffles",
            }
        }
        (Some(x), Some(y)) if x.hidden_size != y.hidden_size => {
            "different hidden sizes: seeds draw other weights and shuffles"
        }
        (Some(x), Some(y)) if x.init_scale != y.init_scale => {
            "different init scales: seeds draw other initial weights"
        }
        (Some(_), Some(_)) => {
            let seeds = common_seeds(a, b);
            if seeds.len() >= 2 {
                return Design::Paired { seeds };
            }
            "fewer than two seeds in common"
        }
        _ => "a side whose draws are not known to be sweep's (a runs table from elsewhere)",
    };
    Design::Unpaired { why: why.into() }
}

/// The seeds both sides ran, in order.
fn common_seeds(a: &Side, b: &Side) -> Vec<u64> {
    let theirs: std::collections::HashSet<u64> = b.seeds.iter().copied().collect();
    let mut seeds: Vec<u64> = a
        .seeds
        .iter()
        .copied()
        .filter(|s| theirs.contains(s))
        .collect();
    seeds.sort_unstable();
    seeds.dedup();
    seeds
}

/// One metric compared between two sides.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    /// The one setting the two configurations differ in, when they come from one sweep.
    pub setting: Option<String>,
    pub metric: Metric,
    pub design: Design,
    /// Runs with a value on each side (pairs with a value on both, paired).
    pub n: (usize, usize),
    /// Each side's own figure (median, or share) with its interval.
    pub figures: (Option<Interval>, Option<Interval>),
    /// B - A: the paired median difference, the difference of medians or of shares.
    pub effect: Option<Interval>,
    pub test: Option<Test>,
    /// The smallest |B - A| the comparison would find 80% of the time at the 5% level.
    pub detectable: Option<f64>,
}

/// A test's outcome, and its p-value adjusted over every comparison of a report.
#[derive(Debug, Clone, Copy)]
pub struct Test {
    pub name: &'static str,
    pub result: TestResult,
    pub adjusted: f64,
}

impl Comparison {
    /// Whether it found a difference (adjusted p below [`ALPHA`]).
    pub fn significant(&self) -> bool {
        self.test.is_some_and(|t| t.adjusted < ALPHA)
    }
}

/// Compares `metric` between `a` and `b` (effects are B - A). The p-value is not adjusted
/// yet: [`adjust`] does that over a whole set.
pub fn compare(a: &Side, b: &Side, metric: Metric, setting: Option<String>) -> Option<Comparison> {
    let (va, vb) = (a.metric(metric)?, b.metric(metric)?);
    let design = design(a, b);
    let base = Comparison {
        a: a.name.clone(),
        b: b.name.clone(),
        setting,
        metric,
        design: design.clone(),
        n: (0, 0),
        figures: (None, None),
        effect: None,
        test: None,
        detectable: None,
    };
    Some(match (&design, metric.kind()) {
        (Design::Paired { seeds }, Measure::Share { .. }) => {
            let (x, y) = paired(a, va, b, vb, seeds);
            paired_shares(base, &x, &y)
        }
        (Design::Paired { seeds }, _) => {
            let (x, y) = paired(a, va, b, vb, seeds);
            paired_location(base, &x, &y)
        }
        (Design::Unpaired { .. }, Measure::Share { .. }) => {
            unpaired_shares(base, &counted(va), &counted(vb))
        }
        (Design::Unpaired { .. }, _) => unpaired_location(base, &counted(va), &counted(vb)),
    })
}

/// The values with one.
fn counted(values: &[Option<f64>]) -> Vec<f64> {
    values.iter().flatten().copied().collect()
}

/// The values of `seeds` on both sides, only where both have one (a seed run twice on a
/// side counts once, its first run).
fn paired(
    a: &Side,
    va: &[Option<f64>],
    b: &Side,
    vb: &[Option<f64>],
    seeds: &[u64],
) -> (Vec<f64>, Vec<f64>) {
    // Seed -> its first run's position on a side: a lookup, not a scan (50,000 seeds).
    let first = |side: &Side| {
        let mut at = std::collections::HashMap::with_capacity(side.seeds.len());
        for (i, &s) in side.seeds.iter().enumerate() {
            at.entry(s).or_insert(i);
        }
        at
    };
    let (in_a, in_b) = (first(a), first(b));
    seeds
        .iter()
        .filter_map(|s| Some((va[*in_a.get(s)?]?, vb[*in_b.get(s)?]?)))
        .unzip()
}

/// Too few values on a side for a test: the figures only.
fn too_few(x: &[f64], y: &[f64]) -> bool {
    x.len() < 2 || y.len() < 2
}

fn figure(values: &[f64]) -> Option<Interval> {
    crate::stats::bootstrap_median(values, DEFAULT_RESAMPLES, LEVEL)
}

fn paired_location(mut c: Comparison, x: &[f64], y: &[f64]) -> Comparison {
    c.n = (x.len(), y.len());
    c.figures = (figure(x), figure(y));
    if too_few(x, y) {
        return c;
    }
    c.effect = hodges_lehmann_paired(y, x, LEVEL);
    c.test = wilcoxon_signed_rank(y, x).map(|result| Test {
        name: "Wilcoxon signed-rank",
        result,
        adjusted: result.p_value,
    });
    let sigma = paired_differences(y, x).and_then(|d| robust_sigma(&d));
    c.detectable = sigma.and_then(|s| mde_shift(s, 1.0 / (x.len() as f64).sqrt(), ALPHA, POWER));
    c
}

fn unpaired_location(mut c: Comparison, x: &[f64], y: &[f64]) -> Comparison {
    c.n = (x.len(), y.len());
    c.figures = (figure(x), figure(y));
    if too_few(x, y) {
        return c;
    }
    c.effect = bootstrap_median_difference(y, x, DEFAULT_RESAMPLES, LEVEL);
    c.test = mann_whitney_u(y, x).map(|result| Test {
        name: "Mann-Whitney U",
        result,
        adjusted: result.p_value,
    });
    // The spread of the two samples pooled.
    let sigma = match (robust_sigma(x), robust_sigma(y)) {
        (Some(s), Some(t)) => Some(((s * s + t * t) / 2.0).sqrt()),
        (s, t) => s.or(t),
    };
    let se = (1.0 / x.len() as f64 + 1.0 / y.len() as f64).sqrt();
    c.detectable = sigma.and_then(|s| mde_shift(s, se, ALPHA, POWER));
    c
}

fn successes(values: &[f64]) -> u64 {
    values.iter().filter(|&&v| v == 1.0).count() as u64
}

fn share_figure(values: &[f64]) -> Option<Interval> {
    crate::stats::wilson(successes(values), values.len() as u64, LEVEL)
}

fn paired_shares(mut c: Comparison, x: &[f64], y: &[f64]) -> Comparison {
    c.n = (x.len(), y.len());
    c.figures = (share_figure(x), share_figure(y));
    if too_few(x, y) {
        return c;
    }
    let count = |f: &dyn Fn(bool, bool) -> bool| {
        x.iter()
            .zip(y)
            .filter(|&(&p, &q)| f(p == 1.0, q == 1.0))
            .count() as u64
    };
    let both = count(&|p, q| p && q);
    let only_a = count(&|p, q| p && !q);
    let only_b = count(&|p, q| !p && q);
    let neither = count(&|p, q| !p && !q);
    c.effect = paired_share_difference(both, only_b, only_a, neither, LEVEL);
    let result = mcnemar_exact(only_b, only_a);
    c.test = Some(Test {
        name: "McNemar exact",
        result,
        adjusted: result.p_value,
    });
    let n = x.len();
    let discordant = (only_a + only_b) as f64 / n as f64;
    let share = successes(x) as f64 / n as f64;
    c.detectable = mde_paired_shares(discordant, n, ALPHA, POWER)
        .or_else(|| mde_shares(share, n, n, ALPHA, POWER));
    c
}

fn unpaired_shares(mut c: Comparison, x: &[f64], y: &[f64]) -> Comparison {
    c.n = (x.len(), y.len());
    c.figures = (share_figure(x), share_figure(y));
    if too_few(x, y) {
        return c;
    }
    let (ka, na, kb, nb) = (successes(x), x.len() as u64, successes(y), y.len() as u64);
    c.effect = share_difference(kb, nb, ka, na, LEVEL);
    let result = fisher_exact([[kb, nb - kb], [ka, na - ka]]);
    c.test = Some(Test {
        name: "Fisher exact",
        result,
        adjusted: result.p_value,
    });
    let share = (ka + kb) as f64 / (na + nb) as f64;
    c.detectable = mde_shares(share, x.len(), y.len(), ALPHA, POWER);
    c
}

/// The side of one configuration of a sweep (every configuration of a sweep has the same
/// data, so `data` only has to tell sweeps apart).
pub fn side_of_config(config: &ConfigSummary, data: &str) -> Side {
    let s = &config.settings;
    Side {
        name: config.label.clone(),
        seeds: config.seeds.clone(),
        values: Metric::ALL
            .iter()
            .map(|&m| Some(config.values(m).collect()))
            .collect(),
        draws: Some(DrawKey {
            data: data.to_owned(),
            hidden_size: s.hidden_size,
            init_scale: s.init_scale,
        }),
        schedule: Some((s.epochs, s.eval_every)),
        settings: Some(s.clone()),
    }
}

/// Every comparison within a sweep: each pair of configurations that differ in one setting
/// ([`pairs`]), each summarised metric, p-values adjusted together by Holm.
pub fn within(configs: &[&ConfigSummary]) -> Vec<Comparison> {
    let sides: Vec<Side> = configs.iter().map(|c| side_of_config(c, "")).collect();
    let settings: Vec<&SettingsParams> = configs.iter().map(|c| &c.settings).collect();
    let jobs: Vec<(pairs::Pair, Metric)> = pairs::pairs(&settings)
        .into_iter()
        .flat_map(|p| Metric::summarised().map(move |m| (p, m)))
        .collect();
    let mut comparisons: Vec<Comparison> = jobs
        .par_iter()
        .filter_map(|&(p, metric)| {
            let setting = Some(p.setting.name().to_owned());
            compare(&sides[p.a], &sides[p.b], metric, setting)
        })
        .collect();
    adjust(&mut comparisons);
    comparisons
}

/// Adjusts the p-values of `comparisons` by Holm's step-down method, over all of them.
pub fn adjust(comparisons: &mut [Comparison]) {
    let tested: Vec<usize> = (0..comparisons.len())
        .filter(|&i| comparisons[i].test.is_some())
        .collect();
    let raw: Vec<f64> = tested
        .iter()
        .filter_map(|&i| comparisons[i].test.map(|t| t.result.p_value))
        .collect();
    for (&i, adjusted) in tested.iter().zip(holm(&raw)) {
        if let Some(t) = comparisons[i].test.as_mut() {
            t.adjusted = adjusted;
        }
    }
}

#[cfg(test)]
mod tests;
