//! End-to-end tests of `sweep train`: the article's table format, and bad input turning into
//! exit code 2 with one message naming the file and line.

mod common;

use common::{data, sweep};

#[test]
fn prints_the_articles_table() {
    let out = sweep()
        .args([
            "train",
            "--epochs",
            "200",
            "--hidden-size",
            "8",
            "--seed",
            "3",
            "--train",
        ])
        .arg(data("train.tsv"))
        .arg("--test")
        .arg(data("test.tsv"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{stdout}");
    assert_eq!(lines[0], "--- Epoch 100");
    assert_eq!(lines[3], "--- Epoch 200");
    for line in [lines[1], lines[4]] {
        assert!(line.starts_with("Train:\tLoss 0."), "{line}");
        assert!(line.contains(" | Accuracy: "), "{line}");
    }
    assert!(lines[2].starts_with("Test:\tLoss "), "{}", lines[2]);
    // Same seed, same table.
    let again = sweep()
        .args([
            "train",
            "--epochs",
            "200",
            "--hidden-size",
            "8",
            "--seed",
            "3",
            "--train",
        ])
        .arg(data("train.tsv"))
        .arg("--test")
        .arg(data("test.tsv"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(again.stdout).unwrap(), stdout);
}

#[test]
fn reads_the_tutorial_module_form() {
    let dir = tempfile::tempdir().unwrap();
    let py = dir.path().join("data.py");
    std::fs::write(
        &py,
        "train_data = {\n 'good': True,\n 'bad': False,\n 'not good': False,\n}\n\
         test_data = {'not bad': True}\n",
    )
    .unwrap();
    let out = sweep()
        .args(["train", "--epochs", "10", "--eval-every", "5", "--train"])
        .arg(&py)
        .arg("--test")
        .arg(&py)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 6);
}

#[test]
fn a_module_with_a_repeated_key_trains_on_the_last_value_and_warns() {
    let dir = tempfile::tempdir().unwrap();
    let py = dir.path().join("data.py");
    std::fs::write(
        &py,
        "train_data = {\n 'good': True,\n 'bad': False,\n 'good': False,\n 'happy': True,\n}\n\
         test_data = {'not bad': True}\n",
    )
    .unwrap();
    let out = sweep()
        .args(["train", "--epochs", "10", "--eval-every", "5", "--train"])
        .arg(&py)
        .arg("--test")
        .arg(&py)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "sweep: warning: {}: 1 key(s) of `train_data` are given more than once, e.g. `good` \
             (lines 2 and 4); as in Python, the last value is used",
            py.display()
        )),
        "{stderr}"
    );
    // Three phrases, not four.
    assert!(
        stderr.contains("sweep: 3 train / 1 test phrases"),
        "{stderr}"
    );
}

/// Runs `sweep train` on a bad train file and returns (exit code, stderr).
fn train_on(bytes: &[u8], name: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let out = sweep()
        .args(["train", "--train"])
        .arg(&path)
        .arg("--test")
        .arg(data("test.tsv"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
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
        let (code, stderr) = train_on(bytes, name);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(stderr.starts_with("sweep: error: "), "{stderr}");
        assert!(stderr.contains(want), "{name}: {stderr:?} lacks {want:?}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    // Class names in training, 0/1 in the test set: the test labels are unknown classes.
    let (code, stderr) = train_on(b"text\tlabel\ngood\tpos\nbad\tneg\n", "names.tsv");
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("test.tsv:2: unknown label `1`; the training set's classes are: neg, pos"),
        "{stderr}"
    );

    let out = sweep()
        .args(["train", "--train", "/nonexistent/x.tsv", "--test", "y.tsv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("/nonexistent/x.tsv: cannot read the file")
    );
}

#[test]
fn bad_flags_exit_2() {
    for args in [
        vec!["--learning-rate", "0"],
        vec!["--learning-rate", "nan"],
        vec!["--gradient", "transpose"],
        vec!["--seed", "-1"],
        vec!["--eval-every", "2000"],
        vec!["--hidden-size", "0"],
    ] {
        let out = sweep()
            .arg("train")
            .args(&args)
            .arg("--train")
            .arg(data("train.tsv"))
            .arg("--test")
            .arg(data("test.tsv"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(args[0].trim_start_matches('-')) || stderr.contains(args[1]),
            "{args:?}: {stderr}"
        );
    }
}
