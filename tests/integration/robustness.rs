//! What a sweep survives: SIGKILL at many moments, Ctrl-C, a second sweep on the same
//! directory, a changed experiment, a full disk or an unwritable record, hostile input and
//! exploding numerics.

use std::path::Path;
use std::process::{Child, Command as Std, Stdio};
use std::time::{Duration, Instant};

use crate::common::{
    assert_contains, assert_same_tables, bin, experiment, log_files, read, record_value, refused,
    run, run_ids, run_ok, skip_or_fail, stderr, store, sweep_on, train_file,
};

fn spawn(exp: &Path, out: &Path, extra: &[&str]) -> Child {
    Std::new(bin())
        .arg("run")
        .arg(exp)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The ids of the runs `out` has a record of (none before it exists).
fn records(out: &Path) -> Vec<String> {
    sweep::store::RecordStore::at(out)
        .ids()
        .unwrap()
        .into_iter()
        .collect()
}

/// The temporaries (`*.tmp`) left in `<out>/runs`.
fn temporaries(out: &Path) -> Vec<String> {
    std::fs::read_dir(out.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

/// 24 runs of a few tens of milliseconds each.
const MEDIUM: &str = "[train]\nepochs = 300\neval_every = 50\n[grid]\nhidden_size = [16, 24]\nseed = { start = 0, count = 12 }\n";

fn wait_for_records(child: &mut Child, out: &Path, at_least: usize) {
    let start = Instant::now();
    while records(out).len() < at_least
        && child.try_wait().unwrap().is_none()
        && start.elapsed() < Duration::from_secs(60)
    {
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn sigkill_at_ten_moments_then_resume_equals_an_uninterrupted_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), "kill", MEDIUM);
    let whole = dir.path().join("whole");
    run_ok(&exp, &whole, &[]);
    let out = dir.path().join("killed");
    // Ten moments spread over the sweep: after 0, 2, 4, ... 18 saved records, plus a
    // per-moment delay so some kills land mid-write.
    for k in 0..10usize {
        let mut child = spawn(&exp, &out, &[]);
        wait_for_records(&mut child, &out, 2 * k);
        std::thread::sleep(Duration::from_micros((k as u64 * 7919) % 3000));
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(
            records(&out).len() < 24,
            "kill {k} came after the sweep finished; make the sweep longer"
        );
    }
    run_ok(&exp, &out, &[]);
    assert_same_tables(&whole, &out);
    // No partial or duplicate records: one sound record per run, and its weights.
    let ids = records(&out);
    assert_eq!(ids.len(), 24);
    for id in &ids {
        store(&out).load(id).unwrap();
        let weights = out.join("runs").join(format!("{id}.safetensors"));
        assert!(weights.is_file(), "{} missing", weights.display());
    }
    let leftovers = temporaries(&out);
    assert!(leftovers.is_empty(), "stale temporaries: {leftovers:?}");
}

#[test]
fn sigkill_twenty_times_in_a_ten_thousand_run_sweep_loses_and_doubles_nothing() {
    // 10,000 runs of a few epochs: the per-run cost is the store's, as at a million runs.
    let body = "[train]\nepochs = 10\neval_every = 5\nhidden_size = 2\n[grid]\n\
                learning_rate = [0.01, 0.02]\nseed = { start = 0, count = 5000 }\n";
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), "many", body);
    let whole = dir.path().join("whole");
    run_ok(&exp, &whole, &["--quiet"]);
    let out = dir.path().join("killed");
    let mut saved = 0;
    for k in 0..20u64 {
        let mut child = spawn(&exp, &out, &[]);
        // Moments spread over the first 80% of the sweep (the last 2,000 runs are the
        // margin that keeps the last kill before the end), some microseconds after a record.
        wait_for_records(&mut child, &out, (k as usize + 1) * 400);
        std::thread::sleep(Duration::from_micros((k * 7919) % 2000));
        child.kill().unwrap();
        child.wait().unwrap();
        let now = records(&out).len();
        // Nothing the killed process appended is lost (kill -9 loses no written byte).
        assert!(
            now >= saved,
            "kill {k}: {saved} records before, {now} after"
        );
        assert!(now < 10_000, "kill {k} came after the sweep finished");
        saved = now;
    }
    let o = run_ok(&exp, &out, &["--quiet"]);
    assert_contains(&stderr(&o), &format!("{saved} already saved"));
    assert_same_tables(&whole, &out);
    assert_eq!(records(&out).len(), 10_000);
    // A log per process that saved something, not a file per run.
    let logs = log_files(&out).len();
    assert!((2..=21).contains(&logs), "{logs} logs");
}

