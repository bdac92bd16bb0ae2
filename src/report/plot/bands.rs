//! `loss.png` and `accuracy.png`: train (left) and test (right) against epoch, one colour
//! per configuration; the median over seeds as the line, the 25-75% band shaded and the
//! min-max band lighter. Loss on a log scale.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{DrawResult, FONT, Figure, LOSS_FLOOR, WIDE, color, render};
use crate::results::read::{Band, Sweep};
use crate::results::schema::Curve;

/// Which pair of curves a figure shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    Loss,
    Accuracy,
}

impl Quantity {
    pub fn name(self) -> &'static str {
        match self {
            Quantity::Loss => "loss",
            Quantity::Accuracy => "accuracy",
        }
    }

    /// The train and test curves of this quantity.
    fn curves(self) -> [Curve; 2] {
        let loss = self == Quantity::Loss;
        [Curve::of(loss, false), Curve::of(loss, true)]
    }
}

pub fn draw(sweep: &Sweep, metric: Quantity) -> Figure {
    render(WIDE, |root| {
        let panels = root.split_evenly((1, 2));
        let halves = metric.curves().into_iter().zip(["train", "test"]);
        for (panel, (curve, split)) in panels.iter().zip(halves) {
            let title = format!(
                "{split} {} (median, 25-75%, min-max over seeds)",
                metric.name()
            );
            panel_chart(sweep, metric, curve, &title, panel)?;
        }
        Ok(())
    })
}

fn panel_chart(
    sweep: &Sweep,
    metric: Quantity,
    curve: Curve,
    title: &str,
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
) -> DrawResult {
    let bands: Vec<&[Band]> = sweep.configs.iter().map(|c| c.bands(curve)).collect();
    let last_epoch = bands
        .iter()
        .flat_map(|b| b.last())
        .map(|b| b.epoch)
        .max()
        .unwrap_or(1)
        .max(2);
    let x = 1.0..f64::from(last_epoch);
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(title, (FONT, 20))
        .margin(12)
        .margin_right(30)
        .x_label_area_size(40)
        .y_label_area_size(70);
    match metric {
        Quantity::Loss => {
            let lo = bands
                .iter()
                .flat_map(|b| b.iter())
                .map(|b| b.min)
                .fold(f64::INFINITY, f64::min);
            let hi = bands
                .iter()
                .flat_map(|b| b.iter())
                .map(|b| b.max)
                .fold(0.0, f64::max);
            // No finite loss at all (every run diverged at once): a fixed range, not an endless axis.
            let (lo, hi) = if lo.is_finite() && hi.is_finite() {
                (lo, hi)
            } else {
                (0.1, 10.0)
            };
            let (lo, hi) = (lo.max(LOSS_FLOOR) * 0.8, hi.max(LOSS_FLOOR * 10.0) * 1.25);
            let mut chart = builder.build_cartesian_2d(x, (lo..hi).log_scale())?;
            chart
                .configure_mesh()
                .x_desc("epoch")
                .x_label_formatter(&|x| format!("{x:.0}"))
                .y_desc("loss (log)")
                .label_style((FONT, 14))
                .draw()?;
            series(&mut chart, sweep, &bands, |v| v.max(LOSS_FLOOR))?;
            legend(&mut chart)
        }
        Quantity::Accuracy => {
            let mut chart = builder.build_cartesian_2d(x, -0.02..1.02)?;
            chart
                .configure_mesh()
                .x_desc("epoch")
                .x_label_formatter(&|x| format!("{x:.0}"))
                .y_desc("accuracy")
                .label_style((FONT, 14))
                .draw()?;
            series(&mut chart, sweep, &bands, |v| v)?;
            legend(&mut chart)
        }
    }
}

type Chart<'a, Y> =
    ChartContext<'a, BitMapBackend<'a>, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>;

fn series<'a, Y>(
    chart: &mut Chart<'a, Y>,
    sweep: &Sweep,
    bands: &[&[Band]],
    y: impl Fn(f64) -> f64 + Copy,
) -> DrawResult
where
    Y: Ranged<ValueType = f64>,
{
    for (i, (config, b)) in sweep.configs.iter().zip(bands).enumerate() {
        if b.is_empty() {
            continue;
        }
        let c = color(i);
        let area = |lo: fn(&Band) -> f64, hi: fn(&Band) -> f64| {
            let mut pts: Vec<(f64, f64)> =
                b.iter().map(|p| (f64::from(p.epoch), y(hi(p)))).collect();
            pts.extend(b.iter().rev().map(|p| (f64::from(p.epoch), y(lo(p)))));
            pts
        };
        chart.draw_series(std::iter::once(Polygon::new(
            area(|p| p.min, |p| p.max),
            c.mix(0.08),
        )))?;
        chart.draw_series(std::iter::once(Polygon::new(
            area(|p| p.q25, |p| p.q75),
            c.mix(0.25),
        )))?;
        let line = b.iter().map(|p| (f64::from(p.epoch), y(p.median)));
        let label = if config.all_diverged() {
            format!("{} (all diverged)", config.label)
        } else {
            config.label.clone()
        };
        chart
            .draw_series(
                LineSeries::new(line, c.stroke_width(2)).point_size(if b.len() < 30 {
                    3
                } else {
                    0
                }),
            )?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(3)));
    }
    Ok(())
}

fn legend<Y: Ranged<ValueType = f64>>(chart: &mut Chart<'_, Y>) -> DrawResult {
    chart
        .configure_series_labels()
        .label_font((FONT, 14))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    Ok(())
}
