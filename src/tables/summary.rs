//! Statistics over the seeds of one configuration, and `summary.csv`, one row per
//! configuration. Which statistics a metric gets follows from its kind ([`Measure`]); which
//! values count follows [`RunSummary::value`]'s one rule for runs that did not finish.
//!
//! Every per-configuration figure comes with a 95% interval ([`ConfigSummary::interval`]):
//! a median with a percentile bootstrap interval (seeded from the values themselves, so the
//! tables stay byte-identical between reruns), a share with a Wilson score interval.

use super::rows::Row;
use super::schema::cell;
use crate::metric::{Measure, Metric, RunSummary};
use crate::settings::{Key, SettingsParams};
use crate::stats::descriptive::{Stats, median_sorted, stats};
use crate::stats::{DEFAULT_RESAMPLES, Interval, bootstrap_median, wilson};

/// The confidence level of every interval in the tables and the report.
pub(crate) const LEVEL: f64 = 0.95;

/// One configuration's runs, reduced to their seeds and metric values.
#[derive(Debug, Clone)]
pub struct ConfigSummary {
    pub label: String,
    pub settings: SettingsParams,
    /// Each run's seed, in the order added (grid order).
    pub seeds: Vec<u64>,
    /// Runs whose loss stopped being finite.
    pub diverged: usize,
    /// Runs that successive halving stopped.
    pub pruned: usize,
    /// Per metric (in [`Metric::ALL`] order), each run's value as statistics count it,
    /// aligned with `seeds`; NaN where the run has none.
    values: Vec<Vec<f64>>,
}

impl ConfigSummary {
    pub fn new(label: String, settings: SettingsParams) -> ConfigSummary {
        ConfigSummary {
            label,
            settings,
            seeds: Vec::new(),
            diverged: 0,
            pruned: 0,
            values: vec![Vec::new(); Metric::ALL.len()],
        }
    }

    pub fn add(&mut self, seed: u64, run: &RunSummary) {
        self.seeds.push(seed);
        self.diverged += usize::from(run.status.diverged());
        self.pruned += usize::from(run.status.pruned());
        for (metric, values) in Metric::ALL.into_iter().zip(&mut self.values) {
            values.push(run.value(metric).unwrap_or(f64::NAN));
        }
    }

    /// How many runs (seeds) the configuration has.
    pub fn runs(&self) -> usize {
        self.seeds.len()
    }

    pub fn all_diverged(&self) -> bool {
        self.runs() > 0 && self.diverged == self.runs()
    }

    /// Whether successive halving stopped every run of the configuration.
    pub fn all_pruned(&self) -> bool {
        self.runs() > 0 && self.pruned == self.runs()
    }

    /// The runs that count in shares: all but the pruned.
    fn counting(&self) -> usize {
        self.runs() - self.pruned
    }

    /// Each run's value of `metric`, aligned with [`ConfigSummary::seeds`] (`None`: no value).
    pub fn values(&self, metric: Metric) -> impl Iterator<Item = Option<f64>> + '_ {
        self.values[metric as usize]
            .iter()
            .map(|&v| (!v.is_nan()).then_some(v))
    }

    /// The values of `metric` that count, in seed order.
    pub fn counted(&self, metric: Metric) -> Vec<f64> {
        self.values(metric).flatten().collect()
    }

    /// Descriptive statistics of a metric's counted values.
    pub fn stats(&self, metric: Metric) -> Option<Stats> {
        stats(&self.counted(metric))
    }

    /// How many runs have the value 1 of a share metric (or reached a first-epoch metric's
    /// goal).
    pub fn count(&self, metric: Metric) -> usize {
        self.values(metric)
            .flatten()
            .filter(|&v| match metric.kind() {
                Measure::FirstEpoch { .. } => v.is_finite(),
                _ => v == 1.0,
            })
            .count()
    }

    /// The share of runs with the value 1 of a share metric, over every run not pruned.
    pub fn share(&self, metric: Metric) -> Option<f64> {
        (self.counting() > 0).then(|| self.count(metric) as f64 / self.counting() as f64)
    }

    /// The median over every run of a first-epoch metric, "never" counting as later than
    /// any epoch: `Some(inf)` when that median is never, `None` without runs.
    pub fn median_epoch(&self, metric: Metric) -> Option<f64> {
        let mut epochs = self.counted(metric);
        if epochs.is_empty() {
            return None;
        }
        epochs.sort_by(f64::total_cmp);
        Some(median_sorted(&epochs))
    }
}

impl ConfigSummary {
    /// The configuration's figure for `metric` alone, without the cost of its interval:
    /// the median of a continuous metric's counted values, the median first epoch over
    /// every run (`inf`: never), the share of a share metric. `None` without values.
    pub fn figure(&self, metric: Metric) -> Option<f64> {
        match metric.kind() {
            Measure::Continuous => self.stats(metric).map(|s| s.median),
            Measure::Share { .. } => self.share(metric),
            Measure::FirstEpoch { .. } => self.median_epoch(metric),
        }
    }