fn interrupt(child: &Child) {
    let status = Std::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn ctrl_c_keeps_saved_runs_drops_those_in_flight_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), "int", MEDIUM);
    let out = dir.path().join("out");
    let mut child = spawn(&exp, &out, &[]);
    wait_for_records(&mut child, &out, 3);
    interrupt(&child);
    let o = child.wait_with_output().unwrap();
    let message = stderr(&o);
    assert_eq!(o.status.code(), Some(130), "{message}");
    assert!(
        message.contains("interrupted:") && message.contains("were dropped"),
        "{message}"
    );
    let kept = records(&out).len();
    assert!((3..24).contains(&kept), "{kept} records");
    assert!(!out.join(".sweep.lock").exists());
    let o = run_ok(&exp, &out, &[]);
    assert_contains(&stderr(&o), &format!("{kept} already saved"));
    let whole = dir.path().join("whole");
    run_ok(&exp, &whole, &[]);
    assert_same_tables(&whole, &out);
}

#[test]
fn a_second_sweep_on_the_same_directory_refuses_or_waits() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), "two", MEDIUM);
    let out = dir.path().join("out");
    let mut first = spawn(&exp, &out, &[]);
    wait_for_records(&mut first, &out, 1);
    let second = run(&exp, &out, &[]);
    assert_eq!(second.status.code(), Some(2), "{}", stderr(&second));
    assert_contains(
        &stderr(&second),
        &format!("in use by another sweep (pid {}", first.id()),
    );
    let waiting = run_ok(&exp, &out, &["--wait"]);
    assert_contains(&stderr(&waiting), "waiting for the sweep with pid");
    assert!(first.wait().unwrap().success());
    // A lock left by a process that is gone is taken over.
    std::fs::write(out.join(".sweep.lock"), "4294967\n").unwrap();
    let o = run_ok(&exp, &out, &[]);
    assert_contains(&stderr(&o), "taking over the stale lock of pid 4294967");
}

#[test]
fn a_changed_experiment_keeps_old_records_out_of_the_tables_until_cleaned() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let big = experiment(
        dir.path(),
        "grid",
        "[train]\nepochs = 20\neval_every = 10\n[grid]\nhidden_size = [4, 8]\nseed = [0, 1]\n",
    );
    run_ok(&big, &out, &[]);
    let small = experiment(
        dir.path(),
        "grid",
        "[train]\nepochs = 20\neval_every = 10\n[grid]\nhidden_size = [4]\nseed = [0, 1]\n",
    );
    let message = stderr(&run_ok(&small, &out, &[]));
    assert!(
        message.contains("2 record(s) in") && message.contains("no longer has"),
        "{message}"
    );
    assert_eq!(read(&out.join("runs.csv")).lines().count(), 3);
    assert_eq!(records(&out).len(), 4);
    let o = sweep_on("clean", &out, &["--unused"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_contains(&stderr(&o), "removed 2 unused record(s)");
    assert_eq!(records(&out).len(), 2);
    assert_eq!(sweep_on("clean", &out, &[]).status.code(), Some(2));
}

#[test]
fn a_run_that_cannot_be_saved_is_reported_and_the_others_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(
        dir.path(),
        "save",
        "[train]\nepochs = 20\neval_every = 10\n[grid]\nseed = [0, 1, 2, 3]\nhidden_size = [4]\n",
    );
    let probe = dir.path().join("probe");
    run_ok(&exp, &probe, &[]);
    let id = &run_ids(&probe)[1];
    // A non-empty directory where the run's weights file must go: its save fails.
    let out = dir.path().join("out");
    let blocker = out.join("runs").join(format!("{id}.safetensors"));
    std::fs::create_dir_all(blocker.join("x")).unwrap();
    let o = run(&exp, &out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_contains(
        &stderr(&o),
        &format!("run {id} could not be saved: {}", blocker.display()),
    );
    assert_eq!(records(&out).len(), 3);
    assert_eq!(read(&out.join("runs.csv")).lines().count(), 4);
}

/// A small tmpfs mounted on a directory for as long as it lives (unmounted even when an
/// assertion fails, so that the temp dir can go).
struct SmallDisk<'a>(&'a Path);

