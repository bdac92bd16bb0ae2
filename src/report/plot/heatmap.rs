//! `heatmap-<a>-<b>.png`: two swept settings against each other, one cell per pair of
//! values, for each metric of [`METRICS`] (a row of panels each, with its colour bar) and
//! each value, or combination of values, of the other swept settings (a column of panels
//! each). Those are never pooled silently: only beyond [`MAX_FACETS`] combinations, or for
//! a sampled setting, are their runs pooled into the cells, and the figure says so.
//!
//! Cells are shaded so that darker is better whichever way the metric is better (higher
//! accuracy, lower loss, an earlier epoch), annotated with their figure, and with their
//! number of runs when it is not the same in every cell (the subtitle gives it otherwise).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::bands::{combinations, label};
use super::frame::{self, Frame, Panel, RowStyle, style};
use super::layout::names;
use super::scale::tick_label;
use super::{Context, DrawResult, Figure, TEXT, TICK, darker_is_better, render, text_width};
use crate::metric::{Better, Measure, Metric};
use crate::number::short_float;
use crate::settings::{Key, SettingsParams, Value};
use crate::tables::ConfigSummary;

/// The metrics shown, one row of panels each: whether it trains reliably, how well it
/// generalises, how fast it trains and how far the loss goes down.
pub(super) const METRICS: [Metric; 4] = [
    Metric::TestAcc1,
    Metric::FinalTestAcc,
    Metric::FirstEpochTrainAcc1,
    Metric::FinalTrainLoss,
];

/// At most this many panels per metric; more combinations of the other settings are pooled.
pub(super) const MAX_FACETS: usize = 10;

/// Width of the colour bar region beside each row.
const BAR: u32 = 120;
/// Height of a cell with one line of text, and with two.
const CELL_H: (u32, u32) = (36, 54);

/// The pairs of swept settings a heatmap is drawn for: every pair of categorical ones.
pub(super) fn pairs(ctx: &Context<'_>) -> Vec<(Key, Key)> {
    let keys: Vec<Key> = super::super::outline::swept(ctx.sweep)
        .into_iter()
        .filter(|s| s.categorical())
        .map(|s| s.key)
        .collect();
    let mut pairs = Vec::new();
    for (i, &a) in keys.iter().enumerate() {
        for &b in &keys[i + 1..] {
            pairs.push((a, b));
        }
    }
    pairs
}

/// Which settings split a heatmap into panels and which are pooled into its cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Split {
    /// One column of panels per combination of these settings' values.
    pub facets: Vec<Key>,
    /// Pooled into the cells (sampled settings, or too many combinations).
    pub pooled: Vec<Key>,
}

impl Split {
    /// How a heatmap of `a` against `b` treats the other swept settings, given how many
    /// values each setting has (`values`) and whether it is categorical.
    pub(super) fn of(a: Key, b: Key, swept: &[super::layout::Swept]) -> Split {
        let others: Vec<_> = swept.iter().filter(|s| s.key != a && s.key != b).collect();
        let categorical: Vec<Key> = others
            .iter()
            .filter(|s| s.categorical())
            .map(|s| s.key)
            .collect();
        let combos: usize = others
            .iter()
            .filter(|s| s.categorical())
            .map(|s| s.values)
            .product();
        let continuous = others.iter().filter(|s| !s.categorical()).map(|s| s.key);
        if combos <= MAX_FACETS {
            Split {
                facets: categorical,
                pooled: continuous.collect(),
            }
        } else {
            Split {
                facets: Vec::new(),
                pooled: others.iter().map(|s| s.key).collect(),
            }
        }
    }

    /// The subtitle's words for it: `one panel per gradient`, `pooled over clip x gradient
    /// (each cell holds the runs of all their values)`.
    pub(super) fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.facets.is_empty() {
            parts.push(format!("one panel per {}", names(&self.facets)));
        }
        if !self.pooled.is_empty() {
            parts.push(format!(
                "pooled over {} (each cell holds the runs of all its values)",
                names(&self.pooled)
            ));
        }
        parts.join("; ")
    }
}

/// At most this many panels side by side: more facets wrap into further rows per metric.
const WRAP: usize = 5;

/// How a metric's panels (one per facet) wrap into rows.
#[derive(Debug, Clone, Copy)]
struct Wrap {
    columns: usize,
    /// Rows of panels per metric.
    rows: usize,
    facets: usize,
}

