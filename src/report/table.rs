//! The article's epoch table, printed exactly as the tutorial prints it: `--- Epoch 100`,
//! then `Train:<TAB>Loss 0.688 | Accuracy: 0.517` and `Test:<TAB>Loss 0.700 | Accuracy: 0.500`.

use crate::train::{EpochMetrics, Eval};

/// The block of one evaluated epoch, with a trailing newline; `None` for an epoch without
/// test metrics, which the article does not print.
pub fn epoch_block(m: &EpochMetrics) -> Option<String> {
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
