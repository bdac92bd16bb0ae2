//! A results directory read back for reports: `runs.csv` and `curves.csv` only, never
//! re-training. Runs are grouped into configurations ([`super::configs`]) and every
//! configuration's curves are reduced to quantiles over its seeds per epoch.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::configs::group;
use super::rows;
use super::schema::{Curve, CurveRow, RunRow};
use super::summary::ConfigSummary;
use crate::error::Result;
use crate::settings::{Key, Value};
use crate::stats::descriptive::{median_sorted, quantile_sorted};
use crate::store::{CURVES, CURVES_PARQUET, RUNS};
use crate::train::EpochMetrics;

/// Quantiles over seeds of one curve at one epoch.
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

/// What `curves.csv` holds of one run.
#[derive(Debug, Clone, Default)]
pub struct RunCurves {
    /// Train loss per finished epoch (epoch 1 first), for the per-seed figure.
    pub train_loss: Vec<f64>,
    /// The evaluated epochs, test metrics present.
    pub evals: Vec<EpochMetrics>,
}

/// A configuration: its runs, their summary over seeds and the bands of their curves.
#[derive(Debug, Clone)]
pub struct Config {
    pub label: String,
    /// Indices into [`Sweep::runs`], in grid (seed) order.
    pub runs: Vec<usize>,
    /// Counts and metric statistics over the runs, as `summary.csv` has them.
    pub summary: ConfigSummary,
    /// Per curve (in [`Curve::ALL`] order), one band per epoch that has values.
    pub(crate) bands: Vec<Vec<Band>>,
}

impl Config {
    pub fn all_diverged(&self) -> bool {
        self.summary.all_diverged()
    }

    /// The bands of `curve`, epoch by epoch.
    pub fn bands(&self, curve: Curve) -> &[Band] {
        &self.bands[curve as usize]
    }

    /// The band of `curve` at `epoch`, if any run has a value there.
    pub fn band_at(&self, curve: Curve, epoch: u32) -> Option<&Band> {
        self.bands(curve).iter().find(|b| b.epoch == epoch)
    }
}

/// A results directory as the report sees it.
#[derive(Debug, Clone)]
pub struct Sweep {
    pub dir: PathBuf,
    pub runs: Vec<RunRow>,
    /// Per run (as [`Sweep::runs`]), its curves.
    pub curves: Vec<RunCurves>,
    pub configs: Vec<Config>,
    /// The settings that take more than one value across configurations, canonical order.
    pub varying: Vec<Key>,
}

impl Sweep {
    pub fn load(dir: &Path) -> Result<Sweep> {
        let runs: Vec<RunRow> = rows::read(&dir.join(RUNS))?;
        let configs = configurations(&runs);
        let varying = Key::configuration()
            .filter(|&k| axis_values(&runs, k).len() > 1)
            .collect();
        let mut sweep = Sweep {
            dir: dir.to_path_buf(),
            curves: vec![RunCurves::default(); runs.len()],
            runs,
            configs,
            varying,
        };
        sweep.read_curves(dir)?;
        Ok(sweep)
    }

    pub fn config(&self, label: &str) -> Option<&Config> {
        self.configs.iter().find(|c| c.label == label)
    }

    /// The distinct values of setting `key` across the runs, in order.
    pub fn axis_values(&self, key: Key) -> Vec<Value> {
        axis_values(&self.runs, key)
    }

    /// Reads `curves.parquet`, or `curves.csv` where there is none (a directory of an older
    /// sweep): the same rows.
    fn read_curves(&mut self, dir: &Path) -> Result<()> {
        // run id -> (run index, configuration index)
        let mut index: HashMap<String, (usize, usize)> = HashMap::new();
        for (c, cfg) in self.configs.iter().enumerate() {
            for &r in &cfg.runs {
                index.insert(self.runs[r].run_id.clone(), (r, c));
            }
        }
        // Per configuration and curve: epoch -> values over seeds.
        let mut values: Vec<Vec<BTreeMap<u32, Vec<f64>>>> =
            vec![vec![BTreeMap::new(); Curve::ALL.len()]; self.configs.len()];
        let add = |row: CurveRow| {
            let Some(&(r, c)) = index.get(&row.run_id) else {
                return Ok(());
            };
            let m = row.metrics;
            for curve in Curve::ALL {
                if let Some(v) = curve.at(&m) {
                    values[c][curve as usize]
                        .entry(m.epoch)
                        .or_default()
                        .push(v);
                }
            }
            let run = &mut self.curves[r];
            run.train_loss.push(m.train.loss);
            if m.test.is_some() {
                run.evals.push(m);
            }
            Ok(())
        };
        let parquet = dir.join(CURVES_PARQUET);
        if parquet.is_file() {
            super::parquet::for_each(&parquet, add)?;
        } else {
            rows::for_each(&dir.join(CURVES), add)?;
        }
        for (config, per_curve) in self.configs.iter_mut().zip(values) {
            config.bands = per_curve
                .into_iter()
                .map(|by_epoch| {
                    by_epoch
                        .into_iter()
                        .map(|(epoch, v)| band(epoch, v))
                        .collect()
                })
                .collect();
        }
        Ok(())
    }
}

/// The configurations of `runs`, grouped by their settings (not their labels, which print
/// values rounded), with labels that tell them apart.
fn configurations(runs: &[RunRow]) -> Vec<Config> {
    group(runs.iter().map(|r| &r.settings), |i| runs[i].config.clone())
        .into_iter()
        .map(|g| {
            let mut summary = ConfigSummary::new(g.label.clone(), g.settings);
            for &r in &g.members {
                summary.add(runs[r].seed, &runs[r].summary);
            }
            Config {
                label: g.label,
                runs: g.members,
                summary,
                bands: vec![Vec::new(); Curve::ALL.len()],
            }
        })
        .collect()
}

/// The distinct values of `key` across `runs`, sorted (numbers by value).
fn axis_values(runs: &[RunRow], key: Key) -> Vec<Value> {
    let mut values: Vec<Value> = runs
        .iter()
        .map(|r| key.value_of(&r.settings, r.seed))
        .collect();
    values.sort_by(Value::total_cmp);
    values.dedup();
    values
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
