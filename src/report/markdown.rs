//! `report.md`: the page a user opens after a sweep. Built only from the results directory
//! (its CSVs and resolved experiment), so rebuilding it gives the same bytes.

use std::path::Path;

use super::article::{self, PUBLISHED};
use super::export::{Export, MarkdownExport, Table};
use super::load::Sweep;
use super::plot::file_safe;
use super::tables::config_table;
use crate::output::stats::Stats;
use crate::output::{FINAL_TEST_ACC, FINAL_TRAIN_LOSS};

/// The report's text; `plots` are the figure files, relative names under `plots/`.
pub fn report(sweep: &Sweep, name: &str, description: &str, plots: &[String]) -> String {
    let mut md = format!("# Sweep report: {name}\n\n");
    if !description.is_empty() {
        md += &format!("{description}\n\n");
    }
    let seeds: std::collections::BTreeSet<&str> =
        sweep.runs.iter().map(|r| r.setting("seed")).collect();
    md += &format!(
        "{} runs: {} configuration(s) x {} seed(s). The resolved experiment is in \
         [`experiment.toml`](experiment.toml); every number below comes from \
         [`runs.csv`](runs.csv), [`curves.csv`](curves.csv) and [`summary.csv`](summary.csv).\n\n",
        sweep.runs.len(),
        sweep.configs.len(),
        seeds.len()
    );
    md += "## Summary per configuration\n\n";
    md += &markdown(&summary_table(sweep));
    md += "\nFinal = after the last epoch (test: the last evaluation); median [25%, 75%] over the \
           seeds that finished. A diverged run (loss no longer finite) has no final metrics and \
           counts as not reaching 100% test accuracy.\n\n";
    md += &article_section(sweep);
    md += "## Figures\n\n";
    for plot in plots {
        md += &format!("### {plot}\n\n![{plot}](plots/{plot})\n\n");
    }
    md
}

fn markdown(table: &Table) -> String {
    String::from_utf8(MarkdownExport.serialize(table)).unwrap_or_default()
}

fn summary_table(sweep: &Sweep) -> Table {
    let mut t = Table::new(&[
        "configuration",
        "seeds",
        "diverged",
        "final train loss",
        "final test acc",
        "seeds at 100% test acc",
        "median first epoch at 100% train acc",
    ]);
    for c in &sweep.configs {
        let s = &c.summary;
        let final_iqr = |metric: usize| s.stats(metric).map_or("-".into(), |st| stats_iqr(&st));
        let label = if c.all_diverged() {
            format!("{} (all diverged)", c.label)
        } else {
            c.label.clone()
        };
        t.rows.push(vec![
            label,
            s.seeds.to_string(),
            s.diverged.to_string(),
            final_iqr(FINAL_TRAIN_LOSS),
            final_iqr(FINAL_TEST_ACC),
            format!(
                "{}/{} ({:.0}%)",
                s.test_perfect,
                s.seeds,
                100.0 * s.share_test_perfect().unwrap_or(0.0)
            ),
            s.median_first_perfect()
                .map_or("never".into(), |m| format!("{m}")),
        ]);
    }
    t
}

/// `median [25%, 75%]` of final-metric statistics, as the epoch tables print bands.
fn stats_iqr(s: &Stats) -> String {
    format!("{:.3} [{:.3}, {:.3}]", s.median, s.q25, s.q75)
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
    let ours = config_table(config);
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
        let row = ours.rows.iter().find(|r| r[0] == epoch.to_string());
        let cell = |i: usize| row.map_or("-".into(), |r| r[i].clone());
        t.rows.push(vec![
            epoch.to_string(),
            format!("{tl:.3}"),
            cell(2),
            format!("{ta:.3}"),
            cell(3),
            format!("{vl:.3}"),
            cell(4),
            format!("{va:.3}"),
            cell(5),
        ]);
    }
    md += &markdown(&t);
    md += "\n";
    md
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
