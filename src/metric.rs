//! What a run is measured by: every metric of the result tables, defined once with its
//! column name, its kind, which direction is better, how it prints and how it is computed
//! from a run's epochs; and [`RunSummary`], one run's values of all of them.
//!
//! Adding a metric is one variant of [`Metric`], one row of its table and, for a metric
//! `runs.csv` stores, its computation in [`Metric::compute`]; the tables, the summary, the
//! report and the statistics take it from there.

use crate::number::significant;
use crate::stats::Interval;
use crate::train::{EpochMetrics, Status};

/// A number per run that the tables report and statistics over seeds compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    FinalTrainLoss,
    FinalTrainAcc,
    FinalTestLoss,
    FinalTestAcc,
    BestTestAcc,
    /// Whether the final test accuracy is 100%.
    TestAcc1,
    FirstEpochTrainAcc1,
}

/// What a metric measures, which decides its statistics: a measurement, a share of seeds,
/// or a first epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Measure {
    /// A measurement (loss, accuracy): medians, quartiles, rank tests.
    Continuous,
    /// Yes or no per run, reported as the share of seeds where it is yes: whether `of` is
    /// exactly `at` (a run without a value of `of` counts as no).
    Share { of: Metric, at: f64 },
    /// The first epoch at which something happened, or "never" (stored empty, counted as
    /// later than any epoch): medians and ranks, never last. `goal` names what is reached.
    FirstEpoch { goal: &'static str },
}

/// Which direction of a metric is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Lower,
    Higher,
}

/// A metric's properties.
#[derive(Debug)]
pub struct Info {
    /// The column name in `runs.csv` (and the stem of `summary.csv`'s).
    pub name: &'static str,
    /// In words, for reports: "final test acc".
    pub label: &'static str,
    pub kind: Measure,
    pub better: Better,
    /// A column of `runs.csv` (computed from the epochs) rather than derived from another.
    pub stored: bool,
    /// Summarised over seeds in `summary.csv` and the report.
    pub summarised: bool,
}

/// The metrics' properties, in [`Metric::ALL`] order.
static INFO: [Info; 7] = [
    Info {
        name: "final_train_loss",
        label: "final train loss",
        kind: Measure::Continuous,
        better: Better::Lower,
        stored: true,
        summarised: true,
    },
    Info {
        name: "final_train_acc",
        label: "final train acc",
        kind: Measure::Continuous,
        better: Better::Higher,
        stored: true,
        summarised: true,
    },
    Info {
        name: "final_test_loss",
        label: "final test loss",
        kind: Measure::Continuous,
        better: Better::Lower,
        stored: true,
        summarised: true,
    },
    Info {
        name: "final_test_acc",
        label: "final test acc",
        kind: Measure::Continuous,
        better: Better::Higher,
        stored: true,
        summarised: true,
    },
    Info {
        name: "best_test_acc",
        label: "best test acc",
        kind: Measure::Continuous,
        better: Better::Higher,
        stored: true,
        summarised: false,
    },
    Info {
        name: "test_acc_1",
        label: "100% test acc",
        kind: Measure::Share {
            of: Metric::FinalTestAcc,
            at: 1.0,
        },
        better: Better::Higher,
        stored: false,
        summarised: true,
    },
    Info {
        name: "first_epoch_train_acc_1",
        label: "first epoch at 100% train acc",
        kind: Measure::FirstEpoch {
            goal: "train_acc_1",
        },
        better: Better::Lower,
        stored: true,
        summarised: true,
    },
];

impl Metric {
    /// Every metric, in the order of the tables' columns.
    pub const ALL: [Metric; 7] = [
        Metric::FinalTrainLoss,
        Metric::FinalTrainAcc,
        Metric::FinalTestLoss,
        Metric::FinalTestAcc,
        Metric::BestTestAcc,
        Metric::TestAcc1,
        Metric::FirstEpochTrainAcc1,
    ];

