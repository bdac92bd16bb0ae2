//! The quantities a run measures as it goes, epoch by epoch: train loss and accuracy every
//! epoch, test loss and accuracy at every evaluation.

use super::EpochMetrics;

/// A quantity measured every epoch (train) or every evaluation (test): the columns of
/// `curves.csv`, and what successive halving ranks configurations by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Curve {
    TrainLoss,
    TrainAcc,
    TestLoss,
    TestAcc,
}

impl Curve {
    pub const ALL: [Curve; 4] = [
        Curve::TrainLoss,
        Curve::TrainAcc,
        Curve::TestLoss,
        Curve::TestAcc,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Curve::TrainLoss => "train_loss",
            Curve::TrainAcc => "train_acc",
            Curve::TestLoss => "test_loss",
            Curve::TestAcc => "test_acc",
        }
    }

    /// Measured on the test set (only on evaluation epochs).
    pub fn is_test(self) -> bool {
        matches!(self, Curve::TestLoss | Curve::TestAcc)
    }

    /// A loss (drawn on a log axis) rather than an accuracy.
    pub fn is_loss(self) -> bool {
        matches!(self, Curve::TrainLoss | Curve::TestLoss)
    }

    /// The train or test curve of the same quantity as `self`, by `test`.
    pub fn of(loss: bool, test: bool) -> Curve {
        match (loss, test) {
            (true, false) => Curve::TrainLoss,
            (false, false) => Curve::TrainAcc,
            (true, true) => Curve::TestLoss,
            (false, true) => Curve::TestAcc,
        }
    }

    /// This quantity in one epoch's metrics (none for a test curve between evaluations).
    pub fn at(self, m: &EpochMetrics) -> Option<f64> {
        match self {
            Curve::TrainLoss => Some(m.train.loss),
            Curve::TrainAcc => Some(m.train.accuracy),
            Curve::TestLoss => m.test.map(|t| t.loss),
            Curve::TestAcc => m.test.map(|t| t.accuracy),
        }
    }

    /// Whether a smaller value is better (a loss).
    pub fn lower_is_better(self) -> bool {
        self.is_loss()
    }

    pub fn from_name(name: &str) -> Option<Curve> {
        Curve::ALL.into_iter().find(|c| c.name() == name)
    }
}
