//! The store: a results directory, owned by [`ResultsDir`]: its layout, the lock, the
//! per-run records and weights, the recorded experiment and its data fingerprint, merging
//! and cleaning, the temporaries of its one atomic writer, and never writing through a
//! planted link ([`safe`]). The tables rebuilt from the records are [`crate::tables`]'.
//!
//! ```text
//! results/<name>/
//!   experiment.toml   the experiment as resolved, with the data fingerprint (which runs)
//!   runs/*.log        the records of the finished runs, one log per writer: the source
//!                     of truth (runs/<id>.json in directories of older sweeps)
//!   runs/<id>.safetensors  a run's final weights, where kept (see [`WEIGHTS_KEPT_UP_TO`])
//!   runs.csv curves.parquet curves.csv summary.csv timings.csv    rebuilt from the records
//!   report.md report.html plots/  drawn from the tables (crate::report)
//! ```

pub(crate) mod atomic;
mod codec;
mod index;
pub(crate) mod lock;
mod log;
mod merge;
pub(crate) mod record;
pub(crate) mod records;
pub(crate) mod safe;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

pub use atomic::Sharing;
pub use lock::{Held, Lock, held};
pub use merge::merge;
pub use record::{DataRef, RunRecord};
pub use records::{BadWeights, Damaged, RecordStore};

use crate::data;
use crate::error::{Error, Location, Result};
use crate::experiment::{Experiment, recorded_fingerprint};
use crate::train::RunSpec;

/// The files of a results directory, by name.
pub const EXPERIMENT: &str = "experiment.toml";
pub const RUNS: &str = "runs.csv";
pub const CURVES: &str = "curves.csv";
pub const CURVES_PARQUET: &str = "curves.parquet";
pub const SUMMARY: &str = "summary.csv";
pub const TIMINGS: &str = "timings.csv";
pub const COMPARISONS: &str = "comparisons.csv";
pub const REPORT: &str = "report.md";
/// The same report as one self-contained, interactive page.
pub const REPORT_HTML: &str = "report.html";
/// Folders it writes into, besides its root and `runs/`.
pub const PLOTS: &str = "plots";
pub const SLURM: &str = "slurm";

/// Sweeps of up to this many runs keep every run's final weights, a file per run beside
/// the logs: at most a thousand files and, for the article's H = 64, about 43 MB. Past it
/// they are a cache not filled: a run re-trains from its seed, bit for bit, in well under
/// a second (`predict` and `trace` do so, and say it), where a million weights files would
/// be the file count the logs avoid and 43 GB.
pub const WEIGHTS_KEPT_UP_TO: usize = 1000;

/// Past [`WEIGHTS_KEPT_UP_TO`] runs, the weights of this many runs (the first seeds) of
/// each configuration the report names are kept: the runs one would `predict` with, a few
/// dozen files however many seeds a configuration has.
pub const NAMED_WEIGHTS_PER_CONFIG: usize = 10;

/// A results directory.
#[derive(Debug, Clone)]
pub struct ResultsDir {
    root: PathBuf,
    records: RecordStore,
}

impl ResultsDir {
    /// Creates the directory (and `runs/`) for a sweep to write, or says why it cannot be
    /// used: an input error (exit 2), found before any training.
    pub fn create(root: &Path) -> Result<ResultsDir> {
        let unusable = |e: &dyn std::fmt::Display| {
            Error::Usage(format!(
                "cannot write the output directory {}: {e} (choose another with --out DIR)",
                root.display()
            ))
        };
        // A link or a file where `runs/` goes is named as such (safe::dir's message).
        let records = RecordStore::open(root).map_err(|e| match e {
            Error::Usage(_) => e,
            e => unusable(&e),
        })?;
        // Creating a folder can succeed where writing in it fails (a read-only mount). A new
        // file: never one opened through a link planted at the (guessable) name.
        let probe = root.join(format!(".write-test.{}", std::process::id()));
        drop(safe::create_new(&probe).map_err(|e| match e {
            Error::Usage(_) => e,
            e => unusable(&e),
        })?);
        let _ = std::fs::remove_file(&probe);
        Ok(ResultsDir {
            root: root.to_path_buf(),
            records,
        })
    }

    /// An existing results directory (one with `runs/`), creating nothing.
    pub fn open(root: &Path) -> Result<ResultsDir> {
        Ok(ResultsDir {
            root: root.to_path_buf(),
            records: RecordStore::existing(root)?,
        })
    }

