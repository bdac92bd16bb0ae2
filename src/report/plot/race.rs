//! `race.png`: a race over seeds, look by look: how many configurations were still in after
//! each block of seeds (from `race.csv`), the winner's line ending where the race stopped.

use plotters::prelude::*;

use super::frame::{self, Frame};
use super::scale::linear_ticks;
use super::{Context, DrawResult, Figure, rank_color, render};
use crate::search::race::{Place, Race};
use crate::tables::rows::read;
use crate::tables::schema::{RACE, RaceRow};

/// Width of the tick numbers left of the panel, height of those below.
const TICKS: (u32, u32) = (56, 30);

pub(super) fn draw(ctx: &Context<'_>, race: &Race) -> Figure {
    let title = format!(
        "race over seeds: configurations still in after each block, by {}",
        race.metric.name()
    );
    let mut frame = Frame::single(title, (900, 420), TICKS);
    frame.subtitle = format!(
        "compared with the leader after each block, paired by seed; alpha {} over all looks",
        race.alpha
    );
    frame.x_title = "seeds run by the configurations still in".into();
    frame.y_title = "configurations still in".into();
    let rows = read::<RaceRow>(&ctx.sweep.dir.join(RACE)).unwrap_or_default();
    let points = still_in(race, &rows);
    render(frame.size(), |root| {
        let panels = frame.draw(root)?;
        chart(&frame, &panels[0], race, &points)
    })
}

/// (seeds, configurations still in) before the first look and after each look made.
pub(crate) fn still_in(race: &Race, rows: &[RaceRow]) -> Vec<(f64, f64)> {
    let made = rows.iter().map(|r| r.look).max().unwrap_or(0);
    let mut points = vec![(0.0, rows.len() as f64)];
    for (k, &n) in race.looks(race.budget).iter().enumerate().take(made) {
        let look = k + 1;
        let alive = rows
            .iter()
            .filter(|r| r.place != Place::Eliminated || r.look > look)
            .count();
        points.push((n as f64, alive as f64));
    }
    points
}

fn chart(
    frame: &Frame,
    panel: &frame::Panel<'_>,
    race: &Race,
    points: &[(f64, f64)],
) -> DrawResult {
    let top = points.first().map_or(1.0, |p| p.1).max(1.0);
    let x_max = (race.budget as f64).max(1.0);
    let x_ticks: Vec<f64> = std::iter::once(0.0)
        .chain(race.looks(race.budget).iter().map(|&n| n as f64))
        .collect();
    let mut chart = frame::chart(
        panel,
        frame.ticks,
        (0.0..x_max * 1.03, x_ticks),
        (0.0..top * 1.08, linear_ticks(0.0, top, 8)),
        &|x| format!("{x:.0}"),
        &|y| format!("{y:.0}"),
    )?;
    // A step: the count holds over each block until the look after it.
    let mut steps = Vec::new();
    for w in points.windows(2) {
        steps.push((w[1].0, w[0].1));
        steps.push(w[1]);
    }
    steps.insert(0, points[0]);
    let colour = rank_color(0);
    chart.draw_series(LineSeries::new(steps, colour.stroke_width(3)))?;
    chart.draw_series(points.iter().map(|&p| Circle::new(p, 5, colour.filled())))?;
    Ok(())
}
