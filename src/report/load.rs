//! Reading a results directory back for reports: `runs.csv` and `curves.csv` only, never
//! re-training. Runs are grouped into configurations by their settings (all but the seed)
//! in grid order, and every configuration's curves are reduced to quantiles over its seeds
//! per epoch.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::experiment::{Key, Kind, Value};
use crate::model::Gradient;
use crate::output::stats::{median_sorted, quantile_sorted};
use crate::output::{ConfigSummary, FINAL_TEST_ACC, counted_finals, label};
use crate::train::{Eval, RunSummary, SettingsParams, Status};

/// The four curves of a run, in `curves.csv` column order.
pub const METRICS: [&str; 4] = ["train_loss", "train_acc", "test_loss", "test_acc"];

/// One row of `runs.csv`.
#[derive(Debug, Clone)]
pub struct RunRow {
    pub run_id: String,
    pub config: String,
    /// Every setting column by name (`hidden_size`, ..., `seed`), as written.
    pub settings: Vec<(String, String)>,
    /// The same settings but the seed, read.
    pub params: SettingsParams,
    /// Status and final metrics, as `runs.csv` has them.
    pub summary: RunSummary,
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

    pub fn diverged_epoch(&self) -> Option<u32> {
        match self.summary.status {
            Status::Ok => None,
            Status::Diverged { epoch } => Some(epoch),
        }
    }

    /// The final test accuracy as the statistics over seeds count it: none for a diverged
    /// run ([`counted_finals`]).
    pub fn final_test_acc(&self) -> Option<f64> {
        counted_finals(&self.summary)[FINAL_TEST_ACC]
    }

    /// The first epoch at 100% train accuracy.
    pub fn first_perfect(&self) -> Option<u32> {
        self.summary.first_perfect_train_epoch
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

/// A configuration: its runs, their summary over seeds and the bands of their curves.
#[derive(Debug, Clone)]
pub struct Config {
    pub label: String,
    /// Indices into [`Sweep::runs`], in grid (seed) order.
    pub runs: Vec<usize>,
    /// Counts and final-metric statistics over the runs, as `summary.csv` has them.
    pub summary: ConfigSummary,
    /// Per metric of [`METRICS`], one band per epoch that has values.
    pub bands: [Vec<Band>; 4],
}

impl Config {
    pub fn all_diverged(&self) -> bool {
        self.summary.diverged == self.summary.seeds
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
    // Per configuration: its first run and its runs.
    let mut members: Vec<(usize, Vec<usize>)> = Vec::new();
    // Per configuration: its settings but the seed, as (name, exact value).
    let mut settings: Vec<Vec<(String, String)>> = Vec::new();
    // A grid can have thousands of configurations: find each run's by hash.
    let mut index: HashMap<Vec<(String, String)>, usize> = HashMap::new();
    for (i, run) in runs.iter().enumerate() {
        let own = run.config_settings();
        match index.get(&own) {
            Some(&c) => members[c].1.push(i),
            None => {
                index.insert(own.clone(), settings.len());
                settings.push(own);
                members.push((i, vec![i]));
            }
        }
    }
    let mut labels: Vec<String> = members
        .iter()
        .map(|&(first, _)| runs[first].config.clone())
        .collect();
    label::disambiguate(&mut labels, &settings);
    members
        .into_iter()
        .zip(labels)
        .map(|((first, members), label)| {
            let mut summary = ConfigSummary::new(label.clone(), runs[first].params.clone());
            for &r in &members {
                summary.add(&runs[r].summary);
            }
            Config {
                label,
                runs: members,
                summary,
                bands: Default::default(),
            }
        })
        .collect()
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

/// The columns of `runs.csv` the report reads, besides the settings.
const RUN_COLUMNS: [&str; 9] = [
    "run_id",
    "config",
    "diverged_epoch",
    "final_train_loss",
    "final_train_acc",
    "final_test_loss",
    "final_test_acc",
    "best_test_acc",
    "first_epoch_train_acc_1",
];

fn read_runs(path: &Path) -> Result<Vec<RunRow>> {
    let mut reader = open(path)?;
    let mut names: Vec<&str> = RUN_COLUMNS.to_vec();
    names.extend(Key::ALL.iter().map(|k| k.name()));
    let cols = columns(path, &mut reader, &names)?;
    let mut runs = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| bad_csv(path, e))?;
        let field = |i: usize| &row[cols[i]];
        let settings: Vec<(String, String)> = Key::ALL
            .iter()
            .zip(&cols[RUN_COLUMNS.len()..])
            .map(|(k, &c)| (k.name().to_owned(), row[c].to_owned()))
            .collect();
        runs.push(RunRow {
            run_id: field(0).to_owned(),
            config: field(1).to_owned(),
            params: params(path, &settings)?,
            settings,
            summary: run_summary(path, &field)?,
            train_loss: Vec::new(),
            evals: Vec::new(),
        });
    }
    Ok(runs)
}

/// A run's status and final metrics from its fields, `field(i)` being column
/// `RUN_COLUMNS[i]`.
fn run_summary<'a>(path: &Path, field: &dyn Fn(usize) -> &'a str) -> Result<RunSummary> {
    let number = |i: usize| -> Result<Option<f64>> {
        Some(field(i))
            .filter(|s| !s.is_empty())
            .map(|s| parse(path, s))
            .transpose()
    };
    let integer = |i: usize| -> Result<Option<u32>> {
        Some(field(i))
            .filter(|s| !s.is_empty())
            .map(|s| parse(path, s))
            .transpose()
    };
    let eval = |loss: usize, accuracy: usize| -> Result<Option<Eval>> {
        Ok(number(loss)?
            .zip(number(accuracy)?)
            .map(|(loss, accuracy)| Eval { loss, accuracy }))
    };
    Ok(RunSummary {
        final_train: eval(3, 4)?,
        final_test: eval(5, 6)?,
        best_test_accuracy: number(7)?,
        first_perfect_train_epoch: integer(8)?,
        status: integer(2)?.map_or(Status::Ok, |epoch| Status::Diverged { epoch }),
    })
}

/// The training settings of a run's setting columns (the seed is not one).
fn params(path: &Path, settings: &[(String, String)]) -> Result<SettingsParams> {
    let mut params = SettingsParams::default();
    for (name, raw) in settings {
        let Some(key) = Key::from_name(name).filter(|&k| k != Key::Seed) else {
            continue;
        };
        let value = match key.kind() {
            Kind::Integer => raw.parse().ok().map(Value::Integer),
            Kind::Float => raw.parse().ok().map(Value::Float),
            Kind::Gradient => Gradient::parse(raw).map(Value::Gradient),
        };
        let value = value.ok_or_else(|| {
            Error::Usage(format!(
                "{}: `{raw}` is not a value of `{name}`",
                path.display()
            ))
        })?;
        key.apply(value, &mut params);
    }
    Ok(params)
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
