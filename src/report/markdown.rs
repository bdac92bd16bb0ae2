//! `report.md`: the page a user opens after a sweep. Built only from the results directory
//! (its CSVs and resolved experiment), so rebuilding it gives the same bytes.

use std::path::Path;

use super::article::{self, PUBLISHED};
use super::export::{Export, MarkdownExport, Table};
use super::load::{Config, Sweep};
use super::plot::file_safe;
use super::tables::{config_table, iqr};
use crate::experiment::Key;
use crate::train::SettingsParams;

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
    md += "\nFinal = after the last epoch (test: the last evaluation); median [25%, 75%] over seeds. \
           A diverged run (loss no longer finite) counts as not reaching 100%.\n\n";
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
        let last = |m: usize| c.bands[m].last().map_or("-".into(), iqr);
        let runs: Vec<_> = c.runs.iter().map(|&i| &sweep.runs[i]).collect();
        let perfect = runs
            .iter()
            .filter(|r| r.final_test_acc == Some(1.0))
            .count();
        let diverged = runs.iter().filter(|r| r.diverged_epoch.is_some()).count();
        let mut firsts: Vec<f64> = runs
            .iter()
            .map(|r| r.first_perfect.map_or(f64::INFINITY, f64::from))
            .collect();
        firsts.sort_by(f64::total_cmp);
        let median = crate::output::stats::median_sorted(&firsts);
        let label = if c.all_diverged(sweep) {
            format!("{} (all diverged)", c.label)
        } else {
            c.label.clone()
        };
        t.rows.push(vec![
            label,
            runs.len().to_string(),
            diverged.to_string(),
            last(0),
            last(3),
            format!(
                "{perfect}/{} ({:.0}%)",
                runs.len(),
                100.0 * perfect as f64 / runs.len() as f64
            ),
            if median.is_finite() {
                format!("{median}")
            } else {
                "never".into()
            },
        ]);
    }
    t
}

/// The published table beside the median over seeds of the matching configuration.
fn article_section(sweep: &Sweep) -> String {
    let mut md = String::from("## The article's table beside ours\n\n");
    let Some(config) = sweep.configs.iter().find(|c| matches_article(sweep, c)) else {
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

fn matches_article(sweep: &Sweep, config: &Config) -> bool {
    let Some(&first) = config.runs.first() else {
        return false;
    };
    let run = &sweep.runs[first];
    let mut params = SettingsParams::default();
    let parsed = Key::ALL.iter().filter(|&&k| k != Key::Seed).all(|&k| {
        let raw = run.setting(k.name());
        let value = match k.default_value() {
            crate::experiment::Value::Integer(_) => {
                raw.parse().ok().map(crate::experiment::Value::Integer)
            }
            crate::experiment::Value::Float(_) => {
                raw.parse().ok().map(crate::experiment::Value::Float)
            }
            crate::experiment::Value::Gradient(_) => {
                crate::model::Gradient::parse(raw).map(crate::experiment::Value::Gradient)
            }
        };
        value.map(|v| k.apply(v, &mut params)).is_some()
    });
    parsed && article::is_articles(&params)
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
