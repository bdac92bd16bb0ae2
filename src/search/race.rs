//! Racing configurations over seeds, decided from the records alone: every configuration
//! trains on the first block of seeds, then the configurations still in on each further
//! block; after each block ("look") they are compared with the leader, paired by seed, and
//! those found worse are stopped.
//!
//! The procedure: at look k (n_k seeds of a budget of N), each configuration still in is
//! tested against the leader (the best estimate: the share of seeds, or the median score;
//! ties in the experiment's order) by the paired test the comparisons use (McNemar's exact
//! test for a share, Wilcoxon's signed-rank test for a measurement), one-sided (only "worse
//! than the leader" eliminates), the p-values Holm-adjusted over the comparisons of that
//! look; a configuration is eliminated when its adjusted p is at most the look's level a_k.
//! The levels spend the race's `alpha` across looks by the Pocock-type function of Lan and
//! DeMets, α(t) = α·ln(1 + (e − 1)·t) at information t = n_k/N, a_k = α(t_k) − α(t_{k−1}):
//! a race wants to drop the clearly worse early, which an O'Brien–Fleming boundary (almost
//! nothing spent at the first looks) would not. The looks are joined by a union bound (their
//! correlation is not used, so that part is conservative). The leader is chosen from the
//! data, which no such bound covers: the probability of eliminating the best is measured by
//! simulation instead (`race_error.rs`: an ignored full version, a fast one always run), on
//! resampled real runs and on synthetic ones with known differences.
//!
//! The race ends when one configuration is left; when every difference left could have been
//! found 80% of the time if it were as large as the race's `tolerance` (the minimal
//! detectable difference at the look's Bonferroni level is below it); or when the seed
//! budget is spent. The configurations left are the tied set, the leader the winner; then,
//! with `fresh` seeds, they train on seeds that took no part in the selection.
//!
//! Nothing here depends on which run finished first: the same records give the same
//! decisions, with any `--jobs`, after kill -9, and across Slurm shards (one array per
//! block), each of which computes them anew.

use std::collections::BTreeSet;

use super::halving::{Saved, Stage};
use crate::error::Result;
use crate::metric::{Better, Measure, Metric, RunSummary};
use crate::stats::power::{POWER, mde_paired_shares, mde_shift, robust_sigma};
use crate::stats::{holm, mcnemar_exact, median, wilcoxon_differences};
use crate::train::RunSpec;

/// `[search.race]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Race {
    /// What configurations are ranked by: a metric of `runs.csv` or a share of seeds.
    pub metric: Metric,
    /// Seeds of the first block (every configuration trains on them).
    pub first: usize,
    /// Seeds of each further block.
    pub block: usize,
    /// Seeds the selection may spend at most (the first `budget` seeds of the seed axis).
    pub budget: usize,
    /// The probability of eliminating the best configuration the race allows, over all looks.
    pub alpha: f64,
    /// Differences below this (in the metric's unit) need not be told apart: the race stops
    /// once every difference left is smaller than what it could detect 80% of the time.
    pub tolerance: Option<f64>,
    /// The `fresh` seeds after the budget's: held out of the selection, trained by the
    /// survivors only, once the race is decided.
    pub fresh: usize,
    /// How many survivors, best first, run the fresh seeds (`None`: every one).
    pub reevaluate: Option<usize>,
}

impl Race {
    /// The `[search.race]` table as resolved, for `experiment.toml`.
    pub fn toml(&self) -> String {
        let mut out = format!(
            "\n[search.race]\nmetric = \"{}\"\nfirst = {}\nblock = {}\nbudget = {}\nalpha = {}\n\
             fresh = {}\n",
            self.metric.name(),
            self.first,
            self.block,
            self.budget,
            crate::number::fmt_f64(self.alpha),
            self.fresh
        );
        if let Some(t) = self.tolerance {
            out += &format!("tolerance = {}\n", crate::number::fmt_f64(t));
        }
        if let Some(k) = self.reevaluate {
            out += &format!("reevaluate = {k}\n");
        }
        out
    }

