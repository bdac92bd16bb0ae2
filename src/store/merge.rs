//! Merging results directories written by separate shards of one experiment into one: the
//! records new to the target are appended to a log of its own. Two
//! records of the same run must agree on every deterministic number; everything is checked
//! before anything is written, so a conflict leaves the target as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::records::RecordStore;
use super::{EXPERIMENT, ResultsDir, atomic};
use crate::error::{Error, Result};

/// Gathers the records of the results directories `sources` into `out` (created if
/// needed), with their shared `experiment.toml`; returns `out` and how many records were
/// new to it. The tables are not rebuilt here.
pub fn merge(out: &Path, sources: &[PathBuf]) -> Result<(ResultsDir, usize)> {
    let experiment = common_experiment(sources)?;
    let sources: Vec<ResultsDir> = sources
        .iter()
        .map(|d| ResultsDir::open(d))
        .collect::<Result<_>>()?;
    for source in &sources {
        source.set_aside_damaged("it is left out of the merge")?;
    }
    let existing = RecordStore::at(out);
    if existing.dir().is_dir() {
        ResultsDir::at(out).set_aside_damaged("the merge fills its run in if a source has it")?;
    }
    let chosen = choose(&sources, &existing)?;
    let target = ResultsDir::create(out)?;
    // Weights first: a record means its run is complete. The records go into the
    // target's own log, one for the whole merge.
    for (id, source) in &chosen {
        let store = source.records();
        let weights = store.weights_path(id);
        if weights.exists() {
            copy(&weights, &target.records().weights_path(id))?;
        }
        target.records().save(&store.load(id)?)?;
    }
    target.records().sync()?;
    atomic::write(&target.path(EXPERIMENT), experiment.as_bytes())?;
    Ok((target, chosen.len()))
}

/// The directory each record new to `existing` is copied from, or an error naming every
/// run id whose records disagree (between sources, or with `existing`).
fn choose<'a>(
    sources: &'a [ResultsDir],
    existing: &RecordStore,
) -> Result<BTreeMap<String, &'a ResultsDir>> {
    let mut chosen: BTreeMap<String, &ResultsDir> = BTreeMap::new();
    let mut conflicts = Vec::new();
    let in_target = if existing.dir().is_dir() {
        existing.ids()?
    } else {
        Default::default()
    };
    for source in sources {
        for id in source.records().ids()? {
            let record = source.records().load(&id)?;
            let other = match chosen.get(&id) {
                Some(first) => Some((first.root(), first.records().load(&id)?)),
                None if in_target.contains(&id) => Some((existing.dir(), existing.load(&id)?)),
                None => None,
            };
            match other {
                // A run a halving stage trained further than a shard of an earlier stage.
                Some((_, other)) if record.extends(&other) => {
                    chosen.insert(id, source);
                }
                Some((_, other)) if other.same_result(&record) || other.extends(&record) => {}
                Some((other_dir, _)) => conflicts.push(format!(
                    "{id} ({} and {})",
                    source.root().display(),
                    other_dir.display()
                )),
                None => {
                    chosen.insert(id, source);
                }
            }
        }
    }
    if conflicts.is_empty() {
        Ok(chosen)
    } else {
        Err(Error::Incomplete(format!(
            "{} run id(s) have conflicting records, nothing was merged: {}",
            conflicts.len(),
            conflicts.join(", ")
        )))
    }
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    let bytes = std::fs::read(from).map_err(|e| Error::io(from, e))?;
    atomic::write(to, &bytes)
}

/// The resolved experiment all the directories share, or an error naming the odd one.
fn common_experiment(dirs: &[PathBuf]) -> Result<String> {
    let read = |d: &PathBuf| {
        let path = d.join(EXPERIMENT);
        std::fs::read_to_string(&path).map_err(|e| {
            Error::Usage(format!(
                "cannot read {} ({e}); is {} a results directory?",
                path.display(),
                d.display()
            ))
        })
    };
    let Some((first_dir, rest)) = dirs.split_first() else {
        return Err(Error::Usage("give at least one directory to merge".into()));
    };
    let first = read(first_dir)?;
    for d in rest {
        if read(d)? != first {
            return Err(Error::Usage(format!(
                "{} and {} hold different experiments (their {EXPERIMENT} differ)",
                first_dir.display(),
                d.display()
            )));
        }
    }
    Ok(first)
}