impl<'a> SmallDisk<'a> {
    /// Mounts a 256 KiB tmpfs on `dir`, or says why it cannot.
    fn mount(dir: &'a Path) -> Result<SmallDisk<'a>, String> {
        let o = Std::new("mount")
            .args(["-t", "tmpfs", "-o", "size=256k", "tmpfs"])
            .arg(dir)
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !o.status.success() {
            return Err(format!(
                "mount -t tmpfs failed (it needs root): {}",
                stderr(&o).trim()
            ));
        }
        let disk = SmallDisk(dir);
        // The mount must really be there: the test's point is the disk filling up.
        let mounts = read(Path::new("/proc/mounts"));
        let at = format!(" {} tmpfs ", dir.display());
        assert!(
            mounts.contains(&at),
            "mount succeeded but {at:?} is not in /proc/mounts"
        );
        Ok(disk)
    }
}

impl Drop for SmallDisk<'_> {
    fn drop(&mut self) {
        let _ = Std::new("umount").arg(self.0).status();
    }
}

/// Every record's deterministic fields (all but the wall time), by run id.
fn record_results(out: &Path) -> std::collections::BTreeMap<String, serde_json::Value> {
    records(out)
        .into_iter()
        .map(|id| {
            let mut v = record_value(out, &id);
            v.as_object_mut().unwrap().remove("wall_ms");
            (id, v)
        })
        .collect()
}

#[test]
fn a_full_disk_loses_nothing_already_saved() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("small-disk");
    std::fs::create_dir_all(&out).unwrap();
    let disk = match SmallDisk::mount(&out) {
        Ok(disk) => disk,
        Err(why) => {
            skip_or_fail(
                "a_full_disk_loses_nothing_already_saved",
                &format!(
                    "{why}; the unwritable-record test covers the save error without a full \
                     disk"
                ),
            );
            return;
        }
    };
    // 200 records of about 4 KB each: the 256 KiB disk takes a few dozen.
    let exp = experiment(
        dir.path(),
        "full",
        "[train]\nepochs = 400\neval_every = 50\nhidden_size = 4\n[grid]\nseed = { start = 0, count = 200 }\n",
    );
    let o = run(&exp, &out, &["--no-weights", "--jobs", "1"]);
    let message = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{message}");
    assert!(
        message.contains("could not be saved: ")
            && message.contains(&out.join("runs").display().to_string())
            && message.contains("No space left on device"),
        "{message}"
    );
    let saved = record_results(&out);
    assert!(
        !saved.is_empty() && saved.len() < 200,
        "{} saved",
        saved.len()
    );
    let leftovers = temporaries(&out);
    assert!(leftovers.is_empty(), "temporaries left: {leftovers:?}");
    // The directory as the full disk left it, torn log tail and all, resumed elsewhere.
    let resumed = dir.path().join("resumed");
    let copied = Std::new("cp")
        .arg("-a")
        .arg(&out)
        .arg(&resumed)
        .status()
        .unwrap();
    assert!(copied.success());
    drop(disk);
    // What was saved is whole: each record equals the same run's on a roomy disk.
    let roomy = dir.path().join("roomy");
    run_ok(&exp, &roomy, &["--no-weights"]);
    let all = record_results(&roomy);
    for (name, record) in &saved {
        assert_eq!(Some(record), all.get(name), "{name}");
    }
    // Resumed, it trains only what is missing, and its tables are the roomy disk's.
    let o = run_ok(&exp, &resumed, &["--no-weights"]);
    assert_contains(&stderr(&o), &format!("{} already saved", saved.len()));
    assert_same_tables(&roomy, &resumed);
}

