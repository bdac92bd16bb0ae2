//! The frame every multi-panel figure shares: a title, a grid of equal panels with shared
//! axes (tick numbers only along the left column and the bottom row), labels of the
//! columns and rows, the axis titles once, and a legend or colour bars outside the panels.
//! The figure's size follows from its content, so nothing is drawn outside the image.

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::FontTransform;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{DrawResult, FONT, TEXT, TICK, TITLE, text_width};

/// Outer margin, and the gap between panels.
const MARGIN: u32 = 12;
const GAP: u32 = 20;
/// Height of a line of [`TEXT`] (strips, headers, axis titles, legend entries).
const LINE: u32 = TEXT + 12;

/// How rows are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RowStyle {
    /// A strip right of the row, text turned upright.
    Strip,
    /// A line above the row, across every column.
    Header,
}

/// A legend: its title and one entry per series.
#[derive(Debug, Clone)]
pub struct Legend {
    pub title: String,
    pub entries: Vec<(String, RGBColor)>,
}

impl Legend {
    fn width(&self) -> u32 {
        let entry = self
            .entries
            .iter()
            .map(|(label, _)| text_width(label, TEXT) + 34)
            .max()
            .unwrap_or(0);
        entry.max(text_width(&self.title, TEXT)) + 2 * MARGIN
    }

    fn height(&self) -> u32 {
        (self.entries.len() as u32 + 1) * LINE
    }
}

/// What a figure's frame holds.
#[derive(Debug, Clone)]
pub(super) struct Frame {
    pub title: String,
    /// A second line under the title, in smaller text (empty: none).
    pub subtitle: String,
    pub columns: usize,
    pub rows: usize,
    /// The plotting area of each panel, in pixels.
    pub panel: (u32, u32),
    /// Above each column (empty: none).
    pub column_labels: Vec<String>,
    /// Beside or above each row (empty: none).
    pub row_labels: Vec<String>,
    pub row_style: RowStyle,
    /// Above each panel, row by row (a wrapped facet; replaces the column labels).
    pub panel_labels: Vec<String>,
    /// Width of the tick numbers left of the panels, height of those below.
    pub ticks: (u32, u32),
    pub x_title: String,
    pub y_title: String,
    /// Width of a region right of each row, for the figure's own use (a colour bar).
    pub side: u32,
    pub legend: Option<Legend>,
}

/// One panel's drawing area (its tick numbers' area included, on the edges) and place.
pub(super) struct Panel<'b> {
    pub area: DrawingArea<BitMapBackend<'b>, Shift>,
    pub row: usize,
    pub column: usize,
    /// Whether it carries the tick numbers: left column, bottom row.
    pub left: bool,
    pub bottom: bool,
}

impl<'b> Panel<'b> {
    /// A chart builder on the panel whose plotting area is exactly the frame's panel size.
    pub(super) fn builder<'a>(
        &'a self,
        ticks: (u32, u32),
    ) -> ChartBuilder<'a, 'b, BitMapBackend<'b>> {
        let mut b = ChartBuilder::on(&self.area);
        b.margin(GAP / 2)
            .y_label_area_size(if self.left { ticks.0 } else { 0 })
            .x_label_area_size(if self.bottom { ticks.1 } else { 0 });
        b
    }
}

impl Frame {
    /// A frame of one panel with nothing around it but the title and axis titles.
    pub(super) fn single(title: String, panel: (u32, u32), ticks: (u32, u32)) -> Frame {
        Frame {
            title,
            subtitle: String::new(),
            columns: 1,
            rows: 1,
            panel,
            column_labels: Vec::new(),
            row_labels: Vec::new(),
            row_style: RowStyle::Strip,
            panel_labels: Vec::new(),
            ticks,
            x_title: String::new(),
            y_title: String::new(),
            side: 0,
            legend: None,
        }
    }

    fn title_height(&self) -> u32 {
        TITLE + 20 + if self.subtitle.is_empty() { 0 } else { LINE }
    }

    fn column_strip(&self) -> u32 {
        if self.column_labels.is_empty() {
            0
        } else {
            LINE
        }
    }

    /// Height of a row's band: its header or panel labels, its panel and the gap.
    fn row_height(&self) -> u32 {
        let above = match self.row_style {
            RowStyle::Header if !self.row_labels.is_empty() => LINE,
            _ => 0,
        };
        let panel_strip = if self.panel_labels.is_empty() {
            0
        } else {
            LINE
        };
        above + panel_strip + self.panel.1 + GAP
    }

    fn column_width(&self) -> u32 {
        self.panel.0 + GAP
    }

    fn y_title_width(&self) -> u32 {
        if self.y_title.is_empty() { 0 } else { LINE }
    }

    fn row_strip(&self) -> u32 {
        match self.row_style {
            RowStyle::Strip if !self.row_labels.is_empty() => LINE,
            _ => 0,
        }
    }

    /// Left edge of the panels' plotting areas.
    fn grid_left(&self) -> u32 {
        MARGIN + self.y_title_width() + self.ticks.0
    }

    fn grid_top(&self) -> u32 {
        MARGIN + self.title_height() + self.column_strip()
    }

