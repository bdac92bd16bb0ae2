//! End-to-end tests of `sweep train`: the article's table format, and bad input turning into
//! exit code 2 with one message naming the file and line, or the flag and value.

use std::path::Path;

use crate::common::{Trained, data, train, train_file};

/// `sweep train` on the bundled English set.
fn train_bundled(args: &[&str]) -> Trained {
    train(&data("train.tsv"), &data("test.tsv"), args)
}

/// `sweep train` with a train file of `bytes` called `name` (in a temp dir) and the bundled
/// test set.
fn train_on(bytes: &[u8], name: &str) -> Trained {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    train(&path, &data("test.tsv"), &[])
}

#[test]
fn prints_the_articles_table() {
    let args = ["--epochs", "200", "--hidden-size", "8", "--seed", "3"];
    let first = train_bundled(&args);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let lines: Vec<&str> = first.stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{}", first.stdout);
    assert_eq!(lines[0], "--- Epoch 100");
    assert_eq!(lines[3], "--- Epoch 200");
    for line in [lines[1], lines[4]] {
        assert!(line.starts_with("Train:\tLoss 0."), "{line}");
        assert!(line.contains(" | Accuracy: "), "{line}");
    }
    assert!(lines[2].starts_with("Test:\tLoss "), "{}", lines[2]);
    // Same seed, same table.
    assert_eq!(train_bundled(&args).stdout, first.stdout);
}

#[test]
fn reads_the_tutorial_module_form() {
    let (out, _) = train_file(
        "data.py",
        "train_data = {\n 'good': True,\n 'bad': False,\n 'not good': False,\n}\n\
         test_data = {'not bad': True}\n",
        &["--epochs", "10", "--eval-every", "5"],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 6);
}

#[test]
fn a_module_with_a_repeated_key_trains_on_the_last_value_and_warns() {
    let (out, py) = train_file(
        "data.py",
        "train_data = {\n 'good': True,\n 'bad': False,\n 'good': False,\n 'happy': True,\n}\n\
         test_data = {'not bad': True}\n",
        &["--epochs", "10", "--eval-every", "5"],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "sweep: warning: {}: 1 key(s) of `train_data` are given more than once, e.g. `good` \
             (lines 2 and 4); as in Python, the last value is used",
            py.display()
        )),
        "{}",
        out.stderr
    );
    // Three phrases, not four.
    assert!(
        out.stderr.contains("sweep: 3 train / 1 test phrases"),
        "{}",
        out.stderr
    );
}

#[test]
fn bad_data_exits_2_with_one_located_message() {
    let cases: [(&[u8], &str, &str); 7] = [
        (b"", "e.tsv", "e.tsv: the file is empty"),
        (
            b"text\tlabel\n",
            "h.tsv",
            "h.tsv: only a header line, no examples",
        ),
        (
            b"text\nok\n",
            "c.tsv",
            "c.tsv:1: the header has no `label` column",
        ),
        (
            b"text\tlabel\ngood\t1\nbad\tmaybe\nsad\t0\n",
            "l.tsv",
            "l.tsv:3: bad label `maybe`",
        ),
        (
            b"text\tlabel\ngood\t1\n\xff\t0\n",
            "u.tsv",
            "u.tsv:3: not valid UTF-8",
        ),
        (
            b"import os\n",
            "m.py",
            "m.py:1: only assignments of dict literals",
        ),
        (
            b"train_data = {'a': f()}\n",
            "f.py",
            "f.py:1:20: expected a label",
        ),
    ];
    for (bytes, name, want) in cases {
        let Trained { code, stderr, .. } = train_on(bytes, name);
        assert_eq!(code, Some(2), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(stderr.starts_with("sweep: error: "), "{stderr}");
        assert!(stderr.contains(want), "{name}: {stderr:?} lacks {want:?}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    // Class names in training, 0/1 in the test set: the test labels are unknown classes.
    let out = train_on(b"text\tlabel\ngood\tpos\nbad\tneg\n", "names.tsv");
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("test.tsv:2: unknown label `1`; the training set's classes are: neg, pos"),
        "{}",
        out.stderr
    );

    let out = train(Path::new("/nonexistent/x.tsv"), Path::new("y.tsv"), &[]);
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr
            .contains("/nonexistent/x.tsv: cannot read the file"),
        "{}",
        out.stderr
    );
}

#[test]
fn bad_flags_exit_2_naming_the_flag_and_the_value() {
    // (flag, value, the message's own words for them)
    let cases = [
        (
            "--learning-rate",
            "0",
            "`learning_rate` = 0 is not allowed: a finite number > 0 (flag --learning-rate)",
        ),
        (
            "--learning-rate",
            "nan",
            "`learning_rate` = nan is not allowed: a finite number > 0 (flag --learning-rate)",
        ),
        (
            "--learning-rate",
            "-0.5",
            "`learning_rate` = -0.5 is not allowed: a finite number > 0 (flag --learning-rate)",
        ),
        (
            "--clip",
            "-1",
            "`clip` = -1 is not allowed: a number > 0, or inf for no clipping (flag --clip)",
        ),
        (
            "--gradient",
            "transpose",
            "invalid value 'transpose' for '--gradient <GRADIENT>': `transpose` is not a \
             gradient variant; allowed: article, exact",
        ),
        ("--seed", "-1", "invalid value '-1' for '--seed <SEED>'"),
        (
            "--hidden-size",
            "many",
            "invalid value 'many' for '--hidden-size <HIDDEN_SIZE>'",
        ),
        (
            "--eval-every",
            "2000",
            "`eval_every` = 2000 is not allowed: an integer from 1 to epochs (1000) (flag \
             --eval-every)",
        ),
        (
            "--hidden-size",
            "0",
            "`hidden_size` = 0 is not allowed: an integer from 1 to 1048576 (flag --hidden-size)",
        ),
        (
            "--epochs",
            "1000000000",
            "`epochs` = 1000000000 is not allowed: an integer from 1 to 1000000 (flag --epochs)",
        ),
    ];
    for (flag, value, want) in cases {
        let Trained { code, stderr, .. } = train_bundled(&[flag, value]);
        assert_eq!(code, Some(2), "{flag} {value}: {stderr}");
        assert!(
            stderr.contains(want),
            "{flag} {value}: {stderr}\n--- lacks ---\n{want}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn a_run_shorter_than_100_epochs_evaluates_at_its_end_by_default() {
    // Regression: `--epochs 50` alone was refused over the default `--eval-every 100` that
    // the user never typed.
    let t = train_bundled(&["--epochs", "50", "--hidden-size", "4"]);
    assert_eq!(t.code, Some(0), "{}", t.stderr);
    assert_eq!(t.stdout.matches("--- Epoch").count(), 1, "{}", t.stdout);
    assert!(t.stdout.contains("--- Epoch 50"), "{}", t.stdout);
    // Given explicitly, it is still checked.
    let t = train_bundled(&["--epochs", "50", "--eval-every", "100"]);
    assert_eq!(t.code, Some(2));
    assert!(
        t.stderr.contains("`eval_every` = 100 is not allowed"),
        "{}",
        t.stderr
    );
}
