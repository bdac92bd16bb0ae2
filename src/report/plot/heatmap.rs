//! `heatmap-<a>-<b>.png`: the median final test accuracy over the grid of two swept
//! settings, one cell per pair of values, each annotated with its number.

use std::path::Path;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{DrawResult, FONT, SINGLE, axis_values, render};
use crate::error::Result;
use crate::output::stats::median_sorted;
use crate::report::load::Sweep;

pub fn draw(sweep: &Sweep, a: &str, b: &str, path: &Path) -> Result<()> {
    render(path, || {
        let root = BitMapBackend::new(path, SINGLE).into_drawing_area();
        root.fill(&WHITE)?;
        chart(sweep, a, b, &root)?;
        root.present()?;
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
    a: &str,
    b: &str,
    root: &DrawingArea<BitMapBackend<'_>, Shift>,
) -> DrawResult {
    let (xa, yb) = (axis_values(sweep, a), axis_values(sweep, b));
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
    (a, xa): (&str, &[String]),
    (b, yb): (&str, &[String]),
) -> Result<Chart<'a, 'b>, Box<dyn std::error::Error>> {
    let mut chart = ChartBuilder::on(root)
        .caption(format!("median final test accuracy: {a} x {b}"), (FONT, 20))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..xa.len() as f64, 0.0..yb.len() as f64)?;
    // Ticks every half unit; only those at a square's middle get its value.
    let name = |values: &[String], x: f64| {
        if x.fract() == 0.5 {
            values.get(x.floor() as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(a)
        .y_desc(b)
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
fn cell_median(sweep: &Sweep, (a, va): (&str, &str), (b, vb): (&str, &str)) -> Option<f64> {
    let mut accs: Vec<f64> = sweep
        .runs
        .iter()
        .filter(|r| r.setting(a) == va && r.setting(b) == vb)
        .filter_map(|r| r.final_test_acc())
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
