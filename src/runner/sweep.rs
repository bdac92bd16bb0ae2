//! A whole sweep, as `sweep run` does it: own the results directory (lock, stale
//! temporaries, damaged records set aside), record the experiment, rewrite the weights files
//! that cannot be used, train what is not saved yet (a halving search stage by stage), then
//! rebuild the tables and draw the report. The command line only turns its flags into
//! [`SweepOptions`] and prints what [`run`] returns.

use std::path::PathBuf;
use std::time::Instant;

use super::shard::Shard;
use super::{INTERRUPTED, Outcome, RunnerOptions, to_train, train_all, train_staged};
use crate::error::{Error, Result};
use crate::plan::{Prepared, duration};
use crate::report;
use crate::store::{ResultsDir, Sharing, WEIGHTS_KEPT_UP_TO, lock};
use crate::tables::{self, Written};

/// How to run a prepared sweep.
#[derive(Debug, Clone)]
pub(crate) struct SweepOptions {
    /// This process trains one shard of the runs (sharing the directory with the others).
    pub shard: Option<Shard>,
    /// The stage a shard of a halving search trains.
    pub stage: Option<usize>,
    /// Wait for another sweep's lock on the directory instead of refusing.
    pub wait: bool,
    pub progress: bool,
    pub save_weights: bool,
}

/// What a finished sweep did and wrote.
#[derive(Debug)]
pub(crate) struct Finished {
    pub outcome: Outcome,
    /// The tables and the report's files; `None` for a shard (`sweep report` builds them
    /// once every shard is done).
    pub written: Option<(Written, Vec<PathBuf>)>,
}

/// Trains what the sweep `p` still lacks and writes its tables and report. Returns
/// [`Error::Interrupted`] after Ctrl-C (saved runs are kept) and [`Error::Incomplete`] when
/// some run could not be saved (the tables are written all the same).
pub(crate) fn run(p: &Prepared, options: &SweepOptions) -> Result<Finished> {
    let dir = ResultsDir::create(&p.out)?;
    // Shards share a directory by design; a whole sweep owns it.
    let _lock = match options.shard {
        None => Some(dir.lock(options.wait)?),
        Some(_) => None,
    };
    dir.remove_stale_temporaries(match options.shard {
        None => Sharing::Locked,
        Some(_) => Sharing::Shared,
    })?;
    dir.set_aside_damaged("its run is trained again")?;
    let converted = dir.records().convert_files()?;
    if converted > 0 {
        note!(
            "sweep: moved the {converted} per-run record file(s) of an older sweep in {} into \
             one record log (the records are unchanged)",
            dir.records().dir().display()
        );
    }
    install_interrupt_handler();
    // Written first, so that shards leave `sweep report` what it needs.
    dir.record_experiment(&p.exp, &p.data.fingerprint)?;
    let start = Instant::now();
    let repaired = repair_weights(p, &dir, options)?;
    let mut outcome = if repaired.interrupted {
        Outcome::default()
    } else {
        train(p, &dir, options)?
    };
    // Counted apart: their records were already saved.
    let rewritten = repaired.trained;
    outcome.add(Outcome {
        trained: 0,
        ..repaired
    });
    let seconds = start.elapsed().as_secs_f64();
    if outcome.interrupted {
        return Err(Error::Interrupted {
            saved: outcome.trained,
            dropped: outcome.dropped,
        });
    }
    let rewritten = match rewritten {
        0 => String::new(),
        n => format!(", and re-trained {n} to rewrite their weights"),
    };
    note!(
        "sweep: trained {} run(s) in {} ({} diverged){rewritten}",
        outcome.trained,
        duration(seconds),
        outcome.diverged
    );
    let written = match options.shard {
        Some(_) => {
            note!(
                "sweep: when every shard is done, `sweep report {}` builds the tables",
                p.out.display()
            );
            None
        }
        None => Some(write_tables(p, &dir, options)?),
    };
    Ok(Finished { outcome, written })
}

/// After a whole sweep: the tables, then the figures and report, then the weights of the
/// runs the report names where the sweep is too large to keep every run's.
fn write_tables(
    p: &Prepared,
    dir: &ResultsDir,
    options: &SweepOptions,
) -> Result<(Written, Vec<PathBuf>)> {
    let unused = dir.unused_records(&p.runs)?.len();
    if unused > 0 {
        note!(
            "sweep: {unused} record(s) in {} belong to runs this experiment no longer has; they \
             are kept on disk and left out of the tables (`sweep clean {} --unused` removes them)",
            dir.records().dir().display(),
            p.out.display()
        );
    }
    let written = tables::write(dir, &p.exp, &p.runs)?;
    dir.records().forget();
    release_freed_memory();
    let (drawn, named) = report::write_report_naming(dir, &report::Options::default())?;
    if options.save_weights && !keeps_weights(p, options) {
        keep_named_weights(p, dir, options, &named)?;
    }
    Ok((written, drawn))
}

