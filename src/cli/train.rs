//! `sweep train`: one run on the command line, printed as the article prints it.

use super::{TrainArgs, print, warn_all};
use crate::data;
use crate::error::{Error, Result};
use crate::plan::check_fits;
use crate::report::article::epoch_block;
use crate::train::{self, Status};

pub(super) fn execute(args: &TrainArgs) -> Result<()> {
    let settings = args
        .settings
        .params()
        .check()
        .map_err(|e| Error::Usage(format!("{e} (flag --{})", e.field.replace('_', "-"))))?;
    let data = data::load(&args.train, &args.test)?;
    warn_all(&data.warnings);
    check_fits(&settings, &data, 1).map_err(|t| {
        let flag = t.key.name().replace('_', "-");
        Error::Usage(format!("{} (flag --{flag})", t.message))
    })?;
    note!(
        "sweep: {} train / {} test phrases, {} words, {} classes; {} gradient, seed {}",
        data.train.len(),
        data.test.len(),
        data.vocab.len(),
        data.classes.len(),
        settings.gradient,
        args.seed
    );
    let mut write_error = None;
    let result = train::run(&data, &settings, args.seed, |m| {
        if let (None, Some(block)) = (&write_error, epoch_block(m)) {
            write_error = print(&block).err();
        }
    });
    if let Some(e) = write_error {
        return Err(e);
    }
    if let Status::Diverged { epoch } = result.status {
        print(&super::diverged_line(epoch))?;
    }
    Ok(())
}
