//! `sweep predict`: class probabilities of phrases under a run's saved weights, by the
//! training code's own forward pass. The weights file must be the run's own (its id and
//! shapes are checked against the record); when it is missing or is not, the run is
//! re-trained from its seed, checked against its record bit for bit, and its weights used.

use super::{PredictArgs, print};
use crate::data::tokenize;
use crate::error::{Error, Result, listed, quoted};
use crate::model::Workspace;
use crate::runner::rerun::{REWRITES, recorded_run, retrain};
use crate::store::BadWeights;
use crate::store::{RecordStore, ResultsDir, RunRecord, WEIGHTS_KEPT_UP_TO};
use crate::weights::{Expected, SavedModel};

pub(super) fn execute(args: &PredictArgs) -> Result<()> {
    let dir = ResultsDir::open(&args.results)?;
    let store = dir.records();
    check_run(store, args)?;
    check_phrases(&args.texts)?;
    let record = store.load(&args.run)?;
    if let Some(epoch) = record.status.diverged_epoch() {
        note!(
            "sweep: warning: run {} diverged in epoch {epoch}: its weights are those of the \
             moment its loss stopped being finite, so these probabilities mean nothing",
            args.run
        );
    }
    let saved = weights(&dir, &record)?;
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

/// The run must be one the results directory recorded; otherwise a usage error names the
/// id and the recorded runs (ids that start with it first, for an id cut short). Only
/// recorded ids ever become paths.
fn check_run(store: &RecordStore, args: &PredictArgs) -> Result<()> {
    let ids: Vec<String> = store.ids()?.into_iter().collect();
    if ids.contains(&args.run) {
        return Ok(());
    }
    let starting: Vec<String> = ids
        .iter()
        .filter(|w| !args.run.is_empty() && w.starts_with(args.run.as_str()))
        .cloned()
        .collect();
    let hint = if starting.is_empty() {
        format!("recorded runs: {}", available(&ids))
    } else {
        format!("give the whole id: {}", listed(&starting))
    };
    Err(Error::Usage(format!(
        "{} has no run {} (a run id is the run_id column of runs.csv); {hint}",
        args.results.display(),
        quoted(&args.run)
    )))
}

/// Every phrase must have a word, by the rule and in the words of the data loader, which
/// refuses a phrase without one: a model given no word has nothing to read, and would print
/// the probabilities of its biases alone.
fn check_phrases(texts: &[String]) -> Result<()> {
    match texts.iter().find(|t| tokenize(t).is_empty()) {
        None => Ok(()),
        Some(text) => Err(Error::Usage(format!(
            "the phrase {} has no words (a word is a run of letters or digits; the data \
             loader refuses such a phrase too)",
            quoted(text)
        ))),
    }
}

/// The run's final weights: its weights file when that is the run's own, else the run
/// re-trained from its seed, which must reproduce its record bit for bit. Says on stderr
/// what was wrong with the file and what was done instead.
fn weights(dir: &ResultsDir, record: &RunRecord) -> Result<SavedModel> {
    let store = dir.records();
    let id = &record.run_id;
    let path = store.weights_path(id);
    let problem = match store.load_weights(record, None) {
        // The file names the run, and its shapes are those of the run's hidden size.
        Ok(saved) if saved.run.is_some() => return Ok(saved),
        // Written before weights named their run: its shapes are checked against the run's
        // data too, when that is at hand (else the hidden size was all there was to check).
        Ok(saved) => match old_file_problem(dir, record, &saved) {
            None => return Ok(saved),
            Some(why) => format!(
                "{} cannot be used as its weights ({why}); {REWRITES}",
                path.display()
            ),
        },
        Err(BadWeights::Missing) => format!(
            "its weights file {} is missing (`sweep run` keeps them for sweeps of up to \
             {WEIGHTS_KEPT_UP_TO} runs, unless --no-weights)",
            path.display()
        ),
        Err(BadWeights::Unusable(why)) => format!(
            "{} cannot be used as its weights ({why}); {REWRITES}",
            path.display()
        ),
    };
    let epochs = record
        .status
        .stopped_epoch()
        .map_or(record.settings.epochs, u64::from);
    note!(
        "sweep: run {id}: {problem}; re-training the run from its seed ({epochs} epochs) to get its weights"
    );
    let cannot = |why: String| format!("run {id} cannot predict: {problem}, and {why}");
    // The cause's exit code: 2 for data that cannot be read as given, 1 for a failure.
    let run = retrain(dir, id).map_err(|e| {
        let message = cannot(format!("re-training the run failed: {e}"));
        if e.exit_code() == 2 {
            Error::Usage(message)
        } else {
            Error::Incomplete(message)
        }
    })?;
    if let Some(diff) = run.recorded.first_difference(&run.again) {
        return Err(Error::Incomplete(cannot(format!(
            "the run re-trained does not reproduce its record ({diff}), so its weights are \
             unknown"
        ))));
    }
    note!(
        "sweep: run {id} re-trained bit for bit as recorded; its weights are used for these \
         predictions and not written to {}",
        path.display()
    );
    Ok(run.saved())
}

/// Why a weights file without a run id is not run `record`'s: its shapes against the run's
/// data, when that data can still be loaded as recorded; `None` if they match or the data
/// is not at hand.
fn old_file_problem(dir: &ResultsDir, record: &RunRecord, saved: &SavedModel) -> Option<String> {
    let (_, data, _) = recorded_run(dir, &record.run_id).ok()?;
    let want = Expected {
        run_id: &record.run_id,
        hidden_size: usize::try_from(record.settings.hidden_size).unwrap_or(usize::MAX),
        data: Some((&data.vocab, &data.classes)),
    };
    saved.check(&want).err()
}

fn available(ids: &[String]) -> String {
    if ids.is_empty() {
        "none".to_owned()
    } else {
        listed(ids)
    }
}