/// Hands the memory the tables were built in back to the system before the report is
/// drawn: a million records' index and ids are many small allocations, which glibc keeps
/// in the process after they are freed (the report of a million runs then peaked 164 MB
/// higher inside `sweep run` than on its own).
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap memory to the system; it has no
    // preconditions and touches no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Writes the weights of the runs the report names ([`report::named_runs`]: the first seeds
/// of its best configurations, the article's, those asked for), re-trained from their seeds.
fn keep_named_weights(
    p: &Prepared,
    dir: &ResultsDir,
    options: &SweepOptions,
    named: &[String],
) -> Result<()> {
    let saved = dir.records().ids()?;
    let wanted: std::collections::HashSet<&str> = named
        .iter()
        .filter(|id| saved.contains(*id))
        .map(String::as_str)
        .collect();
    let runs: Vec<_> = p
        .runs
        .iter()
        .filter(|r| wanted.contains(r.id.as_str()))
        .cloned()
        .collect();
    let runner = RunnerOptions {
        save_weights: true,
        ..runner_options(p, options)
    };
    let outcome = super::reweigh::fill(&runs, &p.data, dir.records(), &runner)?;
    if outcome.trained > 0 {
        note!(
            "sweep: kept the weights of {} run(s) of the configurations the report names (a \
             sweep of more than {WEIGHTS_KEPT_UP_TO} runs keeps no others; `predict` and \
             `trace` re-train any run)",
            outcome.trained
        );
    }
    match outcome.failed.into_iter().next() {
        Some((_, e)) => Err(e),
        None => Ok(()),
    }
}

/// Unless weights are off, rewrites the weights files of the recorded runs of the sweep (or
/// of this shard's share) that cannot be used ([`super::reweigh`]).
fn repair_weights(p: &Prepared, dir: &ResultsDir, options: &SweepOptions) -> Result<Outcome> {
    if !keeps_weights(p, options) {
        return Ok(Outcome::default());
    }
    let mine = options
        .shard
        .map_or_else(|| p.runs.clone(), |s| s.select(&p.runs));
    super::reweigh::repair(&mine, &p.data, dir.records(), &runner_options(p, options))
}

/// The options every run of the sweep `p` is trained with.
fn runner_options(p: &Prepared, options: &SweepOptions) -> RunnerOptions {
    RunnerOptions {
        jobs: p.jobs,
        progress: options.progress,
        experiment: p.exp.name.clone(),
        data: p.data_ref(),
        save_weights: keeps_weights(p, options),
        until: None,
    }
}

/// Whether the runs' final weights are written: unless `--no-weights`, for sweeps of up to
/// [`WEIGHTS_KEPT_UP_TO`] runs; beyond, `predict` and `trace` re-train a run to get them.
fn keeps_weights(p: &Prepared, options: &SweepOptions) -> bool {
    options.save_weights && p.runs.len() <= WEIGHTS_KEPT_UP_TO
}

/// Trains what the sweep (or this shard of it) still lacks: every run not saved yet, or a
/// halving search stage by stage.
fn train(p: &Prepared, dir: &ResultsDir, options: &SweepOptions) -> Result<Outcome> {
    let runner = runner_options(p, options);
    let staged_search = match (&p.exp.search.halving, &p.exp.search.race) {
        (Some(_), _) => Some("successive halving"),
        (None, Some(_)) => Some("a race over seeds"),
        (None, None) => None,
    };
    if let Some(method) = staged_search {
        let staged = match (options.shard, options.stage) {
            (None, _) => None,
            (Some(s), Some(stage)) => Some((s, stage)),
            (Some(_), None) => {
                return Err(Error::Usage(format!(
                    "the shards of {method} train one stage at a time: add --stage K \
                     (`sweep slurm` writes one array per stage)"
                )));
            }
        };
        note!("sweep: {}: {} runs, {method}", p.exp.name, p.runs.len());
        return train_staged(&p.exp, &p.runs, &p.data, dir.records(), &runner, staged);
    }
    if options.stage.is_some() {
        return Err(Error::Usage(
            "--stage applies to successive halving searches and races only; this experiment \
             has no [search.halving] or [search.race]"
                .into(),
        ));
    }
    let todo = to_train(&p.runs, dir, options.shard)?;
    note!(
        "sweep: {}{}: {} runs, {} already saved in {}, training {} on {} job(s)",
        p.exp.name,
        options
            .shard
            .map_or(String::new(), |s| format!(" shard {s}")),
        todo.of,
        todo.of - todo.runs.len(),
        p.out.display(),
        todo.runs.len(),
        p.jobs.min(todo.runs.len().max(1))
    );
    train_all(&todo.runs, &p.data, dir.records(), &runner)
}

/// Ctrl-C: stop starting runs, drop those in flight, keep what is saved (exit 130). A
/// second Ctrl-C exits at once, releasing the directory's lock first.
fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, std::sync::atomic::Ordering::Relaxed) {
            lock::release_held();
            std::process::exit(130);
        }
    });
}
