//! Per-run records: one JSON file per finished run under `<out>/runs/` (and its final weights
//! beside it), written atomically, so a record is either whole or absent. They are the
//! source of truth; every table is rebuilt from them. Two records of one run are compared
//! here, number by number (`sweep rerun`, `sweep merge`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{atomic, safe};
use crate::error::{Error, Result};
use crate::metric::RunSummary;
use crate::search::halving::{Saved, SavedRun};
use crate::settings::{Settings, SettingsParams};
use crate::train::{EpochMetrics, Eval, NUMERICS_VERSION, Status, run_id, run_id_of_version};
use crate::weights::{Expected, SavedModel};

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

/// Moves `from` into the folder `damaged` as `<id>.<ext>`, or `<id>.<n>.<ext>` for the first
/// `n` not taken; returns where it went and the name it took (without `.<ext>`), or `None`
/// when `from` is gone (another process moved it first). A name is claimed by a hard link,
/// which fails rather than replace a file, so processes sharing the directory never
/// overwrite each other's.
fn claim(from: &Path, damaged: &Path, id: &str, ext: &str) -> Result<Option<(PathBuf, String)>> {
    let mut n = 0;
    let (to, free) = loop {
        let free = match n {
            0 => id.to_owned(),
            n => format!("{id}.{n}"),
        };
        let to = damaged.join(format!("{free}.{ext}"));
        match std::fs::hard_link(from, &to) {
            Ok(()) => break (to, free),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => n += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            // A filesystem without hard links: a plain rename, the name checked first.
            Err(_) if !to.exists() => {
                std::fs::rename(from, &to).map_err(|e| Error::io(from, e))?;
                return Ok(Some((to, free)));
            }
            Err(e) => return Err(Error::io(from, e)),
        }
    };
    // The link holds it now; another remover may have got there first.
    let _ = std::fs::remove_file(from);
    Ok(Some((to, free)))
}

/// Why a run's weights file cannot serve as its final weights.
#[derive(Debug, Clone, PartialEq)]
pub enum BadWeights {
    /// No file at its path.
    Missing,
    /// A file that cannot be read as a sweep model, or is not this run's (why, in words).
    Unusable(String),
}

/// The folder of `runs/` that damaged records are moved into.
pub(crate) const DAMAGED: &str = "damaged";

/// A record that could not be read, and where it was moved.
#[derive(Debug)]
pub struct Damaged {
    pub id: String,
    pub why: String,
    pub to: PathBuf,
}

/// The `runs/` directory of a results directory.
#[derive(Debug, Clone)]
pub struct RecordStore {
    dir: PathBuf,
}

impl Saved for RecordStore {
    fn saved_ids(&self) -> Result<BTreeSet<String>> {
        self.ids()
    }

    fn saved_run(&self, id: &str) -> Result<SavedRun> {
        let record = self.load(id)?;
        Ok(SavedRun {
            status: record.status,
            metrics: record.metrics,
        })
    }
}

impl RecordStore {
    /// The folder the records are in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Opens (creating) `<out>/runs`, which must be a real directory (`out` may be a link).
    pub fn open(out: &Path) -> Result<RecordStore> {
        std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
        let dir = out.join("runs");
        safe::dir(&dir)?;
        Ok(RecordStore { dir })
    }

    /// The store of results directory `out`, whether or not it exists yet.
    pub fn at(out: &Path) -> RecordStore {
        RecordStore {
            dir: out.join("runs"),
        }
    }

    /// Opens an existing results directory without creating anything.
    pub fn existing(out: &Path) -> Result<RecordStore> {
        let dir = out.join("runs");
        // Not a link: `clean` removes records and damaged ones are moved, here.
        if safe::existing_dir(&dir)? {
            Ok(RecordStore { dir })
        } else {
            Err(Error::Usage(format!(
                "{} is not a results directory (it has no runs/ folder)",
                out.display()
            )))
        }
    }

    pub fn path(&self, run_id: &str) -> PathBuf {
        self.dir.join(format!("{run_id}.json"))
    }

