//! End-to-end tests of search experiments: random and Sobol draws, successive halving whose
//! decisions depend only on the records (any `--jobs`, kill -9 at any moment, stage-by-stage
//! shards), and runs continued past a rung that equal uninterrupted ones.

use std::path::Path;
use std::process::Command as Std;
use std::time::Duration;

use crate::common::{
    self, TABLES, assert_contains, assert_same_tables, bin, csv_rows, experiment,
    kill_at_growing_moments, read, run_ok, stderr,
};

/// A Sobol search of 9 configurations x 3 seeds with two rungs.
fn search(halving: bool) -> String {
    let rungs = if halving {
        "[search.halving]\nmetric = \"train_loss\"\nrungs = [20, 60]\nreduction_factor = 3\n"
    } else {
        ""
    };
    format!(
        "[train]\nepochs = 150\neval_every = 50\ngradient = \"exact\"\n\
         [grid]\nlearning_rate = {{ log = [0.01, 0.3] }}\nclip = {{ uniform = [0.5, 5.0] }}\n\
         hidden_size = {{ log_int = [8, 24] }}\nseed = {{ start = 0, count = 3 }}\n\
         [search]\nmethod = \"sobol\"\nsamples = 9\nseed = 5\n{rungs}"
    )
}

/// Runs by status, from runs.csv.
fn statuses(out: &Path) -> Vec<(String, String, String)> {
    csv_rows(&out.join("runs.csv"))
        .into_iter()
        .map(|r| {
            (
                r["run_id"].clone(),
                r["status"].clone(),
                r["epochs_run"].clone(),
            )
        })
        .collect()
}

#[test]
fn halving_stops_the_worst_configurations_at_each_rung_and_the_rest_equal_full_runs() {
    let dir = tempfile::tempdir().unwrap();
    let halved = experiment(dir.path(), "halved", &search(true));
    let full = experiment(dir.path(), "full", &search(false));
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let o = run_ok(&halved, &a, &["--jobs", "2"]);
    assert_contains(&stderr(&o), "kept 3");
    assert_contains(&stderr(&o), "kept 1");
    run_ok(&full, &b, &[]);
    let s = statuses(&a);
    assert_eq!(s.len(), 27, "every run of every configuration has a row");
    let count = |status: &str, epochs: &str| {
        s.iter()
            .filter(|(_, st, e)| st == status && e == epochs)
            .count()
    };
    // 9 configurations: 6 stopped at epoch 20, 2 at epoch 60, 1 trained in full (x 3 seeds).
    assert_eq!((count("pruned", "20"), count("pruned", "60")), (18, 6));
    assert_eq!(s.iter().filter(|(_, st, _)| st != "pruned").count(), 3);
    // A pruned run has no diverged epoch (regression: it showed the rung).
    let rows = csv_rows(&a.join("runs.csv"));
    assert!(
        rows.iter()
            .all(|r| r["status"] != "pruned" || r["diverged_epoch"].is_empty())
    );
    // The runs that went on equal the uninterrupted runs of the same settings and seed.
    let curves = |out: &Path, id: &str| -> Vec<String> {
        read(&out.join("curves.csv"))
            .lines()
            .filter(|l| l.starts_with(id))
            .map(str::to_owned)
            .collect()
    };
    for (id, status, _) in s.iter().filter(|(_, st, _)| st != "pruned") {
        assert_ne!(status, "pruned");
        assert_eq!(curves(&a, id), curves(&b, id), "{id}");
        assert_eq!(curves(&a, id).len(), 150);
    }
    // A pruned run's epochs are the first epochs of the full run.
    let (pruned, _, _) = s
        .iter()
        .find(|(_, st, e)| st == "pruned" && e == "60")
        .unwrap();
    assert_eq!(curves(&a, pruned)[..], curves(&b, pruned)[..60]);
    // Its table ends where it was stopped, not with the diverged line (regression).
    let o = Std::new(bin())
        .args(["table"])
        .arg(&a)
        .args(["--run", pruned])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let table = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        table.ends_with("--- Epoch 50\nTrain:\tLoss ") || !table.contains("Diverged"),
        "{table}"
    );
    // And rerun reproduces a pruned run as it was stopped.
    let o = Std::new(bin())
        .args(["rerun"])
        .arg(&a)
        .arg(pruned)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    // The report says what halving did and draws it.
    let report = read(&a.join("report.md"));
    assert_contains(&report, "## Successive halving");
    assert_contains(&report, "9 -> 3 -> 1 configuration(s)");
    assert_contains(&report, "(stopped at epoch 20)");
    assert!(a.join("plots/halving.png").is_file());
    // summary.csv counts them.
    let summary = csv_rows(&a.join("summary.csv"));
    let pruned: usize = summary
        .iter()
        .map(|r| r["pruned"].parse::<usize>().unwrap())
        .sum();
    assert_eq!(pruned, 24);
}

