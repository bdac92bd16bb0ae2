//! What a user reads after a sweep: the article's epoch table, figures and `report.md`,
//! all drawn from a results directory's tables without re-training.

pub mod article;
pub mod differences;
pub mod export;
pub mod markdown;
pub mod plot;
pub mod tables;

use std::path::PathBuf;

use crate::compare::{self, Comparison};
use crate::error::Result;
use crate::results::table::TableWriter;
use crate::results::{COMPARISONS, PLOTS, REPORT, ResultsDir, Sweep, atomic};

/// Writes `comparisons.csv`, draws `plots/` and writes `report.md` from the directory's
/// tables; returns the files written, the report last.
pub fn write_report(dir: &ResultsDir) -> Result<Vec<PathBuf>> {
    let sweep = Sweep::load(dir.root())?;
    let configs: Vec<_> = sweep.configs.iter().map(|c| &c.summary).collect();
    let comparisons = compare::within(&configs);
    let mut table = TableWriter::<Comparison>::create(&dir.path(COMPARISONS))?;
    for c in &comparisons {
        table.write(c)?;
    }
    let mut files = vec![table.commit()?];
    files.extend(plot::draw_all(&sweep, &dir.path(PLOTS))?);
    let (name, description) = markdown::experiment_info(dir.root());
    let plots = markdown::plot_names(&files[1..]);
    let text = markdown::report(&sweep, &name, &description, &comparisons, &plots);
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
