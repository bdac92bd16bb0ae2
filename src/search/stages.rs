//! Training a search stage by stage (successive halving's rungs, a race's blocks of seeds):
//! ask the decisions what the next stage must train, have the caller train it, and again
//! until every stage is done (the decisions themselves are [`super::halving`]'s and
//! [`super::race`]'s, from the saved runs alone).

use std::collections::HashSet;

use super::halving::{Decision, Halving, Saved, Stage, epochs, progress};
use super::race::{self, Race};
use crate::error::{Error, Result};
use crate::train::RunSpec;

/// One shard's part of a stage-by-stage search: the stage it trains, and which of a stage's
/// runs are its own.
pub(crate) struct ShardStage<'a> {
    pub stage: usize,
    pub select: &'a dyn Fn(&[RunSpec]) -> Vec<RunSpec>,
}

/// Where a staged search stands, as the loop needs it.
pub(crate) struct Standing {
    /// The stage to train next; `None` when every stage is done.
    pub next: Option<Stage>,
    /// The number of stages.
    pub stages: usize,
    /// One line per decision made so far, in order.
    pub said: Vec<String>,
    /// What to say once every stage is done.
    pub done: String,
}

/// Where the halving search over `runs` (`seeds` per configuration) stands.
pub(crate) fn halving_standing(
    halving: &Halving,
    seeds: usize,
    runs: &[RunSpec],
    saved: &dyn Saved,
) -> Result<Standing> {
    let progress = progress(halving, seeds, runs, saved)?;
    let (trained, full) = epochs(&progress, Some(halving), seeds, runs);
    Ok(Standing {
        said: progress
            .decisions
            .iter()
            .map(|d| told(d, halving))
            .collect(),
        stages: progress.stages,
        next: progress.next,
        done: format!(
            "sweep: successive halving: {trained} epochs trained in all, {:.0}% of the \
             {full} that training every configuration in full takes",
            100.0 * trained as f64 / full.max(1) as f64
        ),
    })
}

/// Where the race over `runs` (`seeds` per configuration) stands.
pub(crate) fn race_standing(
    r: &Race,
    seeds: usize,
    runs: &[RunSpec],
    saved: &dyn Saved,
) -> Result<Standing> {
    let p = race::progress(r, seeds, runs, saved)?;
    let said = p
        .course
        .looks
        .iter()
        .map(|l| {
            let out = l.versus.iter().filter(|v| v.eliminated).count();
            format!(
                "sweep: race look at {} seeds: {} configuration(s) compared with the leader by \
                 {}, {out} eliminated",
                l.seeds,
                l.versus.len() + 1,
                r.metric.name()
            )
        })
        .collect();
    let configs = runs.len() / seeds.max(1);
    let selection: usize = (0..configs).map(|c| p.course.seeds_of(c)).sum();
    let fresh: usize = p.fresh.iter().map(Vec::len).sum();
    Ok(Standing {
        next: p.next,
        stages: p.stages,
        said,
        done: format!(
            "sweep: race: {} configuration(s) left of {configs}; {selection} runs on the \
             selection seeds ({:.0}% of every configuration on the budget of {} seeds) and \
             {fresh} on fresh seeds",
            p.course.alive.len(),
            100.0 * selection as f64 / (configs * r.budget).max(1) as f64,
            r.budget
        ),
    })
}

/// Trains a staged search until every stage is done, saying what each decision was; or, for
/// a shard, its share of its stage only (which needs every stage before it done).
/// `standing()` says where the search stands; `train(runs, until)` trains `runs` up to epoch
/// `until` and says whether to go on (not after an interruption or a failure).
pub(crate) fn train_stages(
    what: &str,
    standing: &dyn Fn() -> Result<Standing>,
    shard: Option<ShardStage<'_>>,
    train: &mut dyn FnMut(&[RunSpec], u32) -> Result<bool>,
) -> Result<()> {
    let mut told = 0;
    loop {
        let now = standing()?;
        for line in &now.said[told.min(now.said.len())..] {
            note!("{line}");
        }
        told = now.said.len();
        if let Some(shard) = &shard
            && shard.stage >= now.stages
        {
            return Err(Error::Usage(format!(
                "--stage {} is not a stage of this search: it has {} (0 to {})",
                shard.stage,
                now.stages,
                now.stages - 1
            )));
        }
        let Some(stage) = now.next else {
            note!("{}", now.done);
            return Ok(());
        };
        let Some(todo) = shard_todo(what, &stage, shard.as_ref())? else {
            return Ok(());
        };
        note!(
            "sweep: {what} stage {} of {}: training {} run(s) to epoch {}",
            stage.index + 1,
            now.stages,
            todo.len(),
            stage.until
        );
        let go_on = train(&todo, stage.until)?;
        if !go_on || shard.is_some() {
            return Ok(());
        }
    }
}

/// The runs of `stage` to train: all of those missing, or a shard's share of them when the
/// shard's stage is this one; `None` when the shard's stage is done already.
fn shard_todo(
    what: &str,
    stage: &Stage,
    shard: Option<&ShardStage<'_>>,
) -> Result<Option<Vec<RunSpec>>> {
    let Some(shard) = shard else {
        return Ok(Some(stage.runs.clone()));
    };
    match stage.index.cmp(&shard.stage) {
        std::cmp::Ordering::Equal => {
            let mine: HashSet<String> = (shard.select)(&stage.all)
                .into_iter()
                .map(|r| r.id)
                .collect();
            Ok(Some(
                stage
                    .runs
                    .iter()
                    .filter(|r| mine.contains(&r.id))
                    .cloned()
                    .collect(),
            ))
        }
        std::cmp::Ordering::Greater => Ok(None),
        std::cmp::Ordering::Less => Err(Error::Incomplete(format!(
            "stage {} of the {what} needs stage {} done first: {} of its runs have no record \
             yet",
            shard.stage,
            stage.index,
            stage.runs.len()
        ))),
    }
}

/// What a rung decided, in a line.
fn told(d: &Decision, halving: &Halving) -> String {
    format!(
        "sweep: halving rung at epoch {}: ranked {} configuration(s) by median {}, kept {}",
        d.rung,
        d.ranked.len(),
        halving.metric.name(),
        d.kept
    )
}