#[test]
fn exploding_learning_rates_are_recorded_as_diverged_with_a_complete_report() {
    // With the stable softmax and saturating tanh, learning rates up to 100 without clipping
    // leave the loss huge but finite (the runs are stuck at chance); a loss overflows only
    // when the weights do, which an init scale of 1e307 forces. Both kinds must go through.
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(
        dir.path(),
        "boom",
        "[train]\nepochs = 100\neval_every = 10\nhidden_size = 16\nclip = inf\n\
         [grid]\nlearning_rate = [0.02, 1.0, 10.0, 100.0]\ninit_scale = [0.001, 1e307]\nseed = [0, 1]\n",
    );
    let out = dir.path().join("out");
    run_ok(&exp, &out, &[]);
    let runs = read(&out.join("runs.csv"));
    assert_eq!(runs.matches(",diverged,").count(), 8, "{runs}");
    let stuck = runs
        .lines()
        .find(|l| l.contains(",100,inf,article,100,10,0.001,0,"))
        .unwrap();
    assert!(stuck.contains(",ok,"), "{stuck}");
    for f in ["runs.csv", "curves.csv", "summary.csv", "report.md"] {
        let text = read(&out.join(f)).to_lowercase();
        assert!(!text.contains("nan") && !text.contains("null"), "{f}");
    }
    assert_contains(&read(&out.join("report.md")), "(all diverged)");
    assert!(out.join("plots/final-vs-learning_rate.png").exists());
    assert!(
        out.join("plots/heatmap-learning_rate-init_scale.png")
            .exists()
    );
}

/// `sweep train` on a training (and test) file `name` of `contents`; returns (exit code,
/// stderr).
fn train_on(name: &str, contents: &[u8], extra: &[&str]) -> (i32, String) {
    let (t, _) = train_file(name, contents, extra);
    (t.code.unwrap(), t.stderr)
}

#[test]
fn hostile_data_files() {
    // 100 MB on one line, no newline: a header with no label column, reported briefly.
    let mut big = b"text\t".to_vec();
    big.resize(100 * 1024 * 1024, b'a');
    let (code, message) = train_on("big.tsv", &big, &[]);
    assert_eq!(code, 2, "{message}");
    assert!(
        message.len() < 400 && message.contains("big.tsv:1: the header has no `label` column"),
        "{message}"
    );

    let short = ["--epochs", "2", "--eval-every", "1", "--hidden-size", "4"];
    // A 10 000-word phrase trains.
    let long = format!("text\tlabel\n{}\t1\nbad\t0\n", "good ".repeat(10_000));
    let (code, message) = train_on("long.tsv", long.as_bytes(), &short);
    assert_eq!(code, 0, "{message}");
    // NUL bytes separate words like any other non-letter.
    let (code, message) = train_on("nul.tsv", b"text\tlabel\ngood\0day\t1\nbad\t0\n", &short);
    assert_eq!(code, 0, "{message}");
    // CRLF and a BOM.
    let (code, message) = train_on(
        "crlf.csv",
        b"\xEF\xBB\xBFtext,label\r\ngood,1\r\nbad,0\r\n",
        &short,
    );
    assert_eq!(code, 0, "{message}");
    // Duplicates with conflicting labels: a warning, not an error.
    let (code, message) = train_on(
        "dup.tsv",
        b"text\tlabel\ngood\t1\ngood\t0\nbad\t0\n",
        &short,
    );
    assert_eq!(code, 0, "{message}");
    assert!(
        message.contains("appear again with a different label"),
        "{message}"
    );
    // A thousand classes.
    let mut many = String::from("text\tlabel\n");
    for i in 0..1000 {
        many += &format!("word{i}\tclass{i:04}\n");
    }
    let (code, message) = train_on("many.tsv", many.as_bytes(), &short);
    assert_eq!(code, 0, "{message}");
    assert!(message.contains("1000 words, 1000 classes"), "{message}");
    // Weights that cannot fit: refused before allocating, saying how much they need.
    let (code, message) = train_on(
        "ok.tsv",
        b"text\tlabel\ngood\t1\nbad\t0\n",
        &["--hidden-size", "1000000"],
    );
    assert_eq!(code, 2, "{message}");
    assert!(
        message.contains("hidden_size = 1000000 needs") && message.contains("TiB"),
        "{message}"
    );
}

