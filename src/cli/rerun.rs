//! `sweep rerun`: re-train one recorded run from its recorded settings and seed, and compare
//! every recorded number bit for bit.

use super::{RerunArgs, print};
use crate::data;
use crate::error::{Error, Result};
use crate::experiment::{RunSpec, run_id};
use crate::runner::{RecordStore, RunRecord, RunnerOptions, train_one};
use crate::train::{EpochMetrics, Eval};

pub fn execute(args: &RerunArgs) -> Result<i32> {
    let store = RecordStore::existing(&args.results)?;
    if !store.ids()?.contains(&args.run_id) {
        return Err(Error::Usage(format!(
            "{} has no record of run `{}` (see the run_id column of runs.csv)",
            args.results.display(),
            args.run_id
        )));
    }
    let recorded = store.load(&args.run_id)?;
    let data = data::load(&recorded.data.train, &recorded.data.test)?;
    if data.fingerprint != recorded.data.fingerprint {
        return Err(Error::Incomplete(format!(
            "the data of run {} changed since it was recorded ({} / {}); it cannot be re-trained",
            recorded.run_id,
            recorded.data.train.display(),
            recorded.data.test.display()
        )));
    }
    let settings = recorded.settings.clone().check().map_err(|e| {
        Error::Incomplete(format!(
            "the record of run {} has an invalid setting: {e}",
            recorded.run_id
        ))
    })?;
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
    };
    let never = std::sync::atomic::AtomicBool::new(false);
    let (again, model) = train_one(&spec, &data, &options, &never)
        .ok_or_else(|| Error::Incomplete("the rerun was interrupted".into()))?;
    let mut difference = first_difference(&recorded, &again);
    if difference.is_none() && store.weights_path(&recorded.run_id).exists() {
        let saved = store.load_weights(&recorded.run_id)?;
        if !saved.model.same_bits(&model) {
            difference = Some("the saved final weights differ".into());
        }
    }
    match difference {
        None => {
            print(&format!(
                "run {}: {} epochs re-trained, status {}, every recorded number matches bit for bit\n",
                recorded.run_id,
                again.metrics.len(),
                status_name(&again)
            ))?;
            Ok(0)
        }
        Some(diff) => Err(Error::Incomplete(format!(
            "run {} does not reproduce: {diff}",
            recorded.run_id
        ))),
    }
}

fn status_name(r: &RunRecord) -> String {
    serde_json::to_value(r.status)
        .ok()
        .and_then(|v| v.get("status").and_then(|s| s.as_str()).map(str::to_owned))
        .unwrap_or_default()
}

/// The first recorded number that the re-trained run does not reproduce exactly.
fn first_difference(recorded: &RunRecord, again: &RunRecord) -> Option<String> {
    if recorded.run_id != again.run_id {
        return Some(format!(
            "its settings now hash to id {} (the code's numerics version changed?)",
            again.run_id
        ));
    }
    if recorded.status != again.status {
        return Some(format!(
            "status {:?} was recorded, {:?} now",
            recorded.status, again.status
        ));
    }
    if recorded.metrics.len() != again.metrics.len() {
        return Some(format!(
            "{} epochs recorded, {} now",
            recorded.metrics.len(),
            again.metrics.len()
        ));
    }
    recorded
        .metrics
        .iter()
        .zip(&again.metrics)
        .find_map(|(a, b)| epoch_difference(a, b))
}

fn epoch_difference(a: &EpochMetrics, b: &EpochMetrics) -> Option<String> {
    let fields = |m: &EpochMetrics| {
        let t = m.test.unwrap_or(Eval {
            loss: f64::NAN,
            accuracy: f64::NAN,
        });
        [
            ("train_loss", m.train.loss),
            ("train_acc", m.train.accuracy),
            ("test_loss", t.loss),
            ("test_acc", t.accuracy),
        ]
    };
    if a.epoch != b.epoch || a.test.is_some() != b.test.is_some() {
        return Some(format!("epoch {} is laid out differently", a.epoch));
    }
    fields(a)
        .into_iter()
        .zip(fields(b))
        .find_map(|((name, x), (_, y))| {
            (x.to_bits() != y.to_bits())
                .then(|| format!("epoch {} {name}: recorded {x:e}, now {y:e}", a.epoch))
        })
}
