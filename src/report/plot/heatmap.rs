//! `heatmap-<a>-<b>.png`: the median final test accuracy over the grid of two swept
//! settings, one cell per pair of values, each annotated with its number.

use std::path::Path;

use plotters::prelude::*;

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

fn chart(
    sweep: &Sweep,
    a: &str,
    b: &str,
    root: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
) -> DrawResult {
    let (xa, yb) = (axis_values(sweep, a), axis_values(sweep, b));
    let mut chart = ChartBuilder::on(root)
        .caption(format!("median final test accuracy: {a} x {b}"), (FONT, 20))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..xa.len() as f64, 0.0..yb.len() as f64)?;
    let name =
        |values: &[String], x: f64| values.get(x.floor() as usize).cloned().unwrap_or_default();
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(a)
        .y_desc(b)
        .x_labels(xa.len() * 2 + 1)
        .y_labels(yb.len() * 2 + 1)
        .x_label_formatter(&|x| {
            if x.fract() == 0.5 {
                name(&xa, *x)
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| {
            if y.fract() == 0.5 {
                name(&yb, *y)
            } else {
                String::new()
            }
        })
        .label_style((FONT, 14))
        .draw()?;
    for (i, va) in xa.iter().enumerate() {
        for (j, vb) in yb.iter().enumerate() {
            let mut accs: Vec<f64> = sweep
                .runs
                .iter()
                .filter(|r| r.setting(a) == va && r.setting(b) == vb)
                .filter_map(|r| r.final_test_acc())
                .collect();
            let (x, y) = (i as f64, j as f64);
            if accs.is_empty() {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x, y), (x + 1.0, y + 1.0)],
                    RGBColor(230, 230, 230).filled(),
                )))?;
                continue;
            }
            accs.sort_by(f64::total_cmp);
            let m = median_sorted(&accs);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x, y), (x + 1.0, y + 1.0)],
                shade(m).filled(),
            )))?;
            let ink = if m > 0.55 { WHITE } else { BLACK };
            let style = TextStyle::from((FONT, 18).into_font()).color(&ink).pos(
                plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Center,
                ),
            );
            chart.draw_series(std::iter::once(Text::new(
                format!("{m:.2}"),
                (x + 0.5, y + 0.5),
                style,
            )))?;
        }
    }
    Ok(())
}
