//! End-to-end tests of the corners a new user hits: overrides on the command line, merges
//! that conflict, damaged records, short runs, diverged runs on the command line.

use std::path::{Path, PathBuf};

use crate::common::{
    TABLES, assert_contains, assert_same_tables, experiment, first_id, log_files, put_record, read,
    record_value, run, run_ids, run_ok, stderr, stdout, store, sweep, sweep_on,
};

/// Writes experiment `<dir>/<name>.toml` with `body` and runs it into `<dir>/out`.
fn swept(dir: &Path, name: &str, body: &str) -> (PathBuf, PathBuf) {
    let exp = experiment(dir, name, body);
    let out = dir.join("out");
    run_ok(&exp, &out, &[]);
    (exp, out)
}

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
    run_ok(&base, &a, &sets);
    run_ok(&edited, &b, &[]);
    assert_same_tables(&a, &b);
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
        err.contains(
            "base.toml: --set train.epochs=-3: -3 is not allowed: an integer from 1 to 1000000"
        ),
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
    let text = stdout(&plan);
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
    let mut record = record_value(&b, &first_id(&b));
    record["metrics"][0]["train"]["loss"] = serde_json::Value::from(0.9);
    put_record(&b, &record);
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

/// Four runs of 20 epochs: the sweep the damaged-record tests damage.
const FOUR_RUNS: &str =
    "[train]\nepochs = 20\neval_every = 10\n[grid]\nseed = { start = 0, count = 4 }\n";

/// The offsets where the frames of `log` start (after its 8-byte magic).
fn frames(log: &[u8]) -> Vec<usize> {
    (8..log.len().saturating_sub(4))
        .filter(|&i| log[i..i + 4] == *b"\xa7RUN")
        .collect()
}

#[test]
fn damaged_records_are_set_aside_and_their_runs_trained_again() {
    let dir = tempfile::tempdir().unwrap();
    let (exp, out) = swept(dir.path(), "d", FOUR_RUNS);
    let before: Vec<String> = TABLES.iter().map(|t| read(&out.join(t))).collect();
    let logs = log_files(&out);
    assert_eq!(logs.len(), 1, "one writer, one log");
    let mut bytes = std::fs::read(&logs[0]).unwrap();
    // One context, then four runs: garble the second run's bytes, tear the last one.
    let at = frames(&bytes);
    assert_eq!(at.len(), 5, "{at:?}");
    bytes[at[2] + 30] ^= 0x40;
    bytes.truncate(bytes.len() - 10);
    std::fs::write(&logs[0], &bytes).unwrap();
    // `report` sets them aside, says so, and leaves their runs out.
    let o = sweep_on("report", &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.matches("could not be read").count(), 2, "{err}");
    assert_contains(&err, "its checksum does not match its bytes");
    assert_contains(
        &err,
        "a frame cut short at its end, by a writer that is gone",
    );
    assert_contains(&err, "2 of 4 runs have no record yet");
    assert_eq!(read(&out.join("runs.csv")).lines().count(), 3);
    // `run` trains them again, exits 0, and the tables are those of the first sweep.
    let o = run_ok(&exp, &out, &[]);
    assert_contains(&stderr(&o), "training 2 on");
    for (table, want) in TABLES.iter().zip(&before) {
        assert_eq!(&read(&out.join(table)), want, "{table}");
    }
    // Nothing was deleted: the damaged bytes are in runs/damaged/, byte for byte.
    let damaged = out.join("runs/damaged");
    let aside: usize = std::fs::read_dir(&damaged)
        .unwrap()
        .map(|e| std::fs::metadata(e.unwrap().path()).unwrap().len() as usize)
        .sum();
    assert_eq!(aside, (at[3] - at[2]) + (bytes.len() - at[4]));
    assert_eq!(std::fs::read_dir(&damaged).unwrap().count(), 2);
    // Damaged again: the same names are not overwritten.
    std::fs::write(&logs[0], &bytes).unwrap();
    let o = run_ok(&exp, &out, &[]);
    assert_contains(&stderr(&o), "training 0 on");
    assert_eq!(std::fs::read_dir(&damaged).unwrap().count(), 4);
    for (table, want) in TABLES.iter().zip(&before) {
        assert_eq!(&read(&out.join(table)), want, "{table}");
    }
}

