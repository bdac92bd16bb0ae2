//! The article's table: its published numbers (one unseeded run, as `shared/ARTICLE.md`
//! gives them), the settings a configuration must have to be set beside them, and the
//! format the tutorial prints each evaluated epoch in: `--- Epoch 100`, then
//! `Train:<TAB>Loss 0.688 | Accuracy: 0.517` and `Test:<TAB>Loss 0.700 | Accuracy: 0.500`.

use crate::settings::SettingsParams;
use crate::train::{EpochMetrics, Eval};

/// Epoch, train loss, train accuracy, test loss, test accuracy.
pub(crate) const PUBLISHED: [(u32, f64, f64, f64, f64); 10] = [
    (100, 0.688, 0.517, 0.700, 0.500),
    (200, 0.680, 0.552, 0.717, 0.450),
    (300, 0.593, 0.655, 0.657, 0.650),
    (400, 0.401, 0.810, 0.689, 0.650),
    (500, 0.312, 0.862, 0.693, 0.550),
    (600, 0.148, 0.914, 0.404, 0.800),
    (700, 0.008, 1.000, 0.016, 1.000),
    (800, 0.004, 1.000, 0.007, 1.000),
    (900, 0.002, 1.000, 0.004, 1.000),
    (1000, 0.002, 1.000, 0.003, 1.000),
];

/// Whether `settings` are the article's (the published gradient included).
pub(crate) fn is_articles(settings: &SettingsParams) -> bool {
    *settings == SettingsParams::default()
}

/// The block of one evaluated epoch, with a trailing newline; `None` for an epoch without
/// test metrics, which the article does not print.
pub(crate) fn epoch_block(m: &EpochMetrics) -> Option<String> {
    let test = m.test?;
    Some(format!(
        "--- Epoch {}\n{}\n{}\n",
        m.epoch,
        line("Train", m.train),
        line("Test", test)
    ))
}

fn line(name: &str, e: Eval) -> String {
    // `{:.3}` rounds the exact binary value, as Python's `%.3f` does.
    format!("{name}:\tLoss {:.3} | Accuracy: {:.3}", e.loss, e.accuracy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_articles_first_block() {
        let m = EpochMetrics {
            epoch: 100,
            train: Eval {
                loss: 0.6876,
                accuracy: 30.0 / 58.0,
            },
            test: Some(Eval {
                loss: 0.7,
                accuracy: 0.5,
            }),
        };
        assert_eq!(
            epoch_block(&m).unwrap(),
            "--- Epoch 100\nTrain:\tLoss 0.688 | Accuracy: 0.517\nTest:\tLoss 0.700 | Accuracy: 0.500\n"
        );
        assert_eq!(epoch_block(&EpochMetrics { test: None, ..m }), None);
    }
}
