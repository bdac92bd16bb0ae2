//! End-to-end tests of a run's weights file (#22): cut short, another run's (of the same or
//! another hidden size, with or without the run id recorded in its metadata) or missing,
//! under `sweep run`, `sweep predict` and `sweep rerun`; and the phrases `predict` refuses.

use std::path::{Path, PathBuf};
use std::process::Output;

use sweep::weights::SavedModel;

use crate::common::{
    assert_contains, experiment, read, record_value, run_ids, run_ok, stderr, stdout, sweep_on,
    train_file,
};

/// Two hidden sizes by two seeds, so that a run has a sibling of its own shape and one of
/// another.
const GRID: &str =
    "[train]\nepochs = 20\neval_every = 10\n[grid]\nhidden_size = [4, 8]\nseed = [0, 1]\n";

/// A swept results directory: the experiment, the directory, and its run ids in grid order
/// (H = 4 seeds 0 and 1, then H = 8 seeds 0 and 1).
fn swept(dir: &Path) -> (PathBuf, PathBuf, Vec<String>) {
    let exp = experiment(dir, "w", GRID);
    let out = dir.join("out");
    run_ok(&exp, &out, &["--quiet"]);
    let ids = run_ids(&out);
    assert_eq!(ids.len(), 4);
    (exp, out, ids)
}

fn weights(out: &Path, id: &str) -> PathBuf {
    out.join("runs").join(format!("{id}.safetensors"))
}

fn record(out: &Path, id: &str) -> Vec<u8> {
    serde_json::to_vec(&record_value(out, id)).unwrap()
}

/// `bytes`, a weights file, as a file written before weights named their run.
fn without_run_id(bytes: &[u8]) -> Vec<u8> {
    let mut saved = SavedModel::from_bytes(bytes).unwrap();
    saved.run = None;
    saved.to_bytes().unwrap()
}

const PHRASES: [&str; 2] = ["i am good", "this is not bad at all"];

fn predict(out: &Path, id: &str, texts: &[&str]) -> Output {
    let mut args = vec!["--run", id];
    args.extend(texts);
    sweep_on("predict", out, &args)
}

