//! The report's "What each setting explains" section and `shares.csv`: for a full grid
//! (every configuration on the same seeds), the share of each summarised metric's variance
//! over the runs that each setting, each pair of settings, the higher-order rest and the
//! seed noise explain ([`crate::stats::variance_shares`]), with 95% bootstrap intervals
//! over seeds; a term whose interval reaches the share a term without effect gets on
//! average is within the noise. A race splits its first block of seeds, which every
//! configuration ran. A drawn search has no balanced grid to split: the section says so
//! instead of fitting a model.

use crate::metric::Metric;
use crate::stats::{DEFAULT_RESAMPLES, share_intervals, variance_shares};
use crate::tables::Sweep;
use crate::tables::schema::ShareRow;

/// The rows of `shares.csv` (over the seeds `only`, if given), or why there are none;
/// `None` when the sweep varies nothing.
pub(crate) fn rows(
    sweep: &Sweep,
    grid: bool,
    only: Option<&[u64]>,
) -> Option<Result<Vec<ShareRow>, String>> {
    if sweep.varying.is_empty() || sweep.configs.len() < 2 {
        return None;
    }
    if !grid {
        return Some(Err(
            "a drawn search has no full grid of configurations on the same \
                         seeds to split; a model-based decomposition (functional ANOVA over \
                         a fitted surrogate, as Optuna's importances) is not implemented"
                .into(),
        ));
    }
    let (levels, counts) = design(sweep);
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for m in Metric::summarised() {
        match metric_rows(sweep, m, &levels, &counts, only) {
            Some(rows) => out.extend(rows),
            None => skipped.push(m.name()),
        }
    }
    if out.is_empty() {
        return Some(Err(format!(
            "no metric has a finite value on every seed of every configuration ({})",
            skipped.join(", ")
        )));
    }
    Some(Ok(out))
}

/// Each configuration's level of each varying setting, and the levels' counts.
fn design(sweep: &Sweep) -> (Vec<Vec<usize>>, Vec<usize>) {
    let mut seen: Vec<Vec<String>> = vec![Vec::new(); sweep.varying.len()];
    let levels = sweep
        .configs
        .iter()
        .map(|c| {
            sweep
                .varying
                .iter()
                .zip(seen.iter_mut())
                .map(|(k, s)| {
                    let v = k.value_of(&c.summary.settings, 0).to_string();
                    s.iter().position(|x| *x == v).unwrap_or_else(|| {
                        s.push(v);
                        s.len() - 1
                    })
                })
                .collect()
        })
        .collect();
    (levels, seen.iter().map(Vec::len).collect())
}

/// One metric's rows; `None` unless every configuration has a finite value on each of the
/// same seeds.
fn metric_rows(
    sweep: &Sweep,
    m: Metric,
    levels: &[Vec<usize>],
    counts: &[usize],
    only: Option<&[u64]>,
) -> Option<Vec<ShareRow>> {
    let mut y = Vec::new();
    for c in &sweep.configs {
        let mut runs: Vec<(u64, Option<f64>)> = c
            .runs
            .iter()
            .map(|&r| (sweep.runs[r].seed, sweep.runs[r].value(m)))
            .filter(|r| only.is_none_or(|o| o.contains(&r.0)))
            .collect();
        runs.sort_by_key(|r| r.0);
        y.push(runs);
    }
    let seeds: Vec<u64> = y.first()?.iter().map(|r| r.0).collect();
    if y.iter()
        .any(|r| r.iter().map(|x| x.0).ne(seeds.iter().copied()))
    {
        return None;
    }
    let y: Vec<Vec<f64>> = y
        .into_iter()
        .map(|r| r.into_iter().map(|x| x.1.unwrap_or(f64::NAN)).collect())
        .collect();
    // A metric that does not vary (every run at 100% train accuracy) has nothing to split.
    let s = variance_shares(&y, levels, counts).filter(|s| s.total > 0.0)?;
    let intervals = share_intervals(&y, levels, counts, DEFAULT_RESAMPLES, 0.95)?;
    let mean_noise = s.noise.sum_sq / s.noise.df.max(1) as f64;
    let total = s.total.max(f64::MIN_POSITIVE);
    let name = |factors: &[usize]| -> String {
        let names: Vec<&str> = factors.iter().map(|&f| sweep.varying[f].name()).collect();
        names.join(" x ")
    };
    let terms = s
        .terms
        .iter()
        .map(|t| (name(&t.factors), Some(t.df)))
        .chain([("higher-order".to_owned(), Some(s.rest.df))])
        .chain([("seed noise".to_owned(), None)]);
    let rows = terms
        .zip(intervals)
        .filter(|((term, df), _)| term != "higher-order" || df.is_some_and(|d| d > 0))
        .map(|((term, df), i)| {
            let noise_level = df.map(|d| d as f64 * mean_noise / total);
            ShareRow {
                metric: m,
                term,
                share: i.estimate,
                low: i.low,
                high: i.high,
                noise_level,
                within_noise: noise_level.is_some_and(|n| i.low <= n),
            }
        })
        .collect();
    Some(rows)
}

/// The section's Markdown; `first_block`: a race's, the seeds the shares are over.
pub(crate) fn section(rows: &Result<Vec<ShareRow>, String>, first_block: Option<usize>) -> String {
    let mut md = String::from("## What each setting explains\n\n");
    if let Some(n) = first_block {
        md +=
            &format!("Over the race's first block ({n} seeds), which every configuration ran.\n\n");
    }
    let rows = match rows {
        Err(why) => return md + &format!("Not computed: {why}.\n\n"),
        Ok(rows) => rows,
    };
    md += "The share of each metric's variance over the runs that each setting, each pair of \
           settings and the seed-to-seed noise explain (sums of squares of the balanced grid), \
           with 95% bootstrap intervals over seeds (`shares.csv`). A setting is *within the \
           noise* when its interval reaches the share a setting without effect gets on \
           average.\n\n| metric | term | share [95%] | |\n|---|---|---:|---|\n";
    for r in rows {
        let pct = |x: f64| format!("{:.1}%", 100.0 * x);
        md += &format!(
            "| {} | {} | {} [{}, {}] | {} |\n",
            r.metric.label(),
            r.term,
            pct(r.share),
            pct(r.low),
            pct(r.high),
            match (r.noise_level, r.within_noise) {
                (None, _) => "",
                (Some(_), true) => "within the noise",
                (Some(_), false) => "",
            }
        );
    }
    md + "\n"
}
