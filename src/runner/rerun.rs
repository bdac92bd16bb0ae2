//! Re-training one recorded run from its recorded settings, seed and data, and comparing
//! every recorded number (and the saved weights) with the new run, bit for bit.

use std::sync::atomic::AtomicBool;

use super::{RunnerOptions, train_one};
use crate::data::{self, Dataset};
use crate::error::{Error, Result};
use crate::settings::Settings;
use crate::store::{ResultsDir, RunRecord};
use crate::train::{RunSpec, run_id};

/// A recorded run trained again.
#[derive(Debug)]
pub struct Rerun {
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

/// Re-trains run `id` of `dir`; an error if it cannot be (no such record, data changed).
pub fn rerun(dir: &ResultsDir, id: &str) -> Result<Rerun> {
    let store = dir.records();
    if !store.ids()?.contains(id) {
        return Err(Error::Usage(format!(
            "{} has no record of run `{id}` (see the run_id column of runs.csv)",
            dir.root().display(),
        )));
    }
    let (recorded, data, settings) = recorded_run(dir, id)?;
    let spec = RunSpec {
        index: 0,
        id: run_id(&settings, recorded.seed, &data.fingerprint),
        settings,
        seed: recorded.seed,
    };
    let options = RunnerOptions {
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
    };
    let never = AtomicBool::new(false);
    let (again, model) = train_one(&spec, &data, &options, &never)
        .ok_or_else(|| Error::Incomplete("the rerun was interrupted".into()))?;
    let mut difference = recorded.first_difference(&again);
    if difference.is_none() && store.weights_path(id).exists() {
        let saved = store.load_weights(id)?;
        if !saved.model.same_bits(&model) {
            difference = Some("the saved final weights differ".into());
        }
    }
    Ok(Rerun {
        recorded,
        again,
        difference,
    })
}
