//! End-to-end tests of the corners a new user hits: overrides on the command line, merges
//! that conflict, damaged records, short runs, diverged runs on the command line.

use std::path::Path;

mod common;

use common::{TABLES, experiment, read, run, stderr, sweep};

const BASE: &str = "[train]\nepochs = 1000\n[grid]\nseed = [0]\n";

#[test]
fn set_overrides_give_the_tables_of_the_same_edit_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let base = experiment(dir.path(), "base", BASE);
    let edited = experiment(
        dir.path(),
        "edited",
        "[train]\nepochs = 30\n[grid]\nseed = { start = 0, count = 2 }\nclip = [1.0, 5.0]\n",
    );
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let sets = [
        "--set",
        "train.epochs=30",
        "--set",
        "grid.seed={ start = 0, count = 2 }",
        "--set",
        "grid.clip=[1.0, 5.0]",
    ];
    let o = run(&base, &a, &sets);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&edited, &b, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    for table in TABLES {
        assert_eq!(read(&a.join(table)), read(&b.join(table)), "{table}");
    }
    let resolved = read(&a.join("experiment.toml"));
    assert!(
        resolved.contains("# with --set train.epochs=30\n"),
        "{resolved}"
    );
    assert!(resolved.contains("epochs = 30\n"), "{resolved}");
    // A bad override: exit 2, naming the file and the override, before any training.
    let o = run(&base, &dir.path().join("c"), &["--set", "train.epochs=-3"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("base.toml: --set train.epochs=-3: -3 is not allowed: an integer from 0"),
        "{err}"
    );
    assert!(!dir.path().join("c").exists());
    let o = run(&base, &dir.path().join("c"), &["--set", "epochs"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not KEY=VALUE"), "{}", stderr(&o));
}

#[test]
fn plan_and_slurm_take_the_same_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let base = experiment(dir.path(), "base", BASE);
    let plan = sweep()
        .arg("plan")
        .arg(&base)
        .args([
            "--set",
            "grid.seed={ start = 0, count = 4 }",
            "--set",
            "train.epochs=20",
        ])
        .output()
        .unwrap();
    assert!(plan.status.success(), "{}", stderr(&plan));
    let text = String::from_utf8_lossy(&plan.stdout);
    assert!(text.contains("grid: 4 runs"), "{text}");
    assert!(text.contains("epochs        20"), "{text}");
    let out = dir.path().join("s");
    let slurm = sweep()
        .current_dir(dir.path())
        .arg("slurm")
        .arg(&base)
        .arg("--out")
        .arg(&out)
        .args([
            "--set",
            "data.train=data/my train.tsv",
            "--set",
            "train.epochs=20",
        ])
        .output()
        .unwrap();
    // The data file does not exist: the override's path is read relative to the current
    // directory and named in the message.
    assert_eq!(slurm.status.code(), Some(2), "{}", stderr(&slurm));
    assert!(
        stderr(&slurm).contains("data/my train.tsv"),
        "{}",
        stderr(&slurm)
    );
    let slurm = sweep()
        .current_dir(dir.path())
        .arg("slurm")
        .arg(&base)
        .arg("--out")
        .arg(&out)
        .args(["--set", "train.epochs=20"])
        .output()
        .unwrap();
    assert!(slurm.status.success(), "{}", stderr(&slurm));
    let script = read(&out.join("slurm/sweep.sbatch"));
    assert!(script.contains(" --set train.epochs=20 --out "), "{script}");
    assert!(script.contains("#SBATCH --chdir="), "{script}");
}

#[test]
fn a_conflicting_merge_writes_nothing() {
    // Regression: a conflict exited 1 but left an empty `runs/` behind in the target.
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), "m", "[train]\nepochs = 5\neval_every = 5\n");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        let o = run(&exp, out, &[]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    // Tamper with one copy of the same run.
    let record = std::fs::read_dir(b.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .unwrap();
    let tampered = read(&record).replacen("\"loss\":0.", "\"loss\":0.9", 1);
    std::fs::write(&record, tampered).unwrap();
    let target = dir.path().join("merged");
    let o = sweep()
        .arg("merge")
        .arg(&target)
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("conflicting records, nothing was merged"));
    assert!(!target.exists(), "the merge created {}", target.display());
    assert!(Path::new(&a).join("runs.csv").exists());
}

/// The record files of a results directory, sorted.
fn records(out: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(out.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn damaged_records_are_set_aside_and_their_runs_trained_again() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(
        dir.path(),
        "d",
        "[train]\nepochs = 20\neval_every = 10\n[grid]\nseed = { start = 0, count = 4 }\n",
    );
    let out = dir.path().join("out");
    let o = run(&exp, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before: Vec<String> = TABLES.iter().map(|t| read(&out.join(t))).collect();
    let files = records(&out);
    let whole = read(&files[0]);
    std::fs::write(&files[0], &whole[..whole.len() / 2]).unwrap(); // cut short
    std::fs::write(&files[1], b"").unwrap(); // emptied
    std::fs::write(&files[2], b"\x00\xff garbage }").unwrap(); // garbled
    // `report` sets them aside, says so, and leaves their runs out.
    let o = sweep().arg("report").arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.matches("could not be read").count(), 3, "{err}");
    assert!(err.contains("3 of 4 runs have no record yet"), "{err}");
    assert_eq!(read(&out.join("runs.csv")).lines().count(), 2);
    // `run` trains them again, exits 0, and the tables are those of the first sweep.
    let o = run(&exp, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("training 3 on"), "{}", stderr(&o));
    for (table, want) in TABLES.iter().zip(&before) {
        assert_eq!(&read(&out.join(table)), want, "{table}");
    }
    // Nothing was deleted: the damaged files and their weights are in runs/damaged/.
    let damaged: Vec<String> = std::fs::read_dir(out.join("runs/damaged"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(damaged.len(), 6, "{damaged:?}");
    // Damaged again: the same names are not overwritten.
    std::fs::write(&files[0], b"{").unwrap();
    let o = run(&exp, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_dir(out.join("runs/damaged")).unwrap().count(),
        8
    );
}
