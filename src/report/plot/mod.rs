//! The figures of a report, one file per kind, sharing here their text sizes, palettes,
//! font, file names, error handling and the [`Context`] they are drawn from (the report's
//! [`Outline`]: its faceting, ranking and colours, so every figure agrees).
//!
//! Fonts are compiled in (DejaVu Sans through plotters' `ab_glyph` backend), so plots render
//! with no system font or library, Cyrillic included. Figures are rendered to bytes
//! ([`render`]), in parallel, and written atomically.

mod bands;
mod every_seed;
mod final_vs;
mod frame;
mod halving;
mod heatmap;
pub(crate) mod layout;
mod race;
pub(crate) mod scale;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use rayon::prelude::*;

use self::frame::Legend;
use super::outline::Outline;
use crate::error::{Error, Result};
use crate::settings::{Key, SettingsParams, Value};
use crate::store::atomic;
use crate::tables::Sweep;
use crate::tables::read::Config;
use crate::tables::schema::Curve;

/// The font family every text of a figure uses.
pub const FONT: &str = "sans-serif";
/// Text sizes in pixels. Tick numbers are the smallest text of any figure; legends, strips,
/// axis titles and numbers in cells are larger.
pub const TICK: u32 = 14;
pub const TEXT: u32 = 16;
pub const TITLE: u32 = 20;

/// Size of a two-panel figure.
pub const WIDE: (u32, u32) = (1400, 600);
/// Size of a one-panel figure.
pub const SINGLE: (u32, u32) = (900, 600);

/// Loss below this is drawn at this value (a log axis cannot show 0).
pub const LOSS_FLOOR: f64 = 1e-6;

/// Colours of the values of the colour setting, in value order (Tableau 10).
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// A series when no setting colours the figure.
pub const NEUTRAL: RGBColor = RGBColor(31, 119, 180);
/// Series in the background (every configuration behind the highlighted ones).
pub const MUTED: RGBColor = RGBColor(175, 175, 175);

/// The colour of `value` of a setting whose values are `values` (in order): the one
/// palette of the report, so a colour means the same value in every figure.
pub fn axis_color(values: &[Value], value: &Value) -> RGBColor {
    let i = values
        .iter()
        .position(|v| v.total_cmp(value).is_eq())
        .unwrap_or(0);
    PALETTE[i % PALETTE.len()]
}

/// The colour of the `i`-th highlighted configuration (best first).
pub fn rank_color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// The colour of a cell whose value is `t` of the way from worst (0) to best (1): white to
/// dark blue, darker is better, whichever way the metric is better.
pub fn darker_is_better(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let mix = |from: f64, to: f64| (from + (to - from) * t).round() as u8;
    RGBColor(mix(247.0, 8.0), mix(251.0, 48.0), mix(255.0, 107.0))
}

/// Registers the embedded fonts with plotters, once per process.
pub fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are a valid font compiled into the binary; failure is impossible.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// The width in pixels of `text` at `size`, to size figures around their text.
pub fn text_width(text: &str, size: u32) -> u32 {
    register_fonts();
    (FONT, size)
        .into_font()
        .box_size(text)
        .map_or(text.chars().count() as u32 * size * 6 / 10, |(w, _)| w)
}

/// A configuration label or axis name as a file-name part: `h=64 lr=0.02 clip=1 exact`
/// becomes `h64_lr0.02_clip1_exact`. The one place file names are made.
pub fn file_safe(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for c in label.chars() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' => out.push(c),
            ' ' | '_' | '/' | '\\' | ':' if !out.ends_with('_') => out.push('_'),
            _ => {}
        }
    }
    out.trim_matches('_').to_owned()
}

/// What a figure shows, which decides where the report puts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureKind {
    /// Two settings against each other: `heatmap-<a>-<b>.png`.
    Heatmap,
    /// A curve's median and spread over seeds: `loss-train.png`, ...
    Bands,
    /// Final metrics against one setting: `final-vs-<axis>.png`.
    Effect,
    /// Every seed's curve of one configuration: `curves-<config>.png`.
    Curves,
    /// A successive halving search, rung by rung: `halving.png`.
    Halving,
    /// A race over seeds, look by look: `race.png`.
    Race,
}

