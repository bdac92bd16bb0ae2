//! `report.md`: the page a user opens after a sweep. Built only from the results directory
//! (its CSVs and resolved experiment), so rebuilding it gives the same bytes.

use std::path::Path;

use super::article::{self, PUBLISHED};
use super::differences;
use super::export::{Export, MarkdownExport, Table};
use super::plot::file_safe;
use super::tables::iqr;
use crate::compare::Comparison;
use crate::results::metric::{Kind, Metric};
use crate::results::read::Config;
use crate::results::schema::Curve;
use crate::results::{ConfigSummary, Sweep};

/// The report's text; `plots` are the figure files, relative names under `plots/`.
pub fn report(
    sweep: &Sweep,
    name: &str,
    description: &str,
    comparisons: &[Comparison],
    plots: &[String],
) -> String {
    let mut md = format!("# Sweep report: {name}\n\n");
    if !description.is_empty() {
        md += &format!("{description}\n\n");
    }
    md += &format!(
        "{} The resolved experiment is in [`experiment.toml`](experiment.toml); every number \
         below comes from [`runs.csv`](runs.csv), [`curves.csv`](curves.csv) and \
         [`summary.csv`](summary.csv).\n\n",
        run_count(sweep)
    );
    md += "## Summary per configuration\n\n";
    md += &markdown(&summary_table(sweep));
    md += "\nFinal = after the last epoch (test: the last evaluation). Each figure has its 95% \
           interval in brackets: a median over the seeds that finished with a percentile \
           bootstrap interval (2000 resamples, seeded from the values, so the report is the same \
           on every rebuild), a share of seeds with a Wilson score interval. A diverged run (loss \
           no longer finite) has no final metrics and counts as not reaching 100% test accuracy; \
           a seed that never reached 100% train accuracy counts as later than any epoch \
           (`never`; `≥ N`: the median may be never).\n\n";
    md += &differences::section(comparisons);
    md += &article_section(sweep);
    md += "## Figures\n\n";
    for plot in plots {
        md += &format!("### {plot}\n\n![{plot}](plots/{plot})\n\n");
    }
    md
}

/// How many runs the tables hold, and of what grid: `96 runs: 2 configuration(s) x 48
/// seed(s).`, or for a partial sweep (shards still running, runs not trained yet) how many
/// of the grid's are missing.
fn run_count(sweep: &Sweep) -> String {
    let seeds: std::collections::BTreeSet<u64> = sweep.runs.iter().map(|r| r.seed).collect();
    let (runs, configs) = (sweep.runs.len(), sweep.configs.len());
    let grid = configs * seeds.len();
    if runs == grid {
        format!(
            "{runs} runs: {configs} configuration(s) x {} seed(s).",
            seeds.len()
        )
    } else {
        format!(
            "{runs} runs of {configs} configuration(s) and {} seed(s): {} combination(s) have \
             no run in the tables yet (not trained, or still training in other shards).",
            seeds.len(),
            grid - runs
        )
    }
}

fn markdown(table: &Table) -> String {
    String::from_utf8(MarkdownExport.serialize(table)).unwrap_or_default()
}

/// The metrics of the summary table, in its column order.
const SUMMARY_METRICS: [Metric; 4] = [
    Metric::FinalTrainLoss,
    Metric::FinalTestAcc,
    Metric::TestAcc1,
    Metric::FirstEpochTrainAcc1,
];

fn summary_table(sweep: &Sweep) -> Table {
    let mut header = vec![
        "configuration".to_owned(),
        "seeds".into(),
        "diverged".into(),
    ];
    header.extend(SUMMARY_METRICS.map(column_title));
    let mut t = Table::new(&header.iter().map(String::as_str).collect::<Vec<_>>());
    for c in &sweep.configs {
        let s = &c.summary;
        let label = if c.all_diverged() {
            format!("{} (all diverged)", c.label)
        } else {
            c.label.clone()
        };
        let mut row = vec![label, s.runs().to_string(), s.diverged.to_string()];
        row.extend(SUMMARY_METRICS.map(|m| summary_cell(s, m)));
        t.rows.push(row);
    }
    t
}

