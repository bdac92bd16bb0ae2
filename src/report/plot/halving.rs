//! `halving.png`: a successive halving search, rung by rung: each configuration's median
//! over its seeds of the halving metric at every rung it reached (and at the last epoch for
//! those that trained in full), one line per configuration. Those that were stopped are
//! grey and end in a cross where they were stopped; those that went on to the end are in
//! the colours of their rank.

use plotters::prelude::*;

use super::frame::{self, Frame};
use super::scale::{linear_ticks, log_ticks};
use super::{Context, DrawResult, Figure, LOSS_FLOOR, MUTED, rank_color, render};
use crate::number::short_float;
use crate::search::Halving;
use crate::tables::read::Config;

/// Width of the tick numbers left of the panel, height of those below.
const TICKS: (u32, u32) = (72, 30);

pub(super) fn draw(ctx: &Context<'_>, halving: &Halving) -> Figure {
    let title = format!(
        "successive halving: median {} over seeds at each rung",
        halving.metric.name()
    );
    let mut frame = Frame::single(title, (900, 480), TICKS);
    frame.subtitle = "grey: stopped at its last point (x); in colour: trained to the last epoch, \
                      by rank"
        .into();
    frame.x_title = "epoch".into();
    frame.y_title = match halving.metric.is_loss() {
        true => format!("{} (log)", halving.metric.name()),
        false => halving.metric.name().into(),
    };
    render(frame.size(), |root| {
        let panels = frame.draw(root)?;
        chart(ctx, halving, &frame, &panels[0])
    })
}

/// Each configuration's points: (epoch, median) at every stage it reached.
fn points(ctx: &Context<'_>, halving: &Halving, config: &Config, last: u32) -> Vec<(f64, f64)> {
    // Its runs that diverged by `epoch` have no value there, and are not missing.
    let diverged_by = |epoch: u32| {
        config
            .runs
            .iter()
            .filter_map(|&r| ctx.sweep.runs[r].summary.status.diverged_epoch())
            .filter(|&e| e <= epoch)
            .count()
    };
    halving
        .rungs
        .iter()
        .map(|&r| r as u32)
        .chain([last])
        .filter_map(|epoch| {
            let band = config.band_at(halving.metric, epoch)?;
            // Only where every seed got there (a stopped configuration has none beyond).
            (band.n + diverged_by(epoch) == config.runs.len())
                .then_some((f64::from(epoch), band.median))
        })
        .collect()
}

fn chart(
    ctx: &Context<'_>,
    halving: &Halving,
    frame: &Frame,
    panel: &frame::Panel<'_>,
) -> DrawResult {
    let sweep = ctx.sweep;
    let last = sweep
        .configs
        .iter()
        .flat_map(|c| c.bands(halving.metric).last())
        .map(|b| b.epoch)
        .max()
        .unwrap_or(1)
        .max(2);
    let log = halving.metric.is_loss();
    let y = |v: f64| if log { v.max(LOSS_FLOOR).log10() } else { v };
    let lines: Vec<Vec<(f64, f64)>> = sweep
        .configs
        .iter()
        .map(|c| {
            points(ctx, halving, c, last)
                .into_iter()
                .map(|(x, v)| (x, y(v)))
                .collect()
        })
        .collect();
    let (y_range, y_ticks) = extent(&lines, log);
    let x_ticks: Vec<f64> = halving
        .rungs
        .iter()
        .map(|&r| r as f64)
        .chain([f64::from(last)])
        .collect();
    let y_label = move |v: f64| short_float(if log { 10f64.powf(v) } else { v });
    let mut chart = frame::chart(
        panel,
        frame.ticks,
        (0.0..f64::from(last) * 1.03, x_ticks),
        (y_range, y_ticks),
        &|x| format!("{x:.0}"),
        &y_label,
    )?;
    draw_lines(&mut chart, ctx, &lines, f64::from(last))
}

/// The y range of `lines` with a margin, and its ticks.
fn extent(lines: &[Vec<(f64, f64)>], log: bool) -> (std::ops::Range<f64>, Vec<f64>) {
    let ys = || {
        lines
            .iter()
            .flatten()
            .map(|p| p.1)
            .filter(|v| v.is_finite())
    };
    let (lo, hi) = (
        ys().fold(f64::INFINITY, f64::min),
        ys().fold(f64::NEG_INFINITY, f64::max),
    );
    let (lo, hi) = if lo < hi {
        (lo, hi)
    } else {
        (lo - 0.5, lo + 0.5)
    };
    let pad = (hi - lo) * 0.06;
    let ticks = if log {
        log_ticks(lo, hi, 8)
    } else {
        linear_ticks(lo, hi, 8)
    };
    ((lo - pad)..(hi + pad), ticks)
}

/// The stopped configurations grey with a cross at their end, then over them those trained
/// to the `last` epoch in the colours of their rank.
fn draw_lines(
    chart: &mut frame::PanelChart<'_, '_>,
    ctx: &Context<'_>,
    lines: &[Vec<(f64, f64)>],
    last: f64,
) -> DrawResult {
    let finished = |i: usize| lines[i].last().is_some_and(|p| p.0 == last);
    // Stopped ones first, so that those trained in full are drawn over them.
    for (i, line) in lines.iter().enumerate() {
        if finished(i) {
            continue;
        }
        chart.draw_series(LineSeries::new(line.clone(), MUTED.stroke_width(1)))?;
        if let Some(&end) = line.last() {
            chart.draw_series(std::iter::once(Cross::new(end, 5, MUTED.stroke_width(2))))?;
        }
    }
    let ranks = &ctx.outline.ranked;
    for (rank, &i) in ranks.iter().filter(|&&i| finished(i)).enumerate() {
        let colour = rank_color(rank);
        chart.draw_series(LineSeries::new(lines[i].clone(), colour.stroke_width(3)))?;
        chart.draw_series(lines[i].iter().map(|&p| Circle::new(p, 4, colour.filled())))?;
    }
    Ok(())
}
