//! What a prepared sweep will do, in words: its data, axes, output, how much is already
//! saved and an estimated time (`sweep plan`, `sweep run --dry-run`).

use std::time::Instant;

use super::Prepared;
use crate::data::Dataset;
use crate::experiment::RunSpec;
use crate::results::RecordStore;
use crate::settings::{Key, SettingsParams, Value};
use crate::train;

/// The plan as text.
pub fn describe(p: &Prepared) -> String {
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
    s
}

fn list(values: &[Value]) -> String {
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

/// A duration for people: `4.2 s`, `3m 07s`, `2h 05m`.
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
