//! `final-vs-<axis>.png`: for one swept setting, the final test accuracy (left) and the first
//! epoch at 100% train accuracy (right) of every run as points, the median per value as a
//! line. The learning rate and init scale get a log axis; other settings are categories.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{DrawResult, FONT, WIDE, axis_values, color, render};
use crate::error::Result;
use crate::output::stats::median_sorted;
use crate::report::load::{RunRow, Sweep};

/// A number read off one run (none where the run has no such number).
type PerRun = dyn Fn(&RunRow) -> Option<f64>;

pub fn draw(sweep: &Sweep, axis: &str, path: &Path) -> Result<()> {
    render(path, || {
        let root = BitMapBackend::new(path, WIDE).into_drawing_area();
        root.fill(&WHITE)?;
        let panels = root.split_evenly((1, 2));
        draw_panels(sweep, axis, &panels)?;
        root.present()?;
        Ok(())
    })
}

fn draw_panels(
    sweep: &Sweep,
    axis: &str,
    panels: &[DrawingArea<BitMapBackend<'_>, Shift>],
) -> DrawResult {
    let values = axis_values(sweep, axis);
    let log = matches!(axis, "learning_rate" | "init_scale");
    // x position of each value: log10 of it, or its rank.
    let xs: Vec<f64> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            if log {
                v.parse::<f64>().map_or(i as f64, f64::log10)
            } else {
                i as f64
            }
        })
        .collect();
    let acc = |r: &RunRow| r.final_test_acc();
    let first = |r: &RunRow| r.first_perfect().map(f64::from);
    let never = sweep
        .runs
        .iter()
        .filter(|r| r.first_perfect().is_none())
        .count();
    let plots: [(&str, &PerRun); 2] = [
        ("final test accuracy", &acc),
        (
            &format!("first epoch at 100% train accuracy ({never} runs never)"),
            &first,
        ),
    ];
    for (panel, (title, metric)) in panels.iter().zip(plots) {
        panel_chart(sweep, axis, &values, &xs, log, title, metric, panel)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn panel_chart(
    sweep: &Sweep,
    axis: &str,
    values: &[String],
    xs: &[f64],
    log: bool,
    title: &str,
    metric: &PerRun,
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
) -> DrawResult {
    // Per value: the metric of every run with it (over the other axes and all seeds).
    let groups: Vec<Vec<f64>> = values
        .iter()
        .map(|v| {
            sweep
                .runs
                .iter()
                .filter(|r| r.setting(axis) == v)
                .filter_map(metric)
                .collect()
        })
        .collect();
    let top = groups.iter().flatten().copied().fold(1.0, f64::max) * 1.05;
    let (x_lo, x_hi) = (xs[0], xs[xs.len() - 1]);
    let pad = ((x_hi - x_lo) * 0.08).max(0.5);
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, 20))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d((x_lo - pad)..(x_hi + pad), -0.02 * top..top)?;
    let label = |x: &f64| {
        xs.iter()
            .position(|p| (p - x).abs() < 1e-9)
            .map_or(String::new(), |i| values[i].clone())
    };
    chart
        .configure_mesh()
        .x_desc(if log {
            format!("{axis} (log)")
        } else {
            axis.to_owned()
        })
        .x_labels(if log { 12 } else { values.len() * 2 + 1 })
        .x_label_formatter(&|x| {
            if log {
                format!("{:.3}", 10f64.powf(*x))
            } else {
                label(x)
            }
        })
        .y_label_formatter(&|y| {
            if top > 1.5 {
                format!("{y:.0}")
            } else {
                format!("{y:.1}")
            }
        })
        .label_style((FONT, 14))
        .draw()?;
    for (i, (x, group)) in xs.iter().zip(&groups).enumerate() {
        // Spread the seeds sideways a little so equal values stay visible.
        let spread = pad * 0.3;
        let n = group.len().max(2) as f64;
        let pts = group
            .iter()
            .enumerate()
            .map(|(k, &y)| (x + spread * (k as f64 / (n - 1.0) - 0.5), y));
        chart.draw_series(pts.map(|p| Circle::new(p, 3, color(i).mix(0.6).filled())))?;
    }
    let medians: Vec<(f64, f64)> = xs
        .iter()
        .zip(&groups)
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
