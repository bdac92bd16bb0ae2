//! `heatmap-<a>-<b>.png`: the median final test accuracy over the grid of two swept
//! settings, one cell per pair of values, each annotated with its number.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{DrawResult, FONT, Figure, SINGLE, render};
use crate::results::Sweep;
use crate::results::metric::Metric;
use crate::settings::{Key, Value};
use crate::stats::describe::median_sorted;

pub fn draw(sweep: &Sweep, a: Key, b: Key) -> Figure {
    render(SINGLE, |root| {
        chart(sweep, a, b, root)?;
        Ok(())
    })
}

/// White (0) to dark blue (1).
fn shade(v: f64) -> RGBColor {
    let t = v.clamp(0.0, 1.0);
    let mix = |from: f64, to: f64| (from + (to - from) * t) as u8;
    RGBColor(mix(255.0, 8.0), mix(255.0, 48.0), mix(255.0, 107.0))
}

/// A heatmap's chart: `'a` the drawing area's borrow, `'b` the bitmap's.
type Chart<'a, 'b> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn chart(
    sweep: &Sweep,
    a: Key,
    b: Key,
    root: &DrawingArea<BitMapBackend<'_>, Shift>,
) -> DrawResult {
    let (xa, yb) = (sweep.axis_values(a), sweep.axis_values(b));
    let mut chart = grid(root, (a, &xa), (b, &yb))?;
    for (i, va) in xa.iter().enumerate() {
        for (j, vb) in yb.iter().enumerate() {
            let median = cell_median(sweep, (a, va), (b, vb));
            draw_cell(&mut chart, (i as f64, j as f64), median)?;
        }
    }
    Ok(())
}

/// The chart with one unit square per pair of values, each axis labelled with its values
/// at the squares' middles.
fn grid<'a, 'b>(
    root: &'a DrawingArea<BitMapBackend<'b>, Shift>,
    (a, xa): (Key, &[Value]),
    (b, yb): (Key, &[Value]),
) -> Result<Chart<'a, 'b>, Box<dyn std::error::Error>> {
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!("median final test accuracy: {} x {}", a.name(), b.name()),
            (FONT, 20),
        )
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..xa.len() as f64, 0.0..yb.len() as f64)?;
    // Ticks every half unit; only those at a square's middle get its value.
    let name = |values: &[Value], x: f64| {
        if x.fract() == 0.5 {
            values
                .get(x.floor() as usize)
                .map(Value::to_string)
                .unwrap_or_default()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(a.name())
        .y_desc(b.name())
        .x_labels(xa.len() * 2 + 1)
        .y_labels(yb.len() * 2 + 1)
        .x_label_formatter(&|x| name(xa, *x))
        .y_label_formatter(&|y| name(yb, *y))
        .label_style((FONT, 14))
        .draw()?;
    Ok(chart)
}

/// The median final test accuracy of the runs with setting `a` at `va` and `b` at `vb`, as
/// the statistics over seeds count it; `None` when no such run has one.
fn cell_median(sweep: &Sweep, (a, va): (Key, &Value), (b, vb): (Key, &Value)) -> Option<f64> {
    let mut accs: Vec<f64> = sweep
        .runs
        .iter()
        .filter(|r| {
            a.value_of(&r.settings, r.seed) == *va && b.value_of(&r.settings, r.seed) == *vb
        })
        .filter_map(|r| r.value(Metric::FinalTestAcc))
        .collect();
    accs.sort_by(f64::total_cmp);
    (!accs.is_empty()).then(|| median_sorted(&accs))
}

/// The square at `(x, y)`: shaded by `median` and annotated with it, grey without one.
fn draw_cell(chart: &mut Chart<'_, '_>, (x, y): (f64, f64), median: Option<f64>) -> DrawResult {
    let square = [(x, y), (x + 1.0, y + 1.0)];
    let Some(m) = median else {
        chart.draw_series(std::iter::once(Rectangle::new(
            square,
            RGBColor(230, 230, 230).filled(),
        )))?;
        return Ok(());
    };
    chart.draw_series(std::iter::once(Rectangle::new(square, shade(m).filled())))?;
    // Light text on the dark half of the scale.
    let ink = if m > 0.55 { WHITE } else { BLACK };
    let style = TextStyle::from((FONT, 18).into_font())
        .color(&ink)
        .pos(Pos::new(HPos::Center, VPos::Center));
    chart.draw_series(std::iter::once(Text::new(
        format!("{m:.2}"),
        (x + 0.5, y + 0.5),
        style,
    )))?;
    Ok(())
}