#[test]
fn an_older_stores_record_files_are_read_set_aside_when_damaged_and_converted() {
    let dir = tempfile::tempdir().unwrap();
    let (exp, out) = swept(dir.path(), "d", FOUR_RUNS);
    let before: Vec<String> = TABLES.iter().map(|t| read(&out.join(t))).collect();
    // The directory as a sweep before the logs left it: one JSON file per run.
    let ids: Vec<String> = store(&out).ids().unwrap().into_iter().collect();
    for id in &ids {
        let json = serde_json::to_string(&record_value(&out, id)).unwrap();
        std::fs::write(out.join("runs").join(format!("{id}.json")), json).unwrap();
    }
    for log in log_files(&out) {
        std::fs::remove_file(log).unwrap();
    }
    let o = sweep_on("report", &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    for (table, want) in TABLES.iter().zip(&before) {
        assert_eq!(&read(&out.join(table)), want, "{table}");
    }
    let file = |id: &str| out.join("runs").join(format!("{id}.json"));
    let whole = read(&file(&ids[0]));
    std::fs::write(file(&ids[0]), &whole[..whole.len() / 2]).unwrap(); // cut short
    std::fs::write(file(&ids[1]), b"").unwrap(); // emptied
    std::fs::write(file(&ids[2]), b"\x00\xff garbage }").unwrap(); // garbled
    let o = sweep_on("report", &out, &[]);
    let err = stderr(&o);
    assert_eq!(err.matches("could not be read").count(), 3, "{err}");
    assert_contains(&err, "3 of 4 runs have no record yet");
    // `run` moves the sound one into its log, trains the three again: the same tables.
    let o = run_ok(&exp, &out, &[]);
    assert_contains(&stderr(&o), "moved the 1 per-run record file(s)");
    assert_contains(&stderr(&o), "training 3 on");
    for (table, want) in TABLES.iter().zip(&before) {
        assert_eq!(&read(&out.join(table)), want, "{table}");
    }
    assert!(!file(&ids[3]).exists());
    assert_eq!(log_files(&out).len(), 1);
}

#[test]
fn the_tutorial_experiment_elsewhere_says_where_its_data_comes_from() {
    // Its data.py is read from the shared folder beside the repository: copied anywhere
    // else, the experiment must say what the file is and how to point at a copy.
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("a/b");
    std::fs::create_dir_all(&nested).unwrap();
    let exp = nested.join("tutorial.toml");
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/tutorial.toml");
    std::fs::copy(shipped, &exp).unwrap();
    let o = sweep().arg("plan").arg(&exp).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    for want in [
        ": key `data.train`: cannot read ",
        "data.py: No such file or directory",
        "the tutorial's own data module, from the tutorial's public repository (MIT licence)",
        "--set data.train=PATH --set data.test=PATH",
    ] {
        assert!(err.contains(want), "{err}\n--- lacks ---\n{want}");
    }
    // Pointed at a copy (here the bundled set), it plans.
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/en");
    let o = sweep()
        .arg("plan")
        .arg(&exp)
        .arg("--set")
        .arg(format!("data.train={}", data.join("train.tsv").display()))
        .arg("--set")
        .arg(format!("data.test={}", data.join("test.tsv").display()))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_diverged_run_says_so_in_its_table_and_its_predictions() {
    // Regression: its table was empty and its predictions NaN, without a word.
    let dir = tempfile::tempdir().unwrap();
    let (_, out) = swept(
        dir.path(),
        "div",
        "[train]\nepochs = 5\neval_every = 5\nhidden_size = 8\ninit_scale = 1e307\n",
    );
    let id = run_ids(&out).remove(0);
    let table = sweep()
        .args(["table"])
        .arg(&out)
        .args(["--run", &id])
        .output()
        .unwrap();
    assert!(table.status.success());
    assert_eq!(
        stdout(&table),
        "--- Diverged in epoch 1: the loss is no longer finite\n"
    );
    let predict = sweep()
        .arg("predict")
        .arg(&out)
        .args(["--run", &id, "i am good"])
        .output()
        .unwrap();
    assert!(predict.status.success(), "{}", stderr(&predict));
    assert!(
        stderr(&predict).contains(&format!("run {id} diverged in epoch 1")),
        "{}",
        stderr(&predict)
    );
}

#[test]
fn the_report_of_a_partial_shard_directory_counts_its_runs_right() {
    // Regression: the header said "3 runs: 2 configuration(s) x 4 seed(s)".
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(
        dir.path(),
        "p",
        "[train]\nepochs = 5\neval_every = 5\n[grid]\nclip = [1.0, 2.0]\nseed = { start = 0, count = 4 }\n",
    );
    let out = dir.path().join("out");
    run_ok(&exp, &out, &["--shard", "1/3"]);
    let o = sweep().arg("report").arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let table = read(&out.join("runs.csv"));
    let seeds: std::collections::BTreeSet<&str> = table
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(9).unwrap())
        .collect();
    // A third of 8 runs (3) can never fill 2 configurations x some seeds.
    let runs = table.lines().count() - 1;
    assert_eq!(runs, 3);
    let report = read(&out.join("report.md"));
    let want = format!(
        "{runs} runs of 2 configuration(s) and {} seed(s): {} combination(s) have no run",
        seeds.len(),
        2 * seeds.len() - runs
    );
    assert!(
        report.contains(&want),
        "{report}
--- lacks ---
{want}"
    );
}
