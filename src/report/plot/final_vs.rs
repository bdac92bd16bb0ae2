//! `final-vs-<axis>.png`: for one swept setting along x, the final test accuracy (top) and
//! the first epoch at 100% train accuracy (bottom) of every run as a point, coloured by the
//! report's colour setting (its own value when it is the colour setting), with the median
//! per value (and colour) as a line where the setting has few values. A logarithmic setting
//! gets a log axis; a setting of many distinct values (sampled) a continuous one.
//!
//! A value of more than [`DENSE_RUNS`] runs is drawn as a violin instead of points: each
//! colour group's runs' density (a Gaussian kernel, Silverman's bandwidth, from the smallest
//! value to the largest), mirrored and as wide at its densest as the points' lane, with the
//! median's 95% bootstrap interval (as `summary.csv` has it) as a black bar. The title,
//! the subtitle and the report's caption say so; a figure without such a value is drawn
//! exactly as before.

use plotters::prelude::*;

use super::frame::{self, Frame, Panel, RowStyle};
use super::layout::names;
use super::scale::{Scale, linear_ticks};
use super::{Context, DrawResult, Figure, render};
use crate::metric::Metric;
use crate::number::short_float;
use crate::settings::{Key, Value};
use crate::stats::density::{gaussian_density, silverman_bandwidth};
use crate::stats::descriptive::median_sorted;
use crate::stats::{DEFAULT_RESAMPLES, bootstrap_median};
use crate::tables::schema::RunRow;
use crate::tables::summary::LEVEL;

/// Width of the tick numbers left of the panels, height of those below.
const TICKS: (u32, u32) = (64, 30);

/// What each row of panels shows.
const METRICS: [Metric; 2] = [Metric::FinalTestAcc, Metric::FirstEpochTrainAcc1];

/// Runs of one value of the x setting above which the value is drawn as a violin rather
/// than a point per run: where points stop being countable. A point is 7 px across, so two
/// overlap when their centres are within 7 px (a disc of 154 px²). In the baseline's figure
/// (2 values, each value's points spread over a strip 216 px wide and 250 px tall, 54,000
/// px²) the share of points touching another is 1 - exp(-154 N / 54,000) even if the runs
/// spread evenly over the whole panel: 25% at N = 100, 57% at 300, 94% at 1,000. Runs bunch
/// far more than that (accuracy on a 20-sentence test set takes a few values), so past 300
/// the points merge into bars that no longer show how many runs are where. Colour groups
/// split a value's strip into narrower lanes of fewer runs each, the same density, so the
/// count is per value, the same for both panels. The committed example reports (at most 160
/// runs per value, `results/grid3`'s gradient) stay points.
pub(super) const DENSE_RUNS: usize = 300;

/// Points at which a violin's density is computed, at least and at most: three per
/// bandwidth in between, so that the peaks of tied values (accuracies) are not missed.
const VIOLIN_STEPS: (f64, f64) = (64.0, 512.0);

pub(super) fn draw(ctx: &Context<'_>, axis: Key) -> Figure {
    let scale = Scale::new(axis, ctx.sweep.axis_values(axis));
    let groups = Groups::of(ctx, axis);
    let dense = dense(ctx, &scale);
    let frame = frame(ctx, &scale, &groups, &dense);
    render(frame.size(), |root| {
        let panels = frame.draw(root)?;
        for panel in &panels {
            let metric = METRICS[panel.row];
            draw_panel(ctx, &frame, panel, &scale, &groups, &dense, metric)?;
        }
        Ok(())
    })
}

/// Whether each value of the x setting (in order) has more than [`DENSE_RUNS`] runs, and so
/// is drawn as a violin. Never on a continuous axis: its runs sit at their own values.
fn dense(ctx: &Context<'_>, scale: &Scale) -> Vec<bool> {
    scale
        .values
        .iter()
        .map(|v| {
            let runs = ctx
                .sweep
                .runs
                .iter()
                .filter(|r| scale.key.value_of(&r.settings, r.seed).total_cmp(v).is_eq())
                .count();
            !scale.continuous() && runs > DENSE_RUNS
        })
        .collect()
}

