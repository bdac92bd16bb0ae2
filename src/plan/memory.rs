//! Refusing runs whose weights and metrics would not fit in memory, before allocating any.

use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::experiment::Experiment;
use crate::settings::{Key, Settings};
use crate::train::EpochMetrics;
use crate::train::RunSpec;

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
        .max_by_key(|r| memory_bytes(&r.settings, vocab, classes, max_len))
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
pub(crate) struct TooBig {
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
pub(crate) fn check_fits(settings: &Settings, data: &Dataset, jobs: usize) -> Result<(), TooBig> {
    let Some(available) = available_memory() else {
        return Ok(());
    };
    let (vocab, classes, max_len) = shape(data);
    let per_run = memory_bytes(settings, vocab, classes, max_len);
    let need = per_run * jobs.max(1) as u128;
    if need <= u128::from(available) {
        return Ok(());
    }
    let (key, what) = if model_bytes(settings, vocab, classes, max_len) >= metrics_bytes(settings) {
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

/// Bytes a run of `settings` holds at most: [`model_bytes`] and [`metrics_bytes`].
fn memory_bytes(settings: &Settings, vocab: usize, classes: usize, max_len: usize) -> u128 {
    model_bytes(settings, vocab, classes, max_len) + metrics_bytes(settings)
}

/// Bytes a run holds in parameters, gradients and scratch for a vocabulary of `vocab`
/// words, `classes` classes and phrases up to `max_len` words.
fn model_bytes(settings: &Settings, vocab: usize, classes: usize, max_len: usize) -> u128 {
    let h = settings.hidden_size as u128;
    let params = h * h + h * vocab as u128 + classes as u128 * (h + 1) + h;
    // The gradient of all but W_hh (whose rows go straight into the update), the hidden
    // states and the BPTT temporaries.
    let grads = params - h * h;
    (params + grads + 2 * h * (max_len as u128 + 1)) * 8
}

/// Bytes a run holds for its epoch metrics: every epoch's, kept until the run ends, and
/// then also as the JSON of its record while that is written.
fn metrics_bytes(settings: &Settings) -> u128 {
    u128::from(settings.epochs)
        * (std::mem::size_of::<EpochMetrics>() + JSON_BYTES_PER_EPOCH) as u128
}

/// An upper bound of one epoch's metrics in a record's JSON (every number at full precision).
const JSON_BYTES_PER_EPOCH: usize = 128;

/// MemAvailable from /proc/meminfo, where there is one.
fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// A byte count for people: `512 B`, `1.5 MiB`.
pub(crate) fn bytes(n: u128) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::SettingsParams;

    #[test]
    fn memory_estimate_by_hand() {
        let s = SettingsParams {
            hidden_size: 2,
            ..Default::default()
        }
        .check()
        .unwrap();
        // params: 4 + 2*3 + 2*(2+1) + 2 = 18; gradients: 18 - 4 (no W_hh) = 14;
        // scratch: 2 * 2 * (4+1) = 20.
        assert_eq!(model_bytes(&s, 3, 2, 4), (18 + 14 + 20) * 8);
        // 1000 epochs of 48-byte metrics and at most 128 bytes of JSON each.
        assert_eq!(std::mem::size_of::<EpochMetrics>(), 48);
        assert_eq!(metrics_bytes(&s), 1000 * (48 + 128));
        assert_eq!(
            memory_bytes(&s, 3, 2, 4),
            (18 + 14 + 20) * 8 + 1000 * (48 + 128)
        );
    }
}
