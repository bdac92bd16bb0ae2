//! Training the runs of a sweep in parallel and saving each as soon as it finishes.
//!
//! rayon spreads the runs over `jobs` threads; the arithmetic inside a run is single
//! threaded and depends only on its settings and seed, so nothing here can change a result.
//! Each finished run is appended at once to the process's record log
//! ([`crate::store::records`]), so a killed sweep loses at most the runs in flight.

pub(crate) mod rerun;
pub(crate) mod reweigh;
pub(crate) mod shard;
pub(crate) mod sweep;
pub(crate) mod trace;

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use rayon::prelude::*;

use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::experiment::Experiment;
use crate::model::Rnn;
use crate::search::stages::{ShardStage, Standing, halving_standing, race_standing, train_stages};
use crate::store::record::RECORD_FORMAT;
use crate::store::{DataRef, RecordStore, ResultsDir, RunRecord};
use crate::train;
use crate::train::RunSpec;
use crate::weights::SavedModel;
use shard::Shard;

/// How to run the sweep.
#[derive(Debug, Clone)]
pub(crate) struct RunnerOptions {
    pub jobs: usize,
    /// Show the progress bar (the caller decides: terminal and not `--quiet`).
    pub progress: bool,
    pub experiment: String,
    pub data: DataRef,
    /// Save each run's final weights (`runs/<id>.safetensors`) beside its record.
    pub save_weights: bool,
    /// Stop every run after this epoch (a rung of successive halving); `None`: train all.
    pub until: Option<u32>,
}

/// What training the runs did.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub trained: usize,
    pub diverged: usize,
    /// Runs that could not be saved, with the reason.
    pub failed: Vec<(String, Error)>,
    /// Runs started but dropped because of an interrupt.
    pub dropped: usize,
    /// Whether an interrupt (Ctrl-C) stopped the sweep early.
    pub interrupted: bool,
}

impl Outcome {
    /// Adds what another batch of runs did.
    pub(crate) fn add(&mut self, other: Outcome) {
        self.trained += other.trained;
        self.diverged += other.diverged;
        self.failed.extend(other.failed);
        self.dropped += other.dropped;
        self.interrupted |= other.interrupted;
    }
}

/// Set by the Ctrl-C handler: runs not started yet are skipped, runs in flight stop at
/// their next epoch and are dropped, saved records are kept.
pub(crate) static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The runs of a sweep, or of one shard of it, that are not saved yet.
#[derive(Debug)]
pub(crate) struct ToTrain {
    /// In grid order.
    pub runs: Vec<RunSpec>,
    /// How many runs the sweep (or shard) has, saved or not.
    pub of: usize,
}

/// The runs of `runs` (of `shard`'s share, if given) that `dir` has no finished record of:
/// a run stopped by the successive halving of another experiment (status `pruned`) is
/// trained again in full.
pub(crate) fn to_train(
    runs: &[RunSpec],
    dir: &ResultsDir,
    shard: Option<Shard>,
) -> Result<ToTrain> {
    let mine = shard.map_or_else(|| runs.to_vec(), |s| s.select(runs));
    let store = dir.records();
    let saved = store.ids()?;
    let of = mine.len();
    let mut todo = Vec::new();
    for run in mine {
        let done = saved.contains(&run.id) && !store.load(&run.id)?.status.pruned();
        if !done {
            todo.push(run);
        }
    }
    Ok(ToTrain { runs: todo, of })
}

/// Trains the successive halving search or the race of `exp` stage by stage
/// ([`crate::search::stages`]), or, for a shard, its share of stage `stage` only.
pub(crate) fn train_staged(
    exp: &Experiment,
    runs: &[RunSpec],
    data: &Dataset,
    store: &RecordStore,
    options: &RunnerOptions,
    shard: Option<(Shard, usize)>,
) -> Result<Outcome> {
    let seeds = exp.seed_count();
    let (what, standing): (&str, Box<dyn Fn() -> Result<Standing>>) =
        match (&exp.search.halving, &exp.search.race) {
            (Some(h), _) => (
                "halving search",
                Box::new(move || halving_standing(h, seeds, runs, store)),
            ),
            (None, Some(r)) => (
                "race",
                Box::new(move || race_standing(r, seeds, runs, store)),
            ),
            (None, None) => return train_all(runs, data, store, options),
        };
    let mut total = Outcome::default();
    let select = |all: &[RunSpec]| shard.map_or_else(Vec::new, |(s, _)| s.select(all));
    let staged = shard.map(|(_, stage)| ShardStage {
        stage,
        select: &select,
    });
    let mut train = |todo: &[RunSpec], until: u32| -> Result<bool> {
        let options = RunnerOptions {
            until: Some(until),
            ..options.clone()
        };
        let outcome = train_all(todo, data, store, &options)?;
        let go_on = !outcome.interrupted && outcome.failed.is_empty();
        total.add(outcome);
        Ok(go_on)
    };
    train_stages(what, &*standing, staged, &mut train)?;
    Ok(total)
}

