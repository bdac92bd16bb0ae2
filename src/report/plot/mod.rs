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

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::error::{Error, Result};
use crate::results::{Sweep, atomic};

pub use bands::Quantity;

/// The font family every text of a figure uses.
pub const FONT: &str = "sans-serif";
/// Size of a two-panel figure.
pub const WIDE: (u32, u32) = (1400, 600);
/// Size of a one-panel figure.
pub const SINGLE: (u32, u32) = (900, 600);

/// Loss below this is drawn at this value (a log axis cannot show 0).
pub const LOSS_FLOOR: f64 = 1e-6;

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
    let mut figures: Vec<(String, Figure)> = Vec::new();
    for metric in [Quantity::Loss, Quantity::Accuracy] {
        figures.push((metric.name().to_owned(), bands::draw(sweep, metric)));
    }
    for config in &sweep.configs {
        let name = format!("curves-{}", file_safe(&config.label));
        figures.push((name, seeds::draw(sweep, config)));
    }
    for &axis in &sweep.varying {
        let name = format!("final-vs-{}", file_safe(axis.name()));
        figures.push((name, final_vs::draw(sweep, axis)));
    }
    for (i, &a) in sweep.varying.iter().enumerate() {
        for &b in &sweep.varying[i + 1..] {
            let name = format!("heatmap-{}-{}", file_safe(a.name()), file_safe(b.name()));
            figures.push((name, heatmap::draw(sweep, a, b)));
        }
    }
    figures
        .into_iter()
        .map(|(name, figure)| {
            let path = dir.join(format!("{name}.png"));
            let bytes = figure.map_err(|e| {
                Error::io(
                    &path,
                    std::io::Error::other(format!("cannot draw the figure: {e}")),
                )
            })?;
            atomic::write(&path, &bytes)?;
            Ok(path)
        })
        .collect()
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
}
