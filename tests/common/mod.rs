//! Helpers shared by the end-to-end tests: the binary, the bundled data, experiment files
//! written into temp dirs, and running `sweep run` on them.

#![allow(dead_code)] // each test crate uses its own subset

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

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The tables that must be byte-identical between equivalent sweeps.
pub const TABLES: [&str; 3] = ["runs.csv", "curves.csv", "summary.csv"];
