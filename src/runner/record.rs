//! Per-run records: one JSON file per finished run under `<out>/runs/`, written to a
//! temporary name and renamed, so a record is either whole or absent. They are the source
//! of truth; every CSV is rebuilt from them.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::weights::SavedModel;
use crate::train::{EpochMetrics, RunSummary, SettingsParams, Status};

/// Version of the record layout.
pub const RECORD_FORMAT: u32 = 1;

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

    /// Whether every deterministic field equals `other`'s, bit for bit.
    pub fn same_result(&self, other: &RunRecord) -> bool {
        RunRecord {
            wall_ms: 0.0,
            ..self.clone()
        } == RunRecord {
            wall_ms: 0.0,
            ..other.clone()
        }
    }
}

/// The `runs/` directory of a results directory.
#[derive(Debug, Clone)]
pub struct RecordStore {
    dir: PathBuf,
}

impl RecordStore {
    /// Opens (creating) `<out>/runs`.
    pub fn open(out: &Path) -> Result<RecordStore> {
        let dir = out.join("runs");
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(RecordStore { dir })
    }

    /// Opens an existing results directory without creating anything.
    pub fn existing(out: &Path) -> Result<RecordStore> {
        let dir = out.join("runs");
        if dir.is_dir() {
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
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
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
        write_atomic(&path, &bytes)
    }

    /// Reads a run's saved weights.
    pub fn load_weights(&self, run_id: &str) -> Result<SavedModel> {
        let path = self.weights_path(run_id);
        let bytes = std::fs::read(&path).map_err(|e| {
            Error::Usage(format!(
                "cannot read {} ({e}); was the sweep run with --no-weights?",
                path.display()
            ))
        })?;
        SavedModel::from_bytes(&bytes).map_err(|e| Error::io(&path, std::io::Error::other(e)))
    }

    /// Removes temporary files left by writers that are no longer running (a sweep killed
    /// mid-write); those of live processes, such as other shards, stay.
    pub fn remove_stale_temporaries(&self) -> Result<usize> {
        let entries = std::fs::read_dir(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let pid = name
                .strip_suffix(".tmp")
                .filter(|_| name.starts_with('.'))
                .and_then(|rest| rest.rsplit('.').next())
                .and_then(|p| p.parse::<u32>().ok());
            if pid.is_some_and(|p| !super::lock::is_alive(p))
                && std::fs::remove_file(entry.path()).is_ok()
            {
                removed += 1;
            }
        }
        Ok(removed)
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
        write_atomic(&path, &bytes)?;
        Ok(path)
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}
