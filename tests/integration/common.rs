//! Helpers shared by the end-to-end tests: the binary, the bundled data, experiment files
//! written into temp dirs, running `sweep` on them, and reading what it wrote.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// The `sweep` binary under test.
pub fn sweep() -> Command {
    Command::cargo_bin("sweep").unwrap()
}

/// Its path, for spawning with `std::process`.
pub fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("sweep")
}

/// A file of the bundled English set.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/en")
        .join(name)
}

/// Writes `<dir>/<name>.toml`: an experiment over the bundled data with `body` as its
/// settings (and `head` before `[data]`, e.g. a name or description).
pub fn experiment_with(dir: &Path, name: &str, head: &str, body: &str) -> PathBuf {
    let path = dir.join(format!("{name}.toml"));
    let text = format!(
        "{head}[data]\ntrain = \"{}\"\ntest = \"{}\"\n{body}",
        data("train.tsv").display(),
        data("test.tsv").display()
    );
    std::fs::write(&path, text).unwrap();
    path
}

pub fn experiment(dir: &Path, name: &str, body: &str) -> PathBuf {
    experiment_with(dir, name, "", body)
}

/// `sweep run EXP --out OUT EXTRA...`
pub fn run(exp: &Path, out: &Path, extra: &[&str]) -> Output {
    sweep()
        .arg("run")
        .arg(exp)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

/// `sweep run EXP --out OUT EXTRA...`, which must succeed (its stderr is the failure message).
#[track_caller]
pub fn run_ok(exp: &Path, out: &Path, extra: &[&str]) -> Output {
    let o = run(exp, out, extra);
    assert!(o.status.success(), "sweep run {extra:?}: {}", stderr(&o));
    o
}

/// `sweep run` on `<dir>/bad.toml` with `body` as its settings, which must be refused with
/// exit code 2; returns the message.
#[track_caller]
pub fn refused(dir: &Path, body: &str) -> String {
    let exp = experiment(dir, "bad", body);
    let o = run(&exp, &dir.join("out"), &[]);
    let stderr = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{body}: {stderr}");
    stderr
}

/// `sweep COMMAND PATH EXTRA...`, for the commands that take a results directory or an
/// experiment first (`report`, `clean`, `table`, `rerun`, `predict`, `plan`).
pub fn sweep_on(command: &str, path: &Path, extra: &[&str]) -> Output {
    sweep().arg(command).arg(path).args(extra).output().unwrap()
}

/// What one `sweep train` printed.
pub struct Trained {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// `sweep train --train TRAIN --test TEST ARGS...`.
pub fn train(train: &Path, test: &Path, args: &[&str]) -> Trained {
    let o = sweep()
        .arg("train")
        .args(args)
        .arg("--train")
        .arg(train)
        .arg("--test")
        .arg(test)
        .output()
        .unwrap();
    Trained {
        code: o.status.code(),
        stdout: stdout(&o),
        stderr: stderr(&o),
    }
}

/// `sweep train` with `bytes` written to `<a temp dir>/<name>` as both training and test
/// file; also returns that path, for messages (the file itself is gone).
pub fn train_file(name: &str, bytes: impl AsRef<[u8]>, args: &[&str]) -> (Trained, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (train(&path, &path, args), path)
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Strict where `stderr` is lenient: what `sweep` prints for reading is UTF-8.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

/// `text` must contain `want`; the failure shows both.
#[track_caller]
pub fn assert_contains(text: &str, want: &str) {
    assert!(text.contains(want), "{text}\n--- lacks ---\n{want}");
}

/// A CSV file's rows as maps from column name to field.
pub fn csv_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .map(str::to_owned)
                .zip(r.iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

/// The `run_id` column of `<out>/runs.csv`, in grid order.
pub fn run_ids(out: &Path) -> Vec<String> {
    csv_rows(&out.join("runs.csv"))
        .into_iter()
        .map(|mut r| r.remove("run_id").expect("runs.csv has a run_id column"))
        .collect()
}

/// The tables that must be byte-identical between equivalent sweeps.
pub const TABLES: [&str; 3] = ["runs.csv", "curves.csv", "summary.csv"];

/// The results directories `a` and `b` hold byte-identical [`TABLES`].
#[track_caller]
pub fn assert_same_tables(a: &Path, b: &Path) {
    for f in TABLES {
        assert_eq!(read(&a.join(f)), read(&b.join(f)), "{f}");
    }
}

/// Whether the tests run in strict mode: `SWEEP_STRICT_TESTS` set to anything but empty or
/// `0` (`.ci/run` sets it to 1). There a test that cannot make its check on this machine fails
/// instead of passing with a `SKIPPED` line.
pub fn strict() -> bool {
    std::env::var_os("SWEEP_STRICT_TESTS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// For a test that cannot make its check here: in strict mode ([`strict`]) it panics with
/// `why`, failing the test; otherwise it says that `test` was skipped, and why, on stderr
/// itself (the harness captures only `print!`-family output, and a skipped test still passes,
/// so this line is all that shows it) and the caller returns. One line, so that
/// `grep SKIPPED` gives the whole reason.
#[track_caller]
pub fn skip_or_fail(test: &str, why: &str) {
    use std::io::Write;
    let why = why.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    if strict() {
        panic!("{test} cannot make its check on this machine (SWEEP_STRICT_TESTS is set): {why}");
    }
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
}

/// The record store of results directory `out`.
pub fn store(out: &Path) -> sweep::store::RecordStore {
    sweep::store::RecordStore::existing(out).unwrap()
}

/// The smallest run id with a record in `out`.
pub fn first_id(out: &Path) -> String {
    store(out).ids().unwrap().into_iter().next().unwrap()
}

/// Run `id`'s record in `out`, as JSON (to be edited like a hostile user would).
pub fn record_value(out: &Path, id: &str) -> serde_json::Value {
    serde_json::to_value(store(out).load(id).unwrap()).unwrap()
}

/// Puts `record` into the store of `out` in place of every record of its run id, as a
/// hostile edit would: the store takes it as it is, unchecked, with its frame intact.
pub fn put_record(out: &Path, record: &serde_json::Value) {
    let record: sweep::store::RunRecord = serde_json::from_value(record.clone()).unwrap();
    let store = store(out);
    store
        .remove_all(&std::iter::once(record.run_id.clone()).collect())
        .unwrap();
    store.save(&record).unwrap();
    store.sync().unwrap();
}

/// The record logs of `out`, by name.
pub fn log_files(out: &Path) -> Vec<PathBuf> {
    let mut logs: Vec<PathBuf> = std::fs::read_dir(out.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    logs.sort();
    logs
}

/// Runs `sweep run EXP --out OUT --jobs 2` and kills it (SIGKILL) after 15 ms, then again
/// after `step` more each time, until one run finishes by itself; fails past `limit`.
pub fn kill_at_growing_moments(
    exp: &Path,
    out: &Path,
    step: std::time::Duration,
    limit: std::time::Duration,
) {
    let mut wait = std::time::Duration::from_millis(15);
    let start = std::time::Instant::now();
    loop {
        let mut child = std::process::Command::new(bin())
            .arg("run")
            .arg(exp)
            .arg("--out")
            .arg(out)
            .args(["--quiet", "--jobs", "2"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(wait);
        if child.try_wait().unwrap().is_some() {
            return;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        wait += step;
        assert!(
            start.elapsed() < limit,
            "the sweep never finished within {limit:?}"
        );
    }
}