    pub fn info(self) -> &'static Info {
        &INFO[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    pub fn label(self) -> &'static str {
        self.info().label
    }

    pub fn kind(self) -> Measure {
        self.info().kind
    }

    pub fn better(self) -> Better {
        self.info().better
    }

    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The final value of a curve: the metric a search ranked by that curve ends with.
    pub fn final_of(curve: crate::train::Curve) -> Metric {
        use crate::train::Curve;
        match curve {
            Curve::TrainLoss => Metric::FinalTrainLoss,
            Curve::TrainAcc => Metric::FinalTrainAcc,
            Curve::TestLoss => Metric::FinalTestLoss,
            Curve::TestAcc => Metric::FinalTestAcc,
        }
    }

    /// The metrics `runs.csv` has a column for, in column order.
    pub fn stored() -> impl Iterator<Item = Metric> {
        Metric::ALL.into_iter().filter(|m| m.info().stored)
    }

    /// The metrics summarised over seeds, in column order.
    pub fn summarised() -> impl Iterator<Item = Metric> {
        Metric::ALL.into_iter().filter(|m| m.info().summarised)
    }

    /// This stored metric of a run whose finished epochs are `epochs` (a diverged run's too:
    /// its values from before it stopped); `None` where the run has none. A derived metric
    /// computes nothing here.
    fn compute(self, epochs: &[EpochMetrics]) -> Option<f64> {
        let last_test = || epochs.iter().rev().find_map(|m| m.test);
        match self {
            Metric::FinalTrainLoss => epochs.last().map(|m| m.train.loss),
            Metric::FinalTrainAcc => epochs.last().map(|m| m.train.accuracy),
            Metric::FinalTestLoss => last_test().map(|t| t.loss),
            Metric::FinalTestAcc => last_test().map(|t| t.accuracy),
            Metric::BestTestAcc => epochs
                .iter()
                .filter_map(|m| m.test.map(|t| t.accuracy))
                .reduce(f64::max),
            Metric::FirstEpochTrainAcc1 => epochs
                .iter()
                .find(|m| m.train.accuracy == 1.0)
                .map(|m| f64::from(m.epoch)),
            Metric::TestAcc1 => None,
        }
    }

    /// Whether this metric is an accuracy (from 0 to 1).
    pub fn is_accuracy(self) -> bool {
        self.name().ends_with("_acc")
    }

    /// Whether this metric lies from 0 to 1 (an accuracy, or a share of seeds), so that a
    /// difference of it lies from -1 to 1.
    pub fn is_unit_interval(self) -> bool {
        self.is_accuracy() || matches!(self.kind(), Measure::Share { .. })
    }

    /// Whether `x` can be a stored value of this metric: a finite number of its range (an
    /// accuracy in [0, 1], a loss >= 0, a first epoch a whole number >= 1).
    pub fn admits(self, x: f64) -> bool {
        match self.kind() {
            _ if !x.is_finite() => false,
            Measure::FirstEpoch { .. } => x >= 1.0 && x.fract() == 0.0,
            _ if self.is_accuracy() => (0.0..=1.0).contains(&x),
            _ => x >= 0.0,
        }
    }

    /// What [`Metric::admits`], in words.
    pub fn allowed(self) -> &'static str {
        match self.kind() {
            Measure::FirstEpoch { .. } => "a whole epoch >= 1, or empty for never",
            _ if self.is_accuracy() => "an accuracy from 0 to 1",
            _ => "a finite number >= 0",
        }
    }

    /// A figure of this metric with its interval, as reports print it: `0.975 [0.950,
    /// 1.000]`, `52% [38%, 66%]`, `529.5 [498, 560]`, `529.5 [498, never]`; a first epoch
    /// whose median is "never" prints as what the interval still allows: `≥ 870` or `never`.
    pub fn format_interval(self, i: &Interval) -> String {
        if let Measure::FirstEpoch { .. } = self.kind()
            && i.estimate.is_infinite()
        {
            return match i.low.is_finite() {
                true => format!("≥ {}", self.format(i.low)),
                false => "never".into(),
            };
        }
        format!(
            "{} [{}, {}]",
            self.format(i.estimate),
            self.format(i.low),
            self.format(i.high)
        )
    }

    /// A value of this metric as reports print it: `0.975`, `0.00143`, `52%`, `529.5`,
    /// `never`.
    pub fn format(self, x: f64) -> String {
        match self.kind() {
            Measure::Continuous => significant(x),
            Measure::Share { .. } => format!("{:.0}%", 100.0 * x),
            Measure::FirstEpoch { .. } if x.is_infinite() => "never".into(),
            Measure::FirstEpoch { .. } => format!("{x}"),
        }
    }
}