    /// The seeds run at each look: the first block, then a block more each time, the last
    /// look at the budget.
    pub fn looks(&self, budget: usize) -> Vec<usize> {
        let mut n = vec![self.first.min(budget)];
        while let Some(&last) = n.last().filter(|&&l| l < budget) {
            n.push((last + self.block.max(1)).min(budget));
        }
        n
    }

    /// The level of each look: the increments of the Pocock-type spending function.
    pub fn levels(&self, budget: usize) -> Vec<f64> {
        let spent = |n: usize| {
            let t = n as f64 / budget.max(1) as f64;
            self.alpha * (1.0 + (std::f64::consts::E - 1.0) * t).ln()
        };
        let looks = self.looks(budget);
        let mut before = 0;
        looks
            .iter()
            .map(|&n| {
                let a = spent(n) - spent(before);
                before = n;
                a.max(0.0)
            })
            .collect()
    }

    /// A run's score (lower is better) on the race's metric: a share is -1 (yes) or 0, a
    /// measurement is negated where higher is better; a run without a value (diverged)
    /// scores worst.
    pub fn score(&self, summary: &RunSummary) -> f64 {
        let value = summary.value(self.metric);
        match (self.metric.kind(), self.metric.better()) {
            (Measure::Share { .. }, _) => -value.unwrap_or(0.0),
            (_, Better::Lower) => value.unwrap_or(f64::INFINITY),
            (_, Better::Higher) => value.map_or(f64::INFINITY, |v| -v),
        }
    }

    fn is_share(&self) -> bool {
        matches!(self.metric.kind(), Measure::Share { .. })
    }

    /// A configuration's estimate from its scores (lower is better): the mean of a share's
    /// (minus the share of seeds), or the median.
    pub fn estimate(&self, scores: &[f64]) -> f64 {
        if self.is_share() {
            scores.iter().sum::<f64>() / scores.len().max(1) as f64
        } else {
            median(scores).unwrap_or(f64::INFINITY)
        }
    }

    /// The estimate in the metric's own unit (a share of seeds, or the median value).
    pub fn shown(&self, estimate: f64) -> f64 {
        match (self.is_share(), self.metric.better()) {
            (true, _) | (false, Better::Higher) => -estimate,
            (false, Better::Lower) => estimate,
        }
    }
}

/// One configuration compared with the leader at a look.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Versus {
    pub config: usize,
    /// Its estimate (lower is better, as [`Race::estimate`]).
    pub estimate: f64,
    /// The paired test's one-sided p-value (that it is worse than the leader), and Holm's
    /// adjustment over the look.
    pub p: f64,
    pub adjusted: f64,
    pub eliminated: bool,
}

/// What one look decided.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Look {
    /// Seeds every configuration in had run.
    pub seeds: usize,
    /// The level the look's adjusted p-values were held to.
    pub level: f64,
    pub leader: usize,
    pub leader_estimate: f64,
    /// Every other configuration in, in the experiment's order.
    pub versus: Vec<Versus>,
    /// The largest difference from the leader, among those left in, that the look could
    /// miss more than 20% of the time (its minimal detectable difference); `None` when it
    /// cannot be computed (too few seeds or no spread).
    pub detectable: Option<f64>,
}

/// Why a race ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    /// One configuration left.
    One,
    /// Every difference left is below the tolerance it could detect.
    Tolerance,
    /// The seed budget is spent.
    Budget,
}

/// A race run as far as the scores allow.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Course {
    pub looks: Vec<Look>,
    /// The configurations in at the end (or still in), in the experiment's order.
    pub alive: Vec<usize>,
    /// For each configuration, the look that eliminated it.
    pub out_at: Vec<Option<usize>>,
    pub end: Option<End>,
    /// The look waiting for scores: its index, the seeds before it, its seeds.
    pub waiting: Option<(usize, usize, usize)>,
}

impl Course {
    /// The winner: the leader of the last look (once the race has ended).
    pub(crate) fn winner(&self) -> Option<usize> {
        self.end?;
        self.looks.last().map(|l| l.leader)
    }