#[test]
fn hostile_experiment_values() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("[train]\nhidden_size = 1000000\n", "needs"),
        ("[train]\nclip = nan\n", "`clip` = nan is not allowed"),
        (
            "[grid]\nlearning_rate = [inf]\n",
            "`learning_rate` = inf is not allowed",
        ),
        ("[grid]\nseed = [-3]\n", "-3 is not allowed"),
        (
            "[grid]\nseed = [99999999999999999999]\n",
            "is not allowed: an integer >= 0 (at most 2^64 - 1)",
        ),
        ("[grid]\nclip = [1.0]\nclip = [2.0]\n", "duplicate key"),
        (
            "[train]\nepochs = 1000000000\n",
            "key `train.epochs`: `epochs` = 1000000000 is not allowed: an integer from 1 to 1000000",
        ),
    ];
    for (body, want) in cases {
        let message = refused(dir.path(), body);
        assert!(message.contains(want), "{body}: {message}");
    }
    let o = sweep_on("run", dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_contains(&stderr(&o), "cannot read the experiment file");
}

#[test]
fn huge_inputs_are_refused_with_a_message_not_an_abort() {
    // Regression: these aborted the process ("memory allocation of ... bytes failed", exit
    // 134) in a preallocation sized by the input.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (code, message) = train_on(
        "ok.tsv",
        b"text\tlabel\ngood\t1\nbad\t0\n",
        &["--epochs", "1000000000"],
    );
    assert_eq!(code, 2, "{message}");
    assert!(
        message.contains(
            "`epochs` = 1000000000 is not allowed: an integer from 1 to 1000000 (flag --epochs)"
        ),
        "{message}"
    );
    // 10^11 runs, accepted with --yes: refused at the hard limit.
    let exp = experiment(
        dir.path(),
        "huge",
        "[grid]\nseed = { start = 0, count = 10000000 }\nhidden_size = { start = 1, count = 100 }\n\
         learning_rate = { log = [0.001, 0.1], n = 100 }\n",
    );
    for command in ["run", "plan"] {
        let o = sweep_on(command, &exp, &["--yes", "--out", out.to_str().unwrap()]);
        let message = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{command}: {message}");
        assert!(
            message.contains(
                "huge.toml: key `grid`: the grid has 100000000000 runs; at most 1000000 are allowed"
            ),
            "{command}: {message}"
        );
    }
    assert!(!out.exists());
}

