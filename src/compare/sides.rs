//! The sides of `sweep compare`: a results directory (its one configuration), `DIR:LABEL`
//! (one configuration of it), or a runs table made elsewhere, `FILE.csv` or
//! `FILE.csv:LABEL` (CSV with the column names of `runs.csv`; only `run_id` and `seed` are
//! required, each metric column that is there is compared).
//!
//! Sides of a results directory know their data fingerprint (from its `experiment.toml`) and
//! settings, so two configurations that draw the same numbers for a seed are paired; a table
//! from elsewhere is compared as an independent sample.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::{DrawKey, Side};
use crate::error::{Error, Result};
use crate::experiment::recorded_fingerprint;
use crate::metric::{Measure, Metric};
use crate::store::{EXPERIMENT, RUNS};
use crate::tables::configs;
use crate::tables::rows::{self, Row};
use crate::tables::schema::{ForeignRunRow, RunRow};

/// The data of a side from a directory without its `experiment.toml`: the directory.
pub(crate) const UNRECORDED: &str = "results directory ";

/// Reads the side `spec` names.
pub(crate) fn load(spec: &str) -> Result<Side> {
    let (path, label) = split(spec)?;
    if path.is_dir() {
        from_dir(&path, label.as_deref(), spec)
    } else {
        from_table(&path, label.as_deref(), spec)
    }
}

/// `PATH` or `PATH:LABEL`, where `PATH` exists (a path may itself hold `:`).
fn split(spec: &str) -> Result<(PathBuf, Option<String>)> {
    if Path::new(spec).exists() {
        return Ok((PathBuf::from(spec), None));
    }
    for (i, _) in spec.match_indices(':') {
        let path = Path::new(&spec[..i]);
        if path.exists() {
            return Ok((path.to_path_buf(), Some(spec[i + 1..].to_owned())));
        }
    }
    Err(Error::Usage(format!(
        "`{spec}` is neither a results directory, DIR:LABEL, nor a runs table (FILE.csv)"
    )))
}

/// One configuration of a results directory.
fn from_dir(dir: &Path, label: Option<&str>, spec: &str) -> Result<Side> {
    let rows: Vec<RunRow> = rows::read(&dir.join(RUNS))?;
    let groups = configs::group(rows.iter().map(|r| &r.settings), |i| rows[i].config.clone());
    let labels: Vec<&str> = groups.iter().map(|g| g.label.as_str()).collect();
    let group = match label {
        Some(l) => groups.iter().find(|g| g.label == l).ok_or_else(|| {
            Error::Usage(format!(
                "{} has no configuration `{l}`; it has: {}",
                dir.display(),
                quoted_list(&labels)
            ))
        })?,
        None if groups.len() == 1 => &groups[0],
        None => {
            return Err(Error::Usage(format!(
                "{} has {} configurations; name one as {}:LABEL, one of: {}",
                dir.display(),
                groups.len(),
                dir.display(),
                quoted_list(&labels)
            )));
        }
    };
    let fingerprint = std::fs::read_to_string(dir.join(EXPERIMENT))
        .ok()
        .and_then(|t| recorded_fingerprint(&t).map(str::to_owned));
    let members: Vec<&RunRow> = group.members.iter().map(|&i| &rows[i]).collect();
    let mut side = side_of(spec, &members, &Metric::ALL);
    side.schedule = Some((group.settings.epochs, group.settings.eval_every));
    side.settings = Some(group.settings.clone());
    // Without the recorded fingerprint (a directory that keeps only its tables), the
    // configurations of one directory still share their data.
    let canonical = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let data = fingerprint.unwrap_or_else(|| format!("{UNRECORDED}{}", canonical.display()));
    side.draws = Some(data).map(|data| DrawKey {
        data,
        hidden_size: group.settings.hidden_size,
        init_scale: group.settings.init_scale,
    });
    Ok(side)
}

fn quoted_list(labels: &[&str]) -> String {
    let quoted: Vec<String> = labels.iter().map(|l| format!("`{l}`")).collect();
    crate::error::listed(&quoted)
}

/// A side of `runs`, with the values of `metrics` (the others absent).
fn side_of(name: &str, runs: &[&RunRow], metrics: &[Metric]) -> Side {
    Side {
        name: name.to_owned(),
        seeds: runs.iter().map(|r| r.seed).collect(),
        values: Metric::ALL
            .iter()
            .map(|m| {
                metrics
                    .contains(m)
                    .then(|| runs.iter().map(|r| r.value(*m)).collect())
            })
            .collect(),
        draws: None,
        schedule: None,
        settings: None,
    }
}

