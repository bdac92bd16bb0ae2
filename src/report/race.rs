//! The report's "Race over seeds" section, which leads the report of a race: the decision
//! (the winner, the set that cannot be told apart from it and the difference the race could
//! detect), what it spent against a uniform design of the same power, the figure of the
//! race, and the fresh-seed check of the survivors (each one's metric on the selection seeds
//! and on seeds that took no part in it; the winner's optimism with its interval); the
//! variance shares follow in their own section, over the first block. From `race.csv` and
//! `runs.csv` only, so rebuilding it gives the same bytes.

use std::path::Path;

use crate::error::Result;
use crate::metric::{Measure, Metric};
use crate::search::race::{Place, Race};
use crate::settings::Value;
use crate::stats::{DEFAULT_RESAMPLES, Interval, bootstrap_median_difference, share_difference};
use crate::tables::Sweep;
use crate::tables::rows::read;
use crate::tables::schema::{RACE, RaceRow};

/// What the section is made from.
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub race: Race,
    pub rows: Vec<RaceRow>,
    /// The seeds of the selection (the first `budget` of the axis) and the fresh ones.
    pub selection: Vec<u64>,
    pub fresh: Vec<u64>,
    pub epochs: u64,
}

/// The state of the race in `dir` (its `race.csv`, the recorded experiment's seeds).
pub(crate) fn state(dir: &Path, race: &Race, seeds: &[Value], epochs: u64) -> Result<State> {
    let rows = read::<RaceRow>(&dir.join(RACE))?;
    let seed = |v: &Value| match v {
        Value::Integer(s) => Some(*s),
        _ => None,
    };
    let all: Vec<u64> = seeds.iter().filter_map(seed).collect();
    let budget = race.budget.min(all.len());
    let fresh_end = (budget + race.fresh).min(all.len());
    Ok(State {
        race: race.clone(),
        rows,
        selection: all[..budget].to_vec(),
        fresh: all[budget..fresh_end].to_vec(),
        epochs,
    })
}

/// The section's Markdown, `figure` (race.png's) after the decision.
pub(crate) fn section(s: &State, sweep: &Sweep, figure: &str) -> String {
    let m = s.race.metric;
    let mut md = String::from("## Race over seeds\n\n");
    md += &decision(s);
    md += &cost(s);
    md += figure;
    md += &fresh_check(s, sweep, m);
    md
}

/// The winner, the tied set and the difference the race could detect.
fn decision(s: &State) -> String {
    let m = s.race.metric;
    let fmt = |x: Option<f64>| x.map_or("-".into(), |x| m.format(x));
    let Some(w) = s.rows.iter().find(|r| r.place == Place::Winner) else {
        let left = s.rows.iter().filter(|r| r.place == Place::In).count();
        return format!(
            "**The race is not finished**: {left} configuration(s) still in (`sweep run` on \
             the experiment trains the next block); `race.csv` shows how it stands.\n\n"
        );
    };
    let tied: Vec<&RaceRow> = s.rows.iter().filter(|r| r.place == Place::Tied).collect();
    let mut md = format!(
        "**Winner: `{}`**, {} {} over its {} selection seeds. ",
        w.config,
        m.label(),
        fmt(w.estimate),
        w.seeds
    );
    let detectable = tied.iter().filter_map(|r| r.detectable).reduce(f64::max);
    let tolerance = s
        .race
        .tolerance
        .map_or(String::new(), |t| format!(" (tolerance {})", m.format(t)));
    md += &match (tied.len(), detectable) {
        (0, _) => "Every other configuration was found worse.\n\n".to_owned(),
        (n, Some(d)) => format!(
            "{n} other configuration(s) cannot be told apart from it (the tied set); the race \
             could have found a difference of {} in {} from the winner 80% of the time at its \
             last look{tolerance}:\n\n",
            m.format(d),
            m.label()
        ),
        (n, None) => format!(
            "{n} other configuration(s) cannot be told apart from it (the tied set): at its \
             last look the race could not have found even the largest possible difference in \
             {} 80% of the time at its level{tolerance}; a larger budget of seeds would \
             shrink the set:\n\n",
            m.label()
        ),
    };
    md += &tied_table(&tied, m);
    md += &format!(
        "Procedure: after each block of seeds, every configuration still in was compared with \
         the leader, paired by seed ({}), one-sided, Holm-adjusted within the look; the \
         levels spend alpha = {} across looks (Pocock-type), so the best configuration is \
         eliminated with probability at most about {} (measured by simulation: `docs/search.md`, \
         \"Racing over seeds\"). {} eliminated in all.\n\n",
        match m.kind() {
            Measure::Share { .. } => "McNemar's exact test",
            _ => "Wilcoxon's signed-rank test",
        },
        s.race.alpha,
        s.race.alpha,
        s.rows
            .iter()
            .filter(|r| r.place == Place::Eliminated)
            .count()
    );
    md
}

