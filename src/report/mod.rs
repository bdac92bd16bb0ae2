//! What a user reads after a sweep: the article's epoch table, figures and `report.md`,
//! all drawn from a results directory's tables without re-training. What a report shows
//! (its faceting, ranking and curve figures) is decided once, by [`outline`], from the
//! tables and the user's [`Options`].

pub(crate) mod article;
pub(crate) mod best;
pub(crate) mod differences;
pub(crate) mod epoch_tables;
pub(crate) mod export;
pub(crate) mod halving;
pub(crate) mod html;
pub(crate) mod markdown;
pub(crate) mod outline;
pub mod plot;
pub(crate) mod race;
pub(crate) mod shares;

use std::path::PathBuf;

pub use outline::{Options, Outline};

use crate::compare::{self, Comparison};
use crate::error::Result;
use crate::store::{
    COMPARISONS, NAMED_WEIGHTS_PER_CONFIG, PLOTS, REPORT, REPORT_HTML, ResultsDir, atomic,
};
use crate::tables::Sweep;
use crate::tables::rows::TableWriter;
use crate::tables::schema::{SHARES, ShareRow};

/// Writes `comparisons.csv`, draws `plots/` and writes `report.md` and `report.html` from
/// the directory's tables, as its recorded experiment's `[report]` table with `flags` over
/// it says; returns the files written, the reports last.
pub fn write_report(dir: &ResultsDir, flags: &Options) -> Result<Vec<PathBuf>> {
    Ok(write_report_naming(dir, flags)?.0)
}

/// [`write_report`], also returning the run ids of the configurations the report names
/// ([`named_runs`]).
pub(crate) fn write_report_naming(
    dir: &ResultsDir,
    flags: &Options,
) -> Result<(Vec<PathBuf>, Vec<String>)> {
    let options = Options::recorded(dir.root())?.overlay(flags);
    let sweep = Sweep::load(dir.root())?;
    let outline = Outline::new(&sweep, &options)?;
    let named = named_runs(&sweep, &outline);
    let configs: Vec<_> = sweep.configs.iter().map(|c| &c.summary).collect();
    let comparisons = compare::within(&configs);
    let mut table = TableWriter::<Comparison>::create(&dir.path(COMPARISONS))?;
    for c in &comparisons {
        table.write(c)?;
    }
    let mut files = vec![table.commit()?];
    let race = match &outline.race {
        Some(r) => Some(race_state(dir, r)?),
        None => None,
    };
    // A race's first block is the one part every configuration ran.
    let first_block = race
        .as_ref()
        .map(|s| s.selection[..s.race.first.min(s.selection.len())].to_vec());
    let shares = shares::rows(&sweep, !is_drawn(dir)?, first_block.as_deref());
    if let Some(Ok(rows)) = &shares {
        let mut table = TableWriter::<ShareRow>::create(&dir.path(SHARES))?;
        for r in rows {
            table.write(r)?;
        }
        files.push(table.commit()?);
    }
    let drawn = plot::draw_all(&sweep, &outline, &dir.path(PLOTS))?;
    files.extend(drawn.iter().map(|d| d.path.clone()));
    let (name, description) = markdown::experiment_info(dir.root());
    let halving = match &outline.halving {
        Some(h) => Some(halving::state(dir, &sweep, h)?),
        None => None,
    };
    let page = markdown::Page {
        halving: halving.as_ref(),
        race: race.as_ref(),
        shares: shares.as_ref(),
        sweep: &sweep,
        name: &name,
        description: &description,
        comparisons: &comparisons,
        outline: &outline,
        drawn: &drawn,
    };
    let path = dir.path(REPORT);
    atomic::write(&path, markdown::report(&page).as_bytes())?;
    files.push(path);
    let path = dir.path(REPORT_HTML);
    atomic::write(&path, html::report(&page)?.as_bytes())?;
    files.push(path);
    Ok((files, named))
}

/// The first [`NAMED_WEIGHTS_PER_CONFIG`] runs (in seed order) of each configuration the
/// report names, those whose every seed it draws (every configuration of a small grid;
/// else the best, the article's and those asked for), in that order.
pub(crate) fn named_runs(sweep: &Sweep, outline: &Outline) -> Vec<String> {
    outline
        .curves
        .iter()
        .flat_map(|&c| sweep.configs[c].runs.iter().take(NAMED_WEIGHTS_PER_CONFIG))
        .map(|&r| sweep.runs[r].run_id.clone())
        .collect()
}

/// Whether `dir`'s recorded experiment draws its configurations (no experiment: a grid).
fn is_drawn(dir: &ResultsDir) -> Result<bool> {
    let path = dir.path(crate::store::EXPERIMENT);
    if !path.exists() {
        return Ok(false);
    }
    Ok(crate::experiment::Experiment::load(&path)?.is_search())
}

/// Where the race of `dir`'s recorded experiment stands (its seeds, epochs and `race.csv`).
fn race_state(dir: &ResultsDir, r: &crate::search::race::Race) -> Result<race::State> {
    let exp = crate::experiment::Experiment::load(&dir.path(crate::store::EXPERIMENT))?;
    let seeds = &exp.axis(crate::settings::Key::Seed).values;
    let epochs = match exp.axis(crate::settings::Key::Epochs).values[..] {
        [crate::settings::Value::Integer(e)] => e,
        _ => 0,
    };
    race::state(dir.root(), r, seeds, epochs)
}

/// Rebuilds a results directory's tables from its records (when it has them; otherwise the
/// tables it has are used as they are), then its figures and report; returns the files
/// written.
pub fn rebuild(dir: &ResultsDir, flags: &Options) -> Result<Vec<PathBuf>> {
    rebuild_with(dir, flags, crate::tables::CurvesCsv::Auto)
}

/// [`rebuild`], choosing whether the tables include `curves.csv` at any size.
pub fn rebuild_with(
    dir: &ResultsDir,
    flags: &Options,
    csv: crate::tables::CurvesCsv,
) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if let Some(written) = crate::tables::rebuild_with(dir, csv)? {
        files.extend(written.files);
    }
    files.extend(write_report(dir, flags)?);
    Ok(files)
}