#[test]
fn sweep_run_sets_aside_a_weights_file_cut_short_and_writes_the_runs_own() {
    // Regression: a truncated .safetensors stayed as it was, run after run; predict then
    // failed on it.
    let dir = tempfile::tempdir().unwrap();
    let (exp, out, ids) = swept(dir.path());
    let id = &ids[0];
    let path = weights(&out, id);
    let whole = std::fs::read(&path).unwrap();
    let cut = &whole[..whole.len() / 2];
    std::fs::write(&path, cut).unwrap();
    let json = record(&out, id);
    let tables = read(&out.join("runs.csv"));

    let o = run_ok(&exp, &out, &["--quiet"]);
    let err = stderr(&o);
    assert_contains(
        &err,
        &format!(
            "sweep: warning: {} cannot be used as the weights of run {id} (not a safetensors \
             file: ",
            path.display()
        ),
    );
    assert_contains(
        &err,
        "the run is trained again from its seed to rewrite them",
    );
    let aside = out.join("runs/damaged").join(format!("{id}.safetensors"));
    assert_contains(
        &err,
        &format!(
            "{}: moved it to {}, wrote the weights of run {id}, re-trained bit for bit as \
             recorded",
            path.display(),
            aside.display()
        ),
    );
    assert!(
        std::fs::read(&path).unwrap() == whole,
        "weights not rewritten"
    );
    assert!(
        std::fs::read(&aside).unwrap() == cut,
        "the cut file is kept"
    );
    // The record is fine and stays as it was; so do the tables.
    assert!(record(&out, id) == json);
    assert_eq!(read(&out.join("runs.csv")), tables);
    // Nothing left to repair.
    let again = run_ok(&exp, &out, &["--quiet"]);
    assert!(
        !stderr(&again).contains("cannot be used"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn sweep_run_replaces_another_runs_weights_unless_weights_are_off() {
    // Regression: another run's weights (of the same shape) were never noticed.
    let dir = tempfile::tempdir().unwrap();
    let (exp, out, ids) = swept(dir.path());
    let (id, other) = (&ids[0], &ids[1]);
    let own = std::fs::read(weights(&out, id)).unwrap();
    let foreign = std::fs::read(weights(&out, other)).unwrap();
    std::fs::write(weights(&out, id), &foreign).unwrap();

    // With --no-weights no weights file is checked nor written.
    let o = run_ok(&exp, &out, &["--quiet", "--no-weights"]);
    assert!(!stderr(&o).contains("cannot be used"), "{}", stderr(&o));
    assert!(std::fs::read(weights(&out, id)).unwrap() == foreign);

    let o = run_ok(&exp, &out, &["--quiet"]);
    assert_contains(
        &stderr(&o),
        &format!(
            "{} cannot be used as the weights of run {id} (they are the weights of run {other})",
            weights(&out, id).display()
        ),
    );
    assert!(std::fs::read(weights(&out, id)).unwrap() == own);
    assert!(std::fs::read(weights(&out, other)).unwrap() == foreign);
}

#[test]
fn predict_never_uses_weights_that_are_not_the_runs_own() {
    // Regression: another run's weights, even of another hidden size, were used silently.
    let dir = tempfile::tempdir().unwrap();
    let (_, out, ids) = swept(dir.path());
    let id = &ids[0];
    let path = weights(&out, id);
    let own = std::fs::read(&path).unwrap();
    let o = predict(&out, id, &PHRASES);
    assert!(o.status.success(), "{}", stderr(&o));
    let want = stdout(&o);
    let same_shape = std::fs::read(weights(&out, &ids[1])).unwrap();
    let wider = std::fs::read(weights(&out, &ids[2])).unwrap();
    let cases = [
        (
            same_shape.clone(),
            format!("they are the weights of run {}", ids[1]),
        ),
        (
            wider.clone(),
            format!("they are the weights of run {}", ids[2]),
        ),
        // Files from before weights named their run are judged by their shapes.
        (
            without_run_id(&wider),
            "their hidden size is 8, where the run's settings say 4".to_owned(),
        ),
        (
            own[..own.len() - 8].to_vec(),
            "not a safetensors file".to_owned(),
        ),
        (Vec::new(), "it is empty".to_owned()),
    ];
    for (bytes, why) in cases {
        std::fs::write(&path, &bytes).unwrap();
        let o = predict(&out, id, &PHRASES);
        let err = stderr(&o);
        assert!(o.status.success(), "{why}: {err}");
        assert_eq!(stdout(&o), want, "{why}: {err}");
        assert_contains(
            &err,
            &format!(
                "sweep: run {id}: {} cannot be used as its weights (",
                path.display()
            ),
        );
        assert_contains(&err, &why);
        assert_contains(
            &err,
            "`sweep run` on its experiment (without --no-weights) sets it aside into \
             runs/damaged/ and writes the run's own; re-training the run from its seed (20 \
             epochs) to get its weights",
        );
        assert_contains(
            &err,
            &format!(
                "sweep: run {id} re-trained bit for bit as recorded; its weights are used for \
                 these predictions and not written to {}",
                path.display()
            ),
        );
        // predict reads; it never writes into the results directory.
        assert!(std::fs::read(&path).unwrap() == bytes);
    }
    // The run's own weights from before weights named their run: used as they are.
    std::fs::write(&path, without_run_id(&own)).unwrap();
    let o = predict(&out, id, &PHRASES);
    assert!(o.status.success());
    assert_eq!(stdout(&o), want);
    assert_eq!(stderr(&o), "");
    // ... and by `sweep run`, which leaves them as they are.
    let o = run_ok(&dir.path().join("w.toml"), &out, &["--quiet"]);
    assert!(!stderr(&o).contains("cannot be used"), "{}", stderr(&o));
    assert!(std::fs::read(&path).unwrap() == without_run_id(&own));
}

#[test]
fn predict_re_trains_a_run_whose_weights_file_is_missing_and_says_what_is_true() {
    // Regression: a deleted weights file was blamed on --no-weights (exit 2) though the
    // sweep had saved it.
    let dir = tempfile::tempdir().unwrap();
    let (_, out, ids) = swept(dir.path());
    let id = &ids[3];
    let o = predict(&out, id, &PHRASES);
    let want = stdout(&o);
    let path = weights(&out, id);
    std::fs::remove_file(&path).unwrap();
    let o = predict(&out, id, &PHRASES);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert_eq!(stdout(&o), want);
    assert!(
        !err.contains("was the sweep run with --no-weights"),
        "{err}"
    );
    assert_contains(
        &err,
        &format!(
            "sweep: run {id}: its weights file {} is missing (`sweep run` keeps them for \
             sweeps of up to 1000 runs, unless --no-weights); re-training the run from its seed (20 epochs) to get its \
             weights",
            path.display()
        ),
    );
    assert_contains(
        &err,
        &format!("sweep: run {id} re-trained bit for bit as recorded"),
    );
    assert!(!path.exists(), "predict wrote into the results directory");
}

#[test]
fn predict_says_why_it_cannot_re_train_a_run_whose_data_changed() {
    let dir = tempfile::tempdir().unwrap();
    let train = dir.path().join("train.tsv");
    std::fs::copy(crate::common::data("train.tsv"), &train).unwrap();
    let exp = dir.path().join("d.toml");
    std::fs::write(
        &exp,
        format!(
            "[data]\ntrain = \"{}\"\ntest = \"{}\"\n{GRID}",
            train.display(),
            crate::common::data("test.tsv").display()
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    run_ok(&exp, &out, &["--quiet"]);
    let id = &run_ids(&out)[0];
    std::fs::remove_file(weights(&out, id)).unwrap();
    let mut text = read(&train);
    text.push_str("a new phrase\t1\n");
    std::fs::write(&train, text).unwrap();
    let o = predict(&out, id, &PHRASES);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    assert_contains(
        &stderr(&o),
        &format!(
            "run {id} cannot predict: its weights file {} is missing (`sweep run` keeps them \
             for sweeps of up to 1000 runs, unless --no-weights), and re-training the run failed: the data of \
             run {id} changed since it was recorded",
            weights(&out, id).display()
        ),
    );
}

#[test]
fn predict_refuses_a_phrase_without_a_word_as_the_loader_does() {
    // Regression: `predict ''` and `predict '!!! ???'` printed the probabilities of the
    // biases alone.
    let dir = tempfile::tempdir().unwrap();
    let (_, out, ids) = swept(dir.path());
    for phrase in ["", "!!! ???", " \t,.-- "] {
        let o = predict(&out, &ids[0], &["i am good", phrase]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{phrase:?}: {err}");
        assert_eq!(stdout(&o), "", "{phrase:?}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert_contains(
            &err,
            &format!(
                "the phrase `{phrase}` has no words (a word is a run of letters or digits; the \
                 data loader refuses such a phrase too)"
            ),
        );
        // The loader's own rule and words, on the same phrase in a data file (whose fields
        // are trimmed and split on tabs).
        if phrase.trim() != phrase {
            continue;
        }
        let (trained, path) = train_file(
            "t.tsv",
            format!("text\tlabel\ngood\t1\n{phrase}\t0\n"),
            &["--epochs", "1"],
        );
        assert_eq!(trained.code, Some(2), "{phrase:?}: {}", trained.stderr);
        assert_contains(
            &trained.stderr,
            &format!("{}:3: the phrase `{phrase}` has no words", path.display()),
        );
    }
    // A phrase of words none of which the training set has still predicts.
    let o = predict(&out, &ids[0], &["zzyzx"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_contains(&stdout(&o), "(1 unknown word(s) read as zero input)");
}

#[test]
fn rerun_names_a_weights_file_that_is_another_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (_, out, ids) = swept(dir.path());
    std::fs::copy(weights(&out, &ids[2]), weights(&out, &ids[0])).unwrap();
    let o = sweep_on("rerun", &out, &[&ids[0]]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_contains(
        &stderr(&o),
        &format!(
            "run {} re-trains to every recorded number bit for bit, but its weights file {} \
             cannot be used (they are the weights of run {})",
            ids[0],
            weights(&out, &ids[0]).display(),
            ids[2]
        ),
    );
    // A missing weights file is no difference: the record alone is checked.
    std::fs::remove_file(weights(&out, &ids[0])).unwrap();
    let o = sweep_on("rerun", &out, &[&ids[0]]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_large_sweep_keeps_the_weights_of_the_configurations_its_report_names_only() {
    // 13 configurations x 80 seeds = 1,040 runs, past the 1,000 whose weights are all kept:
    // the report names the best three (a grid of more than 12 draws those): the first 10
    // seeds of each, 30 runs.
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(
        dir.path(),
        "large",
        "[train]\nepochs = 4\neval_every = 2\nhidden_size = 2\n[grid]\nlearning_rate = [0.01, \
         0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.11, 0.12, 0.13]\n\
         seed = { start = 0, count = 80 }\n",
    );
    let out = dir.path().join("out");
    let o = run_ok(&exp, &out, &[]);
    assert_contains(
        &stderr(&o),
        "kept the weights of 30 run(s) of the configurations the report names",
    );
    let kept: Vec<String> = std::fs::read_dir(out.join("runs"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".safetensors").map(str::to_owned)
        })
        .collect();
    assert_eq!(kept.len(), 30);
    // A run without its weights file predicts all the same, re-trained, and says so.
    let bare = run_ids(&out)
        .into_iter()
        .find(|id| !kept.contains(id))
        .unwrap();
    let o = predict(&out, &bare, &PHRASES);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_contains(&stderr(&o), "re-training the run from its seed (4 epochs)");
    // Resuming trains nothing and writes no more weights.
    let o = run_ok(&exp, &out, &[]);
    assert_contains(&stderr(&o), "training 0 on");
    assert!(!stderr(&o).contains("kept the weights"), "{}", stderr(&o));
}
