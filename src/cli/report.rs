//! `sweep report` and `sweep table`: read a results directory, never re-train.

use super::{Format, ReportArgs, TableArgs, diverged_line, print};
use crate::error::{Error, Result};
use crate::report::{self, epoch_tables};
use crate::store::ResultsDir;
use crate::tables::Sweep;

pub(super) fn execute(args: &ReportArgs) -> Result<()> {
    let dir = ResultsDir::at(&args.results);
    let files = report::rebuild_with(&dir, &args.options(), args.curves_csv())?;
    note!("sweep: wrote:");
    for f in &files {
        note!("  {}", f.display());
    }
    Ok(())
}

pub(super) fn table(args: &TableArgs) -> Result<()> {
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
            // Read whole from the curves table: the sweep keeps only some runs' curves.
            let curves = crate::tables::read::run_curves(&args.results, id)?;
            if args.format == Format::Text {
                // The article's own format, exactly, and the line `sweep train` ends a
                // diverged run with.
                let mut text = epoch_tables::run_text(&curves);
                if let Some(epoch) = diverged {
                    text += &diverged_line(epoch);
                }
                print(&text)?;
                return Ok(());
            }
            if let Some(epoch) = diverged {
                note!("sweep: run {id} diverged in epoch {epoch}: the table stops before it");
            }
            epoch_tables::run_table(&curves)
        }
        (None, label) => {
            let config = match label {
                Some(l) => epoch_tables::find_config(&sweep, l).map_err(Error::Usage)?,
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
            epoch_tables::config_table(config)
        }
    };
    let bytes = match args.format.export() {
        None => epoch_tables::text(&table).into_bytes(),
        Some(export) => export.serialize(&table),
    };
    print(&String::from_utf8_lossy(&bytes))?;
    Ok(())
}
