//! `sweep merge OUT DIR...`: gather the run records of shards written to separate results
//! directories into one, then rebuild its tables, figures and report.

use super::MergeArgs;
use crate::error::Result;
use crate::report;
use crate::store;

pub(super) fn execute(args: &MergeArgs) -> Result<()> {
    let (dir, merged) = store::merge(&args.out, &args.dirs)?;
    note!(
        "sweep: merged {merged} new record(s) from {} directories into {}",
        args.dirs.len(),
        args.out.display()
    );
    for f in report::rebuild(&dir, &report::Options::default())? {
        note!("  {}", f.display());
    }
    Ok(())
}
