//! Weights files a sweep cannot use: cut short, garbled, or not the run's own (another run's
//! id, or shapes that are not those of the run's hidden size and data). Each recorded run of
//! the sweep that has a weights file gets it checked; one that fails is trained again from
//! its seed, and, when the new run reproduces its record bit for bit, the bad file is set
//! aside into `runs/damaged/` (never deleted) and the run's own weights written in its place.
//! The record, which is fine, stays as it is. A missing weights file is left missing: the
//! record does not say whether the run was saved with `--no-weights`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::{INTERRUPTED, Outcome, RunnerOptions, train_one, worker_pool};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::store::BadWeights;
use crate::store::{RecordStore, RunRecord};
use crate::train::{RunSpec, Status};
use crate::weights::SavedModel;

/// A recorded run whose weights file cannot be used, and why.
struct Unusable {
    spec: RunSpec,
    record: RunRecord,
    why: String,
}

/// Checks the weights file of every run of `runs` that `store` has a record of, and trains
/// again each run whose file cannot be used, to write its own. Returns what that did:
/// `trained` counts the runs whose weights were rewritten, `failed` those that could not be
/// (their bad file is left where it is).
pub(crate) fn repair(
    runs: &[RunSpec],
    data: &Dataset,
    store: &RecordStore,
    options: &RunnerOptions,
) -> Result<Outcome> {
    let pool = worker_pool(options.jobs)?;
    let bad = pool.install(|| unusable(runs, data, store))?;
    for b in &bad {
        note!(
            "sweep: warning: {} cannot be used as the weights of run {} ({}); the run is \
             trained again from its seed to rewrite them (its record is kept)",
            store.weights_path(&b.spec.id).display(),
            b.spec.id,
            b.why
        );
    }
    rewrite_all(&pool, &bad, data, store, options)
}

/// Writes the weights of the recorded runs of `runs` that have no weights file, each
/// trained again from its seed and checked against its record: the weights a large sweep
/// keeps for the configurations its report names.
pub(crate) fn fill(
    runs: &[RunSpec],
    data: &Dataset,
    store: &RecordStore,
    options: &RunnerOptions,
) -> Result<Outcome> {
    let pool = worker_pool(options.jobs)?;
    let shapes = Some((data.vocab.as_slice(), data.classes.as_slice()));
    let mut missing = Vec::new();
    for spec in runs {
        if let Err(BadWeights::Missing) =
            store.load_weights_of(&spec.id, spec.settings.hidden(), shapes)
        {
            missing.push(Unusable {
                spec: spec.clone(),
                record: store.load(&spec.id)?,
                why: "missing".into(),
            });
        }
    }
    rewrite_all(&pool, &missing, data, store, options)
}

/// Trains each run of `bad` again and writes its weights ([`rewrite`]), in parallel.
fn rewrite_all(
    pool: &rayon::ThreadPool,
    bad: &[Unusable],
    data: &Dataset,
    store: &RecordStore,
    options: &RunnerOptions,
) -> Result<Outcome> {
    let trained = AtomicUsize::new(0);
    let dropped = AtomicUsize::new(0);
    let failed = Mutex::new(Vec::new());
    pool.install(|| {
        bad.par_iter().with_max_len(1).for_each(|b| {
            if INTERRUPTED.load(Ordering::Relaxed) {
                return;
            }
            match rewrite(b, data, store, options) {
                Ok(true) => {
                    trained.fetch_add(1, Ordering::Relaxed);
                }
                Ok(false) => {
                    dropped.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) => {
                    note!("sweep: error: {e}");
                    failed
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push((b.spec.id.clone(), e));
                }
            }
        });
    });
    Ok(Outcome {
        trained: trained.into_inner(),
        diverged: 0,
        failed: failed.into_inner().unwrap_or_else(|p| p.into_inner()),
        dropped: dropped.into_inner(),
        interrupted: INTERRUPTED.load(Ordering::Relaxed),
    })
}

/// The recorded runs of `runs` whose weights file is there but cannot be used.
fn unusable(runs: &[RunSpec], data: &Dataset, store: &RecordStore) -> Result<Vec<Unusable>> {
    let saved = store.ids()?;
    let shapes = Some((data.vocab.as_slice(), data.classes.as_slice()));
    let found: Vec<Option<Unusable>> = runs
        .par_iter()
        .filter(|spec| saved.contains(&spec.id))
        .map(|spec| {
            // Checked against the run itself: only a file that fails reads its record (a
            // sweep's start has read every record once already, to set aside damaged ones).
            let hidden_size = spec.settings.hidden();
            Ok(match store.load_weights_of(&spec.id, hidden_size, shapes) {
                Ok(_) | Err(BadWeights::Missing) => None,
                Err(BadWeights::Unusable(why)) => Some(Unusable {
                    spec: spec.clone(),
                    record: store.load(&spec.id)?,
                    why,
                }),
            })
        })
        .collect::<Result<_>>()?;
    Ok(found.into_iter().flatten().collect())
}

/// Trains `b`'s run again as far as its record goes and, if the new run reproduces the
/// record bit for bit, sets the bad file aside and writes the run's weights. `Ok(false)`:
/// interrupted first.
fn rewrite(
    b: &Unusable,
    data: &Dataset,
    store: &RecordStore,
    options: &RunnerOptions,
) -> Result<bool> {
    let id = &b.spec.id;
    let options = RunnerOptions {
        until: match b.record.status {
            Status::Pruned { epoch } => Some(epoch),
            _ => None,
        },
        ..options.clone()
    };
    let Some((again, model)) = train_one(&b.spec, data, &options, &INTERRUPTED) else {
        return Ok(false);
    };
    let path = store.weights_path(id);
    if let Some(diff) = b.record.first_difference(&again) {
        return Err(Error::Incomplete(format!(
            "run {id}, trained again to rewrite its weights, does not reproduce its record \
             ({diff}); {} was left as it is (`sweep rerun` checks the run)",
            path.display()
        )));
    }
    let moved = store.set_aside_weights(id)?;
    store.save_weights(
        id,
        &SavedModel {
            model,
            vocab: data.vocab.clone(),
            classes: data.classes.clone(),
            run: Some(id.clone()),
        },
    )?;
    if let Some(to) = moved {
        note!(
            "sweep: {}: moved it to {}, wrote the weights of run {id}, re-trained bit for bit \
             as recorded",
            path.display(),
            to.display()
        );
    }
    Ok(true)
}
