//! `report.md`: the page a user opens after a sweep, leading with the answer (the best
//! configurations, with intervals), then the overview figures, the effect of each setting,
//! and only then the details. Built only from the results directory (its CSVs and resolved
//! experiment) and the report's options, so rebuilding it gives the same bytes.

use std::path::Path;

use super::article::{self, PUBLISHED};
use super::best;
use super::differences;
use super::epoch_tables::iqr;
use super::export::{Export, MarkdownExport, Table};
use super::outline::{self, Outline};
use super::plot::{Drawn, FigureKind, file_safe};
use crate::compare::Comparison;
use crate::metric::{Measure, Metric};
use crate::tables::read::Config;
use crate::tables::schema::Curve;
use crate::tables::{ConfigSummary, Sweep};

/// Everything the report's text is made from.
pub(crate) struct Page<'a> {
    pub sweep: &'a Sweep,
    pub name: &'a str,
    pub description: &'a str,
    pub comparisons: &'a [Comparison],
    pub outline: &'a Outline,
    /// The figures drawn, in the order the report shows them.
    pub drawn: &'a [Drawn],
    /// Where a successive halving search stands, for one.
    pub halving: Option<&'a super::halving::State>,
    /// A race over seeds, for one: the report leads with its decision.
    pub race: Option<&'a super::race::State>,
    /// The variance shares of a grid, or why there are none; `None` when nothing varies.
    pub shares: Option<&'a Result<Vec<crate::tables::schema::ShareRow>, String>>,
}

/// The best configurations shown at the top.
const BEST_ROWS: usize = 5;
/// The full table is cut to the best this many rows beyond this size.
const TABLE_ROWS: usize = 20;

/// Which part of the report a section is, so that the HTML renderer can set its
/// interactive views beside the same text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// The title, description and run count.
    Head,
    /// A race's decision.
    Race,
    /// What each setting explains against the seed noise.
    Shares,
    Best,
    Halving,
    Overview,
    Effects,
    Differences,
    Article,
    Curves,
    All,
}

/// One section of the report: its part and its Markdown.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    pub part: Part,
    pub markdown: String,
}

/// The report's text: the answer first (the best configurations), then the overview
/// figures, the effect of each setting, the article's table, single configurations' curves
/// and only then every configuration.
pub(crate) fn report(page: &Page<'_>) -> String {
    sections(page).into_iter().map(|s| s.markdown).collect()
}

/// The report's sections in order, empty ones left out: the one outline `report.md` and
/// `report.html` are both rendered from.
pub(crate) fn sections(page: &Page<'_>) -> Vec<Section> {
    let mut head = format!("# Sweep report: {}\n\n", page.name);
    if !page.description.is_empty() {
        head += &format!("{}\n\n", page.description);
    }
    head += &format!(
        "{} The resolved experiment is in [`experiment.toml`](experiment.toml); every number \
         below comes from [`runs.csv`](runs.csv), [`curves.csv`](curves.csv) and \
         [`summary.csv`](summary.csv).\n\n",
        run_count(page.sweep, page.race.is_some())
    );
    let halving = page
        .halving
        .map(|state| super::halving::section(state, &figures(page.drawn, FigureKind::Halving)));
    // A race's report leads with its decision and what each setting explains.
    let (race, race_shares) = match page.race {
        Some(state) => (
            super::race::section(state, page.sweep, &figures(page.drawn, FigureKind::Race)),
            page.shares.map_or(String::new(), |s| {
                super::shares::section(s, Some(state.race.first))
            }),
        ),
        None => (String::new(), String::new()),
    };
    let shares = match (page.shares, page.race) {
        (Some(shares), None) => super::shares::section(shares, None),
        _ => String::new(),
    };
    let parts = [
        (Part::Head, head),
        (Part::Race, race),
        (Part::Shares, race_shares),
        (Part::Best, best_section(page)),
        (Part::Halving, halving.unwrap_or_default()),
        (Part::Overview, overview_section(page)),
        (Part::Effects, effects_section(page)),
        (Part::Shares, shares),
        (Part::Differences, differences::section(page.comparisons)),
        (Part::Article, article_section(page.sweep)),
        (Part::Curves, curves_section(page)),
        (Part::All, all_section(page)),
    ];
    parts
        .into_iter()
        .filter(|(_, markdown)| !markdown.is_empty())
        .map(|(part, markdown)| Section { part, markdown })
        .collect()
}

/// Figures of one kind, each under its name.
fn figures(drawn: &[Drawn], kind: FigureKind) -> String {
    let mut md = String::new();
    for d in drawn.iter().filter(|d| d.kind == kind) {
        md += &format!("### {0}\n\n", d.name);
        if !d.caption.is_empty() {
            md += &format!("{}\n\n", d.caption);
        }
        md += &format!("![{0}](plots/{0})\n\n", d.name);
    }
    md
}

