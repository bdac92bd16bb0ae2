//! `sweep predict`: class probabilities of phrases under a run's saved weights, by the
//! training code's own forward pass.

use super::{PredictArgs, print};
use crate::error::{Error, Result, listed, quoted};
use crate::model::Workspace;
use crate::store::{RecordStore, ResultsDir};

pub(super) fn execute(args: &PredictArgs) -> Result<()> {
    let dir = ResultsDir::open(&args.results)?;
    let store = dir.records();
    check_run(store, args)?;
    if let Some(epoch) = store.load(&args.run)?.status.diverged_epoch() {
        note!(
            "sweep: warning: run {} diverged in epoch {epoch}: its weights are those of the \
             moment its loss stopped being finite, so these probabilities mean nothing",
            args.run
        );
    }
    let saved = store.load_weights(&args.run)?;
    let mut ws = Workspace::default();
    let mut out = String::new();
    for text in &args.texts {
        let words = saved.encode(text);
        let unknown = words.iter().filter(|w| w.is_none()).count();
        saved.model.forward(&words, 0, &mut ws);
        let probs: Vec<String> = saved
            .classes
            .iter()
            .zip(ws.probs())
            .map(|(c, p)| format!("{c}: {p:.6}"))
            .collect();
        out += &format!("{text}\t{}", probs.join("\t"));
        if unknown > 0 {
            out += &format!("\t({unknown} unknown word(s) read as zero input)");
        }
        out += "\n";
    }
    print(&out)?;
    Ok(())
}

/// The run must be one the results directory recorded with its weights; otherwise a usage
/// error names the id and the runs that can predict (ids that start with it first, for an
/// id cut short). Only recorded ids ever become paths.
fn check_run(store: &RecordStore, args: &PredictArgs) -> Result<()> {
    let ids = store.ids()?;
    let recorded = ids.contains(&args.run);
    if recorded && store.weights_path(&args.run).is_file() {
        return Ok(());
    }
    let with_weights: Vec<String> = ids
        .iter()
        .filter(|id| store.weights_path(id).is_file())
        .cloned()
        .collect();
    let results = args.results.display();
    let id = quoted(&args.run);
    if recorded {
        return Err(Error::Usage(format!(
            "run {id} of {results} was saved without its weights (`sweep run --no-weights`), \
             so it cannot predict; runs with weights: {}",
            available(&with_weights)
        )));
    }
    let starting: Vec<String> = with_weights
        .iter()
        .filter(|w| !args.run.is_empty() && w.starts_with(args.run.as_str()))
        .cloned()
        .collect();
    let hint = if starting.is_empty() {
        format!("runs with weights: {}", available(&with_weights))
    } else {
        format!("give the whole id: {}", listed(&starting))
    };
    Err(Error::Usage(format!(
        "{results} has no run {id} (a run id is the run_id column of runs.csv); {hint}"
    )))
}

fn available(ids: &[String]) -> String {
    if ids.is_empty() {
        "none".to_owned()
    } else {
        listed(ids)
    }
}
