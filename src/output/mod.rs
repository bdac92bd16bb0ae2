//! The result tables of a sweep, rebuilt from the per-run records in grid order:
//! `runs.csv`, `curves.csv`, `summary.csv` and `timings.csv`. (`experiment.toml` is not one
//! of them: `sweep run` writes it once, before training, and rebuilding reads it.)
//!
//! All but `timings.csv` depend only on the records' deterministic fields, so they are
//! byte-identical whatever the number of jobs, the order runs finished in, or how often the
//! sweep was interrupted. The records are streamed one at a time, never all held at once.

mod csvfile;
pub mod label;
pub mod stats;
mod summary;

use std::path::{Path, PathBuf};

pub use csvfile::CsvFile;
pub use summary::{
    ConfigSummary, FINAL_TEST_ACC, FINAL_TRAIN_LOSS, SUMMARY_METRICS, counted_finals,
};

use crate::error::Result;
use crate::experiment::{Experiment, Key, RunSpec};
use crate::runner::{RecordStore, RunRecord};
use crate::train::{RunSummary, Status, fmt_f64};

/// What [`write_results`] wrote.
#[derive(Debug)]
pub struct Written {
    pub files: Vec<PathBuf>,
    /// Runs of the grid with a record.
    pub present: usize,
    /// Runs of the grid without one (not trained yet, or failed to save).
    pub missing: usize,
    pub configs: Vec<ConfigSummary>,
}

const RUN_COLUMNS: [&str; 9] = [
    "status",
    "diverged_epoch",
    "final_train_loss",
    "final_train_acc",
    "final_test_loss",
    "final_test_acc",
    "best_test_acc",
    "first_epoch_train_acc_1",
    "epochs_run",
];

/// Rebuilds every table of `out` from the records of `runs`.
pub fn write_results(
    out: &Path,
    exp: &Experiment,
    runs: &[RunSpec],
    store: &RecordStore,
) -> Result<Written> {
    let mut header = vec!["run_id", "config"];
    header.extend(Key::ALL.iter().map(|k| k.name()));
    header.extend(RUN_COLUMNS);
    let mut runs_csv = CsvFile::create(&out.join("runs.csv"), &header)?;
    let mut curves_csv = CsvFile::create(
        &out.join("curves.csv"),
        &[
            "run_id",
            "epoch",
            "train_loss",
            "train_acc",
            "test_loss",
            "test_acc",
        ],
    )?;
    let mut timings_csv = CsvFile::create(&out.join("timings.csv"), &["run_id", "wall_ms"])?;
    let available = store.ids()?;
    let seeds = exp.axis(Key::Seed).values.len();
    let mut configs = configurations(exp, runs, seeds);
    let mut present = 0;
    for spec in runs {
        if !available.contains(&spec.id) {
            continue;
        }
        let record = store.load(&spec.id)?;
        present += 1;
        let summary = record.summary();
        let config = &mut configs[spec.index / seeds];
        runs_csv.row(&run_row(&config.label, &record, &summary))?;
        for row in curve_rows(&record) {
            curves_csv.row(&row)?;
        }
        timings_csv.row(&[record.run_id.clone(), format!("{:.3}", record.wall_ms)])?;
        config.add(&summary);
    }
    let mut files = vec![
        runs_csv.commit()?,
        curves_csv.commit()?,
        timings_csv.commit()?,
    ];
    files.push(summary::write(&out.join("summary.csv"), &configs)?);
    Ok(Written {
        files,
        present,
        missing: runs.len() - present,
        configs,
    })
}

/// The configurations of the grid `runs` (every `seeds` runs, in grid order), with no run
/// added yet and labels that tell them apart.
fn configurations(exp: &Experiment, runs: &[RunSpec], seeds: usize) -> Vec<ConfigSummary> {
    let firsts: Vec<&RunSpec> = runs.iter().step_by(seeds).collect();
    let mut labels: Vec<String> = firsts.iter().map(|s| exp.label(&s.settings)).collect();
    let settings: Vec<Vec<(String, String)>> = firsts
        .iter()
        .map(|s| {
            Key::ALL
                .iter()
                .filter(|&&k| k != Key::Seed)
                .map(|k| (k.name().to_owned(), k.value_of(&s.settings, 0).to_string()))
                .collect()
        })
        .collect();
    label::disambiguate(&mut labels, &settings);
    firsts
        .iter()
        .zip(labels)
        .map(|(s, label)| ConfigSummary::new(label, (*s.settings).clone()))
        .collect()
}

/// An optional number as a CSV field: empty when absent.
pub fn opt<T: ToString>(x: Option<T>) -> String {
    x.map_or(String::new(), |v| v.to_string())
}

fn num(x: f64) -> String {
    fmt_f64(x)
}

fn run_row(label: &str, record: &RunRecord, s: &RunSummary) -> Vec<String> {
    let mut row = vec![record.run_id.clone(), label.to_owned()];
    row.extend(
        Key::ALL
            .iter()
            .map(|k| k.value_of(&record.settings, record.seed).to_string()),
    );
    let (status, diverged) = match record.status {
        Status::Ok => ("ok", None),
        Status::Diverged { epoch } => ("diverged", Some(epoch)),
    };
    row.extend([
        status.to_owned(),
        opt(diverged),
        opt(s.final_train.map(|e| num(e.loss))),
        opt(s.final_train.map(|e| num(e.accuracy))),
        opt(s.final_test.map(|e| num(e.loss))),
        opt(s.final_test.map(|e| num(e.accuracy))),
        opt(s.best_test_accuracy.map(num)),
        opt(s.first_perfect_train_epoch),
        record.metrics.len().to_string(),
    ]);
    row
}

fn curve_rows(record: &RunRecord) -> impl Iterator<Item = [String; 6]> + '_ {
    record.metrics.iter().map(|m| {
        [
            record.run_id.clone(),
            m.epoch.to_string(),
            num(m.train.loss),
            num(m.train.accuracy),
            opt(m.test.map(|t| num(t.loss))),
            opt(m.test.map(|t| num(t.accuracy))),
        ]
    })
}
