//! Re-training one recorded run from its recorded settings, seed and data, and comparing
//! every recorded number (and the saved weights) with the new run, bit for bit.

use std::sync::atomic::AtomicBool;

use super::{RunnerOptions, train_one};
use crate::data::{self, Dataset};
use crate::error::{Error, Result};
use crate::model::Rnn;
use crate::settings::Settings;
use crate::store::BadWeights;
use crate::store::{ResultsDir, RunRecord};
use crate::train::{RunSpec, run_id};
use crate::weights::SavedModel;

/// What rewrites a run's weights file that cannot be used, for messages.
pub(crate) const REWRITES: &str = "`sweep run` on its experiment (without --no-weights) sets it aside \
                            into runs/damaged/ and writes the run's own";

/// A recorded run trained again.
#[derive(Debug)]
pub(crate) struct Rerun {
    pub recorded: RunRecord,
    pub again: RunRecord,
    /// The first number (or the weights) that came out different, in words.
    pub difference: Option<String>,
}

/// Run `id` of `dir` as it was recorded: its record, its data (which must still have the
/// recorded fingerprint) and its checked settings; an error naming what changed otherwise.
pub(crate) fn recorded_run(dir: &ResultsDir, id: &str) -> Result<(RunRecord, Dataset, Settings)> {
    let recorded = dir.records().load(id)?;
    let data = data::load(&recorded.data.train, &recorded.data.test)?;
    if data.fingerprint != recorded.data.fingerprint {
        return Err(Error::Incomplete(format!(
            "the data of run {id} changed since it was recorded ({} / {})",
            recorded.data.train.display(),
            recorded.data.test.display()
        )));
    }
    let settings = recorded.settings.clone().check().map_err(|e| {
        Error::Incomplete(format!(
            "the record of run {id} has an invalid setting: {e}"
        ))
    })?;
    Ok((recorded, data, settings))
}

/// A recorded run trained anew from its record, with its data.
#[derive(Debug)]
pub(crate) struct Retrained {
    pub recorded: RunRecord,
    pub again: RunRecord,
    /// The new run's final weights.
    pub model: Rnn,
    pub data: Dataset,
}

impl Retrained {
    /// The new run's final weights as its weights file holds them.
    pub(crate) fn saved(&self) -> SavedModel {
        SavedModel {
            model: self.model.clone(),
            vocab: self.data.vocab.clone(),
            classes: self.data.classes.clone(),
            run: Some(self.recorded.run_id.clone()),
        }
    }
}

/// Re-trains recorded run `id` of `dir` from its settings, seed and data, as far as it was
/// trained (a pruned run to where it was stopped); an error if it cannot be (data changed).
pub(crate) fn retrain(dir: &ResultsDir, id: &str) -> Result<Retrained> {
    let (recorded, data, settings) = recorded_run(dir, id)?;
    let spec = RunSpec {
        index: 0,
        id: run_id(&settings, recorded.seed, &data.fingerprint),
        settings,
        seed: recorded.seed,
    };
    let (again, model) = train_one(
        &spec,
        &data,
        &retrain_options(&recorded),
        &AtomicBool::new(false),
    )
    .ok_or_else(|| Error::Incomplete("the rerun was interrupted".into()))?;
    Ok(Retrained {
        recorded,
        again,
        model,
        data,
    })
}

/// The options that train `recorded`'s run again as far as it was trained.
fn retrain_options(recorded: &RunRecord) -> RunnerOptions {
    RunnerOptions {
        jobs: 1,
        progress: false,
        experiment: recorded.experiment.clone(),
        data: recorded.data.clone(),
        save_weights: false,
        // A pruned run is re-trained to where it was stopped.
        until: match recorded.status {
            crate::train::Status::Pruned { epoch } => Some(epoch),
            _ => None,
        },
    }
}

/// Re-trains run `id` of `dir`; an error if it cannot be (no such record, data changed).
/// Its weights file, if there is one, must be its own and hold the new run's weights.
pub(crate) fn rerun(dir: &ResultsDir, id: &str) -> Result<Rerun> {
    let store = dir.records();
    if !store.ids()?.contains(id) {
        return Err(Error::Usage(format!(
            "{} has no record of run `{id}` (see the run_id column of runs.csv)",
            dir.root().display(),
        )));
    }
    let run = retrain(dir, id)?;
    let mut difference = run.recorded.first_difference(&run.again);
    if difference.is_none() {
        let data = Some((run.data.vocab.as_slice(), run.data.classes.as_slice()));
        difference = match store.load_weights(&run.recorded, data) {
            Ok(saved) if saved.model.same_bits(&run.model) => None,
            Ok(_) => Some("the saved final weights differ".into()),
            Err(BadWeights::Missing) => None,
            Err(BadWeights::Unusable(why)) => {
                return Err(Error::Incomplete(format!(
                    "run {id} re-trains to every recorded number bit for bit, but its weights \
                     file {} cannot be used ({why}); {REWRITES}",
                    store.weights_path(id).display()
                )));
            }
        };
    }
    Ok(Rerun {
        recorded: run.recorded,
        again: run.again,
        difference,
    })
}
