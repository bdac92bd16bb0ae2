//! `final-vs-<axis>.png`: for one swept setting, the final test accuracy (left) and the first
//! epoch at 100% train accuracy (right) of every run as points, the median per value as a
//! line. The learning rate and init scale get a log axis; other settings are categories.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::{DrawResult, FONT, Figure, WIDE, color, render};
use crate::results::Sweep;
use crate::results::metric::Metric;
use crate::results::schema::RunRow;
use crate::settings::{Key, Value};
use crate::stats::describe::median_sorted;

/// A number read off one run (none where the run has no such number).
type PerRun = dyn Fn(&RunRow) -> Option<f64>;

pub fn draw(sweep: &Sweep, axis: Key) -> Figure {
    render(WIDE, |root| {
        let panels = root.split_evenly((1, 2));
        draw_panels(sweep, axis, &panels)?;
        Ok(())
    })
}

fn draw_panels(
    sweep: &Sweep,
    axis: Key,
    panels: &[DrawingArea<BitMapBackend<'_>, Shift>],
) -> DrawResult {
    let x = XAxis::new(sweep, axis);
    let acc = |r: &RunRow| r.value(Metric::FinalTestAcc);
    let first = |r: &RunRow| {
        r.value(Metric::FirstEpochTrainAcc1)
            .filter(|e| e.is_finite())
    };
    let never = sweep.runs.iter().filter(|r| first(r).is_none()).count();
    let plots: [(&str, &PerRun); 2] = [
        ("final test accuracy", &acc),
        (
            &format!("first epoch at 100% train accuracy ({never} runs never)"),
            &first,
        ),
    ];
    for (panel, (title, metric)) in panels.iter().zip(plots) {
        panel_chart(sweep, &x, title, metric, panel)?;
    }
    Ok(())
}

/// The swept setting along x: its values and where each sits.
struct XAxis {
    key: Key,
    values: Vec<Value>,
    /// Settings that span decades get a log axis; others are categories.
    log: bool,
    /// x position of each value: log10 of it, or its rank.
    xs: Vec<f64>,
}

impl XAxis {
    fn new(sweep: &Sweep, key: Key) -> XAxis {
        let values = sweep.axis_values(key);
        let log = key.log_axis();
        let xs = values
            .iter()
            .enumerate()
            .map(|(i, v)| match v.as_f64() {
                Some(x) if log => x.log10(),
                _ => i as f64,
            })
            .collect();
        XAxis {
            key,
            values,
            log,
            xs,
        }
    }

    /// Room left and right of the outer values, also the scale of the seeds' spread.
    fn pad(&self) -> f64 {
        ((self.xs[self.xs.len() - 1] - self.xs[0]) * 0.08).max(0.5)
    }

    /// The tick label at `x`: the value there (none between values), or on a log axis the
    /// number itself.
    fn tick(&self, x: f64) -> String {
        if self.log {
            return format!("{:.3}", 10f64.powf(x));
        }
        self.xs
            .iter()
            .position(|p| (p - x).abs() < 1e-9)
            .map_or(String::new(), |i| self.values[i].to_string())
    }
}

/// A panel's chart: `'a` the drawing area's borrow, `'b` the bitmap's.
type Chart<'a, 'b> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn panel_chart(
    sweep: &Sweep,
    x: &XAxis,
    title: &str,
    metric: &PerRun,
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
) -> DrawResult {
    // Per value: the metric of every run with it (over the other axes and all seeds).
    let groups: Vec<Vec<f64>> = x
        .values
        .iter()
        .map(|v| {
            sweep
                .runs
                .iter()
                .filter(|r| x.key.value_of(&r.settings, r.seed) == *v)
                .filter_map(metric)
                .collect()
        })
        .collect();
    let top = groups.iter().flatten().copied().fold(1.0, f64::max) * 1.05;
    let mut chart = axes(area, title, x, top)?;
    draw_points(&mut chart, x, &groups)?;
    draw_medians(&mut chart, x, &groups)
}

/// The panel's chart with its axes drawn, y from 0 to `top`.
fn axes<'a, 'b>(
    area: &'a DrawingArea<BitMapBackend<'b>, Shift>,
    title: &str,
    x: &XAxis,
    top: f64,
) -> Result<Chart<'a, 'b>, Box<dyn std::error::Error>> {
    let (lo, hi, pad) = (x.xs[0], x.xs[x.xs.len() - 1], x.pad());
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, 20))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d((lo - pad)..(hi + pad), -0.02 * top..top)?;
    chart
        .configure_mesh()
        .x_desc(if x.log {
            format!("{} (log)", x.key.name())
        } else {
            x.key.name().to_owned()
        })
        .x_labels(if x.log { 12 } else { x.values.len() * 2 + 1 })
        .x_label_formatter(&|v| x.tick(*v))
        // Accuracies need a decimal, epochs do not.
        .y_label_formatter(&|y| {
            if top > 1.5 {
                format!("{y:.0}")
            } else {
                format!("{y:.1}")
            }
        })
        .label_style((FONT, 14))
        .draw()?;
    Ok(chart)
}

/// Every run as a point, one colour per value.
fn draw_points(chart: &mut Chart<'_, '_>, x: &XAxis, groups: &[Vec<f64>]) -> DrawResult {
    // Spread the seeds sideways a little so equal values stay visible.
    let spread = x.pad() * 0.3;
    for (i, (at, group)) in x.xs.iter().zip(groups).enumerate() {
        let n = group.len().max(2) as f64;
        let pts = group
            .iter()
            .enumerate()
            .map(|(k, &y)| (at + spread * (k as f64 / (n - 1.0) - 0.5), y));
        chart.draw_series(pts.map(|p| Circle::new(p, 3, color(i).mix(0.6).filled())))?;
    }
    Ok(())
}

/// The median per value (values no run has a number for are skipped) and the legend.
fn draw_medians<'a, 'b: 'a>(
    chart: &mut Chart<'a, 'b>,
    x: &XAxis,
    groups: &[Vec<f64>],
) -> DrawResult {
    let medians: Vec<(f64, f64)> =
        x.xs.iter()
            .zip(groups)
            .filter(|(_, g)| !g.is_empty())
            .map(|(&x, g)| {
                let mut g = g.clone();
                g.sort_by(f64::total_cmp);
                (x, median_sorted(&g))
            })
            .collect();
    chart
        .draw_series(LineSeries::new(medians, BLACK.stroke_width(2)).point_size(4))?
        .label("median")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK.stroke_width(2)));
    chart
        .configure_series_labels()
        .label_font((FONT, 14))
        .background_style(WHITE.mix(0.85))
        .draw()?;
    Ok(())
}