/// What one figure is of, beyond its kind: the HTML report draws the same figure from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shows {
    /// Two settings against each other (a heatmap).
    Pair(Key, Key),
    /// One curve over epochs (bands).
    Curve(Curve),
    /// One setting along x (an effect figure).
    Axis(Key),
    /// One configuration (an index into the sweep's).
    Config(usize),
    /// The whole search (halving).
    Search,
}

/// A figure written.
#[derive(Debug, Clone)]
pub struct Drawn {
    pub kind: FigureKind,
    pub shows: Shows,
    /// The file name, under `plots/`.
    pub name: String,
    pub path: PathBuf,
    /// What the figure shows that its kind does not say (a heatmap's panels or pooling),
    /// for the report's text; may be empty.
    pub caption: String,
}

/// What every figure of a report is drawn from.
pub struct Context<'a> {
    pub sweep: &'a Sweep,
    pub outline: &'a Outline,
    /// The colour setting and its values, in order.
    colors: Option<(Key, Vec<Value>)>,
}

impl<'a> Context<'a> {
    pub fn new(sweep: &'a Sweep, outline: &'a Outline) -> Context<'a> {
        let colors = outline
            .layout
            .color
            .map(|key| (key, sweep.axis_values(key)));
        Context {
            sweep,
            outline,
            colors,
        }
    }

    /// The colour setting, if any.
    pub fn color_key(&self) -> Option<Key> {
        self.colors.as_ref().map(|(k, _)| *k)
    }

    /// The colour of runs with `settings`: their value of the colour setting's.
    pub fn color(&self, settings: &SettingsParams) -> RGBColor {
        match &self.colors {
            Some((key, values)) => axis_color(values, &key.value_of(settings, 0)),
            None => NEUTRAL,
        }
    }

    /// The legend of the colour setting: one entry per value.
    pub fn legend(&self) -> Option<Legend> {
        let (key, values) = self.colors.as_ref()?;
        Some(Legend {
            title: key.name().to_owned(),
            entries: values
                .iter()
                .map(|v| (key.labelled(v), axis_color(values, v)))
                .collect(),
        })
    }
}

/// A figure to draw: its kind, its file name's stem, its caption and how to draw it.
struct Job<'a> {
    kind: FigureKind,
    shows: Shows,
    name: String,
    caption: String,
    draw: Box<dyn Fn() -> Figure + Send + Sync + 'a>,
}

impl<'a> Job<'a> {
    fn new(
        (kind, shows): (FigureKind, Shows),
        name: String,
        draw: impl Fn() -> Figure + Send + Sync + 'a,
    ) -> Job<'a> {
        Job {
            kind,
            shows,
            name,
            caption: String::new(),
            draw: Box::new(draw),
        }
    }
}

/// Draws every figure of the report into `dir`, removes the figures there that it no
/// longer draws (a rebuilt report's `plots/` holds exactly its figures) and returns those
/// written, in the order the report shows them.
pub fn draw_all(sweep: &Sweep, outline: &Outline, dir: &Path) -> Result<Vec<Drawn>> {
    register_fonts();
    // A real directory: its stale figures are removed below, never through a link.
    crate::store::safe::dir(dir)?;
    let ctx = Context::new(sweep, outline);
    let jobs = jobs(&ctx);
    // Drawn on every core; plotters' errors are not `Send`, so they travel as text.
    let figures: Vec<std::result::Result<Vec<u8>, String>> = jobs
        .par_iter()
        .map(|job| (job.draw)().map_err(|e| e.to_string()))
        .collect();
    let mut drawn = Vec::new();
    for (job, figure) in jobs.into_iter().zip(figures) {
        let name = format!("{}.png", job.name);
        let path = dir.join(&name);
        let bytes = figure.map_err(|e| {
            Error::io(
                &path,
                std::io::Error::other(format!("cannot draw the figure: {e}")),
            )
        })?;
        atomic::write(&path, &bytes)?;
        drawn.push(Drawn {
            kind: job.kind,
            shows: job.shows,
            name,
            path,
            caption: job.caption,
        });
    }
    remove_stale(dir, &drawn)?;
    Ok(drawn)
}