    /// The figure's size in pixels.
    pub(super) fn size(&self) -> (u32, u32) {
        let grid_w = self.columns as u32 * self.column_width();
        let legend_w = self.legend.as_ref().map_or(0, Legend::width);
        let width = self.grid_left() + grid_w + self.row_strip() + self.side + legend_w + MARGIN;
        let text = text_width(&self.title, TITLE).max(text_width(&self.subtitle, TEXT));
        let width = width.max(text + 2 * MARGIN);
        let grid_bottom = self.grid_top() + self.rows as u32 * self.row_height();
        let x_title = if self.x_title.is_empty() { 0 } else { LINE };
        let height = grid_bottom + self.ticks.1 + x_title + MARGIN;
        let legend_h = self.legend.as_ref().map_or(0, Legend::height);
        (width, height.max(self.grid_top() + legend_h + MARGIN))
    }

    /// Draws the frame on `root` (of [`Frame::size`]) and returns the panels, row by row.
    pub(super) fn draw<'b>(
        &self,
        root: &DrawingArea<BitMapBackend<'b>, Shift>,
    ) -> Result<Vec<Panel<'b>>, Box<dyn std::error::Error>> {
        let (width, _) = self.size();
        let title = style(TITLE, HPos::Center, VPos::Center);
        let centre = width as i32 / 2;
        let y = (MARGIN + (TITLE + 20) / 2) as i32;
        root.draw_text(&self.title, &title, (centre, y))?;
        if !self.subtitle.is_empty() {
            let sub = style(TEXT, HPos::Center, VPos::Center);
            let y = (MARGIN + TITLE + 20 + LINE / 2) as i32 - 6;
            root.draw_text(&self.subtitle, &sub, (centre, y))?;
        }
        self.draw_axis_titles(root)?;
        self.draw_labels(root)?;
        if let Some(legend) = &self.legend {
            self.draw_legend(root, legend)?;
        }
        let mut panels = Vec::new();
        for row in 0..self.rows {
            for column in 0..self.columns {
                panels.push(self.panel_area(root, row, column));
            }
        }
        Ok(panels)
    }

    /// The top of row `row`'s plotting area.
    fn panel_top(&self, row: usize) -> u32 {
        let band = self.grid_top() + row as u32 * self.row_height();
        band + self.row_height() - self.panel.1 - GAP
    }

    /// The left edge of column `column`'s plotting area.
    fn panel_left(&self, column: usize) -> u32 {
        self.grid_left() + column as u32 * self.column_width()
    }

    fn panel_area<'b>(
        &self,
        root: &DrawingArea<BitMapBackend<'b>, Shift>,
        row: usize,
        column: usize,
    ) -> Panel<'b> {
        let (left, bottom) = (column == 0, row + 1 == self.rows);
        let x = self.panel_left(column) - GAP / 2 - if left { self.ticks.0 } else { 0 };
        let y = self.panel_top(row) - GAP / 2;
        let w = self.panel.0 + GAP + if left { self.ticks.0 } else { 0 };
        let h = self.panel.1 + GAP + if bottom { self.ticks.1 } else { 0 };
        Panel {
            area: root.clone().shrink((x, y), (w, h)),
            row,
            column,
            left,
            bottom,
        }
    }

    /// The x title centred below the panels, the y title upright left of them.
    fn draw_axis_titles(&self, root: &DrawingArea<BitMapBackend<'_>, Shift>) -> DrawResult {
        let grid_w = self.columns as u32 * self.column_width() - GAP;
        let centre_x = self.grid_left() + grid_w / 2;
        let grid_bottom = self.grid_top() + self.rows as u32 * self.row_height() - GAP / 2;
        if !self.x_title.is_empty() {
            let y = grid_bottom + self.ticks.1 + LINE / 2;
            let s = style(TEXT, HPos::Center, VPos::Center);
            root.draw_text(&self.x_title, &s, (centre_x as i32, y as i32))?;
        }
        if !self.y_title.is_empty() {
            let centre_y = (self.grid_top() + grid_bottom) / 2;
            let s = upright(TEXT);
            root.draw_text(
                &self.y_title,
                &s,
                ((MARGIN + LINE / 2) as i32, centre_y as i32),
            )?;
        }
        Ok(())
    }

    /// Column labels above the grid, row labels beside or above each row, panel labels.
    fn draw_labels(&self, root: &DrawingArea<BitMapBackend<'_>, Shift>) -> DrawResult {
        let centre = |column: usize| (self.panel_left(column) + self.panel.0 / 2) as i32;
        let s = style(TEXT, HPos::Center, VPos::Center);
        for (column, label) in self.column_labels.iter().enumerate() {
            let y = self.grid_top() - LINE / 2;
            root.draw_text(label, &s, (centre(column), y as i32))?;
        }
        for (i, label) in self.panel_labels.iter().enumerate() {
            let (row, column) = (i / self.columns, i % self.columns);
            let y = self.panel_top(row) - LINE / 2;
            root.draw_text(label, &s, (centre(column), y as i32))?;
        }
        let grid_right = self.panel_left(self.columns) - GAP;
        for (row, label) in self.row_labels.iter().enumerate() {
            let top = self.panel_top(row);
            match self.row_style {
                RowStyle::Strip => {
                    let x = grid_right + LINE / 2;
                    let y = top + self.panel.1 / 2;
                    root.draw_text(label, &upright(TEXT), (x as i32, y as i32))?;
                }
                RowStyle::Header => {
                    let left = style(TEXT, HPos::Left, VPos::Center);
                    let y = top - LINE / 2 - self.panel_strip();
                    let x = self.grid_left();
                    root.draw_text(label, &left, (x as i32, y as i32))?;
                }
            }
        }
        Ok(())
    }

    fn panel_strip(&self) -> u32 {
        if self.panel_labels.is_empty() {
            0
        } else {
            LINE
        }
    }

    /// Left edge of the side regions, and of the legend after them.
    pub(super) fn side_left(&self) -> u32 {
        self.panel_left(self.columns) - GAP + self.row_strip() + GAP
    }

    /// Row `row`'s side region: beside its plotting area, [`Frame::side`] wide.
    pub(super) fn side_area<'b>(
        &self,
        root: &DrawingArea<BitMapBackend<'b>, Shift>,
        row: usize,
    ) -> DrawingArea<BitMapBackend<'b>, Shift> {
        root.clone().shrink(
            (self.side_left(), self.panel_top(row)),
            (self.side, self.panel.1),
        )
    }

    /// The legend right of everything else, level with the top of the panels.
    fn draw_legend(
        &self,
        root: &DrawingArea<BitMapBackend<'_>, Shift>,
        legend: &Legend,
    ) -> DrawResult {
        let x = (self.side_left() + self.side) as i32;
        let top = self.grid_top() as i32;
        let line = LINE as i32;
        let left = style(TEXT, HPos::Left, VPos::Center);
        root.draw_text(&legend.title, &left, (x, top + line / 2))?;
        for (i, (label, colour)) in legend.entries.iter().enumerate() {
            let y = top + line * (i as i32 + 1) + line / 2;
            root.draw(&PathElement::new(
                vec![(x, y), (x + 24, y)],
                colour.stroke_width(4),
            ))?;
            root.draw_text(label, &left, (x + 32, y))?;
        }
        Ok(())
    }
}

