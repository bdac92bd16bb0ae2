//! The numbers of a run that a results table reports, derived from its epoch metrics.

use serde::{Deserialize, Serialize};

use super::{EpochMetrics, Eval, Status};

/// Final and best metrics of one run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// The last finished epoch's train metrics (none if the run diverged in epoch 1).
    pub final_train: Option<Eval>,
    /// The last evaluated epoch's test metrics.
    pub final_test: Option<Eval>,
    pub best_test_accuracy: Option<f64>,
    /// The first epoch whose accumulated train accuracy was 100%.
    pub first_perfect_train_epoch: Option<u32>,
    pub status: Status,
}

impl RunSummary {
    pub fn of(metrics: &[EpochMetrics], status: Status) -> RunSummary {
        let tests = || metrics.iter().filter_map(|m| m.test);
        RunSummary {
            final_train: metrics.last().map(|m| m.train),
            final_test: metrics.iter().rev().find_map(|m| m.test),
            best_test_accuracy: tests().map(|t| t.accuracy).reduce(f64::max),
            first_perfect_train_epoch: metrics
                .iter()
                .find(|m| m.train.accuracy == 1.0)
                .map(|m| m.epoch),
            status,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn summary_by_hand() {
        let metrics = [
            m(1, 0.5, None),
            m(2, 1.0, Some(0.75)),
            m(3, 0.9, None),
            m(4, 1.0, Some(0.5)),
        ];
        let s = RunSummary::of(&metrics, Status::Ok);
        assert_eq!(s.final_train.unwrap().loss, 0.25);
        assert_eq!(s.final_test.unwrap().accuracy, 0.5);
        assert_eq!(s.best_test_accuracy, Some(0.75));
        assert_eq!(s.first_perfect_train_epoch, Some(2));
    }

    #[test]
    fn diverged_in_first_epoch_has_no_finals() {
        let s = RunSummary::of(&[], Status::Diverged { epoch: 1 });
        assert_eq!(s.final_train, None);
        assert_eq!(s.best_test_accuracy, None);
        assert_eq!(s.first_perfect_train_epoch, None);
    }
}