/// The report's caption of the figure of `axis`: what is drawn as a violin, and how; empty
/// when every value is drawn as points.
pub(super) fn caption(ctx: &Context<'_>, axis: Key) -> String {
    let scale = Scale::new(axis, ctx.sweep.axis_values(axis));
    let dense = dense(ctx, &scale);
    let violins: Vec<String> = scale
        .values
        .iter()
        .zip(&dense)
        .filter(|(_, d)| **d)
        .map(|(v, _)| v.short())
        .collect();
    if violins.is_empty() {
        return String::new();
    }
    let which = match violins.as_slice() {
        _ if violins.len() == scale.values.len() => format!("Every value of {} has", axis.name()),
        [one] => format!("The value {one} of {} has", axis.name()),
        _ => format!("The values {} of {} have", violins.join(", "), axis.name()),
    };
    format!(
        "{which} more than {DENSE_RUNS} runs, too many to draw as points: each is a violin, \
         the density of its runs' values (a Gaussian kernel with Silverman's bandwidth, from \
         the smallest value to the largest, as wide at its densest as the points would be), \
         with the median and a black bar for its 95% bootstrap interval. The first-epoch \
         violins leave out the runs that never reached 100% train accuracy; the median counts \
         them as later than any epoch."
    )
}

/// The runs split by their value of the colour setting (one group without one).
struct Groups {
    key: Option<Key>,
    values: Vec<Option<Value>>,
}

impl Groups {
    fn of(ctx: &Context<'_>, axis: Key) -> Groups {
        match ctx.color_key() {
            Some(key) => Groups {
                key: Some(key),
                values: ctx.sweep.axis_values(key).into_iter().map(Some).collect(),
            },
            None => Groups {
                key: None,
                values: vec![None],
            },
        }
        .with_axis(axis)
    }

    /// When the colour setting is the x axis itself, its groups only colour, never dodge.
    fn with_axis(self, axis: Key) -> Groups {
        if self.key == Some(axis) {
            Groups {
                key: self.key,
                values: vec![None],
            }
        } else {
            self
        }
    }

    fn holds(&self, group: usize, run: &RunRow) -> bool {
        match (self.key, &self.values[group]) {
            (Some(k), Some(v)) => k.value_of(&run.settings, run.seed).total_cmp(v).is_eq(),
            _ => true,
        }
    }
}

fn frame(ctx: &Context<'_>, scale: &Scale, groups: &Groups, dense: &[bool]) -> Frame {
    let never = ctx
        .sweep
        .runs
        .iter()
        .filter(|r| r.value(Metric::FirstEpochTrainAcc1) == Some(f64::INFINITY))
        .count();
    let (all_dense, any_dense) = (dense.iter().all(|&d| d), dense.iter().any(|&d| d));
    let title = if all_dense {
        format!(
            "final metrics against {}, the runs' density",
            scale.key.name()
        )
    } else if any_dense {
        format!(
            "final metrics against {}, every run a point, or a violin past {DENSE_RUNS} runs",
            scale.key.name()
        )
    } else {
        format!(
            "final metrics against {}, every run a point",
            scale.key.name()
        )
    };
    let mut frame = Frame::single(title, (900, 250), TICKS);
    let others: Vec<Key> = ctx
        .sweep
        .varying
        .iter()
        .copied()
        .filter(|&k| k != scale.key && Some(k) != groups.key)
        .collect();
    let by = match groups.key.filter(|_| groups.values.len() > 1) {
        Some(k) => format!("median per {} and {}", scale.key.name(), k.name()),
        None => format!("median per {}", scale.key.name()),
    };
    let pooled = if others.is_empty() {
        String::new()
    } else {
        format!(", over every {}", names(&others))
    };
    let mark = if groups.key == Some(scale.key) {
        "cross"
    } else {
        "line"
    };
    frame.subtitle = if scale.continuous() {
        "points only: too many values for a median per value".into()
    } else if all_dense {
        format!("violin: the runs' density; {mark}: {by}{pooled}; bar: its 95% interval")
    } else if any_dense {
        format!(
            "violin where a value has over {DENSE_RUNS} runs (their density; bar: the \
             median's 95% interval), else seeds spread sideways; {mark}: {by}{pooled}"
        )
    } else {
        format!("{mark}: {by}{pooled}; seeds spread sideways")
    };
    frame.rows = METRICS.len();
    frame.row_labels = vec![
        "final test accuracy".into(),
        format!("first epoch at 100% train accuracy ({never} runs never got there)"),
    ];
    frame.row_style = RowStyle::Header;
    frame.x_title = scale.title();
    frame.legend = ctx.legend();
    frame
}

