//! `sweep trace RESULTS --run ID --out DIR`: the files another implementation needs to
//! replay a recorded run exactly.

use super::TraceArgs;
use crate::error::{Error, Result};
use crate::runner::trace;
use crate::store::ResultsDir;

pub(super) fn execute(args: &TraceArgs) -> Result<()> {
    let dir = ResultsDir::open(&args.results)?;
    if !dir.records().ids()?.contains(&args.run) {
        return Err(Error::Usage(format!(
            "{} has no record of run `{}` (see the run_id column of runs.csv)",
            args.results.display(),
            args.run
        )));
    }
    for f in trace::write(&dir, &args.run, &args.out)? {
        note!("sweep: wrote {}", f.display());
    }
    note!(
        "sweep: replay it with `python3 benches/replay.py {} --curves {}`",
        args.out.display(),
        dir.path(crate::store::CURVES).display()
    );
    Ok(())
}