/// The tied set's table (nothing when it is empty).
fn tied_table(tied: &[&RaceRow], m: Metric) -> String {
    if tied.is_empty() {
        return String::new();
    }
    let fmt = |x: Option<f64>| x.map_or("-".into(), |x| m.format(x));
    let mut md = String::from(
        "| configuration | seeds | estimate | Holm p vs winner |\n|---|---:|---:|---:|\n",
    );
    for r in tied {
        md += &format!(
            "| `{}` | {} | {} | {} |\n",
            r.config,
            r.seeds,
            fmt(r.estimate),
            r.p_holm.map_or("-".into(), crate::number::short_float)
        );
    }
    md + "\n"
}

/// Runs and run-epochs spent against every configuration on the seeds the survivors ran
/// (a uniform design of the same power) and on the whole budget.
fn cost(s: &State) -> String {
    let configs = s.rows.len();
    let selection: usize = s.rows.iter().map(|r| r.seeds).sum();
    let fresh: usize = s.rows.iter().map(|r| r.fresh_seeds).sum();
    let last = s.rows.iter().map(|r| r.seeds).max().unwrap_or(0);
    let same_power = configs * last;
    let budget = configs * s.race.budget;
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
    format!(
        "Spent: {selection} runs ({} run-epochs) on the selection and {fresh} on fresh seeds. \
         A uniform design with the same power (every configuration on the {last} seeds the \
         survivors ran) takes {same_power} runs: the race used {:.0}% of them ({:.0}% with \
         the fresh seeds); every configuration on the whole budget of {} seeds takes \
         {budget}.\n\n",
        selection as u64 * s.epochs,
        pct(selection, same_power),
        pct(selection + fresh, same_power),
        s.race.budget
    )
}

/// Each survivor on the selection seeds and on fresh ones; the winner's optimism.
fn fresh_check(s: &State, sweep: &Sweep, m: Metric) -> String {
    if s.fresh.is_empty() {
        return "No fresh seeds were held out (`fresh = N` in `[search.race]` re-evaluates the \
                survivors on seeds that took no part in the selection).\n\n"
            .into();
    }
    let mut md = String::from(
        "### Fresh-seed check\n\nThe survivors on the seeds that selected them and on fresh \
         seeds that took no part in the selection:\n\n| configuration | place | selection \
         | fresh |\n|---|---|---:|---:|\n",
    );
    let mut optimism = None;
    for r in s.rows.iter().filter(|r| r.fresh_seeds > 0) {
        let (sel, fresh) = values(sweep, &r.config, m, &s.selection, &s.fresh);
        md += &format!(
            "| `{}` | {} | {} ({} seeds) | {} ({} seeds) |\n",
            r.config,
            r.place.name(),
            figure(m, &sel),
            sel.len(),
            figure(m, &fresh),
            fresh.len()
        );
        if r.place == Place::Winner {
            optimism = difference(m, &sel, &fresh);
        }
    }
    md += "\n";
    md += &match optimism {
        Some(i) => format!(
            "The winner's optimism (selection minus fresh): {} [{}, {}] (95% interval; {} 0: \
             its selection seeds flattered it).\n\n",
            m.format(i.estimate),
            m.format(i.low),
            m.format(i.high),
            match m.better() {
                crate::metric::Better::Higher => "above",
                crate::metric::Better::Lower => "below",
            }
        ),
        None => "The winner's optimism cannot be estimated (too few fresh values).\n\n".into(),
    };
    md
}

/// `config`'s values of `m` on the selection seeds and on the fresh ones.
fn values(
    sweep: &Sweep,
    config: &str,
    m: Metric,
    selection: &[u64],
    fresh: &[u64],
) -> (Vec<f64>, Vec<f64>) {
    let Some(c) = sweep.configs.iter().find(|c| c.label == config) else {
        return (Vec::new(), Vec::new());
    };
    let of = |seeds: &[u64]| -> Vec<f64> {
        c.runs
            .iter()
            .map(|&r| &sweep.runs[r])
            .filter(|r| seeds.contains(&r.seed))
            .filter_map(|r| r.value(m))
            .collect()
    };
    (of(selection), of(fresh))
}

/// A share of seeds or a median, as the metric prints.
fn figure(m: Metric, v: &[f64]) -> String {
    let x = match m.kind() {
        Measure::Share { .. } => (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64),
        _ => crate::stats::median(v),
    };
    x.map_or("-".into(), |x| m.format(x))
}

/// Selection minus fresh: Newcombe's interval for a share, a bootstrap for a median.
fn difference(m: Metric, sel: &[f64], fresh: &[f64]) -> Option<Interval> {
    match m.kind() {
        Measure::Share { .. } => {
            let k = |v: &[f64]| v.iter().filter(|&&x| x == 1.0).count() as u64;
            share_difference(k(sel), sel.len() as u64, k(fresh), fresh.len() as u64, 0.95)
        }
        _ => bootstrap_median_difference(sel, fresh, DEFAULT_RESAMPLES, 0.95),
    }
}
