//! `sweep report` and `sweep table`: read a results directory, never re-train.

use super::{ReportArgs, TableArgs, diverged_line, print};
use crate::error::{Error, Result};
use crate::report::{self, export, tables};
use crate::store::ResultsDir;
use crate::tables::Sweep;

pub fn execute(args: &ReportArgs) -> Result<i32> {
    let files = report::rebuild(&ResultsDir::at(&args.results), &args.options())?;
    note!("sweep: wrote:");
    for f in &files {
        note!("  {}", f.display());
    }
    Ok(0)
}

pub fn table(args: &TableArgs) -> Result<i32> {
    let sweep = Sweep::load(&args.results)?;
    let table = match (&args.run, &args.config) {
        (Some(id), _) => {
            let run = sweep
                .runs
                .iter()
                .position(|r| &r.run_id == id)
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "{} has no run `{id}` in runs.csv",
                        args.results.display()
                    ))
                })?;
            let diverged = sweep.runs[run].summary.status.diverged_epoch();
            if args.format == "text" {
                // The article's own format, exactly, and the line `sweep train` ends a
                // diverged run with.
                let mut text = tables::run_text(&sweep.curves[run]);
                if let Some(epoch) = diverged {
                    text += &diverged_line(epoch);
                }
                print(&text)?;
                return Ok(0);
            }
            if let Some(epoch) = diverged {
                note!("sweep: run {id} diverged in epoch {epoch}: the table stops before it");
            }
            tables::run_table(&sweep.curves[run])
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
