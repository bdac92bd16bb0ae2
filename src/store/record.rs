//! A run's record: everything a finished run produced, the source of truth every table is
//! rebuilt from, whatever the store keeps it in ([`super::records`]). What a record of run
//! `id` must be ([`RunRecord::check`]), and two records of one run compared number by number
//! (`sweep rerun`, `sweep merge`).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::metric::RunSummary;
use crate::settings::{Settings, SettingsParams};
use crate::train::{EpochMetrics, Eval, NUMERICS_VERSION, Status, run_id, run_id_of_version};

/// Version of the record layout.
pub(crate) const RECORD_FORMAT: u32 = 1;

/// Where a run's data came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataRef {
    pub train: PathBuf,
    pub test: PathBuf,
    pub fingerprint: String,
}

/// Everything a run produced, as saved on disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub format: u32,
    pub run_id: String,
    pub experiment: String,
    pub seed: u64,
    pub settings: SettingsParams,
    pub data: DataRef,
    pub status: Status,
    pub metrics: Vec<EpochMetrics>,
    /// Wall time of the training, the one number that differs between reruns; it goes to
    /// `timings.csv` only.
    pub wall_ms: f64,
}

impl RunRecord {
    pub fn summary(&self) -> RunSummary {
        RunSummary::of(&self.metrics, self.status)
    }

    /// The run as it stood after epoch `epoch`, stopped there by successive halving (a run
    /// that diverged by then stays diverged): its first epochs are those of a run trained
    /// only that far, bit for bit.
    pub fn stopped_at(mut self, epoch: u32) -> RunRecord {
        if self.status.diverged_epoch().is_some_and(|e| e <= epoch) {
            return self;
        }
        self.metrics.truncate(epoch as usize);
        self.status = Status::Pruned { epoch };
        self
    }

    /// Whether every deterministic field equals `other`'s (all but the wall time).
    pub fn same_result(&self, other: &RunRecord) -> bool {
        RunRecord {
            wall_ms: 0.0,
            ..self.clone()
        } == RunRecord {
            wall_ms: 0.0,
            ..other.clone()
        }
    }

    /// Whether this record is `other` trained further: `other` was stopped by successive
    /// halving and this one's first epochs are exactly its epochs.
    pub fn extends(&self, other: &RunRecord) -> bool {
        let Status::Pruned { epoch } = other.status else {
            return false;
        };
        let n = epoch as usize;
        self.run_id == other.run_id
            && self.metrics.len() > n
            && self.metrics[..n] == other.metrics[..]
    }

    /// The first recorded number of this run that `again` (the same run trained anew) does
    /// not reproduce bit for bit, in words; `None` when every one matches.
    pub fn first_difference(&self, again: &RunRecord) -> Option<String> {
        if self.run_id != again.run_id {
            return Some(format!(
                "its settings now hash to id {} (the code's numerics version changed?)",
                again.run_id
            ));
        }
        if self.status != again.status {
            return Some(format!(
                "status {:?} was recorded, {:?} now",
                self.status, again.status
            ));
        }
        if self.metrics.len() != again.metrics.len() {
            return Some(format!(
                "{} epochs recorded, {} now",
                self.metrics.len(),
                again.metrics.len()
            ));
        }
        self.metrics
            .iter()
            .zip(&again.metrics)
            .find_map(|(a, b)| epoch_difference(a, b))
    }
}

impl RunRecord {
    /// Whether this record is what run `id`'s record must be: its id, recomputed from its
    /// own settings, seed and data fingerprint; as many epochs as its status says, numbered
    /// from 1; test metrics exactly on its evaluation epochs; every number in its range.
    /// Why not, if not: a record that contradicts itself is damaged, however well-formed
    /// its bytes (this holds of a record whatever the store keeps it in).
    pub fn check(&self, id: &str) -> std::result::Result<(), String> {
        if self.run_id != id {
            return Err(format!("it holds run {}", self.run_id));
        }
        if self.format != RECORD_FORMAT {
            return Err(format!(
                "its format is {}, this sweep reads {RECORD_FORMAT}",
                self.format
            ));
        }
        let settings = self
            .settings
            .clone()
            .check()
            .map_err(|e| format!("its settings are not valid ({e})"))?;
        let computed = run_id(&settings, self.seed, &self.data.fingerprint);
        // A record of older numerics has the id of its version: another run's record (left
        // alone as unused, `sweep rerun` says why it does not reproduce), not a damaged one.
        let older = (1..NUMERICS_VERSION)
            .any(|v| run_id_of_version(&settings, self.seed, &self.data.fingerprint, v) == id);
        if computed != id && !older {
            return Err(format!(
                "its settings, seed and data fingerprint make run id {computed}, not {id}: it \
                 was changed after it was written"
            ));
        }
        self.check_epochs(&settings)
    }

    /// The epochs a record of `settings` and its status must have, and their numbers.
    fn check_epochs(&self, settings: &Settings) -> std::result::Result<(), String> {
        let epochs = settings.epoch_count();
        let (want, what) = match self.status {
            Status::Ok => (epochs, "a finished run".to_owned()),
            Status::Diverged { epoch } if (1..=epochs).contains(&epoch) => {
                (epoch - 1, format!("a run that diverged in epoch {epoch}"))
            }
            Status::Pruned { epoch } if (1..epochs).contains(&epoch) => {
                (epoch, format!("a run stopped after epoch {epoch}"))
            }
            Status::Diverged { epoch } | Status::Pruned { epoch } => {
                return Err(format!(
                    "its status says epoch {epoch}, outside its {epochs} epochs"
                ));
            }
        };
        if self.metrics.len() != want as usize {
            return Err(format!(
                "it has {} epoch(s) of metrics where {what} of {epochs} epochs has {want}",
                self.metrics.len()
            ));
        }
        for (i, m) in self.metrics.iter().enumerate() {
            let epoch = i as u32 + 1;
            if m.epoch != epoch {
                return Err(format!("its epoch {epoch} is numbered {}", m.epoch));
            }
            if m.test.is_some() != settings.evaluates_at(epoch) {
                let has = if m.test.is_some() { "has" } else { "lacks" };
                return Err(format!(
                    "epoch {epoch} {has} test metrics, against its evaluation schedule (every \
                     {} epochs and the last)",
                    settings.eval_every
                ));
            }
            let evals = [("train", Some(m.train)), ("test", m.test)];
            for (name, e) in evals.iter().filter_map(|(n, e)| e.map(|e| (n, e))) {
                if !(e.loss.is_finite() && e.loss >= 0.0) {
                    return Err(format!(
                        "epoch {epoch}: {name} loss {} is not a finite number >= 0",
                        e.loss
                    ));
                }
                if !(0.0..=1.0).contains(&e.accuracy) {
                    return Err(format!(
                        "epoch {epoch}: {name} accuracy {} is not from 0 to 1",
                        e.accuracy
                    ));
                }
            }
        }
        Ok(())
    }
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
