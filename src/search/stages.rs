//! Training a successive halving search stage by stage: ask the decisions what the next
//! stage must train, have the caller train it, and again until every stage is done (the
//! decisions themselves are [`super::halving`]'s, from the saved runs alone).

use std::collections::HashSet;

use super::halving::{Decision, Halving, Saved, epochs, progress};
use crate::error::{Error, Result};
use crate::train::RunSpec;

/// One shard's part of a stage-by-stage search: the stage it trains, and which of a stage's
/// runs are its own.
pub(crate) struct ShardStage<'a> {
    pub stage: usize,
    pub select: &'a dyn Fn(&[RunSpec]) -> Vec<RunSpec>,
}

/// Trains the halving search over `runs` (`seeds` per configuration) stage by stage until
/// every stage is done, saying what each rung decided; or, for a shard, its share of its
/// stage only (which needs every stage before it done). `train(runs, until)` trains `runs`
/// up to epoch `until` and says whether to go on (not after an interruption or a failure).
pub(crate) fn train_stages(
    halving: &Halving,
    seeds: usize,
    runs: &[RunSpec],
    saved: &dyn Saved,
    shard: Option<ShardStage<'_>>,
    train: &mut dyn FnMut(&[RunSpec], u32) -> Result<bool>,
) -> Result<()> {
    let mut told = 0;
    loop {
        let progress = progress(halving, seeds, runs, saved)?;
        tell(&progress.decisions[told..], halving);
        told = progress.decisions.len();
        if let Some(shard) = &shard
            && shard.stage >= progress.stages
        {
            return Err(Error::Usage(format!(
                "--stage {} is not a stage of this search: it has {} (0 to {})",
                shard.stage,
                progress.stages,
                progress.stages - 1
            )));
        }
        let Some(stage) = progress.next else {
            let (trained, full) = epochs(&progress, Some(halving), seeds, runs);
            note!(
                "sweep: successive halving: {trained} epochs trained in all, {:.0}% of the \
                 {full} that training every configuration in full takes",
                100.0 * trained as f64 / full.max(1) as f64
            );
            return Ok(());
        };
        let todo = match &shard {
            None => stage.runs.clone(),
            Some(shard) => match stage.index.cmp(&shard.stage) {
                std::cmp::Ordering::Equal => {
                    let mine: HashSet<String> = (shard.select)(&stage.all)
                        .into_iter()
                        .map(|r| r.id)
                        .collect();
                    stage
                        .runs
                        .iter()
                        .filter(|r| mine.contains(&r.id))
                        .cloned()
                        .collect()
                }
                std::cmp::Ordering::Greater => return Ok(()),
                std::cmp::Ordering::Less => {
                    return Err(Error::Incomplete(format!(
                        "stage {} of the halving search needs stage {} done first: {} of \
                         its runs have no record yet",
                        shard.stage,
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
        let go_on = train(&todo, stage.until)?;
        if !go_on || shard.is_some() {
            return Ok(());
        }
    }
}

/// Says what each rung decided.
fn tell(decisions: &[Decision], halving: &Halving) {
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