    /// The survivors that run the fresh seeds: the best `top` by their estimate at the last
    /// look (the winner first; equal ones in the experiment's order), or every one.
    pub(crate) fn reevaluated(&self, top: Option<usize>) -> Vec<usize> {
        let Some(last) = self.looks.last().filter(|_| self.end.is_some()) else {
            return Vec::new();
        };
        let estimate = |c: usize| match last.versus.iter().find(|v| v.config == c) {
            Some(v) => v.estimate,
            None => last.leader_estimate,
        };
        let mut chosen = self.alive.clone();
        chosen.sort_by(|&a, &b| {
            let lead = |c: usize| c != last.leader;
            lead(a)
                .cmp(&lead(b))
                .then(estimate(a).total_cmp(&estimate(b)))
                .then(a.cmp(&b))
        });
        chosen.truncate(top.unwrap_or(usize::MAX));
        chosen.sort_unstable();
        chosen
    }

    /// Seeds configuration `c` ran in the selection (those of the look that eliminated it,
    /// or of the last look).
    pub(crate) fn seeds_of(&self, c: usize) -> usize {
        let look = self.out_at[c].or(self.looks.len().checked_sub(1));
        look.map_or(0, |k| self.looks[k].seeds)
    }
}

/// Each alive configuration's scores on seeds 0..n, or `None` when some are missing.
pub(crate) type Scores<'a> = dyn FnMut(&[usize], usize) -> Result<Option<Vec<Vec<f64>>>> + 'a;

/// Runs the race over `configs` configurations with a budget of `budget` seeds;
/// `scores(alive, n)` gives each alive configuration's scores on seeds 0..n, or `None`
/// when some are not available yet (the race then waits at that look).
pub(crate) fn course(
    race: &Race,
    configs: usize,
    budget: usize,
    scores: &mut Scores<'_>,
) -> Result<Course> {
    let looks = race.looks(budget);
    let levels = race.levels(budget);
    let mut c = Course {
        looks: Vec::new(),
        alive: (0..configs).collect(),
        out_at: vec![None; configs],
        end: None,
        waiting: None,
    };
    let mut before = 0;
    for (k, (&n, &level)) in looks.iter().zip(&levels).enumerate() {
        let Some(values) = scores(&c.alive, n)? else {
            c.waiting = Some((k, before, n));
            return Ok(c);
        };
        before = n;
        let look = decide(race, level, &c.alive, &values, n);
        for v in look.versus.iter().filter(|v| v.eliminated) {
            c.out_at[v.config] = Some(k);
        }
        c.alive.retain(|&a| c.out_at[a].is_none());
        let below = match (race.tolerance, look.detectable) {
            (Some(t), Some(d)) => d <= t,
            _ => false,
        };
        c.looks.push(look);
        c.end = if c.alive.len() <= 1 {
            Some(End::One)
        } else if below {
            Some(End::Tolerance)
        } else if k + 1 == looks.len() {
            Some(End::Budget)
        } else {
            None
        };
        if c.end.is_some() {
            break;
        }
    }
    Ok(c)
}

/// One look over the `alive` configurations' scores (one row each, `n` seeds, paired by
/// seed) at `level`.
fn decide(race: &Race, level: f64, alive: &[usize], scores: &[Vec<f64>], n: usize) -> Look {
    let estimates: Vec<f64> = scores.iter().map(|s| race.estimate(s)).collect();
    // The lowest estimate, the first in the experiment's order among equals.
    let lead = (0..alive.len())
        .min_by(|&a, &b| estimates[a].total_cmp(&estimates[b]).then(a.cmp(&b)))
        .unwrap_or(0);
    let others: Vec<usize> = (0..alive.len()).filter(|&i| i != lead).collect();
    let p: Vec<f64> = others
        .iter()
        .map(|&i| paired_p(race, &scores[i], &scores[lead]))
        .collect();
    let adjusted = holm(&p);
    let versus = others
        .iter()
        .zip(p.iter().zip(&adjusted))
        .map(|(&i, (&p, &adj))| Versus {
            config: alive[i],
            estimate: estimates[i],
            p,
            adjusted: adj,
            eliminated: adj <= level && estimates[i] > estimates[lead],
        })
        .collect::<Vec<_>>();
    let per_test = level / others.len().max(1) as f64;
    let detectable = versus
        .iter()
        .zip(&others)
        .filter(|(v, _)| !v.eliminated)
        .map(|(_, &i)| detectable(race, &scores[i], &scores[lead], n, per_test))
        .try_fold(0.0f64, |m, d| d.map(|d| m.max(d)));
    Look {
        seeds: n,
        level,
        leader: alive[lead],
        leader_estimate: estimates[lead],
        versus,
        detectable,
    }
}

