//! `sweep report` and `sweep table`: read a results directory, never re-train.

use super::{ReportArgs, TableArgs, print};
use crate::error::{Error, Result};
use crate::report::export;
use crate::report::load::Sweep;
use crate::report::{tables, write_report};

pub fn execute(args: &ReportArgs) -> Result<i32> {
    let files = write_report(&args.results)?;
    eprintln!("sweep: wrote {} figure(s) and the report:", files.len() - 1);
    for f in &files {
        eprintln!("  {}", f.display());
    }
    Ok(0)
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
