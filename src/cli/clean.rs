//! `sweep clean RESULTS --unused`: remove the records of runs that the directory's
//! experiment (its `experiment.toml`, as the last `sweep run` resolved it) no longer has.
//! Nothing is ever removed without this command.

use super::CleanArgs;
use super::report::{Recorded, rebuild};
use crate::error::{Error, Result};
use crate::runner::RecordStore;
use crate::runner::lock::Lock;

pub fn execute(args: &CleanArgs) -> Result<i32> {
    let store = RecordStore::existing(&args.results)?;
    let _lock = Lock::acquire(&args.results, false)?;
    let resolved = args.results.join("experiment.toml");
    if !resolved.is_file() {
        return Err(Error::Usage(format!(
            "{} has no experiment.toml, so which runs are unused is unknown",
            args.results.display()
        )));
    }
    // Over the recorded data fingerprint: data edited since the sweep must not make every
    // record look unused.
    let wanted: std::collections::HashSet<String> = Recorded::load(&args.results)?
        .runs
        .into_iter()
        .map(|r| r.id)
        .collect();
    let (kept, unused): (Vec<String>, Vec<String>) =
        store.ids()?.into_iter().partition(|id| wanted.contains(id));
    for id in &unused {
        store.remove(id)?;
    }
    // Kept are the records left on disk, not the experiment's runs (some may be unsaved).
    note!(
        "sweep: removed {} unused record(s) from {}; {} kept",
        unused.len(),
        args.results.display(),
        kept.len()
    );
    rebuild(&args.results)?;
    Ok(0)
}