/// A text style of `size` pixels anchored at `h`, `v`.
pub(super) fn style(size: u32, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).pos(Pos::new(h, v))
}

/// Upright text (read bottom to top), centred on its point.
fn upright(size: u32) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font().transform(FontTransform::Rotate270))
        .pos(Pos::new(HPos::Center, VPos::Center))
}

/// The tick numbers' style: the smallest text of any figure.
pub(super) fn tick_style() -> TextStyle<'static> {
    TextStyle::from((FONT, TICK).into_font())
}

/// An axis of a panel: a linear range with ticks exactly where the figure puts them (and
/// no finer grid).
#[derive(Debug, Clone)]
pub(super) struct Axis {
    range: std::ops::Range<f64>,
    ticks: Vec<f64>,
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        let t = if span > 0.0 {
            (value - self.range.start) / span
        } else {
            0.5
        };
        limit.0 + (f64::from(limit.1 - limit.0) * t).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.range.clone()
    }
}

/// A panel's chart: `'a` the panel's borrow, `'b` the bitmap's.
pub(super) type PanelChart<'a, 'b> = ChartContext<'a, BitMapBackend<'b>, Cartesian2d<Axis, Axis>>;

/// A chart on `panel` over `x` and `y` (each a range and its ticks), its light grid and,
/// on the edges of the grid, its tick numbers labelled by `x_label` and `y_label`.
pub(super) fn chart<'a, 'b>(
    panel: &'a Panel<'b>,
    ticks: (u32, u32),
    (x, x_ticks): (std::ops::Range<f64>, Vec<f64>),
    (y, y_ticks): (std::ops::Range<f64>, Vec<f64>),
    x_label: &dyn Fn(f64) -> String,
    y_label: &dyn Fn(f64) -> String,
) -> Result<PanelChart<'a, 'b>, Box<dyn std::error::Error>> {
    let mut chart = panel.builder(ticks).build_cartesian_2d(
        Axis {
            range: x,
            ticks: x_ticks,
        },
        Axis {
            range: y,
            ticks: y_ticks,
        },
    )?;
    let (left, bottom) = (panel.left, panel.bottom);
    chart
        .configure_mesh()
        .bold_line_style(RGBColor(225, 225, 225))
        .axis_style(RGBColor(120, 120, 120))
        .x_label_formatter(&|v| if bottom { x_label(*v) } else { String::new() })
        .y_label_formatter(&|v| if left { y_label(*v) } else { String::new() })
        .label_style(tick_style())
        .draw()?;
    // A light frame around each panel, so neighbours read as separate.
    let (xr, yr) = (chart.x_range(), chart.y_range());
    chart.plotting_area().draw(&Rectangle::new(
        [(xr.start, yr.start), (xr.end, yr.end)],
        RGBColor(190, 190, 190).stroke_width(1),
    ))?;
    Ok(chart)
}
