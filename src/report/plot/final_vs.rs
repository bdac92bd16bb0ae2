//! `final-vs-<axis>.png`: for one swept setting along x, the final test accuracy (top) and
//! the first epoch at 100% train accuracy (bottom) of every run as a point, coloured by the
//! report's colour setting (its own value when it is the colour setting), with the median
//! per value (and colour) as a line where the setting has few values. A logarithmic setting
//! gets a log axis; a setting of many distinct values (sampled) a continuous one.

use plotters::prelude::*;

use super::frame::{self, Frame, Panel, RowStyle};
use super::layout::names;
use super::scale::{Scale, linear_ticks};
use super::{Context, DrawResult, Figure, render};
use crate::metric::Metric;
use crate::number::short_float;
use crate::settings::{Key, Value};
use crate::stats::descriptive::median_sorted;
use crate::tables::schema::RunRow;

/// Width of the tick numbers left of the panels, height of those below.
const TICKS: (u32, u32) = (64, 30);

/// What each row of panels shows.
const METRICS: [Metric; 2] = [Metric::FinalTestAcc, Metric::FirstEpochTrainAcc1];

pub(super) fn draw(ctx: &Context<'_>, axis: Key) -> Figure {
    let scale = Scale::new(axis, ctx.sweep.axis_values(axis));
    let groups = Groups::of(ctx, axis);
    let frame = frame(ctx, &scale, &groups);
    render(frame.size(), |root| {
        let panels = frame.draw(root)?;
        for panel in &panels {
            draw_panel(ctx, &frame, panel, &scale, &groups, METRICS[panel.row])?;
        }
        Ok(())
    })
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

fn frame(ctx: &Context<'_>, scale: &Scale, groups: &Groups) -> Frame {
    let never = ctx
        .sweep
        .runs
        .iter()
        .filter(|r| r.value(Metric::FirstEpochTrainAcc1) == Some(f64::INFINITY))
        .count();
    let title = format!(
        "final metrics against {}, every run a point",
        scale.key.name()
    );
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
        draw_group(ctx, &mut chart, scale, groups, group, metric)?;
    }
    Ok(())
}

/// One colour group's runs as points, dodged sideways from the other groups, and its
/// median per value as a line.
fn draw_group(
    ctx: &Context<'_>,
    chart: &mut frame::PanelChart<'_, '_>,
    scale: &Scale,
    groups: &Groups,
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
    for (x, v) in scale.positions().iter().zip(&scale.values) {
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
        // Runs spread over most of the lane so equal values stay visible: by the golden
        // ratio's multiples, evenly but not in run order (which would draw the other
        // settings' order as a slope).
        let pts = ys.iter().enumerate().map(|(i, &y)| {
            let u = (i as f64 * 0.618_033_988_749_895).fract();
            (x + dodge + lane * 0.8 * (u - 0.5), y)
        });
        chart.draw_series(pts.map(|p| Circle::new(p, 3, colour.mix(0.55).filled())))?;
        all.sort_by(f64::total_cmp);
        let median = (!all.is_empty()).then(|| median_sorted(&all));
        if let Some(m) = median.filter(|m| m.is_finite() && !scale.continuous()) {
            medians.push(((x + dodge, m), colour));
        }
    }
    draw_medians(ctx, chart, scale, groups, medians)
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
