//! Successive halving, decided from the records alone: which configurations each rung
//! kept, what the next stage must train, and how each run stands once the search is done.
//!
//! Stage k trains every run of the configurations still alive up to rung k (the last stage:
//! to the last epoch). Once every run of a stage has its record, the alive configurations
//! are ranked by the median over their seeds of the halving metric at that rung (a run that
//! diverged before it ranks last), ties broken by the configurations' order in the
//! experiment, and only the best ones go on. Nothing here depends on which run finished
//! first: the same records give the same decisions, with any `--jobs`, after kill -9, and
//! across Slurm shards, each of which computes them anew.
//!
//! A run that goes on past a rung is trained again from its seed up to the next (its first
//! epochs come out the same bits, so its final record equals an uninterrupted run's); one
//! that does not keeps its record, status `pruned` at the rung.

use std::collections::BTreeSet;

use crate::error::Result;
use crate::stats::descriptive::median_sorted;
use crate::train::{Curve, EpochMetrics, RunSpec, Status};

/// What the decisions read of a sweep's saved runs (its store implements it): which runs
/// have a record, and each one's status and epochs.
pub(crate) trait Saved {
    /// The ids of every run with a record.
    fn saved_ids(&self) -> Result<BTreeSet<String>>;
    /// The saved run `id` (one of [`Saved::saved_ids`]).
    fn saved_run(&self, id: &str) -> Result<SavedRun>;
}

/// A saved run as the decisions see it.
#[derive(Debug, Clone)]
pub(crate) struct SavedRun {
    pub status: Status,
    pub metrics: Vec<EpochMetrics>,
}

/// `[search.halving]`: at each rung (an epoch), the configurations are ranked by the median
/// over their seeds of `metric` at that epoch, and only the best `keep[i]` train on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Halving {
    pub metric: Curve,
    /// Increasing epochs, each before the last epoch.
    pub rungs: Vec<u64>,
    /// How many configurations train on past each rung: given, or the configurations
    /// alive divided by the reduction factor, rounded up.
    pub keep: Keep,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keep {
    /// One count per rung.
    Counts(Vec<usize>),
    /// Keep ⌈alive / factor⌉ at each rung.
    Factor(u64),
}

impl Halving {
    /// How many of `alive` configurations train on past rung `i`.
    pub fn kept(&self, i: usize, alive: usize) -> usize {
        let k = match &self.keep {
            Keep::Counts(c) => c[i],
            Keep::Factor(f) => alive.div_ceil(*f as usize),
        };
        k.min(alive).max(1)
    }
}

/// One rung's decision.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decision {
    /// The rung's epoch.
    pub rung: u32,
    /// Every configuration alive at the rung (index in the experiment's order) with its
    /// median score (the metric, negated where higher is better: lower ranks first), best
    /// first.
    pub ranked: Vec<(usize, f64)>,
    /// How many of `ranked` go on.
    pub kept: usize,
}

/// What to train next.
#[derive(Debug, Clone)]
pub(crate) struct Stage {
    /// 0 for the first rung, the number of rungs for the last epoch.
    pub index: usize,
    /// The epoch its runs stop after.
    pub until: u32,
    /// Its runs that have no record reaching `until` yet, in the experiment's order.
    pub runs: Vec<RunSpec>,
    /// Every run of the stage (the runs of the configurations alive at it): what shards
    /// split, so that each run is in one shard whatever is saved already.
    pub all: Vec<RunSpec>,
}

/// Where a halving search stands.
#[derive(Debug, Clone)]
pub(crate) struct Progress {
    /// The decisions made so far, rung by rung.
    pub decisions: Vec<Decision>,
    /// The stage to train next; `None` when every stage is done.
    pub next: Option<Stage>,
    /// The number of stages: one per rung, and the last epoch.
    pub stages: usize,
}

/// The state of a halving search over `runs` (in configuration order, `seeds` each) from
/// the runs `saved`.
pub(crate) fn progress(
    halving: &Halving,
    seeds: usize,
    runs: &[RunSpec],
    saved: &dyn Saved,
) -> Result<Progress> {
    // Runs are in configuration order, seeds innermost.
    let configs: Vec<&[RunSpec]> = runs.chunks(seeds).collect();
    let epochs = runs.first().map_or(0, |r| r.settings.epoch_count());
    let until: Vec<u32> = halving
        .rungs
        .iter()
        .map(|&r| r as u32)
        .chain([epochs])
        .collect();
    let ids = saved.saved_ids()?;
    let mut alive: Vec<usize> = (0..configs.len()).collect();
    let mut decisions = Vec::new();
    for (k, &stop) in until.iter().enumerate() {
        let last = k + 1 == until.len();
        let mut records = Vec::new();
        let mut missing = Vec::new();
        let all: Vec<RunSpec> = alive.iter().flat_map(|&c| configs[c]).cloned().collect();
        for run in &all {
            let record = match ids.contains(&run.id) {
                true => Some(saved.saved_run(&run.id)?),
                false => None,
            };
            match record.filter(|r| covers(r, stop, last)) {
                Some(r) => records.push(r),
                None => missing.push(run.clone()),
            }
        }
        if !missing.is_empty() {
            let stage = Stage {
                index: k,
                until: stop,
                runs: missing,
                all,
            };
            return Ok(Progress {
                decisions,
                next: Some(stage),
                stages: until.len(),
            });
        }
        if last {
            break;
        }
        let decision = decide(halving, k, stop, &alive, &records, seeds);
        alive = decision.ranked[..decision.kept]
            .iter()
            .map(|&(c, _)| c)
            .collect();
        alive.sort_unstable();
        decisions.push(decision);
    }
    Ok(Progress {
        decisions,
        next: None,
        stages: until.len(),
    })
}