/// Every figure of the report, in the order the report shows them.
fn jobs<'a>(ctx: &'a Context<'a>) -> Vec<Job<'a>> {
    let mut jobs: Vec<Job<'a>> = Vec::new();
    if let Some(h) = &ctx.outline.halving {
        jobs.push(Job::new(
            (FigureKind::Halving, Shows::Search),
            "halving".into(),
            move || halving::draw(ctx, h),
        ));
    }
    if let Some(r) = &ctx.outline.race {
        jobs.push(Job::new(
            (FigureKind::Race, Shows::Search),
            "race".into(),
            move || race::draw(ctx, r),
        ));
    }
    for (a, b) in heatmap::pairs(ctx) {
        let name = format!("heatmap-{}-{}", file_safe(a.name()), file_safe(b.name()));
        let mut job = Job::new((FigureKind::Heatmap, Shows::Pair(a, b)), name, move || {
            heatmap::draw(ctx, a, b)
        });
        job.caption = heatmap::caption(ctx, a, b);
        jobs.push(job);
    }
    for curve in bands::CURVES {
        let name = bands::file_name(curve);
        jobs.push(Job::new(
            (FigureKind::Bands, Shows::Curve(curve)),
            name,
            move || bands::draw(ctx, curve),
        ));
    }
    for &axis in &ctx.sweep.varying {
        let name = format!("final-vs-{}", file_safe(axis.name()));
        let mut job = Job::new((FigureKind::Effect, Shows::Axis(axis)), name, move || {
            final_vs::draw(ctx, axis)
        });
        job.caption = final_vs::caption(ctx, axis);
        jobs.push(job);
    }
    for &i in &ctx.outline.curves {
        let config: &Config = &ctx.sweep.configs[i];
        let name = format!("curves-{}", file_safe(&config.label));
        jobs.push(Job::new(
            (FigureKind::Curves, Shows::Config(i)),
            name,
            move || every_seed::draw(ctx, config),
        ));
    }
    jobs
}

/// Removes the `.png` files of `dir` that are not among `drawn`.
fn remove_stale(dir: &Path, drawn: &[Drawn]) -> Result<()> {
    let keep: HashSet<&str> = drawn.iter().map(|d| d.name.as_str()).collect();
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.ends_with(".png") && !keep.contains(name) {
            let path = entry.path();
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}

/// The curve's name in titles: `train loss`.
pub fn curve_title(curve: Curve) -> String {
    curve.name().replace('_', " ").replace("acc", "accuracy")
}

/// What drawing code returns: plotters' errors of any backend, boxed.
pub type DrawResult = std::result::Result<(), Box<dyn std::error::Error>>;

/// A figure: its PNG bytes, or why it could not be drawn.
pub type Figure = std::result::Result<Vec<u8>, Box<dyn std::error::Error>>;

/// Draws a figure of `size` pixels on a white canvas by `draw`, and encodes it as PNG.
pub fn render(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> DrawResult,
) -> Figure {
    let (width, height) = size;
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
    }
    let image = image::RgbImage::from_raw(width, height, pixels)
        .ok_or("the canvas does not match its size")?;
    let mut png = std::io::Cursor::new(Vec::new());
    image.write_to(&mut png, image::ImageOutputFormat::Png)?;
    Ok(png.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_safe_names() {
        assert_eq!(
            file_safe("h=64 lr=0.02 clip=1 exact"),
            "h64_lr0.02_clip1_exact"
        );
        assert_eq!(file_safe("learning_rate"), "learning_rate");
        assert_eq!(file_safe("a/b\\c: d"), "a_b_c_d");
        assert_eq!(file_safe("clip=inf  article"), "clipinf_article");
    }

    #[test]
    fn a_value_has_one_colour_and_better_is_darker() {
        let values = [Value::Float(0.3), Value::Float(1.0), Value::Float(3.0)];
        assert_eq!(axis_color(&values, &Value::Float(1.0)), PALETTE[1]);
        assert_eq!(axis_color(&values[1..], &Value::Float(1.0)), PALETTE[0]);
        let luma = |c: RGBColor| u32::from(c.0) + u32::from(c.1) + u32::from(c.2);
        assert!(luma(darker_is_better(0.9)) < luma(darker_is_better(0.1)));
    }
}