impl Wrap {
    fn of(facets: usize) -> Wrap {
        let rows = facets.div_ceil(WRAP).max(1);
        Wrap {
            columns: facets.div_ceil(rows),
            rows,
            facets,
        }
    }

    /// The facet of the panel at `row`, `column` of the frame (none past the last).
    fn facet(&self, row: usize, column: usize) -> Option<usize> {
        let f = (row % self.rows) * self.columns + column;
        (f < self.facets).then_some(f)
    }
}

/// The runs of one cell, summarised as a configuration's are.
struct Cell {
    summary: ConfigSummary,
}

/// Every cell of a figure: per facet combination, per x value, per y value.
struct Cells {
    xs: Vec<Value>,
    ys: Vec<Value>,
    facets: Vec<Vec<Value>>,
    cells: Vec<Option<Cell>>,
}

impl Cells {
    fn of(ctx: &Context<'_>, (x, y): (Key, Key), split: &Split) -> Cells {
        let sweep = ctx.sweep;
        let (xs, ys) = (sweep.axis_values(x), sweep.axis_values(y));
        let facets = combinations(&split.facets, |k| sweep.axis_values(k));
        let mut cells: Vec<Option<Cell>> = Vec::new();
        cells.resize_with(facets.len() * xs.len() * ys.len(), || None);
        for config in &sweep.configs {
            let s = &config.summary.settings;
            let at = |values: &[Value], k: Key| {
                let v = k.value_of(s, 0);
                values.iter().position(|w| w.total_cmp(&v).is_eq())
            };
            let facet = facets.iter().position(|f| {
                f.iter()
                    .zip(&split.facets)
                    .all(|(v, k)| v.total_cmp(&k.value_of(s, 0)).is_eq())
            });
            let (Some(f), Some(i), Some(j)) = (facet, at(&xs, x), at(&ys, y)) else {
                continue;
            };
            let cell = cells[(f * xs.len() + i) * ys.len() + j].get_or_insert_with(|| Cell {
                summary: ConfigSummary::new(String::new(), SettingsParams::default()),
            });
            for &r in &config.runs {
                let run = &sweep.runs[r];
                cell.summary.add(run.seed, &run.summary);
            }
        }
        Cells {
            xs,
            ys,
            facets,
            cells,
        }
    }

    fn get(&self, facet: usize, i: usize, j: usize) -> Option<&Cell> {
        let n = (facet * self.xs.len() + i) * self.ys.len() + j;
        self.cells[n].as_ref()
    }

    /// The runs per cell: `Some(n)` when every cell has `n`.
    fn uniform_runs(&self) -> Option<usize> {
        let mut counts = self.cells.iter().flatten().map(|c| c.summary.runs());
        let first = counts.next()?;
        counts.all(|n| n == first).then_some(first)
    }
}

/// How one metric's values map to shades: its range, and which end is better.
#[derive(Debug, Clone, Copy)]
struct Shading {
    metric: Metric,
    lo: f64,
    hi: f64,
    log: bool,
    /// Whether any cell has a finite figure (a colour bar has something to show).
    any: bool,
}

impl Shading {
    /// The shading of `metric` over `cells`: a share from 0 to 100%, an accuracy from the
    /// lowest cell to 1, anything else over the cells' range (a loss in log10).
    fn of(metric: Metric, cells: &Cells) -> Shading {
        let log = matches!(metric, Metric::FinalTrainLoss | Metric::FinalTestLoss);
        let (lo, hi, any) = Shading::range(metric, cells, log);
        let accuracy = matches!(metric, Metric::FinalTrainAcc | Metric::FinalTestAcc);
        let (lo, hi) = match metric.kind() {
            Measure::Share { .. } => (0.0, 1.0),
            _ if accuracy => (lo.min(1.0), 1.0),
            _ => (lo, hi),
        };
        Shading {
            metric,
            lo,
            hi,
            log,
            any,
        }
    }

    /// The lowest and highest finite figure of the cells (log10 for a log scale), and
    /// whether there is any.
    fn range(metric: Metric, cells: &Cells, log: bool) -> (f64, f64, bool) {
        let values = cells
            .cells
            .iter()
            .flatten()
            .filter_map(|c| c.summary.figure(metric))
            .filter(|v| v.is_finite())
            .map(|v| if log { v.max(1e-12).log10() } else { v });
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        let any = lo.is_finite();
        if any {
            (lo, hi, true)
        } else {
            (0.0, 1.0, false)
        }
    }

