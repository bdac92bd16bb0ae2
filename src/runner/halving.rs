//! Training a successive halving search stage by stage (the decisions themselves are
//! [`crate::results::halving`]'s, from the records alone).

use super::shard::Shard;
use super::{Outcome, RecordStore, RunnerOptions, train_all};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::experiment::Experiment;
use crate::results::halving::{Decision, epochs, progress};
use crate::train::RunSpec;

/// Trains the search of `exp` stage by stage until every stage is done, saying what each
/// rung decided; or, for a shard, its share of stage `stage` only (which needs every stage
/// before it done). Returns what training did, over all stages.
pub fn train(
    exp: &Experiment,
    runs: &[RunSpec],
    data: &Dataset,
    store: &RecordStore,
    options: &RunnerOptions,
    shard: Option<(Shard, usize)>,
) -> Result<Outcome> {
    let mut total = Outcome::default();
    let mut told = 0;
    loop {
        let progress = progress(exp, runs, store)?;
        tell(&progress.decisions[told..], exp);
        told = progress.decisions.len();
        if let Some((_, wanted)) = shard
            && wanted >= progress.stages
        {
            return Err(Error::Usage(format!(
                "--stage {wanted} is not a stage of this search: it has {} (0 to {})",
                progress.stages,
                progress.stages - 1
            )));
        }
        let Some(stage) = progress.next else {
            let (trained, full) = epochs(&progress, exp, runs);
            note!(
                "sweep: successive halving: {trained} epochs trained in all, {:.0}% of the \
                 {full} that training every configuration in full takes",
                100.0 * trained as f64 / full.max(1) as f64
            );
            return Ok(total);
        };
        let todo = match shard {
            None => stage.runs.clone(),
            Some((shard, wanted)) => match stage.index.cmp(&wanted) {
                std::cmp::Ordering::Equal => {
                    let mine: std::collections::HashSet<String> =
                        shard.select(&stage.all).into_iter().map(|r| r.id).collect();
                    stage
                        .runs
                        .iter()
                        .filter(|r| mine.contains(&r.id))
                        .cloned()
                        .collect()
                }
                std::cmp::Ordering::Greater => return Ok(total),
                std::cmp::Ordering::Less => {
                    return Err(Error::Incomplete(format!(
                        "stage {wanted} of the halving search needs stage {} done first: {} of \
                         its runs have no record yet",
                        stage.index,
                        stage.runs.len()
                    )));
                }
            },
        };
        note!(
            "sweep: halving stage {} of {}: training {} run(s) to epoch {}",
            stage.index + 1,
            progress.stages,
            todo.len(),
            stage.until
        );
        let options = RunnerOptions {
            until: Some(stage.until),
            ..options.clone()
        };
        let outcome = train_all(&todo, data, store, &options)?;
        let stop = outcome.interrupted || !outcome.failed.is_empty() || shard.is_some();
        total.add(outcome);
        if stop {
            return Ok(total);
        }
    }
}

/// Says what each rung decided.
fn tell(decisions: &[Decision], exp: &Experiment) {
    let Some(halving) = &exp.search.halving else {
        return;
    };
    for d in decisions {
        note!(
            "sweep: halving rung at epoch {}: ranked {} configuration(s) by median {}, kept {}",
            d.rung,
            d.ranked.len(),
            halving.metric.name(),
            d.kept
        );
    }
}
