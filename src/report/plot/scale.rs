//! A swept setting along a figure's axis: where each of its values sits and how the ticks
//! are labelled. A few values are evenly spaced categories (log-spaced on a logarithmic
//! setting); many distinct values (a sampled axis) make a continuous axis, logarithmic where
//! the setting is, with round ticks. Every label prints a number as configuration labels do,
//! to four significant digits.

use super::layout::MAX_LEVELS;
use crate::number::short_float;
use crate::settings::{Key, Value};

/// How values are placed along the axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placement {
    /// Evenly spaced in value order (gradient variants, a few clip values, hidden sizes).
    Categories,
    /// At log10 of the value.
    Log,
    /// At the value.
    Linear,
}

/// A setting's values along an axis.
#[derive(Debug, Clone)]
pub(crate) struct Scale {
    pub key: Key,
    /// The distinct values, in order.
    pub values: Vec<Value>,
    pub placement: Placement,
    /// Position of each value.
    xs: Vec<f64>,
    /// Whether ticks are exactly at the values (few values) or round numbers (many).
    at_values: bool,
}

/// A value as a tick label: as configuration labels print it, `0.01257`, `inf`, `exact`.
pub(crate) fn tick_label(value: &Value) -> String {
    value.short()
}

impl Scale {
    pub(crate) fn new(key: Key, values: Vec<Value>) -> Scale {
        let numbers: Vec<f64> = values.iter().filter_map(Value::as_f64).collect();
        let finite: Vec<f64> = numbers.iter().copied().filter(|x| x.is_finite()).collect();
        let positive = !finite.is_empty() && finite.iter().all(|&x| x > 0.0);
        let many = values.len() > MAX_LEVELS && numbers.len() == values.len();
        let placement = match (key.log_axis() && positive, many) {
            (true, _) => Placement::Log,
            (false, true) => Placement::Linear,
            (false, false) => Placement::Categories,
        };
        let xs = positions(&values, placement);
        Scale {
            key,
            values,
            placement,
            xs,
            at_values: !many,
        }
    }

    /// Where `value` sits (values not on the axis: its first position); the tests' view of
    /// the placement.
    #[cfg(test)]
    pub(crate) fn position(&self, value: &Value) -> f64 {
        let i = self
            .values
            .iter()
            .position(|v| v.total_cmp(value).is_eq())
            .unwrap_or(0);
        self.xs[i]
    }

    /// Whether the axis is continuous (many values, round ticks) rather than a few values.
    pub(crate) fn continuous(&self) -> bool {
        !self.at_values
    }

    /// The smallest distance between two neighbouring values (1 with a single value).
    pub(crate) fn min_gap(&self) -> f64 {
        self.xs
            .windows(2)
            .map(|w| w[1] - w[0])
            .fold(f64::INFINITY, f64::min)
            .min(1.0)
    }

    /// The positions of the values, in order.
    pub(crate) fn positions(&self) -> &[f64] {
        &self.xs
    }

    /// The span the axis shows: the values with room on either side.
    pub(crate) fn range(&self) -> std::ops::Range<f64> {
        let (lo, hi) = (self.xs[0], self.xs[self.xs.len() - 1]);
        let pad = self.pad();
        (lo - pad)..(hi + pad)
    }

    /// Room left and right of the outer values, also the scale of a sideways jitter.
    pub(crate) fn pad(&self) -> f64 {
        let (lo, hi) = (self.xs[0], self.xs[self.xs.len() - 1]);
        match self.placement {
            Placement::Categories => 0.5,
            // Room for the runs spread sideways around the outer values.
            _ if !self.continuous() => ((hi - lo) * 0.06).max(self.min_gap() * 0.5),
            _ if hi > lo => (hi - lo) * 0.04,
            _ => 0.5,
        }
    }