    /// How good `v` is, from 0 (the worst of the range) to 1 (the best).
    fn goodness(&self, v: f64) -> f64 {
        let v = if self.log { v.max(1e-12).log10() } else { v };
        let t = if self.hi > self.lo {
            (v - self.lo) / (self.hi - self.lo)
        } else {
            0.5
        };
        match self.metric.better() {
            Better::Higher => t,
            Better::Lower => 1.0 - t,
        }
    }

    /// The value at goodness `t` (the colour bar's labels).
    fn value_at(&self, t: f64) -> f64 {
        let t = match self.metric.better() {
            Better::Higher => t,
            Better::Lower => 1.0 - t,
        };
        let v = self.lo + (self.hi - self.lo) * t;
        if self.log { 10f64.powf(v) } else { v }
    }
}

/// A cell's figure as it prints: `0.95`, `50%`, `412`, `never`, `0.0012`.
pub(super) fn cell_text(metric: Metric, v: f64) -> String {
    match metric.kind() {
        Measure::Share { .. } => format!("{:.0}%", 100.0 * v),
        Measure::FirstEpoch { .. } if v.is_infinite() => "never".into(),
        Measure::FirstEpoch { .. } => format!("{v:.0}"),
        Measure::Continuous if v == 0.0 || !v.is_finite() => short_float(v),
        Measure::Continuous => {
            // Two significant digits, at least two decimals (accuracies: 0.95).
            let decimals = (1 - v.abs().log10().floor() as i32).max(2) as usize;
            format!("{v:.decimals$}")
        }
    }
}

/// The title of a metric's row: `share of seeds at 100% test acc (darker: higher)`.
fn row_title(metric: Metric) -> String {
    let what = match metric.kind() {
        Measure::Share { .. } => format!("share of seeds at {}", metric.label()),
        _ => format!("median {}", metric.label()),
    };
    let better = match (metric.better(), metric.kind()) {
        (Better::Lower, Measure::FirstEpoch { .. }) => "earlier",
        (Better::Lower, _) => "lower",
        (Better::Higher, _) => "higher",
    };
    format!("{what} (darker: {better})")
}

/// What the heatmap of `a` and `b` does with the other settings, in a sentence for the
/// report: `learning_rate x clip, one panel per gradient.`
pub(super) fn caption(ctx: &Context<'_>, a: Key, b: Key) -> String {
    let split = Split::of(a, b, &super::super::outline::swept(ctx.sweep));
    let how = split.describe();
    if how.is_empty() {
        format!("{} x {}.", a.name(), b.name())
    } else {
        format!("{} x {}, {how}.", a.name(), b.name())
    }
}

pub(super) fn draw(ctx: &Context<'_>, a: Key, b: Key) -> Figure {
    let swept = super::super::outline::swept(ctx.sweep);
    let split = Split::of(a, b, &swept);
    let mut metrics = METRICS.to_vec();
    if !metrics.contains(&ctx.outline.rank_by) {
        metrics.insert(0, ctx.outline.rank_by);
    }
    // Either setting across: whichever way gives the figure closer to a landscape page.
    let (cells, frame) = [(a, b), (b, a)]
        .into_iter()
        .map(|pair| {
            let cells = Cells::of(ctx, pair, &split);
            let frame = frame(pair, &split, &cells, &metrics);
            (cells, frame)
        })
        .min_by_key(|(_, f)| {
            let (w, h) = f.size();
            w.max(h * 3 / 2)
        })
        .ok_or("no orientation")?;
    let shadings: Vec<Shading> = metrics.iter().map(|&m| Shading::of(m, &cells)).collect();
    let two_lines = cells.uniform_runs().is_none();
    render(frame.size(), |root| {
        let panels = frame.draw(root)?;
        let wrap = Wrap::of(cells.facets.len());
        for panel in &panels {
            let shading = &shadings[panel.row / wrap.rows];
            if let Some(facet) = wrap.facet(panel.row, panel.column) {
                draw_panel(&frame, panel, &cells, facet, shading, two_lines)?;
            }
        }
        for row in 0..frame.rows {
            colour_bar(&frame.side_area(root, row), &shadings[row / wrap.rows])?;
        }
        Ok(())
    })
}

