//! The result tables of a sweep, rebuilt from the per-run records in grid order:
//! `runs.csv`, `curves.csv`, `summary.csv` and `timings.csv`, and a race's `race.csv`.
//!
//! All but `timings.csv` depend only on the records' deterministic fields, so they are
//! byte-identical whatever the number of jobs, the order runs finished in, or how often the
//! sweep was interrupted. The records are streamed one at a time, never all held at once.

use std::path::PathBuf;

use super::configs::group;
use super::rows::TableWriter;
use super::schema::{CurveRow, RACE, RaceRow, RunRow, TimingRow};
use super::summary::ConfigSummary;
use crate::error::Result;
use crate::experiment::Experiment;
use crate::search::{halving, race};
use crate::store::record::RunRecord;
use crate::store::{CURVES, RUNS, ResultsDir, SUMMARY, TIMINGS};
use crate::train::RunSpec;

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
    if !dir.has_records() {
        return Ok(None);
    }
    dir.set_aside_damaged("the tables leave its run out until `sweep run` trains it again")?;
    let recorded = dir.recorded()?;
    dir.refuse_if_no_record_matches(&recorded)?;
    let written = write(dir, &recorded.exp, &recorded.runs)?;
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
    let mut tables = Tables::create(dir)?;
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
    curves: TableWriter<CurveRow>,
    timings: TableWriter<TimingRow>,
}

impl Tables {
    fn create(dir: &ResultsDir) -> Result<Tables> {
        Ok(Tables {
            runs: TableWriter::create(&dir.path(RUNS))?,
            curves: TableWriter::create(&dir.path(CURVES))?,
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
            self.curves.write(&CurveRow {
                run_id: record.run_id.clone(),
                metrics,
            })?;
        }
        self.timings.write(&TimingRow {
            run_id: record.run_id,
            wall_ms: record.wall_ms,
        })?;
        Ok(row)
    }

    fn commit(self) -> Result<Vec<PathBuf>> {
        Ok(vec![
            self.runs.commit()?,
            self.curves.commit()?,
            self.timings.commit()?,
        ])
    }
}
