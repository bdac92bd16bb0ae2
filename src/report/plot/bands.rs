//! `loss-train.png`, `loss-test.png`, `accuracy-train.png` and `accuracy-test.png`: one
//! curve against epoch, the median over seeds as the line, the 25-75% band shaded (and the
//! min-max band lighter where a panel holds at most two series), in small multiples by the
//! report's [layout](super::layout): a panel per value (or combination) of the facet
//! settings, a colour per value of the colour setting, shared axes and one legend outside
//! the panels. Where the layout cannot split the configurations (a sampled axis, too many
//! panels), one panel holds every configuration's median in grey and the best few in
//! colour. Loss on a log scale.

use super::frame::{self, Frame, Legend, Panel, RowStyle};
use super::layout::HIGHLIGHTED;
use super::scale::{epoch_axis, log_ticks};
use super::{Context, DrawResult, Figure, LOSS_FLOOR, MUTED, curve_title, rank_color, render};
use crate::number::short_float;
use crate::settings::{Key, Value};
use crate::tables::read::Band;
use crate::tables::schema::Curve;

/// The curves drawn, one figure each, in the order the report shows them.
pub(super) const CURVES: [Curve; 4] = [
    Curve::TrainLoss,
    Curve::TestLoss,
    Curve::TrainAcc,
    Curve::TestAcc,
];

/// Width of the tick numbers left of the panels, height of those below.
const TICKS: (u32, u32) = (64, 30);

/// `loss-train`
pub(super) fn file_name(curve: Curve) -> String {
    let quantity = if curve.is_loss() { "loss" } else { "accuracy" };
    let split = if curve.is_test() { "test" } else { "train" };
    format!("{quantity}-{split}")
}

pub(super) fn draw(ctx: &Context<'_>, curve: Curve) -> Figure {
    let grid = Grid::of(ctx);
    let y = YAxis::of(ctx, curve, panel_size(grid.columns, grid.rows).1);
    let highlighted = grid.highlighted(ctx);
    let frame = frame(ctx, curve, &grid, &highlighted);
    let last_epoch = ctx
        .sweep
        .configs
        .iter()
        .filter_map(|c| c.bands(curve).last())
        .map(|b| b.epoch)
        .max()
        .unwrap_or(1)
        .max(2);
    render(frame.size(), |root| {
        let panels = frame.draw(root)?;
        for (panel, members) in panels.iter().zip(&grid.members) {
            let series = Series {
                ctx,
                curve,
                y: &y,
                highlighted: &highlighted,
                min_max: members.len() <= 2,
            };
            draw_panel(&series, &frame, panel, members, last_epoch)?;
        }
        Ok(())
    })
}

/// The panels of a figure and the configurations each holds.
struct Grid {
    columns: usize,
    rows: usize,
    column_labels: Vec<String>,
    row_labels: Vec<String>,
    /// Above each panel, when a lone facet setting wraps into rows.
    panel_labels: Vec<String>,
    /// Per panel (row by row), indices of the configurations it holds.
    members: Vec<Vec<usize>>,
}

impl Grid {
    fn of(ctx: &Context<'_>) -> Grid {
        let (sweep, layout) = (ctx.sweep, &ctx.outline.layout);
        if layout.highlight.is_some() {
            return Grid::single((0..sweep.configs.len()).collect());
        }
        let columns: Vec<Vec<Value>> = layout.columns.map_or(vec![vec![]], |k| {
            sweep.axis_values(k).into_iter().map(|v| vec![v]).collect()
        });
        let column_keys: Vec<Key> = layout.columns.into_iter().collect();
        let rows = combinations(&layout.rows, |k| sweep.axis_values(k));
        let mut members = vec![Vec::new(); columns.len() * rows.len()];
        for (i, config) in sweep.configs.iter().enumerate() {
            let values = |keys: &[Key]| -> Vec<Value> {
                keys.iter()
                    .map(|k| k.value_of(&config.summary.settings, 0))
                    .collect()
            };
            let column = find(&columns, &values(&column_keys));
            let row = find(&rows, &values(&layout.rows));
            members[row * columns.len() + column].push(i);
        }
        let column_labels: Vec<String> = columns.iter().map(|v| label(&column_keys, v)).collect();
        let row_labels: Vec<String> = rows.iter().map(|v| label(&layout.rows, v)).collect();
        if layout.wrap > 0 {
            let wrapped_rows = members.len().div_ceil(layout.wrap);
            members.resize(wrapped_rows * layout.wrap, Vec::new());
            return Grid {
                columns: layout.wrap,
                rows: wrapped_rows,
                column_labels: Vec::new(),
                row_labels: Vec::new(),
                panel_labels: column_labels,
                members,
            };
        }
        Grid {
            columns: columns.len(),
            rows: rows.len(),
            column_labels: if column_keys.is_empty() {
                Vec::new()
            } else {
                column_labels
            },
            row_labels: if layout.rows.is_empty() {
                Vec::new()
            } else {
                row_labels
            },
            panel_labels: Vec::new(),
            members,
        }
    }