    /// A directory that may hold only tables (no records), as the repository keeps the
    /// baseline's: for reading and reporting.
    pub fn at(root: &Path) -> ResultsDir {
        ResultsDir {
            root: root.to_path_buf(),
            records: RecordStore::at(root),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path of one of its files ([`RUNS`], [`REPORT`], ...).
    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    pub fn records(&self) -> &RecordStore {
        &self.records
    }

    /// Whether it has records and the experiment they belong to.
    pub fn has_records(&self) -> bool {
        self.records.dir().is_dir() && self.path(EXPERIMENT).is_file()
    }

    /// Moves records that cannot be read into `runs/damaged/` (never deleting them), so
    /// that their runs count as missing, and warns once for each, saying what `then`
    /// happens to the run. Returns how many were set aside.
    pub fn set_aside_damaged(&self, then: &str) -> Result<usize> {
        if !safe::existing_dir(self.records.dir())? {
            return Ok(0);
        }
        let damaged = self.records.set_aside_damaged()?;
        for d in &damaged {
            note!(
                "sweep: warning: {} could not be read ({}); moved it to {}; {then}",
                d.what,
                d.why,
                d.to.display()
            );
        }
        Ok(damaged.len())
    }

    /// Takes the directory's lock (one sweep per directory); see [`Lock`].
    pub fn lock(&self, wait: bool) -> Result<Lock> {
        Lock::acquire(&self.root, wait)
    }

    /// Removes the temporaries that writers now gone left anywhere it writes. A link in
    /// place of one of its folders is refused (before any training), not followed to remove
    /// files elsewhere.
    pub fn remove_stale_temporaries(&self, sharing: Sharing) -> Result<usize> {
        let mut removed = atomic::remove_stale(&self.root, sharing)?;
        for dir in [
            self.records.dir().to_path_buf(),
            self.path(PLOTS),
            self.path(SLURM),
        ] {
            if safe::existing_dir(&dir)? {
                removed += atomic::remove_stale(&dir, sharing)?;
            }
        }
        Ok(removed)
    }

    /// Writes `experiment.toml`: `exp` resolved, with the fingerprint of its data, so that
    /// shards and later rebuilds know which runs the directory holds.
    pub fn record_experiment(&self, exp: &Experiment, fingerprint: &str) -> Result<()> {
        atomic::write(
            &self.path(EXPERIMENT),
            exp.resolved_toml(fingerprint).as_bytes(),
        )
    }

    /// What its own `experiment.toml` says its runs are.
    pub fn recorded(&self) -> Result<Recorded> {
        let path = self.path(EXPERIMENT);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Error::experiment(
                &path,
                Location::File,
                format!("cannot read the experiment file: {e}"),
            )
        })?;
        let exp = Experiment::from_text(&path, &text)?;
        let fingerprint = match recorded_fingerprint(&text) {
            Some(f) => f.to_owned(),
            // Not written by `sweep run` (which always records it): the data as it is now.
            None => data::load(&exp.train, &exp.test)?.fingerprint,
        };
        let runs = exp.runs(&fingerprint)?;
        Ok(Recorded {
            exp,
            fingerprint,
            runs,
        })
    }

    pub fn refuse_if_no_record_matches(&self, recorded: &Recorded) -> Result<()> {
        let saved = self.records.ids()?;
        if recorded.runs.iter().any(|r| saved.contains(&r.id)) {
            return Ok(());
        }
        Err(Error::experiment(
            &self.path(EXPERIMENT),
            Location::File,
            format!(
                "none of its {} run(s) (over data fingerprint {}) has a record among the {} \
                 in {}, so the tables were left as they are; `sweep run` on the experiment \
                 trains them",
                recorded.runs.len(),
                recorded.fingerprint,
                saved.len(),
                self.records.dir().display(),
            ),
        ))
    }

    /// Ids of the saved records that belong to none of `runs`.
    pub fn unused_records(&self, runs: &[RunSpec]) -> Result<Vec<String>> {
        let wanted: HashSet<&str> = runs.iter().map(|r| r.id.as_str()).collect();
        Ok(self
            .records
            .ids()?
            .into_iter()
            .filter(|id| !wanted.contains(id.as_str()))
            .collect())
    }

    /// Removes the records of runs its recorded experiment no longer has (over the recorded
    /// data fingerprint: data edited since must not make every record look unused).
    /// Returns how many were removed and how many records are left.
    pub fn remove_unused(&self) -> Result<(usize, usize)> {
        if !self.path(EXPERIMENT).is_file() {
            return Err(Error::Usage(format!(
                "{} has no {EXPERIMENT}, so which runs are unused is unknown",
                self.root.display()
            )));
        }
        let unused: BTreeSet<String> = self
            .unused_records(&self.recorded()?.runs)?
            .into_iter()
            .collect();
        self.records.remove_all(&unused)?;
        Ok((unused.len(), self.records.ids()?.len()))
    }
}

/// What a results directory's own `experiment.toml` says its runs are.
pub struct Recorded {
    pub exp: Experiment,
    /// The data fingerprint the sweep recorded, not that of the data files as they are now:
    /// data edited after the sweep must not orphan the records made from the old data.
    pub fingerprint: String,
    /// Every run of the recorded grid, with ids over [`Recorded::fingerprint`].
    pub runs: Vec<RunSpec>,
}