/// What `summary`'s figures mean: the paragraph after each table of them.
const FIGURES_NOTE: &str = "Final = after the last epoch (test: the last evaluation). Each \
    figure has its 95% interval in brackets: a median over the seeds that finished with a \
    percentile bootstrap interval (2000 resamples, seeded from the values, so the report is \
    the same on every rebuild), a share of seeds with a Wilson score interval. A diverged run \
    (loss no longer finite) has no final metrics and counts as not reaching 100% test \
    accuracy; a seed that never reached 100% train accuracy counts as later than any epoch \
    (`never`; `≥ N`: the median may be never).\n\n";

/// The best configurations by the report's ranking, with intervals, and how sure the
/// first place is.
fn best_section(page: &Page<'_>) -> String {
    let (sweep, outline) = (page.sweep, page.outline);
    let mut md = String::from("## Best configurations\n\n");
    let shown = outline.ranked.len().min(BEST_ROWS);
    md += &match sweep.configs.len() {
        1 => "The sweep's one configuration.\n\n".to_owned(),
        n => format!(
            "{} of {n} configurations, ranked by {}.\n\n",
            if shown == n {
                "All".to_owned()
            } else {
                format!("The best {shown}")
            },
            best::describe(outline.rank_by)
        ),
    };
    // Configurations successive halving stopped have no final figures to rank by.
    let rows: Vec<usize> = outline
        .ranked
        .iter()
        .filter(|&&i| !sweep.configs[i].summary.all_pruned())
        .take(BEST_ROWS)
        .copied()
        .collect();
    md += &markdown(&summary_table(sweep, &rows, true));
    md += "\n";
    md += &first_place(sweep, outline);
    md += FIGURES_NOTE;
    md
}

/// Whether the first place is clear: how many others' intervals of the ranking metric
/// overlap the first's.
fn first_place(sweep: &Sweep, outline: &Outline) -> String {
    let metric = outline.rank_by;
    let Some(&best) = outline.ranked.first() else {
        return String::new();
    };
    let Some(top) = sweep.configs[best].summary.interval(metric) else {
        return String::new();
    };
    if sweep.configs.len() < 2 {
        return String::new();
    }
    let overlapping = outline.ranked[1..]
        .iter()
        .filter_map(|&i| sweep.configs[i].summary.interval(metric))
        .filter(|i| i.low <= top.high && i.high >= top.low)
        .count();
    let first = &sweep.configs[best].label;
    match overlapping {
        0 => format!(
            "`{first}` leads clearly: no other configuration's 95% interval of the {} \
             overlaps its.\n\n",
            metric.label()
        ),
        n => format!(
            "The first place is not certain: {n} other configuration(s) have a 95% interval \
             of the {} that overlaps `{first}`'s; more seeds would tell them apart.\n\n",
            metric.label()
        ),
    }
}

/// The heatmaps and the curves over epochs, with the faceting rule's outcome.
fn overview_section(page: &Page<'_>) -> String {
    let mut md = String::from("## Overview\n\n");
    let heatmaps = page.drawn.iter().any(|d| d.kind == FigureKind::Heatmap);
    if heatmaps {
        md += "Each pair of swept settings, as a grid of cells for four metrics (one row of \
               panels each): darker is better in every panel, whichever way the metric is \
               better. A third swept setting splits each into panels, one per value, rather \
               than being pooled into the cells; where it is pooled, the figure says so.\n\n";
        md += &figures(page.drawn, FigureKind::Heatmap);
    } else if page.sweep.varying.len() >= 2 {
        md += "No heatmaps: they need two swept settings of at most 10 values each.\n\n";
    }
    md += &format!(
        "Curves over epochs, the median over seeds with its 25-75% band: {} (how the panels \
         and colours are chosen: docs/figures.md).\n\n",
        page.outline.layout.describe()
    );
    md += &figures(page.drawn, FigureKind::Bands);
    md
}

/// The final metrics against each swept setting.
fn effects_section(page: &Page<'_>) -> String {
    if page.sweep.varying.is_empty() {
        return String::new();
    }
    let mut md = String::from("## Effect of each setting\n\n");
    md += "Every run's final test accuracy and first epoch at 100% train accuracy against each \
           swept setting; the comparisons below say which differences are real.\n\n";
    md += &figures(page.drawn, FigureKind::Effect);
    md
}

/// Every seed's curve of single configurations: all of a small grid, else a few.
fn curves_section(page: &Page<'_>) -> String {
    let (sweep, outline) = (page.sweep, page.outline);
    let mut md = String::from("## Single configurations\n\n");
    let drawn = outline.curves.len();
    let rest = sweep.configs.len() - drawn;
    if rest == 0 {
        md += "Every seed's train loss, one figure per configuration.\n\n";
    } else {
        let article = match outline.article {
            Some(_) => ", the article's configuration",
            None => "",
        };
        md += &format!(
            "Every seed's train loss of the best {}{article} and any asked for with \
             `--config`. The other {rest} configuration(s) are not drawn (a figure each would \
             bury the rest): `sweep report RESULTS --config \"LABEL\"` draws one (repeat the \
             flag for more), and [`curves.csv`](curves.csv) has every run's curve.\n\n",
            outline::BEST_CURVES.min(sweep.configs.len())
        );
    }
    md += &figures(page.drawn, FigureKind::Curves);
    md
}