    /// Where the ticks go: at the values when few, else at round numbers (and at the
    /// values that sit apart: `inf`, a zero on a log axis).
    pub(crate) fn ticks(&self) -> Vec<f64> {
        if self.at_values {
            return self.xs.clone();
        }
        let finite: Vec<usize> = (0..self.values.len())
            .filter(|&i| self.is_regular(i))
            .collect();
        let lo = finite.first().map_or(0.0, |&i| self.xs[i]);
        let hi = finite.last().map_or(1.0, |&i| self.xs[i]);
        let mut ticks = match self.placement {
            Placement::Log => log_ticks(lo, hi, 6),
            _ => linear_ticks(lo, hi, 5),
        };
        ticks.extend(
            (0..self.values.len())
                .filter(|&i| !self.is_regular(i))
                .map(|i| self.xs[i]),
        );
        ticks
    }

    /// The label of the tick at `x`.
    pub(crate) fn label(&self, x: f64) -> String {
        if let Some(i) = self.xs.iter().position(|p| (p - x).abs() < 1e-9)
            && (self.at_values || !self.is_regular(i))
        {
            return tick_label(&self.values[i]);
        }
        match self.placement {
            Placement::Log => short_float(10f64.powf(x)),
            Placement::Linear => short_float(x),
            Placement::Categories => String::new(),
        }
    }

    /// The axis's name, saying when it is logarithmic: `learning_rate (log)`.
    pub(crate) fn title(&self) -> String {
        match self.placement {
            Placement::Log => format!("{} (log)", self.key.name()),
            _ => self.key.name().to_owned(),
        }
    }

    /// Whether value `i` sits where its number puts it (not `inf`, nor zero on a log axis).
    fn is_regular(&self, i: usize) -> bool {
        let x = self.values[i].as_f64().unwrap_or(f64::NAN);
        match self.placement {
            Placement::Categories => true,
            Placement::Log => x.is_finite() && x > 0.0,
            Placement::Linear => x.is_finite(),
        }
    }
}

/// Each value's position. Values a continuous axis cannot place (`inf`; zero or less on a
/// log axis) sit one step beyond the others' ends.
fn positions(values: &[Value], placement: Placement) -> Vec<f64> {
    let at = |v: &Value| -> Option<f64> {
        let x = v.as_f64()?;
        match placement {
            Placement::Log if x > 0.0 && x.is_finite() => Some(x.log10()),
            Placement::Linear if x.is_finite() => Some(x),
            _ => None,
        }
    };
    if placement == Placement::Categories {
        return (0..values.len()).map(|i| i as f64).collect();
    }
    let placed: Vec<f64> = values.iter().filter_map(at).collect();
    let lo = placed.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = placed.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 0.0) };
    let step = ((hi - lo) * 0.15).max(0.5);
    values
        .iter()
        .map(|v| {
            at(v).unwrap_or_else(|| match v.as_f64() {
                Some(x) if x > 0.0 => hi + step,
                _ => lo - step,
            })
        })
        .collect()
}

/// Round ticks from `lo` to `hi`: about `n`, at 1, 2 or 5 times a power of ten.
pub(super) fn linear_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if hi <= lo {
        return vec![lo];
    }
    let raw = (hi - lo) / n.max(1) as f64;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * power);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    // Rounded, so that 3 x 0.2 is the tick 0.6, not 0.6000000000000001.
    (first..=last)
        .map(|k| (k as f64 * step * 1e12).round() / 1e12)
        .collect()
}

/// An epoch axis from 1 to `last` with about `n` round ticks (epochs count from 1, so a
/// tick at 0 would sit outside it).
pub(super) fn epoch_axis(last: f64, n: usize) -> (std::ops::Range<f64>, Vec<f64>) {
    let ticks = linear_ticks(0.0, last, n)
        .into_iter()
        .filter(|&t| t >= 1.0)
        .collect();
    (1.0..last, ticks)
}