/// Makes two sides comparable where their runs trained for different epochs or were
/// evaluated on different schedules: final metrics and the best test accuracy are left out
/// where they no longer mean the same, and a first epoch later than the shorter side's last
/// counts as never. Returns what was left out or changed, in words.
pub(crate) fn align(a: &mut Side, b: &mut Side) -> Vec<String> {
    let (Some((ea, va)), Some((eb, vb))) = (a.schedule, b.schedule) else {
        return Vec::new();
    };
    let mut notes = Vec::new();
    if ea != eb {
        let horizon = ea.min(eb) as f64;
        for side in [&mut *a, &mut *b] {
            for metric in Metric::ALL {
                let slot = &mut side.values[metric as usize];
                match metric.kind() {
                    Measure::FirstEpoch { .. } => {
                        for v in slot.iter_mut().flatten().flatten() {
                            if *v > horizon {
                                *v = f64::INFINITY;
                            }
                        }
                    }
                    _ => *slot = None,
                }
            }
        }
        notes.push(format!(
            "{} trained {ea} epochs and {} {eb}: final metrics are left out, and a first epoch \
             after epoch {eb_min} counts as never",
            a.name,
            b.name,
            eb_min = ea.min(eb)
        ));
    } else if va != vb {
        for side in [&mut *a, &mut *b] {
            side.values[Metric::BestTestAcc as usize] = None;
        }
        notes.push(format!(
            "{} was evaluated every {va} epochs and {} every {vb}: the best test accuracy is \
             left out (the final evaluation, after the last epoch, is common to both)",
            a.name, b.name
        ));
    }
    notes
}

/// A runs table from elsewhere: the runs of `label` (by its `config` column), or all of
/// them when it has one configuration (or no `config` column).
fn from_table(path: &Path, label: Option<&str>, spec: &str) -> Result<Side> {
    let header = header(path)?;
    check_columns(path, &header)?;
    let rows: Vec<ForeignRunRow> = rows::read(path)?;
    let mut lines: std::collections::HashMap<&str, usize> = Default::default();
    for r in &rows {
        if let Some(first) = lines.insert(r.row.run_id.as_str(), r.line) {
            return Err(Error::data(
                path,
                crate::error::Location::Line(r.line),
                format!(
                    "column `run_id`: `{}` is given twice (first on line {first}); run ids must \
                     be unique",
                    r.row.run_id
                ),
            ));
        }
    }
    let mut by_config: BTreeMap<&str, Vec<&RunRow>> = BTreeMap::new();
    for r in &rows {
        by_config
            .entry(r.row.config.as_str())
            .or_default()
            .push(&r.row);
    }
    let labels: Vec<&str> = by_config.keys().copied().collect();
    if let Some(l) = label
        && !header.iter().any(|h| h == "config")
    {
        return Err(Error::Usage(format!(
            "{} has no `config` column, so it has no configuration `{l}` to pick; compare the \
             whole table ({}) instead",
            path.display(),
            path.display()
        )));
    }
    let runs = match label {
        Some(l) => by_config.get(l).cloned().ok_or_else(|| {
            Error::Usage(format!(
                "{} has no runs of configuration `{l}` (its config column); it has: {}",
                path.display(),
                quoted_list(&labels)
            ))
        })?,
        None if by_config.len() <= 1 => rows.iter().map(|r| &r.row).collect(),
        None => {
            return Err(Error::Usage(format!(
                "{} holds {} configurations (its config column); name one as {}:LABEL, one \
                 of: {}",
                path.display(),
                by_config.len(),
                path.display(),
                quoted_list(&labels)
            )));
        }
    };
    let present: Vec<Metric> = Metric::ALL
        .into_iter()
        .filter(|m| match m.kind() {
            Measure::Share { of, .. } => header.contains(&of.name().to_owned()),
            _ => header.contains(&m.name().to_owned()),
        })
        .collect();
    let mut side = side_of(spec, &runs, &present);
    // One schedule for every run of the side, or none known.
    let chosen: HashSet<&str> = runs.iter().map(|r| r.run_id.as_str()).collect();
    let schedules: HashSet<Option<(u64, u64)>> = rows
        .iter()
        .filter(|r| chosen.contains(r.row.run_id.as_str()))
        .map(|r| r.schedule)
        .collect();
    if schedules.len() == 1 {
        side.schedule = schedules.into_iter().next().flatten();
    }
    Ok(side)
}

/// Every column of a runs table must be one of `runs.csv`'s: a misspelled metric would
/// otherwise be left out without a word.
fn check_columns(path: &Path, header: &[String]) -> Result<()> {
    let known = RunRow::header();
    let Some(odd) = header.iter().find(|h| !known.contains(h)) else {
        return Ok(());
    };
    let nearest = known
        .iter()
        .map(|k| (strsim::jaro_winkler(k, odd), k))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(score, _)| *score > 0.8)
        .map_or(String::new(), |(_, k)| format!("; did you mean `{k}`?"));
    Err(Error::data(
        path,
        crate::error::Location::Line(1),
        format!(
            "`{odd}` is not a column of runs.csv (allowed: {}){nearest}",
            known.join(", ")
        ),
    ))
}

fn header(path: &Path) -> Result<Vec<String>> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| {
        Error::data(
            path,
            crate::error::Location::File,
            format!("cannot read the table: {e}"),
        )
    })?;
    Ok(reader
        .headers()
        .map(|h| h.iter().map(str::to_owned).collect())
        .unwrap_or_default())
}