/// The paired test's one-sided p-value that `a` is worse (scores higher) than `b` (scores
/// on the same seeds): half the two-sided p where the statistic points that way (McNemar's
/// and Wilcoxon's null distributions are symmetric), one less that half where it does not.
pub(crate) fn paired_p(race: &Race, a: &[f64], b: &[f64]) -> f64 {
    let (two_sided, worse) = if race.is_share() {
        let (only_a, only_b) = discordant(a, b);
        (mcnemar_exact(only_a, only_b).p_value, only_a < only_b)
    } else {
        let d: Vec<f64> = a
            .iter()
            .zip(b)
            .map(|(&x, &y)| crate::stats::difference(x, y))
            .collect();
        let two = wilcoxon_differences(&d).map_or(1.0, |t| t.p_value);
        (two, signed_rank_sum(&d) > 0.0)
    };
    match worse {
        true => two_sided / 2.0,
        false => 1.0 - two_sided / 2.0,
    }
}

/// W+ − W−: the ranks of |d| (zeros dropped, ties averaged) summed with d's signs.
fn signed_rank_sum(d: &[f64]) -> f64 {
    let nonzero: Vec<f64> = d.iter().copied().filter(|&x| x != 0.0).collect();
    let abs: Vec<f64> = nonzero.iter().map(|x| x.abs()).collect();
    let ranks = crate::stats::average_ranks(&abs).ranks;
    nonzero.iter().zip(ranks).map(|(x, r)| x.signum() * r).sum()
}

/// Seeds where only `a` succeeded, and only `b` (a share's scores: -1 yes, 0 no).
fn discordant(a: &[f64], b: &[f64]) -> (u64, u64) {
    let only = |x: &[f64], y: &[f64]| {
        x.iter()
            .zip(y)
            .filter(|&(&p, &q)| p < 0.0 && q >= 0.0)
            .count() as u64
    };
    (only(a, b), only(b, a))
}

/// The smallest difference between `a` and the leader `b` that the paired test at `alpha`
/// finds with 80% power on `n` seeds: for a share, from the discordant share observed (at
/// least the tolerance: a difference that large needs that many discordant seeds); for a
/// measurement, from the spread of the paired differences.
fn detectable(race: &Race, a: &[f64], b: &[f64], n: usize, alpha: f64) -> Option<f64> {
    if race.is_share() {
        let (x, y) = discordant(a, b);
        let observed = (x + y) as f64 / n.max(1) as f64;
        let psi = observed.max(race.tolerance.unwrap_or(0.0)).min(1.0);
        return mde_paired_shares(psi, n, alpha, POWER);
    }
    let d: Vec<f64> = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| crate::stats::difference(x, y))
        .collect();
    let sigma = robust_sigma(&d)?;
    mde_shift(sigma, 1.0 / (n as f64).sqrt(), alpha, POWER)
}

/// Where a race over a sweep's records stands.
#[derive(Debug, Clone)]
pub(crate) struct Progress {
    pub course: Course,
    /// The stage to train next; `None` when every stage is done.
    pub next: Option<Stage>,
    /// The number of stages: one per possible look, and the fresh seeds if any.
    pub stages: usize,
    /// Each configuration's scores on the fresh seeds saved (a survivor's; empty for the
    /// others).
    pub fresh: Vec<Vec<f64>>,
}

