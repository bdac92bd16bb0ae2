//! `sweep clean RESULTS --unused`: remove the records of runs that the directory's
//! experiment (its `experiment.toml`, as the last `sweep run` resolved it) no longer has.
//! Nothing is ever removed without this command.

use super::CleanArgs;
use crate::error::Result;
use crate::report;
use crate::store::ResultsDir;

pub(super) fn execute(args: &CleanArgs) -> Result<()> {
    let dir = ResultsDir::open(&args.results)?;
    let _lock = dir.lock(false)?;
    let (removed, kept) = dir.remove_unused()?;
    // Kept are the records left on disk, not the experiment's runs (some may be unsaved).
    note!(
        "sweep: removed {removed} unused record(s) from {}; {kept} kept",
        args.results.display(),
    );
    report::rebuild(&dir, &report::Options::default())?;
    Ok(())
}
