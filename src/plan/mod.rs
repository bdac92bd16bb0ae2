//! Preparing a sweep: the experiment loaded and checked, its data loaded, its runs expanded
//! and checked, and the memory they need checked, so that everything that can be wrong
//! with the input is found before any training. `sweep run`, `plan` and `slurm` all start
//! here; [`describe`] says what a prepared sweep will do.

mod describe;
mod memory;

use std::path::{Path, PathBuf};

pub(crate) use describe::{describe, duration};
pub(crate) use memory::check_fits;

use crate::data::{self, Dataset};
use crate::error::{Error, Location, Result};
use crate::experiment::{Experiment, LARGE_GRID, Override};
use crate::store::DataRef;
use crate::train::RunSpec;

/// What a sweep is asked to do, as the command line gives it.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub experiment: PathBuf,
    /// `--set` overrides of the experiment file, in order.
    pub overrides: Vec<Override>,
    /// The results directory [default: `results/<name>`].
    pub out: Option<PathBuf>,
    /// Runs trained at once [default: all cores].
    pub jobs: Option<usize>,
    /// Accept a grid of more than [`LARGE_GRID`] runs.
    pub allow_large: bool,
}

/// An experiment with its data loaded and its runs expanded and checked.
pub(crate) struct Prepared {
    pub exp: Experiment,
    pub data: Dataset,
    pub runs: Vec<RunSpec>,
    pub out: PathBuf,
    pub jobs: usize,
}

impl Prepared {
    /// Everything that can be wrong with the input is found here, before any training.
    /// The data set's warnings are in `data.warnings`, for the caller to show.
    pub(crate) fn load(options: &Options) -> Result<Prepared> {
        let exp = Experiment::load_with(&options.experiment, &options.overrides)?;
        let count = exp.run_count();
        if count > LARGE_GRID && !options.allow_large {
            return Err(Error::experiment(
                &exp.path,
                Location::Key("grid".into(), None),
                format!(
                    "the grid has {count} runs (more than {LARGE_GRID}); pass --yes to run it anyway"
                ),
            ));
        }
        check_data_paths(&exp)?;
        let data = data::load(&exp.train, &exp.test)?;
        let runs = exp.runs(&data.fingerprint)?;
        let jobs = options.jobs.unwrap_or_else(default_jobs);
        memory::check_memory(&exp, &data, &runs, jobs)?;
        let out = options
            .out
            .clone()
            .unwrap_or_else(|| Path::new("results").join(&exp.name));
        Ok(Prepared {
            exp,
            data,
            runs,
            out,
            jobs,
        })
    }

    /// Where the data came from, as each run's record keeps it.
    pub(crate) fn data_ref(&self) -> DataRef {
        let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        DataRef {
            train: abs(&self.exp.train),
            test: abs(&self.exp.test),
            fingerprint: self.data.fingerprint.clone(),
        }
    }
}

/// A data file that cannot be read is the experiment's error: it names the key that gave
/// the path. The tutorial's own `data.py` is not in this repository; the message says where
/// it comes from.
fn check_data_paths(exp: &Experiment) -> Result<()> {
    for ((path, origin), role) in [&exp.train, &exp.test]
        .into_iter()
        .zip(&exp.data_origins)
        .zip(["train", "test"])
    {
        let why = match std::fs::metadata(path) {
            Ok(m) if m.is_file() => continue,
            Ok(_) => "it is not a file".to_owned(),
            Err(e) => e.to_string(),
        };
        let hint = if path.file_name().is_some_and(|n| n == "data.py") {
            "`data.py` is the tutorial's own data module, from the tutorial's public repository \
             (MIT licence), not part of this one; put a copy at that path, or point the \
             experiment at one with `--set data.train=PATH --set data.test=PATH`"
        } else {
            "give a .tsv or .csv file with `text` and `label` columns, or a data.py module, \
             relative to the experiment file (or `--set data.KEY=PATH`, relative to here)"
        };
        return Err(Error::experiment(
            &exp.path,
            origin.location(format!("data.{role}")),
            format!("cannot read {}: {why}; {hint}", path.display()),
        ));
    }
    Ok(())
}

/// All cores.
pub(crate) fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