/// A configuration's place in the race, as `race.csv` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The leader of the last look.
    Winner,
    /// Left in at the end: cannot be told apart from the winner.
    Tied,
    Eliminated,
    /// The race is not finished and it is still in.
    In,
}

impl Place {
    pub const NAMES: [&str; 4] = ["winner", "tied", "eliminated", "in"];

    pub fn name(self) -> &'static str {
        match self {
            Place::Winner => "winner",
            Place::Tied => "tied",
            Place::Eliminated => "eliminated",
            Place::In => "in",
        }
    }

    pub fn parse(name: &str) -> Option<Place> {
        [Place::Winner, Place::Tied, Place::Eliminated, Place::In]
            .into_iter()
            .find(|p| p.name() == name)
    }
}

/// One configuration's line of the race.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub place: Place,
    /// Seeds it ran in the selection.
    pub seeds: usize,
    /// The look (1-based) that eliminated it, or the last it took part in.
    pub look: usize,
    /// Its estimate on the selection seeds, in the metric's unit.
    pub estimate: Option<f64>,
    /// Holm-adjusted p of its last comparison with the leader (none for the leader).
    pub adjusted: Option<f64>,
    /// The level its last look held adjusted p-values to.
    pub level: Option<f64>,
    /// For a configuration left in: the difference from the winner the race could detect
    /// 80% of the time at its last look.
    pub detectable: Option<f64>,
    /// Its fresh seeds saved, and its estimate on them.
    pub fresh_seeds: usize,
    pub fresh_estimate: Option<f64>,
}

/// Every configuration's line of the race `p`.
pub(crate) fn entries(race: &Race, p: &Progress) -> Vec<Entry> {
    let c = &p.course;
    let winner = c.winner();
    (0..c.out_at.len())
        .map(|i| {
            let look = c.out_at[i].or(c.looks.len().checked_sub(1));
            let l = look.map(|k| &c.looks[k]);
            let versus = l.and_then(|l| l.versus.iter().find(|v| v.config == i));
            let estimate = match (l, versus) {
                (_, Some(v)) => Some(v.estimate),
                (Some(l), None) if l.leader == i => Some(l.leader_estimate),
                _ => None,
            };
            let place = match (c.out_at[i], winner) {
                (Some(_), _) => Place::Eliminated,
                (None, Some(w)) if w == i => Place::Winner,
                (None, Some(_)) => Place::Tied,
                (None, None) => Place::In,
            };
            let fresh = &p.fresh[i];
            Entry {
                place,
                seeds: c.seeds_of(i),
                look: look.map_or(0, |k| k + 1),
                estimate: estimate.filter(|e| e.is_finite()).map(|e| race.shown(e)),
                adjusted: versus.map(|v| v.adjusted),
                level: l.map(|l| l.level),
                detectable: (c.out_at[i].is_none() && l.is_some_and(|l| l.leader != i))
                    .then(|| l.and_then(|l| l.detectable))
                    .flatten(),
                fresh_seeds: fresh.len(),
                fresh_estimate: (!fresh.is_empty())
                    .then(|| race.estimate(fresh))
                    .filter(|e| e.is_finite())
                    .map(|e| race.shown(e)),
            }
        })
        .collect()
}

/// A sweep's runs by configuration, read from its saved records as the race scores them.
struct Records<'a> {
    race: &'a Race,
    configs: Vec<&'a [RunSpec]>,
    ids: BTreeSet<String>,
    saved: &'a dyn Saved,
    /// Every run to its own last epoch (a race may sweep `epochs`).
    until: u32,
}

