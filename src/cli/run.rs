//! `sweep run`: its flags turned into [`SweepOptions`], the sweep run by the library
//! ([`crate::runner::sweep`]), and the short tables printed.

use std::io::IsTerminal;

use super::{RunArgs, prepare, print};
use crate::error::{Error, Result};
use crate::metric::Metric;
use crate::plan;
use crate::report::epoch_tables;
use crate::report::export::Table;
use crate::runner;
use crate::runner::shard::Shard;
use crate::runner::sweep::{self, SweepOptions};
use crate::store::ResultsDir;
use crate::tables::{ConfigSummary, Sweep};

pub(super) fn execute(args: &RunArgs) -> Result<()> {
    let p = prepare(&args.plan)?;
    if args.dry_run {
        return print(&plan::describe(&p));
    }
    let shard = args
        .shard
        .as_deref()
        .map(|s| Shard::parse(s, |k| std::env::var(k).ok()))
        .transpose()?;
    let options = SweepOptions {
        shard,
        stage: args.stage,
        wait: args.wait,
        progress: !args.quiet && std::io::stderr().is_terminal(),
        save_weights: !args.no_weights,
    };
    let finished = sweep::run(&p, &options)?;
    if let Some((written, drawn)) = &finished.written {
        note!("sweep: wrote:");
        for f in written.files.iter().chain(drawn) {
            note!("  {}", f.display());
        }
        print(&summary_table(&written.configs))?;
        print_first_config(&ResultsDir::at(&p.out))?;
    }
    finish(&finished.outcome)
}

/// The median table of the first configuration, as the end of a sweep shows it.
fn print_first_config(dir: &ResultsDir) -> Result<()> {
    let sweep = Sweep::load(dir.root())?;
    // The first configuration that trained in full (not one halving stopped).
    if let Some(first) = sweep.configs.iter().find(|c| !c.summary.all_pruned()) {
        print(&format!(
            "\n{}: median [25%, 75%] over {} seed(s)\n{}",
            first.label,
            first.runs.len(),
            epoch_tables::text(&epoch_tables::config_table(first))
        ))?;
    }
    Ok(())
}

/// Ok when every run was saved, else the error naming the first that was not.
fn finish(outcome: &runner::Outcome) -> Result<()> {
    if outcome.failed.is_empty() {
        Ok(())
    } else {
        Err(Error::Incomplete(format!(
            "{} run(s) could not be saved (first: {}); the others are saved, run again to retry",
            outcome.failed.len(),
            outcome.failed[0].1
        )))
    }
}

/// Configurations the table printed after a sweep shows at most (summary.csv has all).
const SHOWN: usize = 20;

/// A short table of the final test accuracy per configuration.
fn summary_table(configs: &[ConfigSummary]) -> String {
    let mut t = Table::new(&[
        "configuration",
        "seeds",
        "diverged",
        "pruned",
        "median test acc",
        "test acc = 1",
        "median epoch at train acc = 1",
    ]);
    let shown: Vec<&ConfigSummary> = configs.iter().filter(|c| c.runs() > 0).collect();
    for c in shown.iter().take(SHOWN) {
        let figure = |m: Metric, x: Option<f64>| x.map_or("-".into(), |x| m.format(x));
        t.rows.push(vec![
            c.label.clone(),
            c.runs().to_string(),
            c.diverged.to_string(),
            c.pruned.to_string(),
            figure(
                Metric::FinalTestAcc,
                c.stats(Metric::FinalTestAcc).map(|s| s.median),
            ),
            figure(Metric::TestAcc1, c.share(Metric::TestAcc1)),
            figure(
                Metric::FirstEpochTrainAcc1,
                c.median_epoch(Metric::FirstEpochTrainAcc1),
            ),
        ]);
    }
    let mut out = format!("\n{}", epoch_tables::text(&t));
    if shown.len() > SHOWN {
        out += &format!(
            "... and {} more configurations in summary.csv\n",
            shown.len() - SHOWN
        );
    }
    out
}
