//! `sweep report` and `sweep table`: read a results directory, never re-train.

use std::path::{Path, PathBuf};

use super::{ReportArgs, TableArgs, print};
use crate::data;
use crate::error::{Error, Location, Result};
use crate::experiment::{Experiment, RunSpec};
use crate::output;
use crate::report::export;
use crate::report::load::Sweep;
use crate::report::{tables, write_report};
use crate::runner::RecordStore;

pub fn execute(args: &ReportArgs) -> Result<i32> {
    let files = rebuild(&args.results)?;
    note!("sweep: wrote:");
    for f in &files {
        note!("  {}", f.display());
    }
    Ok(0)
}

/// Rebuilds a results directory's tables from its run records (when it has them and its
/// resolved `experiment.toml`), then its figures and report from the tables. Without
/// records, the existing tables are used as they are.
pub fn rebuild(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if dir.join("runs").is_dir() && dir.join("experiment.toml").is_file() {
        let recorded = Recorded::load(dir)?;
        let store = RecordStore::existing(dir)?;
        refuse_if_no_record_matches(dir, &recorded, &store)?;
        let written = output::write_results(dir, &recorded.exp, &recorded.runs, &store)?;
        if written.missing > 0 {
            note!(
                "sweep: warning: {} of {} runs have no record yet; the tables hold the other {}",
                written.missing,
                recorded.runs.len(),
                written.present
            );
        }
        files.extend(written.files);
    }
    files.extend(write_report(dir)?);
    Ok(files)
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

impl Recorded {
    pub fn load(dir: &Path) -> Result<Recorded> {
        let path = dir.join("experiment.toml");
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
}

/// The data fingerprint in the comment line that [`Experiment::resolved_toml`] writes.
fn recorded_fingerprint(text: &str) -> Option<&str> {
    text.lines()
        .find_map(|l| l.strip_prefix(FINGERPRINT_COMMENT))
        .map(str::trim)
        .filter(|f| !f.is_empty())
}

const FINGERPRINT_COMMENT: &str = "# data fingerprint (sha256 of the encoded data):";

/// Tables rebuilt from no record at all would replace good tables with empty ones: refuse.
fn refuse_if_no_record_matches(dir: &Path, recorded: &Recorded, store: &RecordStore) -> Result<()> {
    let saved = store.ids()?;
    if recorded.runs.iter().any(|r| saved.contains(&r.id)) {
        return Ok(());
    }
    Err(Error::experiment(
        &dir.join("experiment.toml"),
        Location::File,
        format!(
            "none of its {} run(s) (over data fingerprint {}) has a record among the {} in {}, \
             so the tables were left as they are; `sweep run` on the experiment trains them",
            recorded.runs.len(),
            recorded.fingerprint,
            saved.len(),
            dir.join("runs").display(),
        ),
    ))
}

pub fn table(args: &TableArgs) -> Result<i32> {
    let sweep = Sweep::load(&args.results)?;
    let text_only_run = args.run.is_some() && args.format == "text";
    let table = match (&args.run, &args.config) {
        (Some(id), _) => {
            let run = sweep.runs.iter().find(|r| &r.run_id == id).ok_or_else(|| {
                Error::Usage(format!(
                    "{} has no run `{id}` in runs.csv",
                    args.results.display()
                ))
            })?;
            if text_only_run {
                // The article's own format, exactly.
                print(&tables::run_text(run))?;
                return Ok(0);
            }
            tables::run_table(run)
        }
        (None, label) => {
            let config = match label {
                Some(l) => tables::find_config(&sweep, l).map_err(Error::Usage)?,
                None => sweep
                    .configs
                    .first()
                    .ok_or_else(|| Error::Usage("runs.csv has no runs".into()))?,
            };
            note!(
                "sweep: {} over {} seed(s): median [25%, 75%]",
                config.label,
                config.runs.len()
            );
            tables::config_table(config)
        }
    };
    let bytes = match args.format.as_str() {
        "text" => tables::text(&table).into_bytes(),
        name => export::by_name(name)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "unknown format `{name}`; allowed: text, csv, markdown, json"
                ))
            })?
            .serialize(&table),
    };
    print(&String::from_utf8_lossy(&bytes))?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_resolved_toml_writes_reads_back() {
        let text = "[data]\ntrain = \"a.tsv\"\ntest = \"b.tsv\"\n";
        let exp = Experiment::from_text(Path::new("x.toml"), text).unwrap();
        let resolved = exp.resolved_toml("0123abcd");
        assert_eq!(recorded_fingerprint(&resolved), Some("0123abcd"));
        assert_eq!(recorded_fingerprint(text), None);
    }
}