/// Ticks of a log axis from 10^`lo` to 10^`hi` (positions in decades), at most `n` of
/// them: 1, 2 and 5 times each power of ten if they fit, else 1 and 3 times, else every
/// decade, else every other one.
pub(super) fn log_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let within = |x: &f64| *x >= lo - 1e-9 && *x <= hi + 1e-9;
    let candidates: [(&[f64], i64); 4] = [
        (&[1.0, 2.0, 5.0], 1),
        (&[1.0, 3.0], 1),
        (&[1.0], 1),
        (&[1.0], 2),
    ];
    let mut best = Vec::new();
    for (multiples, every) in candidates {
        let ticks: Vec<f64> = ((lo.floor() as i64)..=(hi.ceil() as i64))
            .filter(|d| d.rem_euclid(every) == 0)
            .flat_map(|d| multiples.iter().map(move |m| d as f64 + m.log10()))
            .filter(within)
            .collect();
        if ticks.len() <= n.max(2) {
            best = ticks;
            break;
        }
        best = ticks;
    }
    if best.len() >= 2 { best } else { vec![lo, hi] }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_epoch_axis_starts_at_epoch_one_without_a_tick_at_zero() {
        assert_eq!(
            epoch_axis(200.0, 4),
            (1.0..200.0, vec![50.0, 100.0, 150.0, 200.0])
        );
        // Ten epochs in about five ticks: steps of 2, the 0 left out.
        assert_eq!(epoch_axis(10.0, 5).1, [2.0, 4.0, 6.0, 8.0, 10.0]);
    }

    fn floats(xs: &[f64]) -> Vec<Value> {
        xs.iter().map(|&x| Value::Float(x)).collect()
    }

    #[test]
    fn tick_labels_print_four_significant_digits() {
        assert_eq!(tick_label(&Value::Float(0.012574334296829352)), "0.01257");
        assert_eq!(tick_label(&Value::Float(f64::INFINITY)), "inf");
        let lr = Scale::new(
            Key::LearningRate,
            floats(&[0.005, 0.007071067811865475, 0.01]),
        );
        assert_eq!(lr.placement, Placement::Log);
        let labels: Vec<String> = lr.ticks().iter().map(|&x| lr.label(x)).collect();
        assert_eq!(labels, ["0.005", "0.007071", "0.01"]);
    }

    #[test]
    fn few_values_are_categories_and_inf_is_one_of_them() {
        let clip = Scale::new(Key::Clip, floats(&[0.3, 1.0, 3.0, f64::INFINITY]));
        assert_eq!(clip.placement, Placement::Categories);
        assert_eq!(clip.position(&Value::Float(f64::INFINITY)), 3.0);
        assert_eq!(clip.label(3.0), "inf");
    }

    #[test]
    fn many_sampled_values_make_a_continuous_axis_with_round_ticks() {
        // 50 learning rates drawn between 1e-3 and 1e-1, as a random search would.
        let values: Vec<f64> = (0..50)
            .map(|i| 10f64.powf(-3.0 + 2.0 * ((i * 37) % 50) as f64 / 49.0))
            .collect();
        let mut values = floats(&values);
        values.sort_by(Value::total_cmp);
        let lr = Scale::new(Key::LearningRate, values);
        assert_eq!(lr.placement, Placement::Log);
        let labels: Vec<String> = lr.ticks().iter().map(|&x| lr.label(x)).collect();
        assert_eq!(labels, ["0.001", "0.003", "0.01", "0.03", "0.1"]);
        let clips: Vec<f64> = (1..=30).map(|i| f64::from(i) * 0.3).collect();
        let mut clips = floats(&clips);
        clips.push(Value::Float(f64::INFINITY));
        let clip = Scale::new(Key::Clip, clips);
        assert_eq!(clip.placement, Placement::Linear);
        let labels: Vec<String> = clip.ticks().iter().map(|&x| clip.label(x)).collect();
        assert_eq!(labels, ["2", "4", "6", "8", "inf"]);
        assert!(clip.position(&Value::Float(f64::INFINITY)) > 9.0);
    }
}
