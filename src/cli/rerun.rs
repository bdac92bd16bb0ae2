//! `sweep rerun`: re-train one recorded run and say whether every recorded number comes out
//! the same, bit for bit (exit 0 only then).

use super::{RerunArgs, print};
use crate::error::{Error, Result};
use crate::runner::rerun::rerun;
use crate::store::ResultsDir;

pub(super) fn execute(args: &RerunArgs) -> Result<()> {
    let done = rerun(&ResultsDir::open(&args.results)?, &args.run_id)?;
    match done.difference {
        None => {
            print(&format!(
                "run {}: {} epochs re-trained, status {}, every recorded number matches bit for bit\n",
                done.recorded.run_id,
                done.again.metrics.len(),
                done.again.status.name()
            ))?;
            Ok(())
        }
        Some(diff) => Err(Error::Incomplete(format!(
            "run {} does not reproduce: {diff}",
            done.recorded.run_id
        ))),
    }
}
