//! The figures of a report, one file per kind, sharing here their size, palette, font,
//! file names and error handling.
//!
//! Fonts are compiled in (DejaVu Sans through plotters' `ab_glyph` backend), so plots render
//! with no system font or library, Cyrillic included.

mod bands;
mod final_vs;
mod heatmap;
mod seeds;

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::prelude::*;
use plotters::style::FontStyle;

use super::load::Sweep;
use crate::error::{Error, Result};

pub use bands::Metric;

/// The font family every text of a figure uses.
pub const FONT: &str = "sans-serif";
/// Size of a two-panel figure.
pub const WIDE: (u32, u32) = (1400, 600);
/// Size of a one-panel figure.
pub const SINGLE: (u32, u32) = (900, 600);

/// Colours by configuration (Tableau 10), repeated past ten.
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

pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
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

/// Draws every figure of `sweep` into `dir`; returns the files written, in a stable order.
pub fn draw_all(sweep: &Sweep, dir: &Path) -> Result<Vec<PathBuf>> {
    register_fonts();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut files = Vec::new();
    for metric in [Metric::Loss, Metric::Accuracy] {
        let path = dir.join(format!("{}.png", metric.name()));
        bands::draw(sweep, metric, &path)?;
        files.push(path);
    }
    for config in &sweep.configs {
        let path = dir.join(format!("curves-{}.png", file_safe(&config.label)));
        seeds::draw(sweep, config, &path)?;
        files.push(path);
    }
    for axis in &sweep.swept {
        let path = dir.join(format!("final-vs-{}.png", file_safe(axis)));
        final_vs::draw(sweep, axis, &path)?;
        files.push(path);
    }
    for (i, a) in sweep.swept.iter().enumerate() {
        for b in &sweep.swept[i + 1..] {
            let path = dir.join(format!("heatmap-{}-{}.png", file_safe(a), file_safe(b)));
            heatmap::draw(sweep, a, b, &path)?;
            files.push(path);
        }
    }
    Ok(files)
}

/// What drawing code returns: plotters' errors of any backend, boxed.
pub type DrawResult = std::result::Result<(), Box<dyn std::error::Error>>;

/// Runs the drawing code of one figure, turning a plotters error into ours, naming the file.
pub fn render(path: &Path, draw: impl FnOnce() -> DrawResult) -> Result<()> {
    draw().map_err(|e| {
        Error::io(
            path,
            std::io::Error::other(format!("cannot draw the figure: {e}")),
        )
    })
}

/// Sorted distinct values of a setting column, numerically where they are numbers.
pub fn axis_values(sweep: &Sweep, axis: &str) -> Vec<String> {
    let mut values: Vec<String> = sweep
        .runs
        .iter()
        .map(|r| r.setting(axis).to_owned())
        .collect();
    values.sort_by(|a, b| match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.total_cmp(&y),
        _ => a.cmp(b),
    });
    values.dedup();
    values
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
}