/// For each of `runs`, the rung its configuration was stopped at by the decisions made so
/// far (`None`: not stopped, or not decided yet); `None` for an experiment without halving.
/// The tables show a stopped run as it stood at that rung, whatever its record holds beyond
/// (a record kept from a search with another schedule, or from one without halving).
pub(crate) fn stops(
    halving: Option<&Halving>,
    seeds: usize,
    runs: &[RunSpec],
    saved: &dyn Saved,
) -> Result<Option<Vec<Option<u32>>>> {
    let Some(halving) = halving else {
        return Ok(None);
    };
    let seeds = seeds.max(1);
    let progress = progress(halving, seeds, runs, saved)?;
    let mut stopped: Vec<Option<u32>> = vec![None; runs.len()];
    for d in &progress.decisions {
        for &(config, _) in &d.ranked[d.kept..] {
            for slot in &mut stopped[config * seeds..(config + 1) * seeds] {
                *slot = Some(d.rung);
            }
        }
    }
    Ok(Some(stopped))
}

/// Whether `record` reaches epoch `until` for good: finished, diverged (it never goes on),
/// or stopped at `until` or later (not enough for the last stage).
fn covers(record: &SavedRun, until: u32, last: bool) -> bool {
    match record.status {
        Status::Ok | Status::Diverged { .. } => true,
        Status::Pruned { epoch } => !last && epoch >= until,
    }
}

/// Ranks the `alive` configurations (their records in order, `seeds` each) at rung `k`.
fn decide(
    halving: &Halving,
    k: usize,
    rung: u32,
    alive: &[usize],
    records: &[SavedRun],
    seeds: usize,
) -> Decision {
    let mut ranked: Vec<(usize, f64)> = alive
        .iter()
        .zip(records.chunks(seeds))
        .map(|(&c, runs)| {
            let mut scores: Vec<f64> = runs.iter().map(|r| score(halving, r, rung)).collect();
            scores.sort_by(f64::total_cmp);
            (c, median_sorted(&scores))
        })
        .collect();
    // Lower scores first; equal scores in the experiment's order, whatever finished first.
    ranked.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    Decision {
        rung,
        kept: halving.kept(k, ranked.len()),
        ranked,
    }
}

/// A run's score at `rung`: the metric there (a test metric: at the last evaluation up to
/// it), negated where higher is better; +inf for a run that diverged before it.
pub(crate) fn score(halving: &Halving, record: &SavedRun, rung: u32) -> f64 {
    if let Status::Diverged { epoch } = record.status
        && epoch <= rung
    {
        return f64::INFINITY;
    }
    let metric = halving.metric;
    let value = record
        .metrics
        .iter()
        .rev()
        .filter(|m| m.epoch <= rung)
        .find_map(|m| metric.at(m));
    match value {
        Some(v) if metric.lower_is_better() => v,
        Some(v) => -v,
        None => f64::INFINITY,
    }
}

/// Epochs a halving search over `runs` (`seeds` per configuration) will train as planned
/// (each rung keeping what the schedule says), and the epochs without it.
pub(crate) fn planned_epochs(
    halving: Option<&Halving>,
    seeds: usize,
    runs: &[RunSpec],
) -> (u64, u64) {
    let stages = halving.map_or(0, |h| h.rungs.len() + 1);
    let plan = Progress {
        decisions: Vec::new(),
        next: None,
        stages,
    };
    epochs(&plan, halving, seeds, runs)
}

/// Epochs a halving search trains in all (each stage's runs from their first epoch), and
/// the epochs of every configuration trained in full without it.
pub(crate) fn epochs(
    progress: &Progress,
    halving: Option<&Halving>,
    seeds: usize,
    runs: &[RunSpec],
) -> (u64, u64) {
    let seeds = seeds as u64;
    let configs = (runs.len() as u64) / seeds.max(1);
    let epochs = runs.first().map_or(0, |r| r.settings.epochs);
    let full = configs * seeds * epochs;
    let Some(halving) = halving else {
        return (full, full);
    };
    let mut alive = configs;
    let mut trained = 0;
    for (k, &rung) in halving.rungs.iter().enumerate() {
        trained += alive * seeds * rung;
        alive = progress
            .decisions
            .get(k)
            .map_or(halving.kept(k, alive as usize) as u64, |d| d.kept as u64);
    }
    (trained + alive * seeds * epochs, full)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halving_keeps_at_least_one() {
        let h = Halving {
            metric: Curve::TrainLoss,
            rungs: vec![100, 300],
            keep: Keep::Factor(3),
        };
        assert_eq!((h.kept(0, 27), h.kept(1, 9), h.kept(1, 2)), (9, 3, 1));
        let c = Halving {
            keep: Keep::Counts(vec![5, 0]),
            ..h
        };
        assert_eq!((c.kept(0, 27), c.kept(0, 3), c.kept(1, 5)), (5, 3, 1));
    }
}
