//! `curves-<config>.png`: every seed's train-loss curve of one configuration, thin, in the
//! configuration's colour, so late convergence and divergence (a red cross where a run
//! stopped) are visible.

use plotters::prelude::*;

use super::frame::{self, Frame};
use super::scale::{epoch_axis, log_ticks};
use super::{Context, DrawResult, Figure, LOSS_FLOOR, render};
use crate::number::short_float;
use crate::tables::read::Config;

/// Width of the tick numbers left of the panel, height of those below.
const TICKS: (u32, u32) = (64, 30);

pub(super) fn draw(ctx: &Context<'_>, config: &Config) -> Figure {
    let diverged = config.summary.diverged;
    let title = format!(
        "{}: train loss of each of {} seeds ({diverged} diverged)",
        config.label,
        config.runs.len()
    );
    let mut frame = Frame::single(title, (800, 460), TICKS);
    frame.x_title = "epoch".into();
    frame.y_title = "train loss (log)".into();
    render(frame.size(), |root| {
        let panels = frame.draw(root)?;
        chart(ctx, config, &frame, &panels[0])
    })
}

fn chart(
    ctx: &Context<'_>,
    config: &Config,
    frame: &Frame,
    panel: &frame::Panel<'_>,
) -> DrawResult {
    let sweep = ctx.sweep;
    // The runs whose curves the sweep keeps: all, up to SEED_CURVES_KEPT seeds.
    let runs: Vec<_> = config
        .runs
        .iter()
        .take(crate::tables::read::SEED_CURVES_KEPT)
        .map(|&i| (&sweep.curves[i], sweep.runs[i].summary.status))
        .collect();
    let values = || runs.iter().flat_map(|(c, _)| c.train_loss.iter().copied());
    let lo = values()
        .fold(f64::INFINITY, f64::min)
        .max(LOSS_FLOOR)
        .log10();
    let hi = values().fold(0.0, f64::max).max(LOSS_FLOOR * 10.0).log10();
    let (lo, hi) = (lo.min(hi - 1.0), hi);
    let pad = (hi - lo) * 0.04;
    let epochs = runs
        .iter()
        .map(|(c, _)| c.train_loss.len())
        .max()
        .unwrap_or(1)
        .max(2) as f64;
    let mut chart = frame::chart(
        panel,
        frame.ticks,
        epoch_axis(epochs, 8),
        ((lo - pad)..(hi + pad), log_ticks(lo, hi, 8)),
        &|x| format!("{x:.0}"),
        &|y| short_float(10f64.powf(y)),
    )?;
    let colour = ctx.color(&config.summary.settings);
    let y = |l: f64| l.max(LOSS_FLOOR).log10();
    for (run, status) in &runs {
        let pts = run
            .train_loss
            .iter()
            .enumerate()
            .map(|(e, &l)| ((e + 1) as f64, y(l)));
        chart.draw_series(LineSeries::new(pts, colour.mix(0.6).stroke_width(1)))?;
        // A cross where a run diverged; a pruned run's curve just ends at its rung.
        if let crate::train::Status::Diverged { epoch } = status {
            // At the last finite loss, or at the top for a run that never finished an epoch.
            let at_y = run.train_loss.last().map_or(hi, |&l| y(l));
            let at = (f64::from(*epoch).min(epochs), at_y);
            chart.draw_series(std::iter::once(Cross::new(at, 6, RED.stroke_width(2))))?;
        }
    }
    Ok(())
}
