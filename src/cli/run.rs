//! `sweep run`: train every run of an experiment not saved yet, then rebuild the tables,
//! figures and report, and print the short tables.

use std::io::IsTerminal;

use super::{RunArgs, prepare, print};
use crate::error::{Error, Result};
use crate::metric::Metric;
use crate::plan::{self, Prepared, duration};
use crate::report::export::Table;
use crate::report::{self, tables};
use crate::runner::shard::Shard;
use crate::runner::{self, RunnerOptions};
use crate::store::{ResultsDir, Sharing};
use crate::tables::{ConfigSummary, Sweep};

pub fn execute(args: &RunArgs) -> Result<i32> {
    let p = prepare(&args.plan)?;
    if args.dry_run {
        print(&plan::describe(&p))?;
        return Ok(0);
    }
    let shard = args
        .shard
        .as_deref()
        .map(|s| Shard::parse(s, |k| std::env::var(k).ok()))
        .transpose()?;
    let dir = ResultsDir::create(&p.out)?;
    // Shards share a directory by design; a whole sweep owns it.
    let _lock = match shard {
        None => Some(dir.lock(args.wait)?),
        Some(_) => None,
    };
    dir.remove_stale_temporaries(match shard {
        None => Sharing::Locked,
        Some(_) => Sharing::Shared,
    })?;
    dir.set_aside_damaged("its run is trained again")?;
    install_interrupt_handler();
    // Written first, so that shards leave `sweep report` what it needs.
    dir.record_experiment(&p.exp, &p.data.fingerprint)?;
    let start = std::time::Instant::now();
    let outcome = train(&p, &dir, shard, args)?;
    let took = duration(start.elapsed().as_secs_f64());
    if outcome.interrupted {
        note!(
            "sweep: interrupted: {} run(s) finished and saved in this session are kept, {} in \
             flight were dropped; run the same command again to go on",
            outcome.trained,
            outcome.dropped
        );
        return Ok(130);
    }
    note!(
        "sweep: trained {} run(s) in {took} ({} diverged)",
        outcome.trained,
        outcome.diverged
    );
    match shard {
        Some(_) => note!(
            "sweep: when every shard is done, `sweep report {}` builds the tables",
            p.out.display()
        ),
        None => write_tables(&p, &dir)?,
    }
    finish(&outcome)
}

/// Trains what the sweep (or this shard of it) still lacks: every run not saved yet, or a
/// halving search stage by stage.
fn train(
    p: &Prepared,
    dir: &ResultsDir,
    shard: Option<Shard>,
    args: &RunArgs,
) -> Result<runner::Outcome> {
    let options = runner_options(p, args);
    if p.exp.search.halving.is_some() {
        let staged = match (shard, args.stage) {
            (None, _) => None,
            (Some(s), Some(stage)) => Some((s, stage)),
            (Some(_), None) => {
                return Err(Error::Usage(
                    "the shards of a halving search train one stage at a time: add --stage K \
                     (`sweep slurm` writes one array per stage)"
                        .into(),
                ));
            }
        };
        note!(
            "sweep: {}: {} runs, successive halving",
            p.exp.name,
            p.runs.len()
        );
        return runner::train_halving(&p.exp, &p.runs, &p.data, dir.records(), &options, staged);
    }
    if args.stage.is_some() {
        return Err(Error::Usage(
            "--stage applies to successive halving searches only; this experiment has no \
             [search.halving]"
                .into(),
        ));
    }
    let todo = runner::to_train(&p.runs, dir, shard)?;
    note!(
        "sweep: {}{}: {} runs, {} already saved in {}, training {} on {} job(s)",
        p.exp.name,
        shard.map_or(String::new(), |s| format!(" shard {s}")),
        todo.of,
        todo.of - todo.runs.len(),
        p.out.display(),
        todo.runs.len(),
        p.jobs.min(todo.runs.len().max(1))
    );
    runner::train_all(&todo.runs, &p.data, dir.records(), &options)
}

fn runner_options(p: &Prepared, args: &RunArgs) -> RunnerOptions {
    RunnerOptions {
        jobs: p.jobs,
        progress: !args.quiet && std::io::stderr().is_terminal(),
        experiment: p.exp.name.clone(),
        data: p.data_ref(),
        save_weights: !args.no_weights,
        until: None,
    }
}

/// After a whole sweep: the tables, figures and report, then the short tables on stdout.
fn write_tables(p: &Prepared, dir: &ResultsDir) -> Result<()> {
    let unused = dir.unused_records(&p.runs)?.len();
    if unused > 0 {
        note!(
            "sweep: {unused} record(s) in {} belong to runs this experiment no longer has; they \
             are kept on disk and left out of the tables (`sweep clean {} --unused` removes them)",
            dir.records().dir().display(),
            p.out.display()
        );
    }
    let written = crate::tables::write(dir, &p.exp, &p.runs)?;
    let report = report::write_report(dir, &report::Options::default())?;
    note!("sweep: wrote:");
    for f in written.files.iter().chain(&report) {
        note!("  {}", f.display());
    }
    print(&summary_table(&written.configs))?;
    print_first_config(dir)
}

/// Ctrl-C: stop starting runs, drop those in flight, keep what is saved (exit 130). A
/// second Ctrl-C exits at once.
fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        if runner::INTERRUPTED.swap(true, std::sync::atomic::Ordering::Relaxed) {
            std::process::exit(130);
        }
    });
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
            tables::text(&tables::config_table(first))
        ))?;
    }
    Ok(())
}

/// Exit 0 when every run was saved, else the error naming the first that was not.
fn finish(outcome: &runner::Outcome) -> Result<i32> {
    if outcome.failed.is_empty() {
        Ok(0)
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
    let mut out = format!("\n{}", tables::text(&t));
    if shown.len() > SHOWN {
        out += &format!(
            "... and {} more configurations in summary.csv\n",
            shown.len() - SHOWN
        );
    }
    out
}