/// A panel's size in pixels, cells wide enough for their figures and for the tick labels
/// under them; and the width of the tick labels beside them.
fn panel_size(cells: &Cells, metrics: &[Metric]) -> ((u32, u32), u32) {
    let texts = cells.cells.iter().flatten().flat_map(|c| {
        metrics
            .iter()
            .filter_map(|&m| c.summary.figure(m).map(|v| cell_text(m, v)))
    });
    let widest_text = texts.map(|t| text_width(&t, TEXT)).max().unwrap_or(40);
    let widest = |values: &[Value]| {
        values
            .iter()
            .map(|v| text_width(&tick_label(v), TICK))
            .max()
            .unwrap_or(20)
    };
    let cell_w = (widest_text.max(widest(&cells.xs)) + 14).max(52);
    let cell_h = match cells.uniform_runs() {
        Some(_) => CELL_H.0,
        None => CELL_H.1,
    };
    let panel = (
        cell_w * cells.xs.len() as u32,
        cell_h * cells.ys.len() as u32,
    );
    (panel, widest(&cells.ys) + 14)
}

fn frame((x, y): (Key, Key), split: &Split, cells: &Cells, metrics: &[Metric]) -> Frame {
    let (panel, y_ticks) = panel_size(cells, metrics);
    let title = format!(
        "{} x {}: one cell per pair of values, over its seeds",
        x.name(),
        y.name()
    );
    let mut frame = Frame::single(title, panel, (y_ticks, TICK + 16));
    let unit = if split.pooled.is_empty() {
        "seeds"
    } else {
        "runs"
    };
    let runs = match cells.uniform_runs() {
        Some(n) => format!("{n} {unit} per cell"),
        None => format!("the number of {unit} under each figure"),
    };
    let how = split.describe();
    frame.subtitle = if how.is_empty() {
        format!("{runs}; darker is better")
    } else {
        format!("{how}; {runs}; darker is better")
    };
    let wrap = Wrap::of(cells.facets.len());
    frame.columns = wrap.columns;
    frame.rows = metrics.len() * wrap.rows;
    let labels: Vec<String> = cells
        .facets
        .iter()
        .map(|f| label(&split.facets, f))
        .collect();
    if wrap.rows > 1 {
        // Each row of panels names its own: every metric's block repeats the facets.
        frame.panel_labels = (0..frame.rows * wrap.columns)
            .map(|i| wrap.facet(i / wrap.columns, i % wrap.columns))
            .map(|f| f.and_then(|f| labels.get(f).cloned()).unwrap_or_default())
            .collect();
    } else if !split.facets.is_empty() {
        frame.column_labels = labels;
    }
    frame.row_labels = (0..frame.rows)
        .map(|r| row_title(metrics[r / wrap.rows]))
        .collect();
    frame.row_style = RowStyle::Header;
    frame.x_title = x.name().into();
    frame.y_title = y.name().into();
    frame.side = BAR;
    frame
}

fn draw_panel(
    frame: &Frame,
    panel: &Panel<'_>,
    cells: &Cells,
    facet: usize,
    shading: &Shading,
    two_lines: bool,
) -> DrawResult {
    let (nx, ny) = (cells.xs.len(), cells.ys.len());
    let centres = |n: usize| (0..n).map(|i| i as f64 + 0.5).collect::<Vec<_>>();
    let name = |values: &[Value], at: f64| {
        values
            .get(at.floor() as usize)
            .map(tick_label)
            .unwrap_or_default()
    };
    let mut chart = frame::chart(
        panel,
        frame.ticks,
        (0.0..nx as f64, centres(nx)),
        (0.0..ny as f64, centres(ny)),
        &|v| name(&cells.xs, v),
        &|v| name(&cells.ys, v),
    )?;
    for i in 0..nx {
        for j in 0..ny {
            let cell = cells.get(facet, i, j);
            draw_cell(&mut chart, (i, j), cell, shading, two_lines)?;
        }
    }
    Ok(())
}

