//! Which configurations are best, the order a report leads with: by one metric's figure
//! over seeds (its median, or its share of seeds), better first, ties broken by the
//! default order's metrics. A configuration without a value of a metric comes after every
//! one with.

use std::cmp::Ordering;

use crate::metric::{Better, Metric};
use crate::tables::ConfigSummary;

/// The default ranking metric: the share of seeds at 100% final test accuracy, which says
/// both where a configuration trains well and how reliably.
pub(crate) const DEFAULT: Metric = Metric::TestAcc1;

/// Ties are broken by these, in order (the ranking metric itself skipped).
const TIE_BREAKS: [Metric; 3] = [
    Metric::TestAcc1,
    Metric::FinalTestAcc,
    Metric::FirstEpochTrainAcc1,
];

/// The metrics a ranking by `by` compares, in order.
pub(crate) fn criteria(by: Metric) -> Vec<Metric> {
    let mut c = vec![by];
    c.extend(TIE_BREAKS.into_iter().filter(|&m| m != by));
    c
}

/// The indices of `configs`, best first (equal ones keep their order).
pub(crate) fn order(configs: &[&ConfigSummary], by: Metric) -> Vec<usize> {
    let criteria = criteria(by);
    let keys: Vec<Vec<Option<f64>>> = configs
        .iter()
        .map(|c| criteria.iter().map(|&m| c.figure(m)).collect())
        .collect();
    let mut order: Vec<usize> = (0..configs.len()).collect();
    order.sort_by(|&a, &b| {
        criteria
            .iter()
            .zip(keys[a].iter().zip(&keys[b]))
            .map(|(m, (x, y))| compare(m.better(), *x, *y))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    order
}

/// Better first; no value last.
fn compare(better: Better, x: Option<f64>, y: Option<f64>) -> Ordering {
    match (x, y) {
        (Some(x), Some(y)) => match better {
            Better::Higher => y.total_cmp(&x),
            Better::Lower => x.total_cmp(&y),
        },
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// The ranking in words: `the share of seeds at 100% test acc (higher first), ties broken
/// by the median final test acc (higher first), then the median first epoch at 100% train
/// acc (earlier first)`.
pub(crate) fn describe(by: Metric) -> String {
    let c = criteria(by);
    let mut text = figure_words(c[0]);
    for (i, &m) in c[1..].iter().enumerate() {
        text += if i == 0 {
            ", ties broken by "
        } else {
            ", then "
        };
        text += &figure_words(m);
    }
    text
}

/// `the median final test acc (higher first)`
fn figure_words(m: Metric) -> String {
    use crate::metric::Measure;
    let what = match m.kind() {
        Measure::Share { .. } => format!("the share of seeds at {}", m.label()),
        _ => format!("the median {}", m.label()),
    };
    let direction = match (m.better(), m.kind()) {
        (Better::Lower, Measure::FirstEpoch { .. }) => "earlier first",
        (Better::Lower, _) => "lower first",
        (Better::Higher, _) => "higher first",
    };
    format!("{what} ({direction})")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metric::RunSummary;
    use crate::settings::SettingsParams;
    use crate::train::Status;

    /// A configuration whose seeds end at these test accuracies, all reaching 100% train
    /// accuracy at `epoch`.
    fn config(accs: &[f64], epoch: f64) -> ConfigSummary {
        let mut c = ConfigSummary::new("c".into(), SettingsParams::default());
        for (seed, &acc) in accs.iter().enumerate() {
            let mut run = RunSummary::empty(Status::Ok, 100);
            run.set(Metric::FinalTestAcc, Some(acc));
            run.set(Metric::FirstEpochTrainAcc1, Some(epoch));
            c.add(seed as u64, &run);
        }
        c
    }

    #[test]
    fn best_first_with_ties_broken_in_order() {
        let a = config(&[1.0, 0.9], 300.0);
        let b = config(&[1.0, 1.0], 500.0);
        let c = config(&[1.0, 0.95], 300.0);
        let d = config(&[1.0, 0.95], 200.0);
        let configs = [&a, &b, &c, &d];
        // Share at 100% first (b), then the median test accuracy (c, d over a), then the
        // earlier first epoch (d before c).
        assert_eq!(order(&configs, DEFAULT), [1, 3, 2, 0]);
        // By the first epoch alone: d, then a and c tie at 300 (broken by the share, then
        // the test accuracy: c), then b.
        assert_eq!(order(&configs, Metric::FirstEpochTrainAcc1), [3, 2, 0, 1]);
        assert_eq!(
            describe(DEFAULT),
            "the share of seeds at 100% test acc (higher first), ties broken by the median \
             final test acc (higher first), then the median first epoch at 100% train acc \
             (earlier first)"
        );
    }
}
