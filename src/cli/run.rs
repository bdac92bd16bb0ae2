//! `sweep run`: train every run of an experiment not saved yet, then rebuild the tables.

use std::io::IsTerminal;
use std::path::Path;

use super::plan::{Prepared, describe, duration};
use super::{RunArgs, print};
use crate::error::{Error, Result};
use crate::experiment::RunSpec;
use crate::output::{self, SUMMARY_METRICS};
use crate::report::{self, load::Sweep, tables};
use crate::runner::lock::Lock;
use crate::runner::record::{Sharing, write_atomic};
use crate::runner::shard::Shard;
use crate::runner::{self, RecordStore, RunnerOptions};

pub fn execute(args: &RunArgs) -> Result<i32> {
    let p = Prepared::load(&args.plan)?;
    if args.dry_run {
        print(&describe(&p)?)?;
        return Ok(0);
    }
    let shard = args
        .shard
        .as_deref()
        .map(|s| Shard::parse(s, |k| std::env::var(k).ok()))
        .transpose()?;
    let store = open_output(&p.out)?;
    // Shards share a directory by design; a whole sweep owns it.
    let _lock = match shard {
        None => Some(Lock::acquire(&p.out, args.wait)?),
        Some(_) => None,
    };
    store.remove_stale_temporaries(match shard {
        None => Sharing::Locked,
        Some(_) => Sharing::Shared,
    })?;
    install_interrupt_handler();
    // Written first, so that shards leave `sweep report` what it needs.
    let resolved = p.exp.resolved_toml(&p.data.fingerprint);
    write_atomic(&p.out.join("experiment.toml"), resolved.as_bytes())?;
    let todo = runs_to_train(&p, &store, shard)?;
    let start = std::time::Instant::now();
    let outcome = runner::train_all(&todo, &p.data, &store, &runner_options(&p, args))?;
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
        None => write_tables(&p, &store)?,
    }
    finish(&outcome)
}

/// The runs of this sweep (or shard) not saved yet, after saying how many there are.
fn runs_to_train(p: &Prepared, store: &RecordStore, shard: Option<Shard>) -> Result<Vec<RunSpec>> {
    let mine = shard.map_or_else(|| p.runs.clone(), |s| s.select(&p.runs));
    let saved = store.ids()?;
    let todo: Vec<_> = mine
        .iter()
        .filter(|r| !saved.contains(&r.id))
        .cloned()
        .collect();
    note!(
        "sweep: {}{}: {} runs, {} already saved in {}, training {} on {} job(s)",
        p.exp.name,
        shard.map_or(String::new(), |s| format!(" shard {s}")),
        mine.len(),
        mine.len() - todo.len(),
        p.out.display(),
        todo.len(),
        p.jobs.min(todo.len().max(1))
    );
    Ok(todo)
}

fn runner_options(p: &Prepared, args: &RunArgs) -> RunnerOptions {
    RunnerOptions {
        jobs: p.jobs,
        progress: !args.quiet && std::io::stderr().is_terminal(),
        experiment: p.exp.name.clone(),
        data: p.data_ref(),
        save_weights: !args.no_weights,
    }
}

/// After a whole sweep: the tables, figures and report, then the short tables on stdout.
fn write_tables(p: &Prepared, store: &RecordStore) -> Result<()> {
    report_unused(p, store)?;
    let written = output::write_results(&p.out, &p.exp, &p.runs, store)?;
    let report = report::write_report(&p.out)?;
    note!("sweep: wrote:");
    for f in written.files.iter().chain(&report) {
        note!("  {}", f.display());
    }
    print(&summary_table(&written.configs))?;
    print_first_config(&p.out)
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

/// Says how many saved records belong to runs the experiment no longer has.
fn report_unused(p: &Prepared, store: &RecordStore) -> Result<()> {
    let wanted: std::collections::HashSet<&str> = p.runs.iter().map(|r| r.id.as_str()).collect();
    let unused = store
        .ids()?
        .iter()
        .filter(|id| !wanted.contains(id.as_str()))
        .count();
    if unused > 0 {
        note!(
            "sweep: {unused} record(s) in {} belong to runs this experiment no longer has; they \
             are kept on disk and left out of the tables (`sweep clean {} --unused` removes them)",
            p.out.join("runs").display(),
            p.out.display()
        );
    }
    Ok(())
}

/// The median table of the first configuration, as the end of a sweep shows it.
fn print_first_config(out: &Path) -> Result<()> {
    let sweep = Sweep::load(out)?;
    if let Some(first) = sweep.configs.first() {
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

/// Creates the output directory, or says why it cannot be used: an input error (exit 2),
/// found before any training.
fn open_output(out: &Path) -> Result<RecordStore> {
    let store = RecordStore::open(out).map_err(|e| {
        Error::Usage(format!(
            "cannot write the output directory {}: {e} (choose another with --out DIR)",
            out.display()
        ))
    })?;
    let probe = out.join(format!(".write-test.{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(|e| {
        Error::Usage(format!(
            "cannot write the output directory {}: {e} (choose another with --out DIR)",
            out.display()
        ))
    })?;
    let _ = std::fs::remove_file(&probe);
    Ok(store)
}

/// A short table of the final test accuracy per configuration.
fn summary_table(configs: &[output::ConfigSummary]) -> String {
    let test_acc = SUMMARY_METRICS
        .iter()
        .position(|m| *m == "final_test_acc")
        .unwrap_or(3);
    let mut s = format!(
        "\n{:<32} {:>5} {:>8} {:>13} {:>12} {:>10}\n",
        "configuration", "seeds", "diverged", "median test acc", "test acc = 1", "median ep."
    );
    for c in configs.iter().filter(|c| c.seeds > 0) {
        let median = c
            .stats(test_acc)
            .map_or("-".into(), |s| format!("{:.3}", s.median));
        let share = c
            .share_test_perfect()
            .map_or("-".into(), |x| format!("{:.0}%", 100.0 * x));
        let first = c
            .median_first_perfect()
            .map_or("never".into(), |e| format!("{e}"));
        s += &format!(
            "{:<32} {:>5} {:>8} {:>15} {:>12} {:>10}\n",
            c.label, c.seeds, c.diverged, median, share, first
        );
    }
    s
}
