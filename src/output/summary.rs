//! `summary.csv`: one row per configuration (every setting but the seed), statistics over
//! its seeds.

use std::path::{Path, PathBuf};

use super::stats::{Stats, median_sorted, stats};
use super::{CsvFile, num, opt};
use crate::error::Result;
use crate::experiment::Key;
use crate::train::{RunSummary, SettingsParams, Status};

/// The final metrics that get statistics, by column prefix.
pub const SUMMARY_METRICS: [&str; 4] = [
    "final_train_loss",
    "final_train_acc",
    "final_test_loss",
    "final_test_acc",
];

/// Positions in [`SUMMARY_METRICS`].
pub const FINAL_TRAIN_LOSS: usize = 0;
pub const FINAL_TEST_ACC: usize = 3;

/// The final metrics a run adds to the statistics over seeds, in [`SUMMARY_METRICS`] order.
///
/// The one rule for diverged runs, which `summary.csv`, the report and its figures all
/// follow: a diverged run has no final metrics (its last values are from before it stopped,
/// not after the last epoch), so it is left out of the final-metric statistics and counts
/// as not at 100% test accuracy. It still counts in the seeds and the diverged count, and
/// 100% train accuracy reached before it diverged counts as reached.
pub fn counted_finals(s: &RunSummary) -> [Option<f64>; 4] {
    if s.status != Status::Ok {
        return [None; 4];
    }
    [
        s.final_train.map(|e| e.loss),
        s.final_train.map(|e| e.accuracy),
        s.final_test.map(|e| e.loss),
        s.final_test.map(|e| e.accuracy),
    ]
}

/// One configuration's runs, reduced to what the summary reports.
#[derive(Debug, Clone)]
pub struct ConfigSummary {
    pub label: String,
    pub settings: SettingsParams,
    pub seeds: usize,
    pub diverged: usize,
    /// Per metric of [`SUMMARY_METRICS`], the values of the runs that count
    /// ([`counted_finals`]).
    pub finals: [Vec<f64>; 4],
    /// Seeds whose (counted) final test accuracy is 100%.
    pub test_perfect: usize,
    /// First epoch at 100% train accuracy of each seed, `None` for seeds that never got
    /// there.
    pub first_perfect: Vec<Option<u32>>,
}

impl ConfigSummary {
    pub fn new(label: String, settings: SettingsParams) -> ConfigSummary {
        ConfigSummary {
            label,
            settings,
            seeds: 0,
            diverged: 0,
            finals: Default::default(),
            test_perfect: 0,
            first_perfect: Vec::new(),
        }
    }

    pub fn add(&mut self, s: &RunSummary) {
        self.seeds += 1;
        self.diverged += usize::from(s.status != Status::Ok);
        let values = counted_finals(s);
        self.test_perfect += usize::from(values[FINAL_TEST_ACC] == Some(1.0));
        for (list, v) in self.finals.iter_mut().zip(values) {
            list.extend(v);
        }
        self.first_perfect.push(s.first_perfect_train_epoch);
    }

    pub fn stats(&self, metric: usize) -> Option<Stats> {
        stats(&self.finals[metric])
    }

    /// Share of seeds at 100% final test accuracy, over every seed (diverged ones count as
    /// not).
    pub fn share_test_perfect(&self) -> Option<f64> {
        (self.seeds > 0).then(|| self.test_perfect as f64 / self.seeds as f64)
    }

    /// Median over every seed of the first epoch at 100% train accuracy, a seed that never
    /// got there counting as later than any; `None` when that median is "never".
    pub fn median_first_perfect(&self) -> Option<f64> {
        let mut epochs: Vec<f64> = self
            .first_perfect
            .iter()
            .map(|e| e.map_or(f64::INFINITY, f64::from))
            .collect();
        if epochs.is_empty() {
            return None;
        }
        epochs.sort_by(f64::total_cmp);
        Some(median_sorted(&epochs)).filter(|m| m.is_finite())
    }
}

/// Writes `summary.csv` for `configs`.
pub fn write(path: &Path, configs: &[ConfigSummary]) -> Result<PathBuf> {
    let mut header: Vec<String> = vec!["config".into()];
    header.extend(
        Key::ALL
            .iter()
            .filter(|&&k| k != Key::Seed)
            .map(|k| k.name().to_owned()),
    );
    header.extend(["seeds", "diverged"].map(String::from));
    for m in SUMMARY_METRICS {
        header.extend(["mean", "std", "median", "min", "max"].map(|s| format!("{m}_{s}")));
    }
    header.extend(
        [
            "share_test_acc_1",
            "seeds_train_acc_1",
            "median_first_epoch_train_acc_1",
        ]
        .map(String::from),
    );
    let mut csv = CsvFile::create(path, &header.iter().map(String::as_str).collect::<Vec<_>>())?;
    for c in configs.iter().filter(|c| c.seeds > 0) {
        let mut row = vec![c.label.clone()];
        row.extend(
            Key::ALL
                .iter()
                .filter(|&&k| k != Key::Seed)
                .map(|k| k.value_of(&c.settings, 0).to_string()),
        );
        row.extend([c.seeds.to_string(), c.diverged.to_string()]);
        for metric in 0..SUMMARY_METRICS.len() {
            let s = c.stats(metric);
            row.extend([
                opt(s.map(|s| num(s.mean))),
                opt(s.and_then(|s| s.std).map(num)),
                opt(s.map(|s| num(s.median))),
                opt(s.map(|s| num(s.min))),
                opt(s.map(|s| num(s.max))),
            ]);
        }
        row.extend([
            opt(c.share_test_perfect().map(num)),
            c.first_perfect.iter().flatten().count().to_string(),
            opt(c.median_first_perfect().map(num)),
        ]);
        csv.row(&row)?;
    }
    csv.commit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::Eval;

    fn run(test_acc: f64, status: Status) -> RunSummary {
        let eval = |accuracy| {
            Some(Eval {
                loss: 0.5,
                accuracy,
            })
        };
        RunSummary {
            final_train: eval(1.0),
            final_test: eval(test_acc),
            best_test_accuracy: Some(test_acc),
            first_perfect_train_epoch: Some(40),
            status,
        }
    }

    #[test]
    fn a_diverged_run_adds_no_final_metrics_but_counts_as_a_seed() {
        let mut c = ConfigSummary::new("c".into(), SettingsParams::default());
        c.add(&run(1.0, Status::Ok));
        c.add(&run(0.5, Status::Ok));
        // Its last evaluation before it stopped was perfect: still not a final 100%.
        c.add(&run(1.0, Status::Diverged { epoch: 70 }));
        assert_eq!((c.seeds, c.diverged, c.test_perfect), (3, 1, 1));
        assert_eq!(c.finals[FINAL_TEST_ACC], [1.0, 0.5]);
        assert_eq!(c.stats(FINAL_TEST_ACC).unwrap().median, 0.75);
        assert_eq!(c.share_test_perfect(), Some(1.0 / 3.0));
        // 100% train accuracy reached before diverging counts as reached.
        assert_eq!(c.first_perfect.iter().flatten().count(), 3);
        assert_eq!(c.median_first_perfect(), Some(40.0));
    }
}
