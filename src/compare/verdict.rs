//! A comparison in words a reader can use: "exact reaches 100% train acc earlier than
//! article: by 131 epochs [112, 150] (median paired difference), p = 3e-9, 48 paired seeds",
//! or "no detectable difference (48 paired seeds; a difference of 0.28 in the share would
//! be found 80% of the time)".

use super::{Comparison, Design};
use crate::metric::{Measure, Metric};
use crate::number::{half_step, significant};
use crate::stats::Interval;

/// The comparison's verdict, one sentence.
pub(crate) fn sentence(c: &Comparison) -> String {
    let Some(test) = c.test else {
        return format!(
            "too few seeds to compare ({} and {} with a value{})",
            c.n.0,
            c.n.1,
            if matches!(c.design, Design::Paired { .. }) {
                ", paired"
            } else {
                ""
            }
        );
    };
    let seeds = seeds(c);
    match c.effect {
        Some(effect) if c.significant() => format!(
            "{} {} than {}: by {} ({}), p = {} ({}, Holm-adjusted), {seeds}",
            c.b,
            direction(c.metric, effect.estimate),
            c.a,
            magnitude(c.metric, &effect),
            effect_name(c),
            p_value(test.adjusted),
            test.name,
        ),
        Some(e) if e.low == 0.0 && e.high == 0.0 => format!(
            "no difference between {} and {} ({seeds}, the same {} every way they are \
             resampled)",
            c.b,
            c.a,
            what(c.metric)
        ),
        _ => match c.detectable {
            Some(d) => format!(
                "no detectable difference between {} and {} ({seeds}; a difference of {} in the \
                 {} would be found 80% of the time)",
                c.b,
                c.a,
                amount(c.metric, d),
                what(c.metric)
            ),
            None => format!(
                "no detectable difference between {} and {} ({seeds}; no difference within the \
                 possible range would be found 80% of the time)",
                c.b, c.a
            ),
        },
    }
}

/// `48 paired seeds`, or `48 and 47 seeds, unpaired`.
pub(crate) fn seeds(c: &Comparison) -> String {
    match c.design {
        Design::Paired { .. } => format!("{} paired seeds", c.n.0),
        Design::Unpaired { .. } => format!("{} and {} seeds, unpaired", c.n.0, c.n.1),
    }
}

/// What B does compared with A, by the sign of the effect (B - A) and the metric's kind.
fn direction(metric: Metric, effect: f64) -> String {
    let more = effect > 0.0;
    let label = metric.label();
    match metric.kind() {
        Measure::FirstEpoch { .. } => {
            let goal = label.strip_prefix("first epoch at ").unwrap_or(label);
            format!("reaches {goal} {}", if more { "later" } else { "earlier" })
        }
        Measure::Share { .. } => {
            format!(
                "reaches {label} on {} seeds",
                if more { "more" } else { "fewer" }
            )
        }
        Measure::Continuous => format!("has a {} {label}", if more { "higher" } else { "lower" }),
    }
}

/// The effect's size with its interval, as a positive amount in the direction it goes.
fn magnitude(metric: Metric, effect: &Interval) -> String {
    let (x, lo, hi) = if effect.estimate < 0.0 {
        (-effect.estimate, -effect.high, -effect.low)
    } else {
        (effect.estimate, effect.low, effect.high)
    };
    format!(
        "{} [{}, {}]",
        amount(metric, x),
        bound(metric, lo),
        bound(metric, hi)
    )
}

/// An effect B - A with its interval, signed, in the metric's units: `+0.0250 [+0, +0.0500]`
/// for a median, `-131 epochs [-147.5, -120]`, `+5 points [-2, +12]` for a share.
pub(crate) fn signed(metric: Metric, e: &Interval) -> String {
    let sign = |x: f64, text: String| {
        if x >= 0.0 {
            format!("+{text}")
        } else {
            format!("-{text}")
        }
    };
    let one = |x: f64| sign(x, bound(metric, x.abs()));
    let unit = match metric.kind() {
        Measure::Share { .. } => " points",
        Measure::FirstEpoch { .. } => " epochs",
        Measure::Continuous => "",
    };
    format!(
        "{}{unit} [{}, {}]",
        one(e.estimate),
        one(e.low),
        one(e.high)
    )
}

/// An amount of `metric`: `0.025`, `0.000560`, `131 epochs`, `18 percentage points`.
fn amount(metric: Metric, x: f64) -> String {
    match metric.kind() {
        Measure::Continuous => significant(x),
        Measure::FirstEpoch { .. } if x.is_infinite() => "never".into(),
        Measure::FirstEpoch { .. } => format!("{} epochs", half_step(x)),
        Measure::Share { .. } => format!("{:.0} percentage points", 100.0 * x),
    }
}

/// An interval bound in the same units, without the unit.
fn bound(metric: Metric, x: f64) -> String {
    match metric.kind() {
        Measure::Continuous => significant(x),
        Measure::FirstEpoch { .. } if x.is_infinite() => "never".into(),
        Measure::FirstEpoch { .. } => half_step(x),
        Measure::Share { .. } => format!("{:.0}", 100.0 * x),
    }
}

/// What the effect is.
pub(crate) fn effect_name(c: &Comparison) -> &'static str {
    match (c.metric.kind(), &c.design) {
        (Measure::Share { .. }, _) => "difference in share",
        (_, Design::Paired { .. }) => "median paired difference",
        (_, Design::Unpaired { .. }) => "difference of medians",
    }
}

/// What a minimal difference is a difference in.
fn what(metric: Metric) -> &'static str {
    match metric.kind() {
        Measure::Share { .. } => "share",
        _ => "median",
    }
}

/// A p-value to two significant digits, tiny ones in scientific notation: `0.012`, `3e-9`.
pub(crate) fn p_value(p: f64) -> String {
    if p >= 0.001 {
        let digits = (1 - p.log10().floor() as i32).max(1) as usize;
        format!("{p:.digits$}")
    } else {
        format!("{p:.0e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_values_read_short() {
        assert_eq!(p_value(1.0), "1.0");
        assert_eq!(p_value(0.5), "0.50");
        assert_eq!(p_value(0.0123), "0.012");
        assert_eq!(p_value(0.001), "0.0010");
        assert_eq!(p_value(3.2e-9), "3e-9");
    }

    #[test]
    fn effects_read_in_the_direction_they_go() {
        let i = Interval {
            estimate: -131.0,
            low: -150.0,
            high: -112.0,
            level: 0.95,
        };
        let epoch = Metric::FirstEpochTrainAcc1;
        assert_eq!(
            direction(epoch, i.estimate),
            "reaches 100% train acc earlier"
        );
        assert_eq!(magnitude(epoch, &i), "131 epochs [112, 150]");
        assert_eq!(
            direction(Metric::TestAcc1, 0.2),
            "reaches 100% test acc on more seeds"
        );
        assert_eq!(
            direction(Metric::FinalTestLoss, -0.1),
            "has a lower final test loss"
        );
        assert_eq!(amount(Metric::TestAcc1, 0.28), "28 percentage points");
        assert_eq!(amount(Metric::FinalTrainLoss, 0.000_560_24), "0.000560");
        assert_eq!(amount(Metric::FinalTestAcc, 0.0312), "0.0312");
        assert_eq!(amount(Metric::FinalTestAcc, 0.975), "0.975");
    }
}
