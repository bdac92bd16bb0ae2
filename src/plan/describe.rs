//! What a prepared sweep will do, in words: its data, axes, output, how much is already
//! saved and an estimated time (`sweep plan`, `sweep run --dry-run`).

use std::time::Instant;

use super::Prepared;
use crate::data::Dataset;
use crate::search::{halving, race};
use crate::settings::{Key, SettingsParams, Value};
use crate::store::RecordStore;
use crate::train;
use crate::train::RunSpec;

/// The plan as text.
pub(crate) fn describe(p: &Prepared) -> String {
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
    let what = if exp.is_search() { "search" } else { "grid" };
    s += &format!(
        "{what}: {} runs = {} configuration(s) x {seeds} seed(s)\n",
        p.runs.len(),
        exp.config_count()
    );
    for axis in &exp.axes {
        let values = match axis.sampled {
            Some(d) => {
                let [lo, hi] = d.bounds();
                format!("{} in [{lo}, {hi}] ({} drawn)", d.name(), axis.values.len())
            }
            None => list(&axis.values),
        };
        s += &format!("  {:<14}{values}\n", axis.key.name());
    }
    s += &search(p);
    let saved = RecordStore::existing(&p.out)
        .and_then(|st| st.sound_ids())
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

/// A search's method and first configurations, and what a halving schedule costs.
fn search(p: &Prepared) -> String {
    let exp = &p.exp;
    let mut s = String::new();
    if exp.is_search() {
        let sr = &exp.search;
        s += &format!(
            "{} search: {} samples from seed {} gave {} distinct configuration(s); the first:\n",
            sr.method.name(),
            sr.samples,
            sr.seed,
            exp.points.len()
        );
        let seeds = exp.axis(Key::Seed).values.len().max(1);
        for run in p.runs.iter().step_by(seeds).take(5) {
            s += &format!("  {}\n", exp.label(&run.settings));
        }
    }
    if let Some(h) = &exp.search.halving {
        let (trained, full) = halving::planned_epochs(Some(h), exp.seed_count(), &p.runs);
        let mut alive = exp.config_count() as usize;
        let mut counts = vec![alive.to_string()];
        for k in 0..h.rungs.len() {
            alive = h.kept(k, alive);
            counts.push(alive.to_string());
        }
        s += &format!(
            "halving: by median {} at epochs {:?}: {} configuration(s); {trained} epochs in \
             all against {full} without halving ({:.0}%)\n",
            h.metric.name(),
            h.rungs,
            counts.join(" -> "),
            100.0 * trained as f64 / full.max(1) as f64
        );
    }
    if let Some(r) = &exp.search.race {
        s += &race_cost(r, exp.config_count() as usize, p);
    }
    s
}

/// A race's cost: the worst case (no configuration ever eliminated), the best (one left
/// after the first block) and the expected under the prior [`race::expected_runs`] states.
fn race_cost(r: &race::Race, configs: usize, p: &Prepared) -> String {
    let epochs = p.runs.first().map_or(0, |run| run.settings.epochs);
    let fresh_most = r.reevaluate.unwrap_or(configs).min(configs) * r.fresh;
    let worst = configs * r.budget + fresh_most;
    let best = configs * r.first + r.fresh;
    let expected = race::expected_runs(r, configs);
    format!(
        "race: by {} over blocks of seeds {:?} (alpha {}): worst case {worst} runs ({} \
         run-epochs: every configuration on all {} seeds of the budget{}), best case {best}; \
         expected about {:.0} runs on the selection (each configuration's true value drawn \
         from a flat prior, 200 simulated races) and at most {fresh_most} on fresh seeds\n",
        r.metric.name(),
        r.looks(r.budget),
        r.alpha,
        worst as u64 * epochs,
        r.budget,
        match fresh_most {
            0 => String::new(),
            n => format!(", and {n} on fresh seeds"),
        },
        expected,
    )
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

/// Time estimate: a short probe run per distinct hidden size (up to [`PROBE_MAX_HIDDEN`])
/// gives the seconds per epoch, which scale with each run's epochs, and beyond that size
/// with H² (the model's cost is O(H² x tokens); `cargo bench --bench scaling` measures it).
fn estimate<'a>(p: &Prepared, todo: impl Iterator<Item = &'a RunSpec>) -> String {
    let mut per_epoch: Vec<(u64, f64)> = Vec::new();
    let mut total = 0.0;
    let mut count = 0;
    let mut scaled = false;
    for run in todo {
        let h = run.settings.hidden_size;
        let probed = probe_hidden(h);
        scaled |= probed != h;
        let secs = match per_epoch.iter().find(|(k, _)| *k == probed) {
            Some(&(_, s)) => s,
            None => {
                let s = probe_epoch_seconds(&p.data, &run.settings, probed);
                per_epoch.push((probed, s));
                s
            }
        };
        let scale = (h as f64 / probed as f64).powi(2);
        total += secs * scale * run.settings.epochs as f64;
        count += 1;
    }
    // A halving search trains a share of those epochs.
    if p.exp.search.halving.is_some() {
        let (trained, full) =
            halving::planned_epochs(p.exp.search.halving.as_ref(), p.exp.seed_count(), &p.runs);
        total *= trained as f64 / full.max(1) as f64;
    }
    // A race trains, at worst, its budget's seeds and the fresh ones re-evaluated: the
    // estimate is of that worst case.
    if let Some(r) = &p.exp.search.race {
        let configs = p.exp.config_count() as usize;
        let worst = configs * r.budget + r.reevaluate.unwrap_or(configs).min(configs) * r.fresh;
        total *= worst as f64 / p.runs.len().max(1) as f64;
        count = count.min(worst);
    }
    let jobs = p.jobs.min(count.max(1));
    let how = if scaled {
        format!(
            ", hidden sizes above {PROBE_MAX_HIDDEN} scaled from it by H² (a lower bound: \
             large models outgrow the CPU's caches)"
        )
    } else {
        String::new()
    };
    format!(
        "estimated time: {} for {count} run(s) on {jobs} job(s), measured by a short probe{how}\n",
        duration(total / jobs as f64)
    )
}

/// Hidden sizes above this are not probed (a probe of a huge model would take longer than
/// the user wants to wait for a plan) but scaled from a probe of this size.
const PROBE_MAX_HIDDEN: u64 = 256;

/// The hidden size a run of hidden size `h` is probed at.
fn probe_hidden(h: u64) -> u64 {
    h.min(PROBE_MAX_HIDDEN)
}

/// Seconds per epoch of `settings` at hidden size `hidden`, from three epochs.
fn probe_epoch_seconds(data: &Dataset, settings: &SettingsParams, hidden: u64) -> f64 {
    const PROBE_EPOCHS: u64 = 3;
    let probe = SettingsParams {
        hidden_size: hidden,
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
pub(crate) fn duration(secs: f64) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_models_are_probed_small_and_scaled() {
        // Regression: `sweep plan` trained three epochs at every hidden size, minutes at
        // H = 8192 before it printed anything.
        assert_eq!(probe_hidden(64), 64);
        assert_eq!(probe_hidden(256), 256);
        assert_eq!(probe_hidden(8192), PROBE_MAX_HIDDEN);
        assert_eq!(duration(59.0), "59.0 s");
        assert_eq!(duration(187.0), "3m 07s");
        assert_eq!(duration(7500.0), "2h 05m");
    }
}
