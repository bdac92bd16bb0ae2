//! `live.json`: how a sweep in a results directory stands, read through the store's API
//! (the recorded experiment's runs, `records().ids()` and `records().load(id)`; never the
//! record files by path, whose layout is the store's business): runs recorded, diverged and
//! planned, an ETA from the pace seen, the best configurations so far with their median
//! train-loss curves, and whether the sweep is running, finished or stopped.
//!
//! A record is loaded once and kept (a finished run's record does not change), except one
//! that successive halving stopped, which a later stage may extend: it is loaded again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::error::Result;
use crate::metric::Metric;
use crate::report::html::model::{round4, thin};
use crate::stats::descriptive::median_sorted;
use crate::store::{Held, REPORT_HTML, ResultsDir, held};
use crate::tables::configs::group;
use crate::train::{RunSpec, Status};

/// Configurations shown as the best so far.
const BEST: usize = 5;
/// Epochs a curve keeps at most.
const POINTS: usize = 100;
/// A directory with no lock (a Slurm array's shards take none) counts as running while
/// records arrived this recently.
const RECENT_SECS: u64 = 120;

/// What one record contributes.
#[derive(Debug, Clone)]
struct Run {
    status: Status,
    final_test_acc: Option<f64>,
    final_train_loss: Option<f64>,
    train_loss: Vec<f64>,
}

/// The live view's memory between polls.
#[derive(Debug)]
pub(crate) struct Live {
    dir: PathBuf,
    runs: HashMap<String, Run>,
    /// When the first poll saw how many runs, for the pace.
    first: Option<(Instant, usize)>,
    /// When the count of records last changed, and to what.
    changed: Option<(Instant, usize)>,
}

/// The JSON the page polls.
#[derive(Debug, Serialize)]
pub(crate) struct Snapshot {
    pub state: &'static str,
    pub planned: usize,
    pub done: usize,
    pub planned_missing: usize,
    pub diverged: usize,
    pub eta_s: Option<f64>,
    pub best: Vec<Best>,
    /// Whether the directory has a `report.html`.
    pub report: bool,
    pub at_ms: u128,
}

#[derive(Debug, Serialize)]
pub(crate) struct Best {
    pub label: String,
    pub runs: usize,
    pub final_test_acc: Option<f64>,
    pub final_train_loss: Option<f64>,
    /// `[epoch, median train loss]`, thinned.
    pub curve: Vec<[f64; 2]>,
}

impl Live {
    pub(crate) fn new(dir: &Path) -> Live {
        Live {
            dir: dir.to_path_buf(),
            runs: HashMap::new(),
            first: None,
            changed: None,
        }
    }

