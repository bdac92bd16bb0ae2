//! `sweep plan` (and `sweep run --dry-run`): load and check everything a sweep needs, then
//! describe it (runs, axes, output, estimated time) without training.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{PlanArgs, warn_all};
use crate::data::{self, Dataset};
use crate::error::{Error, Location, Result};
use crate::experiment::{Experiment, Key, LARGE_GRID, RunSpec};
use crate::runner::{DataRef, RecordStore};
use crate::train::{self, Settings, SettingsParams};

/// An experiment with its data loaded and its runs expanded and checked.
pub struct Prepared {
    pub exp: Experiment,
    pub data: Dataset,
    pub runs: Vec<RunSpec>,
    pub out: PathBuf,
    pub jobs: usize,
}

impl Prepared {
    /// Everything that can be wrong with the input is found here, before any training.
    pub fn load(args: &PlanArgs) -> Result<Prepared> {
        let exp = Experiment::load(&args.experiment)?;
        let count = exp.run_count();
        if count > LARGE_GRID && !args.yes {
            return Err(Error::experiment(
                &exp.path,
                Location::Key("grid".into(), None),
                format!(
                    "the grid has {count} runs (more than {LARGE_GRID}); pass --yes to run it anyway"
                ),
            ));
        }
        let data = data::load(&exp.train, &exp.test)?;
        warn_all(&data.warnings);
        let runs = exp.runs(&data.fingerprint)?;
        let jobs = args.jobs.map_or_else(default_jobs, |j| j as usize);
        check_memory(&exp, &data, &runs, jobs)?;
        let out = args
            .out
            .clone()
            .unwrap_or_else(|| Path::new("results").join(&exp.name));
        Ok(Prepared {
            exp,
            data,
            runs,
            out,
            jobs,
        })
    }

    pub fn data_ref(&self) -> DataRef {
        let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        DataRef {
            train: abs(&self.exp.train),
            test: abs(&self.exp.test),
            fingerprint: self.data.fingerprint.clone(),
        }
    }
}

/// All cores.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Refuses runs whose weights and metrics would not fit in memory, before allocating any.
fn check_memory(exp: &Experiment, data: &Dataset, runs: &[RunSpec], jobs: usize) -> Result<()> {
    let (vocab, classes, max_len) = shape(data);
    let Some(biggest) = runs
        .iter()
        .max_by_key(|r| r.settings.memory_bytes(vocab, classes, max_len))
    else {
        return Ok(());
    };
    check_fits(&biggest.settings, data, jobs.min(runs.len())).map_err(|too_big| {
        let axis = exp.axis(too_big.key);
        Error::experiment(
            &exp.path,
            Location::Key(axis.dotted(), axis.line),
            too_big.message,
        )
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

pub fn execute(args: &PlanArgs) -> Result<i32> {
    let prepared = Prepared::load(args)?;
    super::print(&describe(&prepared)?)?;
    Ok(0)
}

/// The plan as text.
pub fn describe(p: &Prepared) -> Result<String> {
    let exp = &p.exp;
    let d = &p.data;
    let mut s = format!("experiment: {} ({})\n", exp.name, exp.path.display());
    if !exp.description.is_empty() {
        s += &format!("  {}\n", exp.description);
    }
    s += &format!(
        "data: {} train / {} test phrases, {} words, {} classes (fingerprint {})\n",
        d.train.len(),
        d.test.len(),
        d.vocab.len(),
        d.classes.len(),
        &d.fingerprint[..12]
    );
    let seeds = exp.axis(Key::Seed).values.len();
    s += &format!(
        "grid: {} runs = {} configuration(s) x {seeds} seed(s)\n",
        p.runs.len(),
        exp.config_count()
    );
    for axis in &exp.axes {
        s += &format!("  {:<14}{}\n", axis.key.name(), list(&axis.values));
    }
    let saved = RecordStore::existing(&p.out)
        .and_then(|st| st.ids())
        .unwrap_or_default();
    let done = p.runs.iter().filter(|r| saved.contains(&r.id)).count();
    s += &format!(
        "output: {} ({done} of {} runs already saved)\n",
        p.out.display(),
        p.runs.len()
    );
    s += &estimate(p, p.runs.iter().filter(|r| !saved.contains(&r.id)));
    Ok(s)
}

fn list(values: &[crate::experiment::Value]) -> String {
    let shown: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    if shown.len() <= 8 {
        shown.join(", ")
    } else {
        format!(
            "{}, ..., {} ({} values)",
            shown[..3].join(", "),
            shown[shown.len() - 1],
            shown.len()
        )
    }
}

/// Time estimate: one short probe run per distinct hidden size gives the seconds per
/// epoch, which scale with each run's epochs.
fn estimate<'a>(p: &Prepared, todo: impl Iterator<Item = &'a RunSpec>) -> String {
    let mut per_epoch: Vec<(u64, f64)> = Vec::new();
    let mut total = 0.0;
    let mut count = 0;
    for run in todo {
        let h = run.settings.hidden_size;
        let secs = match per_epoch.iter().find(|(k, _)| *k == h) {
            Some(&(_, s)) => s,
            None => {
                let s = probe_epoch_seconds(&p.data, &run.settings);
                per_epoch.push((h, s));
                s
            }
        };
        total += secs * run.settings.epochs as f64;
        count += 1;
    }
    let jobs = p.jobs.min(count.max(1));
    format!(
        "estimated time: {} for {count} run(s) on {jobs} job(s), measured by a short probe\n",
        duration(total / jobs as f64)
    )
}

fn probe_epoch_seconds(data: &Dataset, settings: &SettingsParams) -> f64 {
    const PROBE_EPOCHS: u64 = 3;
    let probe = SettingsParams {
        epochs: PROBE_EPOCHS,
        eval_every: PROBE_EPOCHS,
        ..settings.clone()
    };
    let Ok(probe) = probe.check() else { return 0.0 };
    let start = Instant::now();
    train::run(data, &probe, 0, |_| {});
    start.elapsed().as_secs_f64() / PROBE_EPOCHS as f64
}

pub fn duration(secs: f64) -> String {
    if secs < 60.0 {
        format!("{secs:.1} s")
    } else if secs < 3600.0 {
        format!("{}m {:02}s", (secs / 60.0) as u64, secs as u64 % 60)
    } else {
        format!(
            "{}h {:02}m",
            (secs / 3600.0) as u64,
            (secs as u64 % 3600) / 60
        )
    }
}
