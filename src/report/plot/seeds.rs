//! `curves-<config>.png`: every seed's train-loss curve of one configuration, thin, so late
//! convergence and divergence (a red cross where a run stopped) are visible.

use plotters::prelude::*;

use super::{DrawResult, FONT, Figure, LOSS_FLOOR, SINGLE, color, render};
use crate::results::read::{Config, Sweep};

pub fn draw(sweep: &Sweep, config: &Config) -> Figure {
    render(SINGLE, |root| {
        chart(sweep, config, root)?;
        Ok(())
    })
}

fn chart(
    sweep: &Sweep,
    config: &Config,
    root: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
) -> DrawResult {
    let runs: Vec<_> = config
        .runs
        .iter()
        .map(|&i| (&sweep.curves[i], sweep.runs[i].summary.status))
        .collect();
    let values = || runs.iter().flat_map(|(c, _)| c.train_loss.iter().copied());
    let lo = values().fold(f64::INFINITY, f64::min).max(LOSS_FLOOR) * 0.8;
    let hi = values().fold(0.0, f64::max).max(LOSS_FLOOR * 10.0) * 1.25;
    let epochs = runs
        .iter()
        .map(|(c, _)| c.train_loss.len())
        .max()
        .unwrap_or(1)
        .max(2);
    let diverged = config.summary.diverged;
    let title = format!(
        "{}: train loss of each of {} seeds ({diverged} diverged)",
        config.label,
        runs.len()
    );
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 20))
        .margin(12)
        .margin_right(30)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(1.0..epochs as f64, (lo.min(hi / 10.0)..hi).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_desc("train loss (log)")
        .label_style((FONT, 14))
        .draw()?;
    for (i, (run, status)) in runs.iter().enumerate() {
        let pts = run
            .train_loss
            .iter()
            .enumerate()
            .map(|(e, &l)| ((e + 1) as f64, l.max(LOSS_FLOOR)));
        chart.draw_series(LineSeries::new(pts, color(i).mix(0.7).stroke_width(1)))?;
        if let Some(epoch) = status.stopped_epoch() {
            // At the last finite loss, or at the top for a run that never finished an epoch.
            let y = run
                .train_loss
                .last()
                .map_or(hi / 1.25, |l| l.max(LOSS_FLOOR));
            let at = (f64::from(epoch).min(epochs as f64), y);
            chart.draw_series(std::iter::once(Cross::new(at, 6, RED.stroke_width(2))))?;
        }
    }
    Ok(())
}