/// Every configuration, in grid order; a long table cut to the best, linked to the CSV.
fn all_section(page: &Page<'_>) -> String {
    let sweep = page.sweep;
    let mut md = String::from("## All configurations\n\n");
    let n = sweep.configs.len();
    let rows: Vec<usize> = if n <= TABLE_ROWS {
        (0..n).collect()
    } else {
        md += &format!(
            "The best {TABLE_ROWS} of {n}, in the order above; every configuration, with every \
             statistic, is in [`summary.csv`](summary.csv).\n\n"
        );
        page.outline
            .ranked
            .iter()
            .take(TABLE_ROWS)
            .copied()
            .collect()
    };
    md += &markdown(&summary_table(sweep, &rows, false));
    md += "\n";
    if n > TABLE_ROWS {
        md += &format!(
            "... and {} more in [`summary.csv`](summary.csv).\n\n",
            n - TABLE_ROWS
        );
    }
    md
}

/// How many runs the tables hold, and of what grid: `96 runs: 2 configuration(s) x 48
/// seed(s).`, or for a partial sweep (shards still running, runs not trained yet) how many
/// of the grid's are missing.
fn run_count(sweep: &Sweep, raced: bool) -> String {
    let seeds: std::collections::BTreeSet<u64> = sweep.runs.iter().map(|r| r.seed).collect();
    let (runs, configs) = (sweep.runs.len(), sweep.configs.len());
    let grid = configs * seeds.len();
    if raced {
        // A race never runs most combinations: by design, not for want of training.
        format!(
            "{runs} runs of {configs} configuration(s) over {} seed(s): the race ran each \
             configuration on the seeds it needed (`race.csv`).",
            seeds.len()
        )
    } else if runs == grid {
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
pub(crate) const SUMMARY_METRICS: [Metric; 4] = [
    Metric::FinalTrainLoss,
    Metric::FinalTestAcc,
    Metric::TestAcc1,
    Metric::FirstEpochTrainAcc1,
];

/// The summary of the configurations `rows` (indices), with their rank when `ranked`.
fn summary_table(sweep: &Sweep, rows: &[usize], ranked: bool) -> Table {
    let mut header: Vec<String> = Vec::new();
    if ranked {
        header.push("rank".into());
    }
    header.extend(["configuration", "seeds", "diverged"].map(String::from));
    header.extend(SUMMARY_METRICS.map(column_title));
    let mut t = Table::new(&header.iter().map(String::as_str).collect::<Vec<_>>());
    for (rank, &i) in rows.iter().enumerate() {
        let c = &sweep.configs[i];
        let s = &c.summary;
        let stopped = c
            .runs
            .iter()
            .filter_map(|&r| sweep.runs[r].summary.status.stopped_epoch())
            .max();
        let label = match stopped {
            _ if c.all_diverged() => format!("{} (all diverged)", c.label),
            Some(epoch) if s.all_pruned() => format!("{} (stopped at epoch {epoch})", c.label),
            _ => c.label.clone(),
        };
        let mut row = Vec::new();
        if ranked {
            row.push((rank + 1).to_string());
        }
        row.extend([label, s.runs().to_string(), s.diverged.to_string()]);
        row.extend(SUMMARY_METRICS.map(|m| summary_cell(s, m)));
        t.rows.push(row);
    }
    t
}

/// A summary column's title: what its cells show of the metric.
pub(crate) fn column_title(metric: Metric) -> String {
    match metric.kind() {
        Measure::Continuous => format!("{}, median", metric.label()),
        Measure::Share { .. } => format!("seeds at {}", metric.label()),
        Measure::FirstEpoch { .. } => format!("{}, median", metric.label()),
    }
}

/// A configuration's figure of `metric` with its 95% interval: `0.975 [0.950, 1.000]`,
/// `24/48 = 50% [36%, 64%]`, `529.5 [498, 560]`, `≥ 870`.
pub(crate) fn summary_cell(s: &ConfigSummary, metric: Metric) -> String {
    let figure = s
        .interval(metric)
        .map_or("-".into(), |i| metric.format_interval(&i));
    match metric.kind() {
        Measure::Share { .. } if s.share(metric).is_none() => "-".into(),
        Measure::Share { .. } => format!("{}/{} = {figure}", s.count(metric), s.runs() - s.pruned),
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

/// `name` and `description` of the resolved experiment, or the directory's name.
pub(crate) fn experiment_info(dir: &Path) -> (String, String) {
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
