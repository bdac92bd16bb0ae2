//! What a user reads after a sweep: the article's epoch table, figures and `report.md`,
//! all rebuilt from a results directory's CSVs without re-training.

pub mod article;
pub mod export;
pub mod load;
pub mod markdown;
pub mod plot;
pub mod table;
pub mod tables;

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::runner::record::write_atomic;

/// Draws `dir/plots/` and writes `dir/report.md` from the directory's tables; returns the
/// files written, the report last.
pub fn write_report(dir: &Path) -> Result<Vec<PathBuf>> {
    let sweep = load::Sweep::load(dir)?;
    let mut files = plot::draw_all(&sweep, &dir.join("plots"))?;
    let (name, description) = markdown::experiment_info(dir);
    let text = markdown::report(&sweep, &name, &description, &markdown::plot_names(&files));
    let path = dir.join("report.md");
    write_atomic(&path, text.as_bytes())?;
    files.push(path);
    Ok(files)
}