fn draw_panel(
    ctx: &Context<'_>,
    frame: &Frame,
    panel: &Panel<'_>,
    scale: &Scale,
    groups: &Groups,
    dense: &[bool],
    metric: Metric,
) -> DrawResult {
    let value = |r: &RunRow| r.value(metric).filter(|v| v.is_finite());
    let top = ctx.sweep.runs.iter().filter_map(value).fold(1.0, f64::max);
    let (y, y_ticks) = if metric == Metric::FinalTestAcc {
        (-0.03..1.03, vec![0.0, 0.25, 0.5, 0.75, 1.0])
    } else {
        (-0.02 * top..top * 1.05, linear_ticks(0.0, top, 6))
    };
    let mut chart = frame::chart(
        panel,
        frame.ticks,
        (scale.range(), scale.ticks()),
        (y, y_ticks),
        &|x| scale.label(x),
        &|v| short_float(v),
    )?;
    for group in 0..groups.values.len() {
        draw_group(ctx, &mut chart, scale, groups, dense, group, metric)?;
    }
    Ok(())
}

/// One colour group's runs as points (a violin and the median's interval at a dense
/// value), dodged sideways from the other groups, and its median per value as a line.
fn draw_group(
    ctx: &Context<'_>,
    chart: &mut frame::PanelChart<'_, '_>,
    scale: &Scale,
    groups: &Groups,
    dense: &[bool],
    group: usize,
    metric: Metric,
) -> DrawResult {
    let value = |r: &RunRow| r.value(metric).filter(|v| v.is_finite());
    let n = groups.values.len() as f64;
    let width = if scale.continuous() {
        0.0
    } else {
        scale.min_gap() * 0.6
    };
    let lane = width / n;
    let dodge = (group as f64 - (n - 1.0) / 2.0) * lane;
    let mut medians: Vec<((f64, f64), RGBColor)> = Vec::new();
    let values = scale.positions().iter().zip(&scale.values).zip(dense);
    for ((x, v), &dense) in values {
        let runs: Vec<&RunRow> = ctx
            .sweep
            .runs
            .iter()
            .filter(|r| groups.holds(group, r))
            .filter(|r| scale.key.value_of(&r.settings, r.seed).total_cmp(v).is_eq())
            .collect();
        let Some(first) = runs.first() else { continue };
        let colour = ctx.color(&first.settings);
        let ys: Vec<f64> = runs.iter().filter_map(|r| value(r)).collect();
        // The median counts every run with a value, "never" (+inf) as later than any epoch.
        let mut all: Vec<f64> = runs.iter().filter_map(|r| r.value(metric)).collect();
        let violin = dense && draw_violin(chart, x + dodge, lane * 0.4, &ys, colour)?;
        if !violin {
            // Runs spread over most of the lane so equal values stay visible: by the golden
            // ratio's multiples, evenly but not in run order (which would draw the other
            // settings' order as a slope).
            let pts = ys.iter().enumerate().map(|(i, &y)| {
                let u = (i as f64 * 0.618_033_988_749_895).fract();
                (x + dodge + lane * 0.8 * (u - 0.5), y)
            });
            chart.draw_series(pts.map(|p| Circle::new(p, 3, colour.mix(0.55).filled())))?;
        }
        if dense {
            draw_interval(chart, x + dodge, lane * 0.06, &all)?;
        }
        all.sort_by(f64::total_cmp);
        let median = (!all.is_empty()).then(|| median_sorted(&all));
        if let Some(m) = median.filter(|m| m.is_finite() && !scale.continuous()) {
            medians.push(((x + dodge, m), colour));
        }
    }
    draw_medians(ctx, chart, scale, groups, medians)
}