    /// The directory as it stands now.
    pub(crate) fn snapshot(&mut self) -> Result<Snapshot> {
        let (planned, labels) = self.planned()?;
        let ids = match ResultsDir::open(&self.dir) {
            Ok(dir) => {
                let ids = dir.records().ids()?;
                self.load_new(&dir, &ids, &planned)?;
                ids
            }
            // No `runs/` yet: a sweep that has not started writing.
            Err(_) => Default::default(),
        };
        let done = planned.iter().filter(|r| ids.contains(&r.id)).count();
        let now = Instant::now();
        let first = *self.first.get_or_insert((now, done));
        if self.changed.is_none_or(|(_, n)| n != done) {
            self.changed = Some((now, done));
        }
        let diverged = planned
            .iter()
            .filter_map(|r| self.runs.get(&r.id))
            .filter(|r| matches!(r.status, Status::Diverged { .. }))
            .count();
        let state = self.state(done, planned.len());
        Ok(Snapshot {
            state,
            planned: planned.len(),
            done,
            planned_missing: planned.len() - done,
            diverged,
            eta_s: eta(first, (now, done), planned.len()),
            best: self.best(&planned, &labels),
            report: self.dir.join(REPORT_HTML).is_file(),
            at_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis()),
        })
    }

    /// The runs of the recorded experiment and each one's configuration label (none before
    /// the sweep records its experiment).
    fn planned(&self) -> Result<(Vec<RunSpec>, Vec<String>)> {
        let dir = ResultsDir::at(&self.dir);
        if !dir.path(crate::store::EXPERIMENT).is_file() {
            return Ok((Vec::new(), Vec::new()));
        }
        let recorded = dir.recorded()?;
        let runs = recorded.runs;
        let mut labels = vec![String::new(); runs.len()];
        let groups = group(runs.iter().map(|r| &*r.settings), |i| {
            recorded.exp.label(&runs[i].settings)
        });
        for g in groups {
            for m in g.members {
                labels[m] = g.label.clone();
            }
        }
        Ok((runs, labels))
    }

    /// Loads the records not seen yet (and again those halving stopped).
    fn load_new(
        &mut self,
        dir: &ResultsDir,
        ids: &std::collections::BTreeSet<String>,
        planned: &[RunSpec],
    ) -> Result<()> {
        for spec in planned.iter().filter(|r| ids.contains(&r.id)) {
            let stale = self
                .runs
                .get(&spec.id)
                .is_none_or(|r| matches!(r.status, Status::Pruned { .. }));
            if !stale {
                continue;
            }
            // A record being replaced as we read it is read at the next poll.
            let Ok(record) = dir.records().load(&spec.id) else {
                continue;
            };
            let summary = record.summary();
            self.runs.insert(
                spec.id.clone(),
                Run {
                    status: record.status,
                    final_test_acc: summary.value(Metric::FinalTestAcc),
                    final_train_loss: summary.value(Metric::FinalTrainLoss),
                    train_loss: record.metrics.iter().map(|m| m.train.loss).collect(),
                },
            );
        }
        Ok(())
    }

    fn state(&self, done: usize, planned: usize) -> &'static str {
        match held(&self.dir) {
            Held::By(_) => "running",
            _ if planned > 0 && done >= planned => "finished",
            Held::Left => "stopped",
            Held::No => match self.changed {
                Some((at, n)) if n > 0 && at.elapsed().as_secs() < RECENT_SECS => "running",
                _ if planned == 0 => "waiting",
                _ => "stopped",
            },
        }
    }

    /// The best configurations by median final test accuracy (then train loss).
    fn best(&self, planned: &[RunSpec], labels: &[String]) -> Vec<Best> {
        let mut by_label: HashMap<&str, Vec<&Run>> = HashMap::new();
        for (spec, label) in planned.iter().zip(labels) {
            if let Some(run) = self.runs.get(&spec.id) {
                by_label.entry(label).or_default().push(run);
            }
        }
        let mut best: Vec<Best> = by_label
            .into_iter()
            .map(|(label, runs)| Best {
                label: label.to_owned(),
                runs: runs.len(),
                final_test_acc: median(runs.iter().filter_map(|r| r.final_test_acc)),
                final_train_loss: median(runs.iter().filter_map(|r| r.final_train_loss)),
                curve: median_curve(&runs),
            })
            .collect();
        let key = |b: &Best| {
            (
                b.final_test_acc.unwrap_or(-1.0),
                -b.final_train_loss.unwrap_or(f64::MAX),
            )
        };
        best.sort_by(|x, y| {
            let (a, b) = (key(x), key(y));
            b.0.total_cmp(&a.0)
                .then(b.1.total_cmp(&a.1))
                .then(x.label.cmp(&y.label))
        });
        best.truncate(BEST);
        best
    }
}

fn median(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(round4(median_sorted(&v)))
}

/// The median over runs of the train loss at each epoch some run reached, thinned.
fn median_curve(runs: &[&Run]) -> Vec<[f64; 2]> {
    let longest = runs.iter().map(|r| r.train_loss.len()).max().unwrap_or(0);
    let points: Vec<[f64; 2]> = (0..longest)
        .filter_map(|e| {
            let y = median(runs.iter().filter_map(|r| r.train_loss.get(e).copied()))?;
            Some([(e + 1) as f64, y.max(1e-6)])
        })
        .collect();
    thin(&points, POINTS).copied().collect()
}

/// Seconds left at the pace seen since `first`; none before a run was seen to finish.
fn eta(first: (Instant, usize), now: (Instant, usize), planned: usize) -> Option<f64> {
    let finished = now.1.checked_sub(first.1).filter(|&n| n > 0)?;
    let secs = now.0.duration_since(first.0).as_secs_f64();
    Some((secs / finished as f64 * planned.saturating_sub(now.1) as f64).round())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn eta_follows_the_pace_seen() {
        let t0 = Instant::now();
        assert_eq!(eta((t0, 3), (t0 + Duration::from_secs(10), 3), 10), None);
        let eta = eta((t0, 2), (t0 + Duration::from_secs(10), 4), 10);
        assert_eq!(eta, Some(30.0));
    }

    #[test]
    fn a_median_curve_covers_the_longest_run() {
        let run = |loss: &[f64]| Run {
            status: Status::Ok,
            final_test_acc: None,
            final_train_loss: None,
            train_loss: loss.to_vec(),
        };
        let (a, b) = (run(&[1.0, 0.5, 0.25]), run(&[3.0, 1.5]));
        assert_eq!(
            median_curve(&[&a, &b]),
            [[1.0, 2.0], [2.0, 1.0], [3.0, 0.25]]
        );
    }
}
