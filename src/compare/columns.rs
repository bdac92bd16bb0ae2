//! `comparisons.csv` (and `sweep compare --format csv|markdown|json`): one row per pair and
//! metric, every number of a comparison in its own column.

use super::verdict::{effect_name, sentence};
use super::{Comparison, Design};
use crate::stats::{Interval, Method};
use crate::tables::rows::Row;
use crate::tables::schema::cell;

impl Row for Comparison {
    fn header() -> Vec<String> {
        [
            "a",
            "b",
            "setting",
            "metric",
            "design",
            "unpaired_because",
            "n_a",
            "n_b",
            "a_estimate",
            "a_low",
            "a_high",
            "b_estimate",
            "b_low",
            "b_high",
            "effect",
            "effect_estimate",
            "effect_low",
            "effect_high",
            "test",
            "method",
            "statistic",
            "p",
            "p_holm",
            "significant",
            "detectable",
            "verdict",
        ]
        .map(String::from)
        .to_vec()
    }

    fn cells(&self) -> Vec<String> {
        let (design, why) = match &self.design {
            Design::Paired { .. } => ("paired", String::new()),
            Design::Unpaired { why } => ("unpaired", why.clone()),
        };
        let mut c = vec![
            self.a.clone(),
            self.b.clone(),
            self.setting.clone().unwrap_or_default(),
            self.metric.name().to_owned(),
            design.to_owned(),
            why,
            self.n.0.to_string(),
            self.n.1.to_string(),
        ];
        c.extend(interval(self.figures.0));
        c.extend(interval(self.figures.1));
        c.push(effect_name(self).to_owned());
        c.extend(interval(self.effect));
        let t = self.test;
        c.extend([
            t.map_or(String::new(), |t| t.name.to_owned()),
            t.map_or(String::new(), |t| method(t.result.method).to_owned()),
            // `+ 0.0` turns a -0 into 0; an undefined statistic (Fisher's odds ratio of two
            // shares both 0 or 1) is empty, as a CSV never holds a NaN.
            cell(t.map(|t| t.result.statistic + 0.0).filter(|s| !s.is_nan())),
            cell(t.map(|t| t.result.p_value)),
            cell(t.map(|t| t.adjusted)),
            t.map_or(String::new(), |_| self.significant().to_string()),
            cell(self.detectable),
            sentence(self),
        ]);
        c
    }
}

/// An interval as three cells (an infinite bound, "never", as `inf`).
fn interval(i: Option<Interval>) -> [String; 3] {
    [
        cell(i.map(|i| i.estimate)),
        cell(i.map(|i| i.low)),
        cell(i.map(|i| i.high)),
    ]
}

fn method(m: Method) -> &'static str {
    match m {
        Method::Exact => "exact",
        Method::Permutation => "permutation",
        Method::Asymptotic => "normal approximation",
    }
}