    fn single(members: Vec<usize>) -> Grid {
        Grid {
            columns: 1,
            rows: 1,
            column_labels: Vec::new(),
            row_labels: Vec::new(),
            panel_labels: Vec::new(),
            members: vec![members],
        }
    }

    /// The configurations drawn in colour over the grey rest: the best few when the layout
    /// highlights, none otherwise.
    fn highlighted(&self, ctx: &Context<'_>) -> Vec<usize> {
        match ctx.outline.layout.highlight {
            Some(_) => ctx
                .outline
                .ranked
                .iter()
                .take(HIGHLIGHTED)
                .copied()
                .collect(),
            None => Vec::new(),
        }
    }
}

/// Every combination of the values of `keys` (the first key slowest), or one empty one.
pub(super) fn combinations(keys: &[Key], values: impl Fn(Key) -> Vec<Value>) -> Vec<Vec<Value>> {
    let mut out: Vec<Vec<Value>> = vec![Vec::new()];
    for &k in keys {
        let vs = values(k);
        out = out
            .into_iter()
            .flat_map(|prefix| {
                vs.iter().map(move |v| {
                    let mut next = prefix.clone();
                    next.push(*v);
                    next
                })
            })
            .collect();
    }
    out
}

/// The index of `values` among `list` (0 if absent, which a sweep's own values never are).
fn find(list: &[Vec<Value>], values: &[Value]) -> usize {
    list.iter()
        .position(|l| l.iter().zip(values).all(|(a, b)| a.total_cmp(b).is_eq()))
        .unwrap_or(0)
}

/// A panel's label: `lr=0.02 clip=1`, `gradient=exact` (a value without its setting's
/// name in configuration labels gets it here, alone in a strip).
pub(super) fn label(keys: &[Key], values: &[Value]) -> String {
    let parts: Vec<String> = keys
        .iter()
        .zip(values)
        .map(|(k, v)| match k.short() {
            "" => format!("{}={}", k.name(), v.short()),
            _ => k.labelled(v),
        })
        .collect();
    parts.join(" ")
}

fn frame(ctx: &Context<'_>, curve: Curve, grid: &Grid, highlighted: &[usize]) -> Frame {
    let spread = if grid.members.iter().all(|m| m.len() <= 2) {
        "25-75% shaded, min-max lighter"
    } else {
        "25-75% shaded"
    };
    let title = format!("{}: median over seeds, {spread}", curve_title(curve));
    let panel = panel_size(grid.columns, grid.rows);
    let mut frame = Frame::single(title, panel, TICKS);
    frame.columns = grid.columns;
    frame.rows = grid.rows;
    frame.column_labels = grid.column_labels.clone();
    frame.row_labels = grid.row_labels.clone();
    frame.row_style = RowStyle::Strip;
    frame.panel_labels = grid.panel_labels.clone();
    frame.x_title = "epoch".into();
    frame.y_title = if curve.is_loss() {
        format!("{} (log)", curve_title(curve))
    } else {
        curve_title(curve)
    };
    frame.legend = if highlighted.is_empty() {
        ctx.legend()
    } else {
        Some(highlight_legend(ctx, highlighted))
    };
    frame
}

/// Each panel's plotting area: one large panel, or as many as fit about 1300 pixels across.
fn panel_size(columns: usize, rows: usize) -> (u32, u32) {
    if columns * rows == 1 {
        return (820, 460);
    }
    let width = (1300 / columns as u32).clamp(190, 420);
    (width, (width * 2 / 3).clamp(130, 300))
}

/// The legend of a highlighting figure: the best configurations by rank, then the rest.
fn highlight_legend(ctx: &Context<'_>, highlighted: &[usize]) -> Legend {
    let mut entries: Vec<(String, plotters::style::RGBColor)> = highlighted
        .iter()
        .enumerate()
        .map(|(rank, &i)| {
            let label = format!("{}. {}", rank + 1, ctx.sweep.configs[i].label);
            (label, rank_color(rank))
        })
        .collect();
    let rest = ctx.sweep.configs.len() - highlighted.len();
    entries.push((format!("the other {rest}"), MUTED));
    Legend {
        title: format!("best by {}", ctx.outline.rank_by.label()),
        entries,
    }
}

/// The y axis shared by every panel: log10 of the loss, or the accuracy.
struct YAxis {
    log: bool,
    range: std::ops::Range<f64>,
    ticks: Vec<f64>,
}

