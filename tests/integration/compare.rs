//! End-to-end tests of `sweep compare` and the comparisons a sweep writes: sides from a
//! results directory and from a runs table made elsewhere, every format, and bad tables.

use std::path::{Path, PathBuf};

use crate::common::{assert_contains, csv_rows, experiment, read, run_ok, stderr, stdout, sweep};

/// A sweep of two gradient variants over `seeds` seeds, 60 epochs.
fn two_variants(dir: &Path, seeds: u32) -> PathBuf {
    let exp = experiment(
        dir,
        "v",
        &format!(
            "[train]\nepochs = 60\neval_every = 20\nhidden_size = 8\nlearning_rate = 0.1\n\
             [grid]\ngradient = [\"article\", \"exact\"]\nseed = {{ start = 0, count = {seeds} }}\n"
        ),
    );
    let out = dir.join("out");
    run_ok(&exp, &out, &[]);
    out
}

fn compare(a: &str, b: &str, extra: &[&str]) -> std::process::Output {
    sweep()
        .arg("compare")
        .arg(a)
        .arg(b)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn a_sweep_writes_its_comparisons_and_compare_prints_the_same_paired_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let out = two_variants(dir.path(), 6);
    let table = read(&out.join("comparisons.csv"));
    // Regression: Fisher's odds ratio of two shares both 0 was written as `nan`.
    assert!(!table.to_lowercase().contains("nan"), "{table}");
    // One pair (article, exact) x six metrics, plus the header.
    assert_eq!(table.lines().count(), 7, "{table}");
    assert!(
        table
            .lines()
            .skip(1)
            .all(|l| l.contains(",gradient,") && l.contains(",paired,"))
    );
    assert_contains(
        &read(&out.join("report.md")),
        "## What differs, and how sure",
    );
    let a = format!("{}:h=8 lr=0.1 clip=1 article", out.display());
    let b = format!("{}:h=8 lr=0.1 clip=1 exact", out.display());
    let o = compare(&a, &b, &["--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The same comparisons, numbers and all (Holm over the same six): only the sides'
    // names, and so the sentences, differ.
    let printed = dir.path().join("printed.csv");
    std::fs::write(&printed, stdout(&o)).unwrap();
    let (mine, report) = (csv_rows(&printed), csv_rows(&out.join("comparisons.csv")));
    assert_eq!(mine.len(), 6);
    for (x, y) in mine.iter().zip(&report) {
        for (column, value) in x {
            if !["a", "b", "verdict"].contains(&column.as_str()) {
                assert_eq!(value, &y[column], "{column}");
            }
        }
    }
    let text = stdout(&compare(&a, &b, &[]));
    assert_contains(&text, "compared paired by seed (6 seeds in common)");
    // B against A is A against B mirrored: the same p-values.
    let o = compare(&b, &a, &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|r| r["design"] == "paired"));
}

#[test]
fn a_runs_table_from_elsewhere_is_compared_unpaired_on_the_metrics_it_has() {
    let dir = tempfile::tempdir().unwrap();
    let out = two_variants(dir.path(), 4);
    let csv = dir.path().join("other.csv");
    std::fs::write(
        &csv,
        "run_id,seed,final_test_acc\nx0,0,1\nx1,1,0.9\nx2,2,1\nx3,3,0.95\n",
    )
    .unwrap();
    let a = format!("{}:h=8 lr=0.1 clip=1 exact", out.display());
    let o = compare(&a, csv.to_str().unwrap(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert_contains(
        &text,
        "as independent samples: a side whose draws are not known",
    );
    // final_test_acc and the share derived from it; nothing else.
    assert_contains(&text, "final test acc:");
    assert_contains(&text, "100% test acc:");
    assert!(!text.contains("final train loss:"), "{text}");
}

#[test]
fn a_bad_runs_table_is_refused_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let out = two_variants(dir.path(), 2);
    let a = format!("{}:h=8 lr=0.1 clip=1 exact", out.display());
    let csv = dir.path().join("t.csv");
    for (text, want) in [
        (
            "run_id,sed,final_test_acc\nx,0,1\n",
            "t.csv:1: `sed` is not a column of runs.csv (allowed: run_id, config, ",
        ),
        (
            "run_id,seed,final_test_acc\nx,0,one\n",
            "t.csv:2: column `final_test_acc`: `one` is not a number",
        ),
        (
            "run_id,seed\nx,0\ny,1\nx,2\n",
            "t.csv:4: column `run_id`: `x` is given twice (first on line 2)",
        ),
        (
            "run_id,seed,status\nx,0,fine\n",
            "t.csv:2: column `status`: `fine` is not a run status",
        ),
        // Regression: a misspelled metric column was left out without a word.
        (
            "run_id,seed,final_test_acc,firts_epoch_train_acc_1\nx,0,1,5\n",
            "t.csv:1: `firts_epoch_train_acc_1` is not a column of runs.csv",
        ),
        // Regression: impossible values were compared.
        (
            "run_id,seed,final_test_acc\nx,0,nan\n",
            "t.csv:2: column `final_test_acc`: `NaN` is not allowed: an accuracy from 0 to 1",
        ),
        (
            "run_id,seed,final_test_acc\nx,0,-5\n",
            "t.csv:2: column `final_test_acc`: `-5` is not allowed",
        ),
        // Regression (#22): a column named twice silently took the first.
        (
            "run_id,seed,final_test_acc,final_test_acc\nx,0,1,0\n",
            "t.csv:1: the header names column `final_test_acc` twice (columns 3 and 4)",
        ),
    ] {
        std::fs::write(&csv, text).unwrap();
        let o = compare(&a, csv.to_str().unwrap(), &[]);
        assert_eq!(o.status.code(), Some(2), "{text}");
        assert_contains(&stderr(&o), want);
    }
    let o = compare(&out.display().to_string(), &a, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_contains(&stderr(&o), "has 2 configurations; name one as");
    let o = compare(&a, &a, &["--metric", "accuracy"]);
    assert_eq!(o.status.code(), Some(2));
    assert_contains(
        &stderr(&o),
        "--metric `accuracy` is not a metric; allowed: final_train_loss",
    );
}

#[test]
fn no_comparison_writes_a_nan() {
    // Regression: with both shares at 0, Fisher's odds ratio (0/0) was written as `nan`.
    let dir = tempfile::tempdir().unwrap();
    let quick = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/quick.toml");
    let out = dir.path().join("quick");
    run_ok(&quick, &out, &[]);
    let table = read(&out.join("comparisons.csv"));
    assert!(table.contains("Fisher exact") || table.contains("McNemar exact"));
    assert!(!table.to_lowercase().contains("nan"), "{table}");
}

#[test]
fn seeds_flags_that_cannot_be_answered_are_refused_before_any_work() {
    // Regression (#22): `--effect nan|inf|0` printed the comparison, then the complaint on
    // stdout, exit 0; `--seeds` with another format vanished; `--effect 2` on a share
    // answered "12 seeds".
    let dir = tempfile::tempdir().unwrap();
    let out = two_variants(dir.path(), 4);
    let a = format!("{}:h=8 lr=0.1 clip=1 article", out.display());
    let b = format!("{}:h=8 lr=0.1 clip=1 exact", out.display());
    for (extra, want) in [
        (
            &["--seeds", "--effect", "nan"][..],
            "--effect NaN is not allowed: a finite",
        ),
        (
            &["--seeds", "--effect", "inf"],
            "--effect inf is not allowed",
        ),
        (&["--seeds", "--effect", "0"], "--effect 0 is not allowed"),
        (
            &["--seeds", "--format", "csv"],
            "--seeds prints its estimate for people, with --format text",
        ),
        (
            &["--seeds", "--effect", "2", "--metric", "test_acc_1"],
            "--effect 2 is not a difference that test_acc_1 can have",
        ),
    ] {
        let o = compare(&a, &b, extra);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
        assert_contains(&stderr(&o), want);
        assert_eq!(stdout(&o), "", "{extra:?}");
    }
    // A loss difference may be any size.
    let o = compare(
        &a,
        &b,
        &["--seeds", "--effect", "2", "--metric", "final_train_loss"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_label_on_a_table_without_configurations_says_so() {
    // Regression (#22): "it has: ``".
    let dir = tempfile::tempdir().unwrap();
    let out = two_variants(dir.path(), 2);
    let csv = dir.path().join("t.csv");
    std::fs::write(&csv, "run_id,seed,final_test_acc\nx0,0,1\nx1,1,0.9\n").unwrap();
    let a = format!("{}:h=8 lr=0.1 clip=1 exact", out.display());
    let o = compare(&a, &format!("{}:x", csv.display()), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_contains(
        &stderr(&o),
        "has no `config` column, so it has no configuration `x`",
    );
}