    /// The configuration's figure for `metric` with its 95% interval: the median of a
    /// continuous metric's counted values, or of a first epoch over every run ("never" is
    /// +inf, so a bound or the median itself may be infinite), with a percentile bootstrap
    /// interval; the share of a share metric with a Wilson interval. `None` without values.
    pub fn interval(&self, metric: Metric) -> Option<Interval> {
        match metric.kind() {
            Measure::Continuous | Measure::FirstEpoch { .. } => {
                bootstrap_median(&self.counted(metric), DEFAULT_RESAMPLES, LEVEL)
            }
            Measure::Share { .. } => {
                wilson(self.count(metric) as u64, self.counting() as u64, LEVEL)
            }
        }
    }
}

/// The statistics a continuous metric gets in `summary.csv`.
const STATS: [&str; 7] = [
    "mean",
    "std",
    "median",
    "median_low",
    "median_high",
    "min",
    "max",
];

impl Row for ConfigSummary {
    fn header() -> Vec<String> {
        let mut h = vec!["config".to_owned()];
        h.extend(Key::configuration().map(|k| k.name().to_owned()));
        h.extend(["seeds", "diverged", "pruned"].map(String::from));
        for metric in Metric::summarised() {
            let name = metric.name();
            match metric.kind() {
                Measure::Continuous => h.extend(STATS.map(|s| format!("{name}_{s}"))),
                Measure::Share { .. } => {
                    h.extend(["", "_low", "_high"].map(|bound| format!("share_{name}{bound}")))
                }
                Measure::FirstEpoch { goal } => {
                    h.push(format!("seeds_{goal}"));
                    h.extend(["", "_low", "_high"].map(|bound| format!("median_{name}{bound}")));
                }
            }
        }
        h
    }

    fn cells(&self) -> Vec<String> {
        let mut c = vec![self.label.clone()];
        c.extend(Key::configuration().map(|k| k.value_of(&self.settings, 0).to_string()));
        c.extend([
            self.runs().to_string(),
            self.diverged.to_string(),
            self.pruned.to_string(),
        ]);
        for metric in Metric::summarised() {
            let i = self.interval(metric);
            // An epoch bound or median that is "never" is an empty cell.
            let finite = |x: Option<f64>| cell(x.filter(|x| x.is_finite()));
            match metric.kind() {
                Measure::Continuous => {
                    let s = self.stats(metric);
                    c.extend([
                        cell(s.map(|s| s.mean)),
                        cell(s.and_then(|s| s.std)),
                        cell(s.map(|s| s.median)),
                        cell(i.map(|i| i.low)),
                        cell(i.map(|i| i.high)),
                        cell(s.map(|s| s.min)),
                        cell(s.map(|s| s.max)),
                    ]);
                }
                Measure::Share { .. } => c.extend([
                    cell(self.share(metric)),
                    cell(i.map(|i| i.low)),
                    cell(i.map(|i| i.high)),
                ]),
                Measure::FirstEpoch { .. } => c.extend([
                    self.count(metric).to_string(),
                    finite(self.median_epoch(metric)),
                    finite(i.map(|i| i.low)),
                    finite(i.map(|i| i.high)),
                ]),
            }
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::{EpochMetrics, Eval, Status};

    fn run(test_acc: f64, status: Status) -> RunSummary {
        let eval = |accuracy| Eval {
            loss: 0.5,
            accuracy,
        };
        let epochs = [EpochMetrics {
            epoch: 40,
            train: eval(1.0),
            test: Some(eval(test_acc)),
        }];
        RunSummary::of(&epochs, status)
    }

    #[test]
    fn a_diverged_run_adds_no_final_metrics_but_counts_as_a_seed() {
        let mut c = ConfigSummary::new("c".into(), SettingsParams::default());
        c.add(0, &run(1.0, Status::Ok));
        c.add(1, &run(0.5, Status::Ok));
        // Its last evaluation before it stopped was perfect: still not a final 100%.
        c.add(2, &run(1.0, Status::Diverged { epoch: 70 }));
        assert_eq!((c.runs(), c.diverged, c.count(Metric::TestAcc1)), (3, 1, 1));
        assert_eq!(c.counted(Metric::FinalTestAcc), [1.0, 0.5]);
        assert_eq!(c.stats(Metric::FinalTestAcc).unwrap().median, 0.75);
        assert_eq!(c.share(Metric::TestAcc1), Some(1.0 / 3.0));
        // 100% train accuracy reached before diverging counts as reached.
        assert_eq!(c.count(Metric::FirstEpochTrainAcc1), 3);
        assert_eq!(c.median_epoch(Metric::FirstEpochTrainAcc1), Some(40.0));
        let values: Vec<Option<f64>> = c.values(Metric::FinalTestAcc).collect();
        assert_eq!(values, [Some(1.0), Some(0.5), None]);
    }

    #[test]
    fn the_summary_header_keeps_its_columns() {
        let header = ConfigSummary::header().join(",");
        assert!(
            header.ends_with(
                "final_test_acc_min,final_test_acc_max,share_test_acc_1,share_test_acc_1_low,\
                 share_test_acc_1_high,seeds_train_acc_1,median_first_epoch_train_acc_1,\
                 median_first_epoch_train_acc_1_low,median_first_epoch_train_acc_1_high"
            ),
            "{header}"
        );
        assert!(header.starts_with("config,hidden_size,learning_rate,clip,gradient,epochs,eval_every,init_scale,seeds,diverged,pruned,final_train_loss_mean,"));
    }
}
