//! Refusing runs whose weights and metrics would not fit in memory, before allocating any.

use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::experiment::{Experiment, RunSpec};
use crate::settings::{Key, Settings};

/// Refuses an experiment whose biggest run, `jobs` at once, would not fit.
pub(super) fn check_memory(
    exp: &Experiment,
    data: &Dataset,
    runs: &[RunSpec],
    jobs: usize,
) -> Result<()> {
    let (vocab, classes, max_len) = shape(data);
    let Some(biggest) = runs
        .iter()
        .max_by_key(|r| r.settings.memory_bytes(vocab, classes, max_len))
    else {
        return Ok(());
    };
    check_fits(&biggest.settings, data, jobs.min(runs.len())).map_err(|too_big| {
        let axis = exp.axis(too_big.key);
        Error::experiment(&exp.path, axis.location(), too_big.message)
    })
}

/// Runs that would not fit in memory: why, and the setting that needs most of it.
#[derive(Debug)]
pub struct TooBig {
    pub message: String,
    pub key: Key,
}

/// The vocabulary size, class count and longest phrase: what a run's memory depends on.
fn shape(data: &Dataset) -> (usize, usize, usize) {
    let max_len = data
        .train
        .iter()
        .chain(&data.test)
        .map(|e| e.words.len())
        .max()
        .unwrap_or(1);
    (data.vocab.len(), data.classes.len(), max_len)
}

/// Whether `jobs` runs of `settings` on `data` fit in the memory available now; the error
/// says how much they need and names the setting (hidden size or epochs) that needs most.
pub fn check_fits(settings: &Settings, data: &Dataset, jobs: usize) -> Result<(), TooBig> {
    let Some(available) = available_memory() else {
        return Ok(());
    };
    let (vocab, classes, max_len) = shape(data);
    let per_run = settings.memory_bytes(vocab, classes, max_len);
    let need = per_run * jobs.max(1) as u128;
    if need <= u128::from(available) {
        return Ok(());
    }
    let (key, what) = if settings.model_bytes(vocab, classes, max_len) >= settings.metrics_bytes() {
        let h = settings.hidden_size;
        (Key::HiddenSize, format!("hidden_size = {h}"))
    } else {
        let e = settings.epochs;
        (
            Key::Epochs,
            format!("epochs = {e} (every epoch's metrics are kept)"),
        )
    };
    Err(TooBig {
        message: format!(
            "{what} needs {} per run ({} for {} parallel job(s)) but this machine has {} available",
            bytes(per_run),
            bytes(need),
            jobs.max(1),
            bytes(u128::from(available))
        ),
        key,
    })
}

/// MemAvailable from /proc/meminfo, where there is one.
fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// A byte count for people: `512 B`, `1.5 MiB`.
pub fn bytes(n: u128) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", units[unit])
    }
}