#[test]
fn metrics_that_would_not_fit_in_memory_are_refused_naming_epochs() {
    // 4096 parallel runs of a million epochs keep about 700 GB of metrics.
    let need: u64 = 4096 * 1_000_000 * (48 + 128);
    let available = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            let line = m
                .lines()
                .find(|l| l.starts_with("MemAvailable:"))?
                .to_owned();
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map(|kib| kib * 1024);
    match available {
        Some(bytes) if bytes < need => {}
        other => {
            skip_or_fail(
                "metrics_that_would_not_fit_in_memory_are_refused_naming_epochs",
                &format!("needs a machine with less than {need} bytes available, found {other:?}"),
            );
            return;
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(
        dir.path(),
        "long",
        "[train]\nepochs = 1000000\nhidden_size = 4\n[grid]\nseed = { start = 0, count = 4096 }\n",
    );
    let o = sweep_on("plan", &exp, &["--jobs", "4096"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_contains(
        &stderr(&o),
        "long.toml:5: key `train.epochs`: epochs = 1000000 (every epoch's metrics are kept) \
         needs 167.8 MiB per run (671.4 GiB for 4096 parallel job(s))",
    );
}

#[test]
fn shards_and_sweeps_keep_the_temporaries_of_writers_on_other_nodes() {
    // Regression: a sweep or shard removed every temporary whose pid was not running on its
    // own node, i.e. the in-flight records of shards on other nodes of a shared directory.
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(
        dir.path(),
        "shared",
        "[train]\nepochs = 20\neval_every = 10\nhidden_size = 4\n[grid]\nseed = [0, 1]\n",
    );
    let out = dir.path().join("out");
    let foreign = out.join("runs/.0123456789ab.json.some-other-node.4294967.tmp");
    std::fs::create_dir_all(foreign.parent().unwrap()).unwrap();
    std::fs::write(&foreign, b"{\"half a record").unwrap();
    for extra in [&["--shard", "1/2"][..], &[]] {
        let o = run(&exp, &out, extra);
        assert!(o.status.success(), "{extra:?}: {}", stderr(&o));
        assert!(
            foreign.exists(),
            "{extra:?} removed another node's temporary"
        );
    }
    assert_eq!(records(&out).len(), 2);
}

#[test]
fn predict_refuses_a_run_id_it_cannot_use_naming_it_and_what_there_is() {
    // Regression: any --run went straight into a path (`../x` too), and an unknown or cut
    // short id got "cannot read runs/<id>.safetensors ... was the sweep run with --no-weights?".
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let body = |seeds: &str| {
        format!("[train]\nepochs = 20\neval_every = 10\nhidden_size = 4\n[grid]\nseed = {seeds}\n")
    };
    let exp = experiment(dir.path(), "p", &body("[0, 1]"));
    run_ok(&exp, &out, &[]);
    let exp = experiment(dir.path(), "p", &body("[0, 1, 2]"));
    run_ok(&exp, &out, &["--no-weights"]);
    let ids = run_ids(&out);
    let (weighted, bare) = (&ids[..2], &ids[2]);
    let mut sorted = ids.to_vec();
    sorted.sort();
    let predict = |id: &str| {
        let o = sweep_on("predict", &out, &["--run", id, "good"]);
        (o.status.code(), stderr(&o))
    };
    let results = out.display();
    let cases = [
        (
            "ffffffffffff".to_owned(),
            format!(
                "{results} has no run `ffffffffffff` (a run id is the run_id column of \
                 runs.csv); recorded runs: {}",
                sorted.join(", ")
            ),
        ),
        (
            "../../p".to_owned(),
            format!("{results} has no run `../../p`"),
        ),
        (
            weighted[0][..6].to_owned(),
            format!(
                "has no run `{}` (a run id is the run_id column of runs.csv); give the whole \
                 id: {}",
                &weighted[0][..6],
                weighted[0]
            ),
        ),
    ];
    for (id, want) in cases {
        let (code, stderr) = predict(&id);
        assert_eq!(code, Some(2), "{id}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{id}: {stderr}");
        assert!(
            stderr.contains(&want),
            "{id}: {stderr}\n--- lacks ---\n{want}"
        );
    }
    let (code, stderr) = predict(&weighted[1]);
    assert_eq!(code, Some(0), "{stderr}");
    // A run saved without its weights is re-trained for them (tests/integration/weights.rs).
    let (code, stderr) = predict(bare);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "is missing (`sweep run` keeps them for sweeps of up to 1000 runs, unless --no-weights)"
        ),
        "{stderr}"
    );
}

#[test]
fn clean_counts_the_records_it_keeps_not_the_runs_of_the_experiment() {
    // Regression: "N kept" gave the number of runs in the experiment, counting runs that
    // have no record.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let body = |hidden: &str, seeds: &str| {
        format!(
            "[train]\nepochs = 20\neval_every = 10\n[grid]\nhidden_size = {hidden}\nseed = {seeds}\n"
        )
    };
    let big = experiment(dir.path(), "c", &body("[4, 8]", "[0, 1]"));
    run_ok(&big, &out, &[]);
    let small = experiment(dir.path(), "c", &body("[4]", "[0, 1, 2]"));
    run_ok(&small, &out, &[]);
    assert_eq!(records(&out).len(), 5);
    // The record of seed 2 is lost: 3 runs, 2 of them recorded, and 2 unused records.
    let seed2 = &run_ids(&out)[2];
    store(&out)
        .remove_all(&std::iter::once(seed2.clone()).collect())
        .unwrap();
    let o = sweep_on("clean", &out, &["--unused"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_contains(
        &stderr(&o),
        &format!(
            "sweep: removed 2 unused record(s) from {}; 2 kept\n",
            out.display()
        ),
    );
    assert_eq!(records(&out).len(), 2);
}