/// A summarised metric by its name, or what is allowed.
pub fn summarised_named(name: &str) -> std::result::Result<Metric, String> {
    Metric::from_name(name)
        .filter(|m| m.info().summarised)
        .ok_or_else(|| {
            let names: Vec<&str> = Metric::summarised().map(Metric::name).collect();
            format!(
                "`{name}` is not a summarised metric; allowed: {}",
                names.join(", ")
            )
        })
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One run's status and its value of every stored metric, as `runs.csv` holds them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunSummary {
    pub status: Status,
    /// Epochs the run finished.
    pub epochs_run: u32,
    stored: [Option<f64>; Metric::ALL.len()],
}

impl RunSummary {
    /// The summary of a run whose finished epochs are `epochs`.
    pub fn of(epochs: &[EpochMetrics], status: Status) -> RunSummary {
        let mut summary = RunSummary::empty(status, epochs.len() as u32);
        for metric in Metric::stored() {
            summary.set(metric, metric.compute(epochs));
        }
        summary
    }

    /// A summary with no values yet (a table being read fills them in).
    pub fn empty(status: Status, epochs_run: u32) -> RunSummary {
        RunSummary {
            status,
            epochs_run,
            stored: [None; Metric::ALL.len()],
        }
    }

    /// The stored value, as `runs.csv` has it: a diverged run's last values before it
    /// stopped included. (Derived metrics are not stored: `None`.)
    pub fn stored(&self, metric: Metric) -> Option<f64> {
        self.stored[metric as usize]
    }

    pub fn set(&mut self, metric: Metric, value: Option<f64>) {
        if metric.info().stored {
            self.stored[metric as usize] = value;
        }
    }