impl Records<'_> {
    /// The score of `run`, `None` without a finished record.
    fn finished(&self, run: &RunSpec) -> Result<Option<f64>> {
        if !self.ids.contains(&run.id) {
            return Ok(None);
        }
        let r = self.saved.saved_run(&run.id)?;
        if r.status.pruned() {
            return Ok(None);
        }
        Ok(Some(self.race.score(&RunSummary::of(&r.metrics, r.status))))
    }

    /// The `alive` configurations' scores on their first `n` seeds, `None` if one is missing.
    fn scores(&self, alive: &[usize], n: usize) -> Result<Option<Vec<Vec<f64>>>> {
        let mut all = Vec::new();
        for &c in alive {
            let mut row = Vec::new();
            for run in &self.configs[c][..n] {
                match self.finished(run)? {
                    Some(s) => row.push(s),
                    None => return Ok(None),
                }
            }
            all.push(row);
        }
        Ok(Some(all))
    }

    /// Stage `index`: the runs of `alive` on seeds `from..to`, those missing to train.
    fn stage(&self, index: usize, alive: &[usize], from: usize, to: usize) -> Result<Stage> {
        let all: Vec<RunSpec> = alive
            .iter()
            .flat_map(|&c| self.configs[c][from..to].iter().cloned())
            .collect();
        let mut missing = Vec::new();
        for run in &all {
            if self.finished(run)?.is_none() {
                missing.push(run.clone());
            }
        }
        Ok(Stage {
            index,
            until: self.until,
            runs: missing,
            all,
        })
    }
}

/// The state of the race over `runs` (configuration order, `seeds` each, seed innermost)
/// from the runs `saved`.
pub(crate) fn progress(
    race: &Race,
    seeds: usize,
    runs: &[RunSpec],
    saved: &dyn Saved,
) -> Result<Progress> {
    let seeds = seeds.max(1);
    let budget = race.budget;
    let records = Records {
        race,
        configs: runs.chunks(seeds).collect(),
        ids: saved.saved_ids()?,
        saved,
        until: runs
            .iter()
            .map(|r| r.settings.epoch_count())
            .max()
            .unwrap_or(0),
    };
    let configs = records.configs.len();
    let course = course(race, configs, budget, &mut |a, n| records.scores(a, n))?;
    let looks = race.looks(budget).len();
    let mut fresh = vec![Vec::new(); configs];
    let reevaluated = course.reevaluated(race.reevaluate);
    let fresh_seeds = budget..(budget + race.fresh).min(seeds);
    for &c in reevaluated.iter().filter(|_| course.end.is_some()) {
        for run in &records.configs[c][fresh_seeds.clone()] {
            fresh[c].extend(records.finished(run)?);
        }
    }
    let next = match course.waiting {
        Some((k, from, to)) => Some(records.stage(k, &course.alive, from, to)?),
        None if race.fresh > 0 => {
            let stage = records.stage(looks, &reevaluated, budget, budget + race.fresh)?;
            (!stage.runs.is_empty()).then_some(stage)
        }
        None => None,
    };
    Ok(Progress {
        course,
        next,
        stages: looks + usize::from(race.fresh > 0),
        fresh,
    })
}

/// For each of `runs`, whether the race asked for it (a seed its configuration ran in the
/// selection, or a fresh seed of a survivor): the tables leave the others out, whatever
/// records a directory holds beyond (another experiment's seeds).
pub(crate) fn asked(race: &Race, seeds: usize, runs: &[RunSpec], p: &Progress) -> Vec<bool> {
    let seeds = seeds.max(1);
    let budget = race.budget;
    let waiting_to = p.course.waiting.map(|(_, _, to)| to);
    let fresh_ones: BTreeSet<usize> = p.course.reevaluated(race.reevaluate).into_iter().collect();
    (0..runs.len())
        .map(|i| {
            let (c, s) = (i / seeds, i % seeds);
            let selection = match (p.course.out_at[c], waiting_to) {
                (Some(_), _) => p.course.seeds_of(c),
                (None, Some(to)) => to,
                (None, None) => p.course.seeds_of(c),
            };
            let fresh = (budget..budget + race.fresh).contains(&s);
            s < selection.min(budget) || (fresh && fresh_ones.contains(&c))
        })
        .collect()
}

