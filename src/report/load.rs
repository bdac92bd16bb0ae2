//! Reading a results directory back for reports: `runs.csv` and `curves.csv` only, never
//! re-training. Runs are grouped into configurations by their settings (all but the seed)
//! in grid order, and every configuration's curves are reduced to quantiles over its seeds
//! per epoch.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::experiment::Key;
use crate::output::label;
use crate::output::stats::{median_sorted, quantile_sorted};

/// The four curves of a run, in `curves.csv` column order.
pub const METRICS: [&str; 4] = ["train_loss", "train_acc", "test_loss", "test_acc"];

/// One row of `runs.csv`.
#[derive(Debug, Clone)]
pub struct RunRow {
    pub run_id: String,
    pub config: String,
    /// Every setting column by name (`hidden_size`, ..., `seed`), as written.
    pub settings: Vec<(String, String)>,
    pub diverged_epoch: Option<u32>,
    pub final_test_acc: Option<f64>,
    pub first_perfect: Option<u32>,
    /// Train loss per finished epoch (epoch 1 first), for the per-seed figure.
    pub train_loss: Vec<f64>,
    /// The evaluated epochs: epoch and the four metrics of [`METRICS`].
    pub evals: Vec<(u32, [f64; 4])>,
}

impl RunRow {
    /// Every setting but the seed: what makes the run's configuration.
    fn config_settings(&self) -> Vec<(String, String)> {
        self.settings
            .iter()
            .filter(|(k, _)| k != Key::Seed.name())
            .cloned()
            .collect()
    }

    pub fn setting(&self, key: &str) -> &str {
        self.settings
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v)
    }
}

/// Quantiles over seeds of one metric at one epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    pub epoch: u32,
    pub n: usize,
    pub min: f64,
    pub q25: f64,
    pub median: f64,
    pub q75: f64,
    pub max: f64,
}

/// A configuration: its runs and the bands of its curves.
#[derive(Debug, Clone)]
pub struct Config {
    pub label: String,
    /// Indices into [`Sweep::runs`], in grid (seed) order.
    pub runs: Vec<usize>,
    /// Per metric of [`METRICS`], one band per epoch that has values.
    pub bands: [Vec<Band>; 4],
}

impl Config {
    pub fn all_diverged(&self, sweep: &Sweep) -> bool {
        self.runs
            .iter()
            .all(|&i| sweep.runs[i].diverged_epoch.is_some())
    }
}

/// A results directory as the report sees it.
#[derive(Debug, Clone)]
pub struct Sweep {
    pub dir: PathBuf,
    pub runs: Vec<RunRow>,
    pub configs: Vec<Config>,
    /// Setting columns with more than one value across configurations, canonical order.
    pub swept: Vec<String>,
}

impl Sweep {
    pub fn load(dir: &Path) -> Result<Sweep> {
        let runs = read_runs(&dir.join("runs.csv"))?;
        let configs = group(&runs);
        let swept = Key::ALL
            .iter()
            .filter(|&&k| k != Key::Seed)
            .map(|k| k.name().to_owned())
            .filter(|k| {
                let mut values: Vec<&str> = runs.iter().map(|r| r.setting(k)).collect();
                values.sort_unstable();
                values.dedup();
                values.len() > 1
            })
            .collect();
        let mut sweep = Sweep {
            dir: dir.to_path_buf(),
            runs,
            configs,
            swept,
        };
        sweep.read_curves(&dir.join("curves.csv"))?;
        Ok(sweep)
    }

    pub fn config(&self, label: &str) -> Option<&Config> {
        self.configs.iter().find(|c| c.label == label)
    }

    fn read_curves(&mut self, path: &Path) -> Result<()> {
        // run id -> (run index, configuration index)
        let mut index: HashMap<String, (usize, usize)> = HashMap::new();
        for (c, cfg) in self.configs.iter().enumerate() {
            for &r in &cfg.runs {
                index.insert(self.runs[r].run_id.clone(), (r, c));
            }
        }
        // Per configuration and metric: epoch -> values over seeds.
        let mut values: Vec<[BTreeMap<u32, Vec<f64>>; 4]> =
            vec![Default::default(); self.configs.len()];
        let mut reader = open(path)?;
        let cols = columns(
            path,
            &mut reader,
            &["run_id", "epoch"]
                .iter()
                .chain(&METRICS)
                .copied()
                .collect::<Vec<_>>(),
        )?;
        for row in reader.records() {
            let row = row.map_err(|e| bad_csv(path, e))?;
            let Some(&(r, c)) = index.get(&row[cols[0]]) else {
                continue;
            };
            let epoch: u32 = parse(path, &row[cols[1]])?;
            let mut metrics = [f64::NAN; 4];
            for (m, &col) in cols[2..].iter().enumerate() {
                if !row[col].is_empty() {
                    metrics[m] = parse(path, &row[col])?;
                    values[c][m].entry(epoch).or_default().push(metrics[m]);
                }
            }
            let run = &mut self.runs[r];
            run.train_loss.push(metrics[0]);
            if !row[cols[4]].is_empty() {
                run.evals.push((epoch, metrics));
            }
        }
        for (config, per_metric) in self.configs.iter_mut().zip(values) {
            for (bands, by_epoch) in config.bands.iter_mut().zip(per_metric) {
                *bands = by_epoch
                    .into_iter()
                    .map(|(epoch, v)| band(epoch, v))
                    .collect();
            }
        }
        Ok(())
    }
}

