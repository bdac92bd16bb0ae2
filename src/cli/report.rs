//! `sweep report` and `sweep table`: read a results directory, never re-train.

use std::path::{Path, PathBuf};

use super::{ReportArgs, TableArgs, print};
use crate::data;
use crate::error::{Error, Result};
use crate::experiment::Experiment;
use crate::output;
use crate::report::export;
use crate::report::load::Sweep;
use crate::report::{tables, write_report};
use crate::runner::RecordStore;

pub fn execute(args: &ReportArgs) -> Result<i32> {
    let files = rebuild(&args.results)?;
    eprintln!("sweep: wrote:");
    for f in &files {
        eprintln!("  {}", f.display());
    }
    Ok(0)
}

/// Rebuilds a results directory's tables from its run records (when it has them and its
/// resolved `experiment.toml`), then its figures and report from the tables. Without
/// records, the existing tables are used as they are.
pub fn rebuild(dir: &Path) -> Result<Vec<PathBuf>> {
    let resolved = dir.join("experiment.toml");
    let mut files = Vec::new();
    if dir.join("runs").is_dir() && resolved.is_file() {
        let exp = Experiment::load(&resolved)?;
        let data = data::load(&exp.train, &exp.test)?;
        let runs = exp.runs(&data.fingerprint)?;
        let store = RecordStore::existing(dir)?;
        let written = output::write_results(dir, &exp, &runs, &store, &data.fingerprint)?;
        if written.missing > 0 {
            eprintln!(
                "sweep: warning: {} of {} runs have no record yet; the tables hold the other {}",
                written.missing,
                runs.len(),
                written.present
            );
        }
        files.extend(written.files);
    }
    files.extend(write_report(dir)?);
    Ok(files)
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
            eprintln!(
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
