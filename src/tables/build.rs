//! The result tables of a sweep, rebuilt from the per-run records in grid order:
//! `runs.csv`, `curves.parquet`, `curves.csv` (up to [`CURVES_CSV_MAX_ROWS`] rows, or on
//! request), `summary.csv` and `timings.csv`, and a race's `race.csv`.
//!
//! All but `timings.csv` depend only on the records' deterministic fields, so they are
//! byte-identical whatever the number of jobs, the order runs finished in, or how often the
//! sweep was interrupted. The records are streamed one at a time, never all held at once.

use std::path::PathBuf;

use super::configs::group;
use super::parquet::CurvesParquet;
use super::rows::TableWriter;
use super::schema::{CurveRow, RACE, RaceRow, RunRow, TimingRow};
use super::summary::ConfigSummary;
use crate::error::Result;
use crate::experiment::Experiment;
use crate::search::{halving, race};
use crate::store::record::RunRecord;
use crate::store::{CURVES, CURVES_PARQUET, RUNS, ResultsDir, SUMMARY, TIMINGS};
use crate::train::RunSpec;

/// `curves.csv` is written for sweeps of up to this many run-epochs (about 55 MB of
/// text); past it, `curves.parquet` alone holds the curves, unless asked
/// ([`CurvesCsv::Always`], `sweep report --curves-csv`). A million-run sweep's curves as
/// text would be gigabytes that every reader parses again.
pub const CURVES_CSV_MAX_ROWS: u64 = 1_000_000;

/// Whether `curves.csv` is written beside `curves.parquet`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CurvesCsv {
    /// Up to [`CURVES_CSV_MAX_ROWS`] run-epochs.
    #[default]
    Auto,
    Always,
}

/// What [`write`] wrote.
#[derive(Debug)]
pub struct Written {
    pub files: Vec<PathBuf>,
    /// Runs of the grid with a record.
    pub present: usize,
    /// Runs of the grid without one (not trained yet, or failed to save).
    pub missing: usize,
    pub configs: Vec<ConfigSummary>,
}

/// Rebuilds the tables of `dir` from the records of the runs its `experiment.toml` names;
/// `None` (tables left as they are) when it has no records. Refuses if not one of those
/// runs has a record: that would replace good tables with empty ones.
pub fn rebuild(dir: &ResultsDir) -> Result<Option<Written>> {
    rebuild_with(dir, CurvesCsv::Auto)
}

/// [`rebuild`], choosing whether `curves.csv` is written.
pub fn rebuild_with(dir: &ResultsDir, csv: CurvesCsv) -> Result<Option<Written>> {
    if !dir.has_records() {
        return Ok(None);
    }
    dir.set_aside_damaged("the tables leave its run out until `sweep run` trains it again")?;
    let recorded = dir.recorded()?;
    dir.refuse_if_no_record_matches(&recorded)?;
    let written = write_with(dir, &recorded.exp, &recorded.runs, csv)?;
    if written.missing > 0 {
        note!(
            "sweep: warning: {} of {} runs have no record yet; the tables hold the other {}",
            written.missing,
            recorded.runs.len(),
            written.present
        );
    }
    Ok(Some(written))
}

/// Rebuilds every table of `dir` from the records of `runs`, the runs of `exp`'s grid.
pub fn write(dir: &ResultsDir, exp: &Experiment, runs: &[RunSpec]) -> Result<Written> {
    write_with(dir, exp, runs, CurvesCsv::Auto)
}

/// [`write`], choosing whether `curves.csv` is written.
pub fn write_with(
    dir: &ResultsDir,
    exp: &Experiment,
    runs: &[RunSpec],
    csv: CurvesCsv,
) -> Result<Written> {
    let groups = group(runs.iter().map(|r| &*r.settings), |i| {
        exp.label(&runs[i].settings)
    });
    let mut config_of = vec![0; runs.len()];
    for (g, group) in groups.iter().enumerate() {
        for &m in &group.members {
            config_of[m] = g;
        }
    }
    let mut configs: Vec<ConfigSummary> = groups
        .into_iter()
        .map(|g| ConfigSummary::new(g.label, g.settings))
        .collect();
    let run_epochs: u64 = runs
        .iter()
        .map(|r| u64::from(r.settings.epoch_count()))
        .sum();
    let csv = csv == CurvesCsv::Always || run_epochs <= CURVES_CSV_MAX_ROWS;
    let mut tables = Tables::create(dir, csv)?;
    let store = dir.records();
    let stops = halving::stops(exp.search.halving.as_ref(), exp.seed_count(), runs, store)?;
    let raced = match &exp.search.race {
        Some(r) => Some((r, race::progress(r, exp.seed_count(), runs, store)?)),
        None => None,
    };
    // A race's tables hold the runs it asked for only, whatever else the directory holds.
    let asked = raced
        .as_ref()
        .map(|(r, p)| race::asked(r, exp.seed_count(), runs, p));
    let available = store.ids()?;
    let mut present = 0;
    for (i, spec) in runs.iter().enumerate() {
        if !available.contains(&spec.id) || asked.as_ref().is_some_and(|a| !a[i]) {
            continue;
        }
        let record = store.load(&spec.id)?;
        let stop = stops.as_ref().and_then(|s| s[i]);
        // A run of a configuration the search promoted holds, until its next stage trains
        // it, the record of the rung it was promoted at: not yet its result.
        if stops.is_some() && stop.is_none() && record.status.pruned() {
            continue;
        }
        present += 1;
        let config = &mut configs[config_of[i]];
        let row = tables.add(record, &config.label, stop)?;
        config.add(row.seed, &row.summary);
    }
    let mut files = tables.commit()?;
    let mut summary = TableWriter::create(&dir.path(SUMMARY))?;
    for c in configs.iter().filter(|c| c.runs() > 0) {
        summary.write(c)?;
    }
    files.push(summary.commit()?);
    if let Some((r, p)) = &raced {
        files.push(write_race(dir, exp, runs, r, p)?);
    }
    Ok(Written {
        files,
        present,
        missing: runs.len() - present,
        configs,
    })
}

