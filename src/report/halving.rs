//! The report's "Successive halving" section: the schedule, how many configurations each
//! stage kept, what the search cost against training every configuration in full, and
//! whether it is finished. From the decisions the records make (as `sweep run` made them)
//! where the directory has its records, else from the tables.

use crate::error::Result;
use crate::search::Halving;
use crate::search::halving::{epochs, progress};
use crate::store::ResultsDir;
use crate::tables::Sweep;
use crate::train::Status;

/// Where a halving search stands.
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub halving: Halving,
    /// Configurations at each stage (the rungs, then the last epoch).
    pub counts: Vec<usize>,
    pub last_epoch: u64,
    /// Epochs trained in all (each stage's runs from their first epoch), and without halving.
    pub trained: u64,
    pub full: u64,
    /// For an unfinished search: the stage (1-based) still to train, and its runs left.
    pub unfinished: Option<(usize, usize)>,
}

/// The state of `sweep`'s search under `halving`.
pub(crate) fn state(dir: &ResultsDir, sweep: &Sweep, halving: &Halving) -> Result<State> {
    if dir.has_records() {
        let recorded = dir.recorded()?;
        let exp = &recorded.exp;
        let p = progress(halving, exp.seed_count(), &recorded.runs, dir.records())?;
        let mut counts = vec![sweep.configs.len()];
        counts.extend(p.decisions.iter().map(|d| d.kept));
        let (trained, full) = epochs(&p, Some(halving), exp.seed_count(), &recorded.runs);
        return Ok(State {
            halving: halving.clone(),
            counts,
            last_epoch: last_epoch(sweep),
            trained,
            full,
            unfinished: p.next.map(|s| (s.index + 1, s.runs.len())),
        });
    }
    Ok(from_tables(sweep, halving))
}

fn last_epoch(sweep: &Sweep) -> u64 {
    sweep
        .runs
        .iter()
        .map(|r| r.settings.epochs)
        .max()
        .unwrap_or(0)
}

/// The state as the tables show it (a directory without its records): each configuration
/// reached the stages up to its furthest run (a diverged run got as far as it diverged).
fn from_tables(sweep: &Sweep, halving: &Halving) -> State {
    let last = last_epoch(sweep);
    let stages: Vec<u64> = halving.rungs.iter().copied().chain([last]).collect();
    let reached: Vec<usize> = sweep
        .configs
        .iter()
        .map(|c| {
            let furthest = c
                .runs
                .iter()
                .map(|&r| match sweep.runs[r].summary.status {
                    Status::Pruned { epoch } | Status::Diverged { epoch } => u64::from(epoch),
                    Status::Ok => last,
                })
                .max()
                .unwrap_or(0);
            stages.iter().filter(|&&e| e <= furthest).count()
        })
        .collect();
    let counts = (1..=stages.len())
        .map(|k| reached.iter().filter(|&&r| r >= k).count())
        .collect();
    let trained = sweep
        .configs
        .iter()
        .zip(&reached)
        .map(|(c, &r)| c.runs.len() as u64 * stages[..r].iter().sum::<u64>())
        .sum();
    State {
        halving: halving.clone(),
        counts,
        last_epoch: last,
        trained,
        full: sweep.runs.len() as u64 * last,
        unfinished: None,
    }
}

/// The section's Markdown, `figure` (halving.png's) at its end.
pub(crate) fn section(s: &State, figure: &str) -> String {
    let h = &s.halving;
    let counts: Vec<String> = s.counts.iter().map(|c| c.to_string()).collect();
    let mut md = String::from("## Successive halving\n\n");
    if let Some((stage, left)) = s.unfinished {
        md += &format!(
            "**The search is not finished**: stage {stage} of {} still has {left} run(s) to \
             train (`sweep run` on the experiment trains them); what follows is how it \
             stands.\n\n",
            h.rungs.len() + 1
        );
    }
    let (counted, trains) = match s.unfinished {
        None => ("", "trained"),
        Some(_) => (" so far", "trains, once finished,"),
    };
    md += &format!(
        "At epochs {:?} the configurations were ranked by the median over their seeds of `{}` \
         there (a seed that diverged before: last; ties in the experiment's order) and only the \
         best went on: {} configuration(s) at the rungs and the last epoch ({}){counted}. The \
         search {trains} {} epochs in all (each stage's runs from their first epoch), {:.0}% of \
         the {} that training every configuration in full takes. Stopped runs have status \
         `pruned` in `runs.csv` and count in no statistic.\n\n",
        h.rungs,
        h.metric.name(),
        counts.join(" -> "),
        s.last_epoch,
        s.trained,
        100.0 * s.trained as f64 / s.full.max(1) as f64,
        s.full
    );
    md + figure
}