/// The square at `(i, j)`: shaded by its figure and annotated with it (and its runs when
/// they differ between cells); light grey with a dash where no run has those values.
fn draw_cell(
    chart: &mut frame::PanelChart<'_, '_>,
    (i, j): (usize, usize),
    cell: Option<&Cell>,
    shading: &Shading,
    two_lines: bool,
) -> DrawResult {
    let (x, y) = (i as f64, j as f64);
    let square = [(x, y), (x + 1.0, y + 1.0)];
    let figure = cell.and_then(|c| c.summary.figure(shading.metric));
    // Never and no runs at all are the light end: nothing to be darker for.
    let (fill, text) = match figure {
        None => (WHITE, "-".to_owned()),
        Some(v) if v.is_infinite() => (WHITE, cell_text(shading.metric, v)),
        Some(v) => (
            darker_is_better(shading.goodness(v)),
            cell_text(shading.metric, v),
        ),
    };
    chart.draw_series(std::iter::once(Rectangle::new(square, fill.filled())))?;
    chart.draw_series(std::iter::once(Rectangle::new(
        square,
        WHITE.stroke_width(1),
    )))?;
    // Light text on the dark half of the scale.
    let dark = figure.is_some_and(|v| v.is_finite() && shading.goodness(v) > 0.55);
    let ink = if dark { WHITE } else { BLACK };
    let s = style(TEXT, HPos::Center, VPos::Center).color(&ink);
    let runs = cell.map(|c| c.summary.runs());
    match (two_lines, runs) {
        (true, Some(n)) => {
            chart.draw_series(std::iter::once(Text::new(
                text,
                (x + 0.5, y + 0.68),
                s.clone(),
            )))?;
            let n = format!("n={n}");
            chart.draw_series(std::iter::once(Text::new(n, (x + 0.5, y + 0.3), s)))?;
        }
        _ => {
            chart.draw_series(std::iter::once(Text::new(text, (x + 0.5, y + 0.5), s)))?;
        }
    }
    Ok(())
}

/// A vertical bar from the best shade (top) to the worst (bottom), labelled at both ends
/// and in the middle.
fn colour_bar(
    area: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
    s: &Shading,
) -> DrawResult {
    if !s.any {
        // Nothing but never: no scale to show.
        return Ok(());
    }
    let (_, h) = area.dim_in_pixel();
    let h = h as i32;
    let steps = 40;
    for k in 0..steps {
        let t = 1.0 - (k as f64 + 0.5) / steps as f64;
        let y0 = h * k / steps;
        let y1 = h * (k + 1) / steps;
        area.draw(&Rectangle::new(
            [(6, y0), (24, y1)],
            darker_is_better(t).filled(),
        ))?;
    }
    area.draw(&Rectangle::new(
        [(6, 0), (24, h - 1)],
        BLACK.mix(0.4).stroke_width(1),
    ))?;
    let left = style(TICK, HPos::Left, VPos::Center);
    let marks: &[(f64, i32)] = if h >= 90 {
        &[(1.0, 0), (0.5, 1), (0.0, 2)]
    } else {
        &[(1.0, 0), (0.0, 2)]
    };
    for &(t, at) in marks {
        let y = (h * at / 2).clamp(TICK as i32 / 2, h - TICK as i32 / 2);
        let label = cell_text(s.metric, s.value_at(t));
        area.draw_text(&label, &left, (30, y))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::layout::Swept;
    use super::*;

    #[test]
    fn a_third_setting_splits_the_heatmap_and_never_pools_silently() {
        let swept = [
            Swept {
                key: Key::LearningRate,
                values: 5,
            },
            Swept {
                key: Key::Clip,
                values: 4,
            },
            Swept {
                key: Key::Gradient,
                values: 2,
            },
        ];
        let split = Split::of(Key::LearningRate, Key::Clip, &swept);
        assert_eq!(split.facets, [Key::Gradient]);
        assert!(split.pooled.is_empty());
        assert_eq!(split.describe(), "one panel per gradient");
        // Too many combinations (or a sampled setting): pooled, and said so.
        let swept = [
            Swept {
                key: Key::LearningRate,
                values: 5,
            },
            Swept {
                key: Key::Clip,
                values: 4,
            },
            Swept {
                key: Key::HiddenSize,
                values: 4,
            },
            Swept {
                key: Key::InitScale,
                values: 3,
            },
        ];
        let split = Split::of(Key::LearningRate, Key::Clip, &swept);
        assert_eq!(split.pooled, [Key::HiddenSize, Key::InitScale]);
        assert!(
            split
                .describe()
                .starts_with("pooled over hidden_size x init_scale")
        );
    }

    #[test]
    fn cell_figures_print_short() {
        assert_eq!(cell_text(Metric::TestAcc1, 0.5), "50%");
        assert_eq!(cell_text(Metric::FinalTestAcc, 0.975), "0.97");
        assert_eq!(cell_text(Metric::FinalTrainLoss, 0.001234), "0.0012");
        assert_eq!(cell_text(Metric::FirstEpochTrainAcc1, 529.5), "530");
        assert_eq!(
            cell_text(Metric::FirstEpochTrainAcc1, f64::INFINITY),
            "never"
        );
    }
}