/// The `jobs` worker threads runs train on.
pub(crate) fn worker_pool(jobs: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {jobs} worker threads: {e}")))
}

/// Trains every run of `todo` on `data` and saves each to `store`.
pub(crate) fn train_all(
    todo: &[RunSpec],
    data: &Dataset,
    store: &RecordStore,
    options: &RunnerOptions,
) -> Result<Outcome> {
    let pool = worker_pool(options.jobs)?;
    let bar = progress_bar(todo.len() as u64, options.progress);
    let diverged = AtomicUsize::new(0);
    let trained = AtomicUsize::new(0);
    let failed = Mutex::new(Vec::new());
    let dropped = AtomicUsize::new(0);
    pool.install(|| {
        todo.par_iter().with_max_len(1).for_each(|spec| {
            if INTERRUPTED.load(Ordering::Relaxed) {
                return;
            }
            let Some((record, model)) = train_one(spec, data, options, &INTERRUPTED) else {
                dropped.fetch_add(1, Ordering::Relaxed);
                return;
            };
            if record.status.diverged() {
                let n = diverged.fetch_add(1, Ordering::Relaxed) + 1;
                bar.set_message(format!("{n} diverged"));
            }
            let weights = options.save_weights.then(|| SavedModel {
                model,
                vocab: data.vocab.clone(),
                classes: data.classes.clone(),
                run: Some(record.run_id.clone()),
            });
            // The weights first: a record on disk means its run is complete.
            let saved = weights
                .map_or(Ok(()), |w| store.save_weights(&record.run_id, &w))
                .and_then(|()| store.save(&record).map(|_| ()));
            if let Err(e) = saved {
                bar.suspend(|| note!("sweep: error: run {} could not be saved: {e}", spec.id));
                failed
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((spec.id.clone(), e));
            } else {
                trained.fetch_add(1, Ordering::Relaxed);
            }
            bar.inc(1);
        });
    });
    bar.finish_and_clear();
    // What was appended is durable before anything is counted as saved.
    store.sync()?;
    let failed = failed.into_inner().unwrap_or_else(|p| p.into_inner());
    Ok(Outcome {
        trained: trained.into_inner(),
        diverged: diverged.into_inner(),
        failed,
        dropped: dropped.into_inner(),
        interrupted: INTERRUPTED.load(Ordering::Relaxed),
    })
}

/// Trains one run; returns its record and its final weights, or `None` if `cancel` was set
/// before it finished.
pub(crate) fn train_one(
    spec: &RunSpec,
    data: &Dataset,
    options: &RunnerOptions,
    cancel: &AtomicBool,
) -> Option<(RunRecord, Rnn)> {
    let start = Instant::now();
    let until = options.until.unwrap_or(spec.settings.epoch_count());
    let result = train::run_until(data, &spec.settings, spec.seed, until, |_| {}, cancel)?;
    let wall_ms = start.elapsed().as_secs_f64() * 1e3;
    let record = RunRecord {
        format: RECORD_FORMAT,
        run_id: spec.id.clone(),
        experiment: options.experiment.clone(),
        seed: spec.seed,
        settings: (*spec.settings).clone(),
        data: options.data.clone(),
        status: result.status,
        metrics: result.metrics,
        wall_ms,
    };
    Some((record, result.model))
}

/// Runs per second to three significant digits (`46.1/s`, `0.523/s`), not indicatif's four
/// decimals.
fn rate(per_sec: f64) -> String {
    format!("{}/s", crate::number::three_digits(per_sec))
}

fn progress_bar(total: u64, visible: bool) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{elapsed_precise} [{bar:30}] {pos}/{len} runs, {msg}, {rate}, ETA {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .with_key(
        "rate",
        |state: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{}", rate(state.per_sec()));
        },
    )
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message("0 diverged");
    bar
}