/// The runs' configurations in order of first appearance, grouped by their settings (not
/// their labels, which print values rounded), with labels that tell them apart.
fn group(runs: &[RunRow]) -> Vec<Config> {
    let mut configs: Vec<Config> = Vec::new();
    // Per configuration: its settings but the seed, as (name, exact value).
    let mut settings: Vec<Vec<(String, String)>> = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let own = run.config_settings();
        match settings.iter().position(|s| *s == own) {
            Some(c) => configs[c].runs.push(i),
            None => {
                settings.push(own);
                configs.push(Config {
                    label: run.config.clone(),
                    runs: vec![i],
                    bands: Default::default(),
                });
            }
        }
    }
    let mut labels: Vec<String> = configs.iter().map(|c| c.label.clone()).collect();
    label::disambiguate(&mut labels, &settings);
    for (config, label) in configs.iter_mut().zip(labels) {
        config.label = label;
    }
    configs
}

fn band(epoch: u32, mut v: Vec<f64>) -> Band {
    v.sort_by(f64::total_cmp);
    Band {
        epoch,
        n: v.len(),
        min: v[0],
        q25: quantile_sorted(&v, 0.25),
        median: median_sorted(&v),
        q75: quantile_sorted(&v, 0.75),
        max: v[v.len() - 1],
    }
}

fn read_runs(path: &Path) -> Result<Vec<RunRow>> {
    let mut reader = open(path)?;
    let mut names: Vec<&str> = vec![
        "run_id",
        "config",
        "diverged_epoch",
        "final_test_acc",
        "first_epoch_train_acc_1",
    ];
    names.extend(Key::ALL.iter().map(|k| k.name()));
    let cols = columns(path, &mut reader, &names)?;
    let mut runs = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| bad_csv(path, e))?;
        let opt = |i: usize| -> Result<Option<String>> {
            Ok(Some(row[cols[i]].to_owned()).filter(|s| !s.is_empty()))
        };
        runs.push(RunRow {
            run_id: row[cols[0]].to_owned(),
            config: row[cols[1]].to_owned(),
            settings: Key::ALL
                .iter()
                .zip(&cols[5..])
                .map(|(k, &c)| (k.name().to_owned(), row[c].to_owned()))
                .collect(),
            diverged_epoch: opt(2)?.map(|s| parse(path, &s)).transpose()?,
            final_test_acc: opt(3)?.map(|s| parse(path, &s)).transpose()?,
            first_perfect: opt(4)?.map(|s| parse(path, &s)).transpose()?,
            train_loss: Vec::new(),
            evals: Vec::new(),
        });
    }
    Ok(runs)
}

fn open(path: &Path) -> Result<csv::Reader<std::fs::File>> {
    csv::Reader::from_path(path).map_err(|e| {
        Error::Usage(format!(
            "cannot read {} ({e}); is this a results directory written by `sweep run`?",
            path.display()
        ))
    })
}

/// Positions of the named columns, or an error naming the missing one.
fn columns(
    path: &Path,
    reader: &mut csv::Reader<std::fs::File>,
    names: &[&str],
) -> Result<Vec<usize>> {
    let header = reader.headers().map_err(|e| bad_csv(path, e))?.clone();
    names
        .iter()
        .map(|n| {
            header
                .iter()
                .position(|h| h == *n)
                .ok_or_else(|| Error::Usage(format!("{} has no `{n}` column", path.display())))
        })
        .collect()
}

fn parse<T: std::str::FromStr>(path: &Path, s: &str) -> Result<T> {
    s.parse()
        .map_err(|_| Error::Usage(format!("{}: `{s}` is not a number", path.display())))
}

fn bad_csv(path: &Path, e: csv::Error) -> Error {
    Error::Usage(format!("{}: {e}", path.display()))
}