/// `ys` as a violin centred at `x`, `half` wide either side at its densest: their Gaussian
/// kernel density with Silverman's bandwidth, from the smallest value to the largest,
/// mirrored; a line across where every value is the same. Whether it was drawn (not for
/// fewer than two values, which stay points).
fn draw_violin(
    chart: &mut frame::PanelChart<'_, '_>,
    x: f64,
    half: f64,
    ys: &[f64],
    colour: RGBColor,
) -> Result<bool, Box<dyn std::error::Error>> {
    let Some(bandwidth) = silverman_bandwidth(ys) else {
        return Ok(false);
    };
    let lo = ys.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if hi <= lo {
        let across = vec![(x - half, lo), (x + half, lo)];
        chart.draw_series(std::iter::once(PathElement::new(
            across,
            colour.stroke_width(2),
        )))?;
        return Ok(true);
    }
    let steps = (3.0 * (hi - lo) / bandwidth).clamp(VIOLIN_STEPS.0, VIOLIN_STEPS.1) as usize;
    let profile: Vec<(f64, f64)> = (0..=steps)
        .map(|i| {
            let y = lo + (hi - lo) * i as f64 / steps as f64;
            (y, gaussian_density(ys, bandwidth, y).unwrap_or(0.0))
        })
        .collect();
    let peak = profile.iter().map(|p| p.1).fold(0.0, f64::max);
    if peak <= 0.0 {
        return Ok(false);
    }
    let right = profile.iter().map(|&(y, d)| (x + half * d / peak, y));
    let left = profile.iter().rev().map(|&(y, d)| (x - half * d / peak, y));
    let mut shape: Vec<(f64, f64)> = right.chain(left).collect();
    chart.draw_series(std::iter::once(Polygon::new(
        shape.clone(),
        colour.mix(0.35).filled(),
    )))?;
    shape.extend(shape.first().copied());
    chart.draw_series(std::iter::once(PathElement::new(
        shape,
        colour.stroke_width(1),
    )))?;
    Ok(true)
}

/// The 95% interval of the median of `all` (the percentile bootstrap of `summary.csv`) as a
/// black bar at `x`, capped `cap` either side; an infinite upper bound (never) runs to the
/// panel's top, uncapped. Nothing where the median itself is infinite.
fn draw_interval(
    chart: &mut frame::PanelChart<'_, '_>,
    x: f64,
    cap: f64,
    all: &[f64],
) -> DrawResult {
    let Some(interval) = bootstrap_median(all, DEFAULT_RESAMPLES, LEVEL) else {
        return Ok(());
    };
    if !interval.estimate.is_finite() || !interval.low.is_finite() {
        return Ok(());
    }
    let top = chart.y_range().end;
    let (low, high) = (interval.low, interval.high.min(top));
    let bar = BLACK.stroke_width(2);
    let mut lines = vec![
        vec![(x, low), (x, high)],
        vec![(x - cap, low), (x + cap, low)],
    ];
    if interval.high.is_finite() {
        lines.push(vec![(x - cap, high), (x + cap, high)]);
    }
    chart.draw_series(lines.into_iter().map(|l| PathElement::new(l, bar)))?;
    Ok(())
}

/// A group's medians: a line across the values in the group's colour (black without
/// colour groups), or, when each value has its own colour, a cross each.
fn draw_medians(
    ctx: &Context<'_>,
    chart: &mut frame::PanelChart<'_, '_>,
    scale: &Scale,
    groups: &Groups,
    medians: Vec<((f64, f64), RGBColor)>,
) -> DrawResult {
    if ctx.color_key() == Some(scale.key) {
        for (p, c) in medians {
            chart.draw_series(std::iter::once(Cross::new(p, 7, c.stroke_width(3))))?;
        }
        return Ok(());
    }
    let line = match medians.first() {
        Some((_, c)) if groups.values.len() > 1 => *c,
        _ => RGBColor(0, 0, 0),
    };
    let pts = medians.into_iter().map(|(p, _)| p);
    chart.draw_series(LineSeries::new(pts, line.stroke_width(2)).point_size(4))?;
    Ok(())
}