/// `race.csv`: one row per configuration of the race `p`.
fn write_race(
    dir: &ResultsDir,
    exp: &Experiment,
    runs: &[RunSpec],
    r: &race::Race,
    p: &race::Progress,
) -> Result<PathBuf> {
    let seeds = exp.seed_count().max(1);
    let mut table = TableWriter::create(&dir.path(RACE))?;
    for (c, e) in race::entries(r, p).into_iter().enumerate() {
        table.write(&RaceRow {
            config: exp.label(&runs[c * seeds].settings),
            place: e.place,
            seeds: e.seeds,
            look: e.look,
            estimate: e.estimate,
            p_holm: e.adjusted,
            level: e.level,
            detectable: e.detectable,
            fresh_seeds: e.fresh_seeds,
            fresh_estimate: e.fresh_estimate,
        })?;
    }
    table.commit()
}

/// The tables filled run by run.
struct Tables {
    runs: TableWriter<RunRow>,
    parquet: CurvesParquet,
    curves: Option<TableWriter<CurveRow>>,
    timings: TableWriter<TimingRow>,
}

impl Tables {
    /// Starts every table; `curves.csv` only if `csv`, else one left from an earlier,
    /// smaller sweep is removed (it would hold other curves than the parquet file).
    fn create(dir: &ResultsDir, csv: bool) -> Result<Tables> {
        let curves = if csv {
            Some(TableWriter::create(&dir.path(CURVES))?)
        } else {
            let path = dir.path(CURVES);
            match std::fs::remove_file(&path) {
                Ok(()) => note!(
                    "sweep: removed {} (an earlier sweep's): past {CURVES_CSV_MAX_ROWS} \
                     run-epochs the curves are in {CURVES_PARQUET} (`sweep report --curves-csv` \
                     writes both)",
                    path.display()
                ),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(crate::error::Error::io(&path, e)),
            }
            None
        };
        Ok(Tables {
            runs: TableWriter::create(&dir.path(RUNS))?,
            parquet: CurvesParquet::create(&dir.path(CURVES_PARQUET))?,
            curves,
            timings: TableWriter::create(&dir.path(TIMINGS))?,
        })
    }

    /// Adds the run of `record` under configuration label `config` (as it stood at epoch
    /// `stop`, if successive halving stopped it there); returns its row of `runs.csv`.
    fn add(&mut self, mut record: RunRecord, config: &str, stop: Option<u32>) -> Result<RunRow> {
        if let Some(epoch) = stop {
            record = record.stopped_at(epoch);
        }
        let row = RunRow {
            run_id: record.run_id.clone(),
            config: config.to_owned(),
            settings: record.settings.clone(),
            seed: record.seed,
            summary: record.summary(),
        };
        self.runs.write(&row)?;
        for &metrics in &record.metrics {
            let row = CurveRow {
                run_id: record.run_id.clone(),
                metrics,
            };
            self.parquet.write(&row)?;
            if let Some(curves) = &mut self.curves {
                curves.write(&row)?;
            }
        }
        self.timings.write(&TimingRow {
            run_id: record.run_id,
            wall_ms: record.wall_ms,
        })?;
        Ok(row)
    }

    fn commit(self) -> Result<Vec<PathBuf>> {
        let mut files = vec![self.runs.commit()?, self.parquet.commit()?];
        if let Some(curves) = self.curves {
            files.push(curves.commit()?);
        }
        files.push(self.timings.commit()?);
        Ok(files)
    }
}