/// Races simulated for [`expected_runs`], from a fixed seed so a plan prints the same.
const PLAN_TRIALS: usize = 200;

/// The selection runs a race over `configs` configurations takes on average under a stated
/// prior (nothing is known before it trains): each configuration's true share uniform on
/// [0, 1] (a share metric), or its true median normal with the seeds' spread (a
/// measurement), seeds independent; [`PLAN_TRIALS`] simulated races.
pub(crate) fn expected_runs(race: &Race, configs: usize) -> f64 {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(19);
    let mut total = 0usize;
    let gaussian = |rng: &mut rand_chacha::ChaCha8Rng| {
        crate::stats::normal::quantile(rng.random_range(1e-12..1.0))
    };
    for _ in 0..PLAN_TRIALS {
        let truth: Vec<f64> = (0..configs)
            .map(|_| match race.is_share() {
                true => rng.random_range(0.0..1.0),
                false => gaussian(&mut rng),
            })
            .collect();
        let all: Vec<Vec<f64>> = truth
            .iter()
            .map(|&t| {
                (0..race.budget)
                    .map(|_| match race.is_share() {
                        true => -f64::from(rng.random_range(0.0..1.0) < t),
                        false => t + gaussian(&mut rng),
                    })
                    .collect()
            })
            .collect();
        let mut scores = |alive: &[usize], n: usize| -> Result<Option<Vec<Vec<f64>>>> {
            Ok(Some(alive.iter().map(|&c| all[c][..n].to_vec()).collect()))
        };
        if let Ok(c) = course(race, configs, race.budget, &mut scores) {
            total += (0..configs).map(|i| c.seeds_of(i)).sum::<usize>();
        }
    }
    total as f64 / PLAN_TRIALS as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn race() -> Race {
        Race {
            metric: Metric::TestAcc1,
            first: 8,
            block: 8,
            budget: 32,
            alpha: 0.05,
            tolerance: None,
            fresh: 0,
            reevaluate: None,
        }
    }

    #[test]
    fn looks_end_at_the_budget() {
        let r = race();
        assert_eq!(r.looks(32), vec![8, 16, 24, 32]);
        assert_eq!(r.looks(20), vec![8, 16, 20]);
        assert_eq!(r.looks(4), vec![4]);
    }

    #[test]
    fn levels_spend_alpha_early() {
        let levels = race().levels(32);
        let total: f64 = levels.iter().sum();
        assert!((total - 0.05).abs() < 1e-12, "{total}");
        assert!(levels.windows(2).all(|w| w[0] > w[1]), "{levels:?}");
    }

    #[test]
    fn a_clearly_worse_configuration_is_eliminated_and_a_tie_is_not() {
        // Config 0 succeeds on every seed, 1 on none, 2 on every seed.
        let r = race();
        let mut scores = |alive: &[usize], n: usize| -> Result<Option<Vec<Vec<f64>>>> {
            Ok(Some(
                alive
                    .iter()
                    .map(|&c| vec![if c == 1 { 0.0 } else { -1.0 }; n])
                    .collect(),
            ))
        };
        let c = course(&r, 3, 32, &mut scores).unwrap();
        assert_eq!(c.alive, vec![0, 2]);
        assert_eq!(c.winner(), Some(0));
        assert_eq!(c.end, Some(End::Budget));
        // 8 seeds all discordant: one-sided p = 1/256, Holm-adjusted over the two
        // comparisons 0.0078, below the first look's level (0.0179).
        assert_eq!(c.out_at, vec![None, Some(0), None]);
    }

    #[test]
    fn the_race_waits_for_missing_scores() {
        let r = race();
        let mut scores = |alive: &[usize], n: usize| -> Result<Option<Vec<Vec<f64>>>> {
            Ok((n <= 8).then(|| alive.iter().map(|_| vec![0.0; n]).collect()))
        };
        let c = course(&r, 2, 32, &mut scores).unwrap();
        assert_eq!(
            (c.looks.len(), c.waiting, c.end),
            (1, Some((1, 8, 16)), None)
        );
    }
}
