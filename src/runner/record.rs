//! Per-run records: one JSON file per finished run under `<out>/runs/`, written to a
//! temporary name and renamed, so a record is either whole or absent. They are the source
//! of truth; every CSV is rebuilt from them.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::train::{EpochMetrics, RunSummary, SettingsParams, Status};
use crate::weights::SavedModel;

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

    /// Removes temporary files left by writers that are gone (a sweep killed mid-write), and
    /// only those: a temporary may belong to a live writer on another node (Slurm shards
    /// share a results directory), whose pid means nothing here. A temporary is abandoned if
    /// it is older than [`ABANDONED_AFTER`] (no write takes that long), or, under
    /// [`Sharing::Locked`], if its name carries this host and a pid not running here.
    pub fn remove_stale_temporaries(&self, sharing: Sharing) -> Result<usize> {
        let entries = std::fs::read_dir(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        let now = std::time::SystemTime::now();
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(writer) = temporary_writer(&name) else {
                continue;
            };
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| now.duration_since(t).ok())
                .is_some_and(|age| age > ABANDONED_AFTER);
            let dead_here = sharing == Sharing::Locked
                && this_host().is_some_and(|h| writer.host == h)
                && writer.pid.is_some_and(|p| !super::lock::is_alive(p));
            if (old || dead_here) && std::fs::remove_file(entry.path()).is_ok() {
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

/// Who may be writing a results directory's records besides this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    /// This process holds the directory's lock: a temporary of this host whose pid is not
    /// running here was left by a killed sweep.
    Locked,
    /// Shards (on any node, maybe in other pid namespaces) write here too: only age tells
    /// an abandoned temporary.
    Shared,
}

/// A temporary file untouched for this long was abandoned: a record is written and synced in
/// well under a second, even on a slow shared filesystem.
pub const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// The writer a temporary's name records: `.<file>.<host>.<pid>.tmp`.
#[derive(Debug, PartialEq, Eq)]
struct Writer<'a> {
    host: &'a str,
    pid: Option<u32>,
}

/// The writer of temporary file `name`, or `None` if `name` is not a temporary. (Older
/// versions wrote `.<file>.<pid>.tmp`; their "host" then reads as the file's extension,
/// which no host is called, so only their age can make them abandoned.)
fn temporary_writer(name: &str) -> Option<Writer<'_>> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let mut parts = rest.rsplitn(3, '.');
    let pid = parts.next()?.parse().ok();
    let host = parts.next().unwrap_or("");
    Some(Writer { host, pid })
}

/// This machine's host name as temporary names carry it (dots and other punctuation as
/// `_`), or `None` if it cannot be found, in which case no temporary counts as this host's.
fn this_host() -> Option<&'static str> {
    static HOST: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    HOST.get_or_init(|| {
        let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())?;
        let host: String = raw
            .trim()
            .chars()
            .take(64)
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        (!host.is_empty()).then_some(host)
    })
    .as_deref()
}

/// The temporary name `path` is written under: this host and pid, so that another process
/// can tell whether its writer is gone.
fn temporary_path(path: &Path) -> PathBuf {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let host = this_host().unwrap_or("unknown-host");
    path.with_file_name(format!(".{name}.{host}.{}.tmp", std::process::id()))
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = temporary_path(path);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A pid above the kernel's pid_max, so never running.
    const DEAD: u32 = 4_294_967;

    fn touch(dir: &Path, name: &str, age: std::time::Duration) {
        let file = std::fs::File::create(dir.join(name)).unwrap();
        file.set_modified(std::time::SystemTime::now() - age)
            .unwrap();
    }

    fn names(dir: &Path) -> BTreeSet<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect()
    }

    #[test]
    fn temporary_names_carry_host_and_pid() {
        let host = this_host().unwrap_or("unknown-host");
        let tmp = temporary_path(Path::new("/x/runs/abc.json"));
        let name = tmp.file_name().unwrap().to_str().unwrap();
        assert_eq!(name, format!(".abc.json.{host}.{}.tmp", std::process::id()));
        assert_eq!(
            temporary_writer(name),
            Some(Writer {
                host,
                pid: Some(std::process::id())
            })
        );
        assert_eq!(temporary_writer("abc.json"), None);
        assert_eq!(
            temporary_writer(".abc.json.7.tmp").map(|w| w.host),
            Some("json")
        );
    }

    #[test]
    fn only_temporaries_whose_writer_is_provably_gone_are_removed() {
        // Regression: any temporary whose pid was not running *here* was removed, including
        // the in-flight writes of shards on other nodes of a shared results directory.
        let Some(host) = this_host() else {
            // Past the harness's capture, so that the skip shows.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED only_temporaries_whose_writer_is_provably_gone_are_removed: this \
                 machine's host name cannot be read"
            );
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let store = RecordStore::open(dir.path()).unwrap();
        let runs = dir.path().join("runs");
        let fresh = std::time::Duration::ZERO;
        let old = ABANDONED_AFTER + std::time::Duration::from_secs(60);
        let me = std::process::id();
        let dead_here = format!(".a.json.{host}.{DEAD}.tmp");
        let live_here = format!(".b.json.{host}.{me}.tmp");
        let other_node = format!(".c.json.{host}-other-node.{DEAD}.tmp");
        let old_other_node = format!(".d.json.{host}-other-node.{DEAD}.tmp");
        let old_legacy = format!(".e.json.{DEAD}.tmp");
        for (name, age) in [
            (&dead_here, fresh),
            (&live_here, fresh),
            (&other_node, fresh),
            (&old_other_node, old),
            (&old_legacy, old),
            (&"f.json".to_owned(), old),
        ] {
            touch(&runs, name, age);
        }
        // Shards: only age counts.
        assert_eq!(store.remove_stale_temporaries(Sharing::Shared).unwrap(), 2);
        let left = names(&runs);
        assert!(!left.contains(&old_other_node) && !left.contains(&old_legacy));
        assert!(left.contains(&dead_here) && left.contains(&other_node));
        // Under the lock, also this host's dead writers.
        assert_eq!(store.remove_stale_temporaries(Sharing::Locked).unwrap(), 1);
        let want: BTreeSet<String> = [live_here, other_node, "f.json".to_owned()].into();
        assert_eq!(names(&runs), want);
    }
}
