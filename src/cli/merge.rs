//! `sweep merge OUT DIR...`: gather the run records of shards written to separate results
//! directories into one, then rebuild its tables, figures and report. Two records of the
//! same run id must agree on every deterministic number; a conflict stops the merge before
//! anything is copied, naming the records.

use std::path::{Path, PathBuf};

use super::MergeArgs;
use super::report::rebuild;
use crate::error::{Error, Result};
use crate::runner::RecordStore;
use crate::runner::record::write_atomic;

pub fn execute(args: &MergeArgs) -> Result<i32> {
    let experiment = common_experiment(&args.dirs)?;
    let out = RecordStore::open(&args.out)?;
    let sources: Vec<(PathBuf, RecordStore)> = args
        .dirs
        .iter()
        .map(|d| Ok((d.clone(), RecordStore::existing(d)?)))
        .collect::<Result<_>>()?;

    // First pass: every id once, and every duplicate equal to its first copy.
    let mut chosen: std::collections::BTreeMap<String, (PathBuf, &RecordStore)> =
        Default::default();
    let mut conflicts = Vec::new();
    let existing = out.ids()?;
    for (dir, store) in &sources {
        for id in store.ids()? {
            let record = store.load(&id)?;
            let other = if let Some((other_dir, other)) = chosen.get(&id) {
                Some((other_dir.clone(), other.load(&id)?))
            } else if existing.contains(&id) {
                Some((args.out.clone(), out.load(&id)?))
            } else {
                None
            };
            match other {
                Some((other_dir, other)) if !other.same_result(&record) => conflicts.push(format!(
                    "{id} ({} and {})",
                    dir.display(),
                    other_dir.display()
                )),
                Some(_) => {}
                None => {
                    chosen.insert(id, (dir.clone(), store));
                }
            }
        }
    }
    if !conflicts.is_empty() {
        return Err(Error::Incomplete(format!(
            "{} run id(s) have conflicting records, nothing was merged: {}",
            conflicts.len(),
            conflicts.join(", ")
        )));
    }
    // Second pass: copy, weights first (a record means its run is complete).
    for (id, (_, store)) in &chosen {
        let weights = store.weights_path(id);
        if weights.exists() {
            copy(&weights, &out.weights_path(id))?;
        }
        copy(&store.path(id), &out.path(id))?;
    }
    write_atomic(&args.out.join("experiment.toml"), experiment.as_bytes())?;
    note!(
        "sweep: merged {} new record(s) from {} directories into {}",
        chosen.len(),
        args.dirs.len(),
        args.out.display()
    );
    for f in rebuild(&args.out)? {
        note!("  {}", f.display());
    }
    Ok(0)
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    let bytes = std::fs::read(from).map_err(|e| Error::io(from, e))?;
    write_atomic(to, &bytes)
}

/// The resolved experiment all the directories share, or an error naming the odd one.
fn common_experiment(dirs: &[PathBuf]) -> Result<String> {
    let read = |d: &PathBuf| {
        let path = d.join("experiment.toml");
        std::fs::read_to_string(&path).map_err(|e| {
            Error::Usage(format!(
                "cannot read {} ({e}); is {} a results directory?",
                path.display(),
                d.display()
            ))
        })
    };
    let first = read(&dirs[0])?;
    for d in &dirs[1..] {
        if read(d)? != first {
            return Err(Error::Usage(format!(
                "{} and {} hold different experiments (their experiment.toml differ)",
                dirs[0].display(),
                d.display()
            )));
        }
    }
    Ok(first)
}