    /// Ids of every saved record.
    pub fn ids(&self) -> Result<BTreeSet<String>> {
        let entries = std::fs::read_dir(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        let mut ids = BTreeSet::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&self.dir, e))?;
            let name = entry.file_name();
            // Temporary files start with a dot and are never records.
            if let Some(id) = name.to_str().and_then(|n| n.strip_suffix(".json"))
                && !id.starts_with('.')
            {
                ids.insert(id.to_owned());
            }
        }
        Ok(ids)
    }

    /// Reads one record.
    pub fn load(&self, run_id: &str) -> Result<RunRecord> {
        let path = self.path(run_id);
        let bytes = safe::read_regular(&path).map_err(|e| Error::io(&path, e))?;
        serde_json::from_slice(&bytes).map_err(|e| {
            Error::io(
                &path,
                std::io::Error::other(format!(
                    "not a readable run record ({e}); move it away to retrain the run"
                )),
            )
        })
    }

    pub fn weights_path(&self, run_id: &str) -> PathBuf {
        self.dir.join(format!("{run_id}.safetensors"))
    }

    /// Saves a run's final weights atomically.
    pub fn save_weights(&self, run_id: &str, weights: &SavedModel) -> Result<()> {
        let path = self.weights_path(run_id);
        let bytes = weights
            .to_bytes()
            .map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
        atomic::write(&path, &bytes)
    }

    /// Reads run `record`'s final weights and checks that they are its own ([`Expected`]):
    /// the id they name, their hidden size, and, given `data` (the vocabulary and classes of
    /// the run's data), their vocabulary and classes.
    pub fn load_weights(
        &self,
        record: &RunRecord,
        data: Option<(&[String], &[String])>,
    ) -> std::result::Result<SavedModel, BadWeights> {
        let hidden_size = usize::try_from(record.settings.hidden_size).unwrap_or(usize::MAX);
        self.load_weights_of(&record.run_id, hidden_size, data)
    }

    /// Run `id`'s weights file, checked against the run (its id, `hidden_size` and, given,
    /// its data's vocabulary and classes): what [`RecordStore::load_weights`] does without
    /// needing the record read.
    pub fn load_weights_of(
        &self,
        id: &str,
        hidden_size: usize,
        data: Option<(&[String], &[String])>,
    ) -> std::result::Result<SavedModel, BadWeights> {
        let path = self.weights_path(id);
        // Not waiting on a FIFO, nor reading a device without end, planted as weights.
        let bytes = match safe::read_regular(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(BadWeights::Missing),
            Err(e) => return Err(BadWeights::Unusable(e.to_string())),
            Ok(bytes) => bytes,
        };
        if bytes.is_empty() {
            return Err(BadWeights::Unusable("it is empty".into()));
        }
        let saved = SavedModel::from_bytes(&bytes).map_err(BadWeights::Unusable)?;
        let want = Expected {
            run_id: id,
            hidden_size,
            data,
        };
        saved.check(&want).map_err(BadWeights::Unusable)?;
        Ok(saved)
    }

    /// Moves run `id`'s weights file into `runs/damaged/`, under a name not taken there yet,
    /// never deleting it; returns where it went (`None`: another process moved it first).
    pub fn set_aside_weights(&self, id: &str) -> Result<Option<PathBuf>> {
        let damaged = self.dir.join(DAMAGED);
        safe::dir(&damaged)?;
        Ok(claim(&self.weights_path(id), &damaged, id, "safetensors")?.map(|(to, _)| to))
    }

    /// Moves every record that cannot be read (cut short, emptied or garbled by a disk or
    /// filesystem fault; `sweep` itself writes atomically) into `runs/damaged/`, never
    /// deleting it, so that its run counts as missing and is trained again. Returns what
    /// was set aside, each with why.
    pub fn set_aside_damaged(&self) -> Result<Vec<Damaged>> {
        let mut damaged = Vec::new();
        for id in self.ids()? {
            let Err(why) = self.check(&id) else { continue };
            let to = self.set_aside(&id)?;
            damaged.push(Damaged { id, why, to });
        }
        Ok(damaged)
    }

    /// Ids of the saved records that read back whole and consistent (what `sweep run` would
    /// keep), without moving the others: what `sweep plan` counts as saved.
    pub fn sound_ids(&self) -> Result<BTreeSet<String>> {
        Ok(self
            .ids()?
            .into_iter()
            .filter(|id| self.check(id).is_ok())
            .collect())
    }

    /// Whether record `id` reads back as a record of run `id`; why not, if not.
    fn check(&self, id: &str) -> std::result::Result<(), String> {
        let path = self.path(id);
        // Not waiting on a FIFO, nor reading a device without end, planted as a record.
        let bytes = safe::read_regular(&path).map_err(|e| e.to_string())?;
        if bytes.is_empty() {
            return Err("it is empty".into());
        }
        let record: RunRecord =
            serde_json::from_slice(&bytes).map_err(|e| format!("not a run record ({e})"))?;
        record.check(id)
    }

    /// Moves record `id` (and its weights) into `runs/damaged/`, under a name not taken
    /// there yet; returns where the record went. Shards sharing the directory may set aside
    /// the same record at once: a name is claimed by a hard link, which fails rather than
    /// replace a file, and a record another process moved first is left to it.
    fn set_aside(&self, id: &str) -> Result<PathBuf> {
        let damaged = self.dir.join(DAMAGED);
        safe::dir(&damaged)?;
        let Some((to, free)) = claim(&self.path(id), &damaged, id, "json")? else {
            return Ok(damaged.join(format!("{id}.json")));
        };
        let weights = self.weights_path(id);
        let moved = damaged.join(format!("{free}.safetensors"));
        if std::fs::hard_link(&weights, &moved).is_ok() {
            let _ = std::fs::remove_file(&weights);
        }
        Ok(to)
    }

    /// Removes a run's record and weights (the record first, so a half-removed run reads
    /// as absent).
    pub fn remove(&self, run_id: &str) -> Result<()> {
        let path = self.path(run_id);
        std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        let weights = self.weights_path(run_id);
        match std::fs::remove_file(&weights) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(&weights, e)),
            _ => Ok(()),
        }
    }

    /// Saves `record` atomically: written and synced under a temporary name, then renamed.
    pub fn save(&self, record: &RunRecord) -> Result<PathBuf> {
        let path = self.path(&record.run_id);
        let bytes =
            serde_json::to_vec(record).map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
        atomic::write(&path, &bytes)?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::model::Rnn;

    fn record(id: &str, hidden_size: u64) -> RunRecord {
        RunRecord {
            format: RECORD_FORMAT,
            run_id: id.into(),
            experiment: "e".into(),
            seed: 0,
            settings: SettingsParams {
                hidden_size,
                ..Default::default()
            },
            data: DataRef {
                train: "train.tsv".into(),
                test: "test.tsv".into(),
                fingerprint: String::new(),
            },
            status: Status::Ok,
            metrics: Vec::new(),
            wall_ms: 0.0,
        }
    }

    fn weights(run: Option<&str>, hidden: usize) -> SavedModel {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        SavedModel {
            model: Rnn::init(2, hidden, 2, 0.5, &mut rng),
            vocab: vec!["a".into(), "b".into()],
            classes: vec!["0".into(), "1".into()],
            run: run.map(str::to_owned),
        }
    }

    #[test]
    fn weights_are_missing_unusable_or_the_runs_own_and_are_set_aside_never_overwritten() {
        let tmp = tempfile::tempdir().unwrap();
        let store = RecordStore::open(tmp.path()).unwrap();
        let (a, b) = ("aaaaaaaaaaaa", "bbbbbbbbbbbb");
        let rec = record(a, 3);
        assert_eq!(store.load_weights(&rec, None), Err(BadWeights::Missing));
        store.save_weights(a, &weights(Some(a), 3)).unwrap();
        assert_eq!(store.load_weights(&rec, None), Ok(weights(Some(a), 3)));
        let unusable = |why: &str| Err(BadWeights::Unusable(why.into()));
        store.save_weights(a, &weights(Some(b), 3)).unwrap();
        assert_eq!(
            store.load_weights(&rec, None),
            unusable("they are the weights of run bbbbbbbbbbbb")
        );
        // A file without a run id: its shapes decide.
        store.save_weights(a, &weights(None, 3)).unwrap();
        assert_eq!(store.load_weights(&rec, None), Ok(weights(None, 3)));
        assert_eq!(
            store.load_weights(&record(a, 4), None),
            unusable("their hidden size is 3, where the run's settings say 4")
        );
        std::fs::write(store.weights_path(a), b"").unwrap();
        assert_eq!(store.load_weights(&rec, None), unusable("it is empty"));

        // Set aside twice: the second takes the next free name.
        let first = store.set_aside_weights(a).unwrap().unwrap();
        assert_eq!(first, store.dir().join("damaged/aaaaaaaaaaaa.safetensors"));
        assert_eq!(store.load_weights(&rec, None), Err(BadWeights::Missing));
        std::fs::write(store.weights_path(a), b"x").unwrap();
        let second = store.set_aside_weights(a).unwrap().unwrap();
        assert_eq!(
            second,
            store.dir().join("damaged/aaaaaaaaaaaa.1.safetensors")
        );
        assert_eq!(std::fs::read(&first).unwrap(), b"");
        assert_eq!(std::fs::read(&second).unwrap(), b"x");
        // Nothing to move: another process got there first.
        assert_eq!(store.set_aside_weights(a).unwrap(), None);
    }
}