/// A summary column's title: what its cells show of the metric.
fn column_title(metric: Metric) -> String {
    match metric.kind() {
        Kind::Continuous => format!("{}, median", metric.label()),
        Kind::Share { .. } => format!("seeds at {}", metric.label()),
        Kind::FirstEpoch { .. } => format!("{}, median", metric.label()),
    }
}

/// A configuration's figure of `metric` with its 95% interval: `0.975 [0.950, 1.000]`,
/// `24/48 = 50% [36%, 64%]`, `529.5 [498, 560]`, `≥ 870`.
fn summary_cell(s: &ConfigSummary, metric: Metric) -> String {
    let figure = s
        .interval(metric)
        .map_or("-".into(), |i| metric.format_interval(&i));
    match metric.kind() {
        Kind::Share { .. } => format!("{}/{} = {figure}", s.count(metric), s.runs()),
        _ => figure,
    }
}

/// The published table beside the median over seeds of the matching configuration.
fn article_section(sweep: &Sweep) -> String {
    let mut md = String::from("## The article's table beside ours\n\n");
    let Some(config) = sweep
        .configs
        .iter()
        .find(|c| article::is_articles(&c.summary.settings))
    else {
        md += "No configuration of this sweep has the article's settings (hidden size 64, learning \
               rate 0.02, clip 1, 1000 epochs, evaluation every 100, init scale 0.001, the \
               article's gradient), so there is nothing to set beside the published table.\n\n";
        return md;
    };
    md += &format!(
        "Left: the article's published run (one unseeded draw, on the tutorial's data). Right: \
         median [25%, 75%] over the {} seeds of `{}` on this sweep's data.\n\n",
        config.runs.len(),
        config.label
    );
    let mut t = Table::new(&[
        "epoch",
        "article train loss",
        "ours train loss",
        "article train acc",
        "ours train acc",
        "article test loss",
        "ours test loss",
        "article test acc",
        "ours test acc",
    ]);
    for (epoch, tl, ta, vl, va) in PUBLISHED {
        let ours = |curve| ours_at(config, curve, epoch);
        t.rows.push(vec![
            epoch.to_string(),
            format!("{tl:.3}"),
            ours(Curve::TrainLoss),
            format!("{ta:.3}"),
            ours(Curve::TrainAcc),
            format!("{vl:.3}"),
            ours(Curve::TestLoss),
            format!("{va:.3}"),
            ours(Curve::TestAcc),
        ]);
    }
    md += &markdown(&t);
    md += "\n";
    md
}

/// `median [25%, 75%]` of `curve` at an evaluated `epoch` of `config` (`-` where it was not
/// evaluated then).
fn ours_at(config: &Config, curve: Curve, epoch: u32) -> String {
    match config.band_at(Curve::TestAcc, epoch) {
        Some(_) => config.band_at(curve, epoch).map_or("-".into(), iqr),
        None => "-".into(),
    }
}

/// The figure names, relative to `plots/`, in the order they were drawn.
pub fn plot_names(files: &[std::path::PathBuf]) -> Vec<String> {
    files
        .iter()
        .filter_map(|f| f.file_name().and_then(|n| n.to_str()).map(str::to_owned))
        .collect()
}

/// `name` and `description` of the resolved experiment, or the directory's name.
pub fn experiment_info(dir: &Path) -> (String, String) {
    let fallback = dir
        .file_name()
        .and_then(|n| n.to_str())
        .map_or_else(|| "sweep".into(), file_safe);
    let Ok(text) = std::fs::read_to_string(dir.join("experiment.toml")) else {
        return (fallback, String::new());
    };
    let Ok(table) = text.parse::<toml::Table>() else {
        return (fallback, String::new());
    };
    let get = |k: &str| table.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    (
        get("name").unwrap_or(fallback),
        get("description").unwrap_or_default(),
    )
}