#[test]
fn halving_decides_the_same_with_any_jobs_and_after_kill_9_at_any_moment() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), "h", &search(true));
    let one = dir.path().join("one");
    run_ok(&exp, &one, &["--jobs", "1"]);
    let two = dir.path().join("two");
    run_ok(&exp, &two, &["--jobs", "2"]);
    assert_same_tables(&one, &two);
    // Killed at growing moments, then run again, until a run finishes by itself.
    let killed = dir.path().join("killed");
    kill_at_growing_moments(
        &exp,
        &killed,
        Duration::from_millis(25),
        Duration::from_secs(120),
    );
    run_ok(&exp, &killed, &[]);
    assert_same_tables(&one, &killed);
}

#[test]
fn shards_of_a_halving_search_train_stage_by_stage_to_the_same_tables() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), "h", &search(true));
    let local = dir.path().join("local");
    run_ok(&exp, &local, &[]);
    let sharded = dir.path().join("sharded");
    // A stage before the one before it is done is refused (exit 1), naming what is missing.
    let o = common::run(&exp, &sharded, &["--shard", "1/2", "--stage", "1"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_contains(&stderr(&o), "needs stage 0 done first");
    for stage in ["0", "1", "2"] {
        for shard in ["1/2", "2/2"] {
            run_ok(&exp, &sharded, &["--shard", shard, "--stage", stage]);
        }
        if stage == "0" {
            // A report of an unfinished search says so (regression: it looked finished).
            let o = common::sweep_on("report", &sharded, &[]);
            assert!(o.status.success(), "{}", stderr(&o));
            assert_contains(
                &read(&sharded.join("report.md")),
                "The search is not finished",
            );
        }
    }
    let o = common::run(&exp, &sharded, &["--shard", "1/2", "--stage", "7"]);
    assert_eq!(o.status.code(), Some(2));
    assert_contains(
        &stderr(&o),
        "--stage 7 is not a stage of this search: it has 3",
    );
    let o = common::sweep_on("report", &sharded, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    for table in TABLES {
        assert_eq!(
            read(&local.join(table)),
            read(&sharded.join(table)),
            "{table}"
        );
    }
    // Without --stage, a shard of a halving search is refused.
    let o = common::run(&exp, &sharded, &["--shard", "1/2"]);
    assert_eq!(o.status.code(), Some(2));
    assert_contains(&stderr(&o), "add --stage K");
}

#[test]
fn records_of_another_schedule_in_the_directory_do_not_change_the_tables() {
    // Regression: a search run over the records of another halving schedule, or of no
    // halving, reused them as they were, and its tables depended on that history.
    let dir = tempfile::tempdir().unwrap();
    let halved = experiment(dir.path(), "halved", &search(true));
    let full = experiment(dir.path(), "full", &search(false));
    let other = experiment(
        dir.path(),
        "other",
        &search(true).replace("reduction_factor = 3", "keep = [2, 1]"),
    );
    let straight = |exp: &Path, name: &str| {
        let out = dir.path().join(name);
        run_ok(exp, &out, &[]);
        out
    };
    let (s_halved, s_full, s_other) = (
        straight(&halved, "s_halved"),
        straight(&full, "s_full"),
        straight(&other, "s_other"),
    );
    for (sequence, expected) in [
        (vec![&halved, &full], &s_full),
        (vec![&full, &halved], &s_halved),
        (vec![&halved, &other], &s_other),
        (vec![&other, &halved], &s_halved),
    ] {
        let out = dir.path().join("mixed");
        let _ = std::fs::remove_dir_all(&out);
        for exp in sequence {
            run_ok(exp, &out, &[]);
        }
        assert_same_tables(expected, &out);
    }
}

/// A copy of results directory `from` at `to` (records and experiment).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.join("runs")).unwrap();
    for entry in std::fs::read_dir(from.join("runs")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, to.join("runs").join(path.file_name().unwrap())).unwrap();
        }
    }
    std::fs::copy(from.join("experiment.toml"), to.join("experiment.toml")).unwrap();
}

#[test]
fn shards_in_separate_directories_merge_stage_after_stage() {
    // Regression: a run trained to a later rung "conflicted" with its earlier record.
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), "h", &search(true));
    let local = dir.path().join("local");
    run_ok(&exp, &local, &[]);
    let merged = dir.path().join("merged");
    for stage in ["0", "1", "2"] {
        let mut parts = Vec::new();
        for (k, shard) in ["1/2", "2/2"].into_iter().enumerate() {
            let part = dir.path().join(format!("part{stage}{k}"));
            if merged.exists() {
                copy_dir(&merged, &part);
            }
            run_ok(&exp, &part, &["--shard", shard, "--stage", stage]);
            parts.push(part);
        }
        let o = Std::new(bin())
            .arg("merge")
            .arg(&merged)
            .args(&parts)
            .output()
            .unwrap();
        assert!(o.status.success(), "stage {stage}: {}", stderr(&o));
    }
    assert_same_tables(&local, &merged);
}
