//! What a user reads after a sweep: the article's epoch table, figures and `report.md`,
//! all drawn from a results directory's tables without re-training.

pub mod article;
pub mod export;
pub mod markdown;
pub mod plot;
pub mod tables;

use std::path::PathBuf;

use crate::error::Result;
use crate::results::{REPORT, ResultsDir, Sweep, atomic};

/// Draws `plots/` and writes `report.md` from the directory's tables; returns the files
/// written, the report last.
pub fn write_report(dir: &ResultsDir) -> Result<Vec<PathBuf>> {
    let sweep = Sweep::load(dir.root())?;
    let mut files = plot::draw_all(&sweep, &dir.path(crate::results::PLOTS))?;
    let (name, description) = markdown::experiment_info(dir.root());
    let text = markdown::report(&sweep, &name, &description, &markdown::plot_names(&files));
    let path = dir.path(REPORT);
    atomic::write(&path, text.as_bytes())?;
    files.push(path);
    Ok(files)
}

/// Rebuilds a results directory's tables from its records (when it has them; otherwise the
/// tables it has are used as they are), then its figures and report; returns the files
/// written.
pub fn rebuild(dir: &ResultsDir) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if let Some(written) = dir.rebuild_tables()? {
        files.extend(written.files);
    }
    files.extend(write_report(dir)?);
    Ok(files)
}