    /// The value statistics over seeds count, the one rule that `summary.csv`, the report,
    /// its figures and the comparisons all follow:
    /// - a continuous metric of a run that did not finish (diverged) is `None`: its last
    ///   values are from before it stopped, not after the last epoch;
    /// - a share is 1 or 0, and a run without the value it looks at counts as 0;
    /// - a first epoch is the epoch, or `+inf` for never (reached before diverging counts);
    /// - a run pruned by successive halving has no value of any metric.
    pub fn value(&self, metric: Metric) -> Option<f64> {
        // A pruned run stopped early by design: none of its numbers compare with finished
        // runs' (a share or first epoch over its few epochs would count against it).
        if self.status.pruned() {
            return None;
        }
        match metric.kind() {
            Measure::Continuous => self
                .status
                .finished()
                .then(|| self.stored(metric))
                .flatten(),
            Measure::Share { of, at } => Some(f64::from(u8::from(self.value(of) == Some(at)))),
            Measure::FirstEpoch { .. } => Some(self.stored(metric).unwrap_or(f64::INFINITY)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::Eval;

    fn m(epoch: u32, train_acc: f64, test_acc: Option<f64>) -> EpochMetrics {
        EpochMetrics {
            epoch,
            train: Eval {
                loss: 1.0 / f64::from(epoch),
                accuracy: train_acc,
            },
            test: test_acc.map(|accuracy| Eval {
                loss: 0.5,
                accuracy,
            }),
        }
    }

    #[test]
    fn the_table_is_in_variant_order_and_names_round_trip() {
        for (i, metric) in Metric::ALL.into_iter().enumerate() {
            assert_eq!(metric as usize, i);
            assert_eq!(Metric::from_name(metric.name()), Some(metric));
        }
        let stored: Vec<&str> = Metric::stored().map(Metric::name).collect();
        assert_eq!(
            stored,
            [
                "final_train_loss",
                "final_train_acc",
                "final_test_loss",
                "final_test_acc",
                "best_test_acc",
                "first_epoch_train_acc_1"
            ]
        );
    }

    #[test]
    fn summary_by_hand() {
        let metrics = [
            m(1, 0.5, None),
            m(2, 1.0, Some(0.75)),
            m(3, 0.9, None),
            m(4, 1.0, Some(1.0)),
        ];
        let s = RunSummary::of(&metrics, Status::Ok);
        assert_eq!(s.epochs_run, 4);
        assert_eq!(s.value(Metric::FinalTrainLoss), Some(0.25));
        assert_eq!(s.value(Metric::FinalTrainAcc), Some(1.0));
        assert_eq!(s.value(Metric::FinalTestAcc), Some(1.0));
        assert_eq!(s.value(Metric::BestTestAcc), Some(1.0));
        assert_eq!(s.value(Metric::FirstEpochTrainAcc1), Some(2.0));
        assert_eq!(s.value(Metric::TestAcc1), Some(1.0));
        assert_eq!(s.stored(Metric::TestAcc1), None);
    }

    #[test]
    fn a_diverged_run_keeps_its_last_values_in_the_table_but_not_in_the_statistics() {
        let metrics = [m(1, 1.0, Some(1.0))];
        let s = RunSummary::of(&metrics, Status::Diverged { epoch: 2 });
        assert_eq!(s.stored(Metric::FinalTestAcc), Some(1.0));
        assert_eq!(s.value(Metric::FinalTestAcc), None);
        // Its last evaluation was perfect: still not a final 100%.
        assert_eq!(s.value(Metric::TestAcc1), Some(0.0));
        // 100% train accuracy reached before diverging counts as reached.
        assert_eq!(s.value(Metric::FirstEpochTrainAcc1), Some(1.0));
    }

    #[test]
    fn a_run_that_diverged_in_epoch_1_has_no_values_and_never_reached_anything() {
        let s = RunSummary::of(&[], Status::Diverged { epoch: 1 });
        assert_eq!(s.stored(Metric::FinalTrainLoss), None);
        assert_eq!(s.stored(Metric::BestTestAcc), None);
        assert_eq!(s.value(Metric::FirstEpochTrainAcc1), Some(f64::INFINITY));
        assert_eq!(s.epochs_run, 0);
    }

    #[test]
    fn values_print_by_kind() {
        assert_eq!(Metric::FinalTestAcc.format(0.975), "0.975");
        assert_eq!(Metric::TestAcc1.format(0.52083), "52%");
        assert_eq!(Metric::FirstEpochTrainAcc1.format(529.5), "529.5");
        assert_eq!(Metric::FirstEpochTrainAcc1.format(f64::INFINITY), "never");
        let i = |estimate, low, high| Interval {
            estimate,
            low,
            high,
            level: 0.95,
        };
        let epoch = Metric::FirstEpochTrainAcc1;
        let inf = f64::INFINITY;
        assert_eq!(
            epoch.format_interval(&i(529.5, 498.0, 560.0)),
            "529.5 [498, 560]"
        );
        assert_eq!(
            epoch.format_interval(&i(529.5, 498.0, inf)),
            "529.5 [498, never]"
        );
        assert_eq!(epoch.format_interval(&i(inf, 870.0, inf)), "≥ 870");
        assert_eq!(epoch.format_interval(&i(inf, inf, inf)), "never");
        assert_eq!(
            Metric::TestAcc1.format_interval(&i(0.5, 0.3633, 0.6367)),
            "50% [36%, 64%]"
        );
    }
}