impl YAxis {
    /// The axis of `curve` on panels `height` pixels tall.
    fn of(ctx: &Context<'_>, curve: Curve, height: u32) -> YAxis {
        if !curve.is_loss() {
            return YAxis {
                log: false,
                range: -0.03..1.03,
                ticks: vec![0.0, 0.25, 0.5, 0.75, 1.0],
            };
        }
        let bands = || ctx.sweep.configs.iter().flat_map(|c| c.bands(curve));
        let lo = bands().map(|b| b.min).fold(f64::INFINITY, f64::min);
        let hi = bands().map(|b| b.max).fold(0.0, f64::max);
        // No finite loss at all (every run diverged at once): a fixed range, not an endless axis.
        let (lo, hi) = if lo.is_finite() && hi.is_finite() {
            (lo, hi)
        } else {
            (0.1, 10.0)
        };
        let lo = lo.max(LOSS_FLOOR).log10();
        let hi = hi.max(LOSS_FLOOR * 10.0).log10().max(lo + 0.5);
        let pad = (hi - lo) * 0.04;
        YAxis {
            log: true,
            range: (lo - pad)..(hi + pad),
            ticks: log_ticks(lo, hi, (height / 32) as usize),
        }
    }

    /// Where a value sits.
    fn at(&self, v: f64) -> f64 {
        if self.log {
            v.max(LOSS_FLOOR).log10()
        } else {
            v
        }
    }

    fn label(&self, y: f64) -> String {
        short_float(if self.log { 10f64.powf(y) } else { y })
    }
}

/// What every panel of a figure draws with.
struct Series<'a> {
    ctx: &'a Context<'a>,
    curve: Curve,
    y: &'a YAxis,
    highlighted: &'a [usize],
    min_max: bool,
}

fn draw_panel(
    s: &Series<'_>,
    frame: &Frame,
    panel: &Panel<'_>,
    members: &[usize],
    last_epoch: u32,
) -> DrawResult {
    if members.is_empty() && !frame.panel_labels.is_empty() {
        // A wrapped grid's empty places after its last panel.
        return Ok(());
    }
    let n = (frame.panel.0 / 90).max(2) as usize;
    let mut chart = frame::chart(
        panel,
        frame.ticks,
        epoch_axis(f64::from(last_epoch), n),
        (s.y.range.clone(), s.y.ticks.clone()),
        &|v| format!("{v:.0}"),
        &|v| s.y.label(v),
    )?;
    let configs = &s.ctx.sweep.configs;
    for &i in members.iter().filter(|i| !s.highlighted.contains(i)) {
        let bands = configs[i].bands(s.curve);
        if s.highlighted.is_empty() {
            let colour = s.ctx.color(&configs[i].summary.settings);
            draw_series(&mut chart, s, bands, colour, true)?;
        } else {
            draw_series(&mut chart, s, bands, MUTED, false)?;
        }
    }
    // The highlighted last, over the grey, the best on top.
    for (rank, &i) in s.highlighted.iter().enumerate().rev() {
        draw_series(
            &mut chart,
            s,
            configs[i].bands(s.curve),
            rank_color(rank),
            true,
        )?;
    }
    Ok(())
}

/// One configuration: its bands (when `spread`) and its median line.
fn draw_series(
    chart: &mut frame::PanelChart<'_, '_>,
    s: &Series<'_>,
    bands: &[Band],
    colour: plotters::style::RGBColor,
    spread: bool,
) -> DrawResult {
    use plotters::prelude::*;
    if bands.is_empty() {
        return Ok(());
    }
    let area = |lo: fn(&Band) -> f64, hi: fn(&Band) -> f64| {
        let mut pts: Vec<(f64, f64)> = bands
            .iter()
            .map(|p| (f64::from(p.epoch), s.y.at(hi(p))))
            .collect();
        pts.extend(
            bands
                .iter()
                .rev()
                .map(|p| (f64::from(p.epoch), s.y.at(lo(p)))),
        );
        pts
    };
    if spread && s.min_max {
        let pts = area(|p| p.min, |p| p.max);
        chart.draw_series(std::iter::once(Polygon::new(pts, colour.mix(0.08))))?;
    }
    if spread {
        let pts = area(|p| p.q25, |p| p.q75);
        chart.draw_series(std::iter::once(Polygon::new(pts, colour.mix(0.22))))?;
    }
    let line = bands.iter().map(|p| (f64::from(p.epoch), s.y.at(p.median)));
    let (width, points) = if spread {
        (2, bands.len() < 30)
    } else {
        (1, false)
    };
    chart.draw_series(
        LineSeries::new(line, colour.stroke_width(width)).point_size(if points { 3 } else { 0 }),
    )?;
    Ok(())
}
