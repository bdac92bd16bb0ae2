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

    /// Reads the curves table ([`for_each_curve`]). A configuration's bands are computed as soon as its last run
    /// is read, and its values dropped, so a sweep whose configurations' runs come together
    /// (a grid, seeds innermost) holds one configuration's values at a time; per-run curves
    /// are kept for each configuration's first [`SEED_CURVES_KEPT`] runs.
    fn read_curves(&mut self, dir: &Path) -> Result<()> {
        // run id -> (run index, configuration index, its curves kept)
        let mut index: HashMap<String, (usize, usize, bool)> = HashMap::new();
        for (c, cfg) in self.configs.iter().enumerate() {
            for (n, &r) in cfg.runs.iter().enumerate() {
                index.insert(self.runs[r].run_id.clone(), (r, c, n < SEED_CURVES_KEPT));
            }
        }
        let sizes: Vec<usize> = self.configs.iter().map(|c| c.runs.len()).collect();
        let mut bands = Bands::new(&sizes);
        let curves = &mut self.curves;
        let add = |row: CurveRow| {
            let Some(&(r, c, keep)) = index.get(&row.run_id) else {
                return Ok(());
            };
            let m = row.metrics;
            bands.add(r, c, &m);
            if keep {
                let run = &mut curves[r];
                run.train_loss.push(m.train.loss);
                if m.test.is_some() {
                    run.evals.push(m);
                }
            }
            Ok(())
        };
        for_each_curve(dir, add)?;
        for (config, bands) in self.configs.iter_mut().zip(bands.finish()) {
            config.bands = bands;
        }
        Ok(())
    }
}

/// Per-run curves are kept for each configuration's first this many runs: the every-seed
/// figures and `report.html` draw those, and 50,000 seeds' curves of a configuration would
/// be hundreds of megabytes. `sweep table --run` reads any run's ([`run_curves`]).
pub(crate) const SEED_CURVES_KEPT: usize = 1000;

/// Per configuration and curve, epoch -> values over seeds, until the configuration's last
/// run is read; then its bands.
struct Bands {
    values: Vec<Vec<BTreeMap<u32, Vec<f64>>>>,
    done: Vec<Option<Vec<Vec<Band>>>>,
    /// Runs read of each configuration, and how many it has.
    seen: Vec<usize>,
    sizes: Vec<usize>,
    /// The run whose rows are being read, and its configuration.
    current: Option<(usize, usize)>,
}

impl Bands {
    fn new(sizes: &[usize]) -> Bands {
        Bands {
            values: vec![vec![BTreeMap::new(); Curve::ALL.len()]; sizes.len()],
            done: vec![None; sizes.len()],
            seen: vec![0; sizes.len()],
            sizes: sizes.to_vec(),
            current: None,
        }
    }

    fn add(&mut self, r: usize, c: usize, m: &EpochMetrics) {
        if self.current.map(|(run, _)| run) != Some(r) {
            if let Some((_, previous)) = self.current {
                self.close_if_complete(previous);
            }
            self.current = Some((r, c));
            self.seen[c] += 1;
        }
        for curve in Curve::ALL {
            if let Some(v) = curve.at(m) {
                self.values[c][curve as usize]
                    .entry(m.epoch)
                    .or_default()
                    .push(v);
            }
        }
    }

    /// Computes configuration `c`'s bands once every one of its runs was read (a run's rows
    /// come together, so a run is read whole once another's start).
    fn close_if_complete(&mut self, c: usize) {
        if self.seen[c] >= self.sizes[c] && self.done[c].is_none() {
            self.done[c] = Some(close(std::mem::take(&mut self.values[c])));
        }
    }

    fn finish(mut self) -> Vec<Vec<Vec<Band>>> {
        (0..self.sizes.len())
            .map(|c| match self.done[c].take() {
                Some(bands) => bands,
                None => close(std::mem::take(&mut self.values[c])),
            })
            .collect()
    }
}

/// The bands of one configuration's values, per curve and epoch.
fn close(per_curve: Vec<BTreeMap<u32, Vec<f64>>>) -> Vec<Vec<Band>> {
    let mut bands: Vec<Vec<Band>> = per_curve
        .into_iter()
        .map(|by_epoch| {
            by_epoch
                .into_iter()
                .map(|(epoch, v)| band(epoch, v))
                .collect()
        })
        .collect();
    bands.resize(Curve::ALL.len(), Vec::new());
    bands
}

/// The curves of run `run_id` of the results directory `dir`, read from its curves table.
pub(crate) fn run_curves(dir: &Path, run_id: &str) -> Result<RunCurves> {
    let mut run = RunCurves::default();
    let add = |row: CurveRow| {
        if row.run_id == run_id {
            run.train_loss.push(row.metrics.train.loss);
            if row.metrics.test.is_some() {
                run.evals.push(row.metrics);
            }
        }
        Ok(())
    };
    for_each_curve(dir, add)?;
    Ok(run)
}

/// Calls `f` with every row of the curves table of `dir`: `curves.parquet`, or
/// `curves.csv` where there is none (a directory of an older sweep); the same rows.
fn for_each_curve(dir: &Path, f: impl FnMut(CurveRow) -> Result<()>) -> Result<()> {
    let parquet = dir.join(CURVES_PARQUET);
    if parquet.is_file() {
        super::parquet::for_each(&parquet, f)
    } else {
        rows::for_each(&dir.join(CURVES), f)
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
