//! The numbers `report.html` draws, as the JSON its script reads: every configuration with
//! its settings, summary figures and intervals, curve bands and evaluated epochs; every
//! seed's train-loss curve (a block of its own, parsed on the first click); the
//! comparisons; the halving paths; and which figure of the Markdown report each chart
//! stands for. Built from the same [`Page`] as `report.md`.
//!
//! Curves are thinned to at most [`points`] epochs each (fewer for a larger grid), and
//! numbers kept to four significant digits, so that a 2000-configuration report stays a
//! few megabytes: the full curves are in `curves.csv`.

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value as Json;

use super::super::markdown::{Page, SUMMARY_METRICS, column_title, summary_cell};
use super::super::plot::{Drawn, FigureKind, LOSS_FLOOR, Shows};
use crate::compare::{Comparison, verdict};
use crate::metric::{Better, Measure, Metric};
use crate::settings::{Key, Value};
use crate::tables::Sweep;
use crate::tables::read::{Band, Config};
use crate::tables::schema::Curve;
use crate::train::Status;

/// Up to this many comparisons are all carried, each with its sentence; beyond, only the
/// differences found, with their numbers (`comparisons.csv` has every one).
const SENTENCES: usize = 5000;

/// The report's data.
#[derive(Serialize)]
pub(crate) struct Data {
    pub name: String,
    pub settings: Vec<Setting>,
    /// The setting that colours the series (an index into `settings`).
    pub color: Option<usize>,
    pub metrics: Vec<MetricInfo>,
    /// The metric the configurations are ranked by (an index into `metrics`).
    pub rank_by: usize,
    pub curves: Vec<&'static str>,
    pub configs: Vec<ConfigData>,
    pub comparisons: Vec<ComparisonData>,
    /// How many comparisons the report has (more than `comparisons` holds past [`SENTENCES`]).
    pub comparisons_total: usize,
    pub halving: Option<HalvingData>,
    pub figures: Vec<FigureData>,
    /// Epochs a thinned curve keeps at most.
    pub points: usize,
}

#[derive(Serialize)]
pub(crate) struct Setting {
    pub name: &'static str,
    pub short: &'static str,
    pub values: Vec<Json>,
}

#[derive(Serialize)]
pub(crate) struct MetricInfo {
    pub name: &'static str,
    /// The column's title, as the Markdown table has it.
    pub title: String,
    pub higher_is_better: bool,
    pub share: bool,
}

/// One configuration.
#[derive(Serialize)]
pub(crate) struct ConfigData {
    pub label: String,
    /// 1 for the best by the ranking metric.
    pub rank: usize,
    /// Its value of each swept setting, in `settings` order.
    pub values: Vec<Json>,
    pub seeds: usize,
    pub diverged: usize,
    pub pruned: usize,
    /// Per metric (in `metrics` order): figure, interval low and high, or nulls.
    pub figures: Vec<[Option<f64>; 3]>,
    /// Per metric, the Markdown table's cell.
    pub cells: Vec<String>,
    /// Per curve (in `curves` order): `[epoch, q25, median, q75, seeds]` rows, thinned.
    pub bands: Vec<Vec<[f64; 5]>>,
    /// Per evaluated epoch: epoch, seeds, then median, q25 and q75 of each curve.
    pub evals: Vec<Vec<Option<f64>>>,
}

/// Every seed's train-loss curve of one configuration: `(seed, diverged, [epoch, loss,
/// epoch, loss, ...])`.
pub(crate) type SeedCurves = Vec<(u64, bool, Vec<f64>)>;

#[derive(Serialize)]
pub(crate) struct ComparisonData {
    /// The two configurations (indices into `configs`); effects are B - A.
    pub a: Option<usize>,
    pub b: Option<usize>,
    pub setting: Option<String>,
    pub metric: &'static str,
    /// B - A with its interval.
    pub effect: Option<[f64; 3]>,
    pub adjusted: Option<f64>,
    pub significant: bool,
    /// `verdict::sentence`, up to [`SENTENCES`] comparisons.
    pub sentence: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct HalvingData {
    pub metric: &'static str,
    pub rungs: Vec<u64>,
    /// Per configuration: `[epoch, median]` at each stage every one of its seeds reached.
    pub paths: Vec<Vec<[f64; 2]>>,
    /// Per configuration: whether it was stopped before the last epoch.
    pub stopped: Vec<bool>,
}

/// A chart standing for one figure of the Markdown report.
#[derive(Serialize)]
pub(crate) struct FigureData {
    /// The PNG's file name under `plots/`.
    pub name: String,
    pub kind: &'static str,
    /// Settings (indices into `settings`), a curve name or a configuration index.
    pub pair: Option<[usize; 2]>,
    pub axis: Option<usize>,
    pub curve: Option<&'static str>,
    pub config: Option<usize>,
    pub caption: String,
    /// For a figure the page has no interactive view of (a race's), the PNG itself as a
    /// `data:` URL, so the page stays one file.
    pub image: Option<String>,
}

/// The epochs a thinned curve keeps at most, for a grid of `configs` configurations.
pub(crate) fn points(configs: usize) -> usize {
    match configs {
        0..=250 => 120,
        251..=1000 => 60,
        _ => 30,
    }
}

/// The data of `page`'s report.
pub(crate) fn data(page: &Page<'_>) -> Data {
    let sweep = page.sweep;
    let points = points(sweep.configs.len());
    let mut rank = vec![0; sweep.configs.len()];
    for (r, &i) in page.outline.ranked.iter().enumerate() {
        rank[i] = r + 1;
    }
    let metrics = metric_list(page.outline.rank_by);
    let configs = sweep
        .configs
        .par_iter()
        .zip(rank.par_iter())
        .map(|(c, &r)| config_data(sweep, c, r, &metrics, points))
        .collect();
    let color = page
        .outline
        .layout
        .color
        .and_then(|k| sweep.varying.iter().position(|&v| v == k));
    Data {
        name: page.name.to_owned(),
        settings: sweep.varying.iter().map(|&k| setting(sweep, k)).collect(),
        color,
        rank_by: metrics
            .iter()
            .position(|&m| m == page.outline.rank_by)
            .unwrap_or(0),
        metrics: metrics.iter().map(|&m| metric_info(m)).collect(),
        curves: Curve::ALL.map(Curve::name).to_vec(),
        configs,
        comparisons: comparisons(sweep, page.comparisons),
        comparisons_total: page.comparisons.len(),
        halving: page.halving.map(|h| halving(sweep, &h.halving)),
        figures: page.drawn.iter().map(|d| figure(sweep, d)).collect(),
        points,
    }
}

/// The summary table's metrics, and the ranking metric when it is another.
fn metric_list(rank_by: Metric) -> Vec<Metric> {
    let mut list = SUMMARY_METRICS.to_vec();
    if !list.contains(&rank_by) {
        list.push(rank_by);
    }
    list
}

fn metric_info(metric: Metric) -> MetricInfo {
    MetricInfo {
        name: metric.name(),
        title: column_title(metric),
        higher_is_better: metric.better() == Better::Higher,
        share: matches!(metric.kind(), Measure::Share { .. }),
    }
}

fn setting(sweep: &Sweep, key: Key) -> Setting {
    Setting {
        name: key.name(),
        // The gradient variant's label shows its value alone: its filter token is its name.
        short: match key.short() {
            "" => key.name(),
            short => short,
        },
        values: sweep.axis_values(key).iter().map(json_value).collect(),
    }
}

/// A setting's value as JSON: a number where it is one.
fn json_value(value: &Value) -> Json {
    match value {
        Value::Integer(n) => Json::from(*n),
        // `inf` (no clipping) as the labels print it: JSON has no infinity.
        Value::Float(x) => {
            serde_json::Number::from_f64(*x).map_or(Json::String(value.to_string()), Json::Number)
        }
        Value::Gradient(_) => Json::String(value.to_string()),
    }
}

/// `x` to four significant digits (the shortest text that reads back as it).
pub(crate) fn round4(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    format!("{x:.3e}").parse().unwrap_or(x)
}

fn config_data(
    sweep: &Sweep,
    c: &Config,
    rank: usize,
    metrics: &[Metric],
    points: usize,
) -> ConfigData {
    let s = &c.summary;
    let figures = metrics
        .iter()
        .map(|&m| match s.interval(m) {
            Some(i) => [Some(i.estimate), Some(i.low), Some(i.high)].map(finite),
            None => [s.figure(m).and_then(|x| finite(Some(x))), None, None],
        })
        .collect();
    ConfigData {
        label: c.label.clone(),
        rank,
        values: sweep
            .varying
            .iter()
            .map(|&k| json_value(&k.value_of(&s.settings, 0)))
            .collect(),
        seeds: s.runs(),
        diverged: s.diverged,
        pruned: s.pruned,
        figures,
        cells: metrics.iter().map(|&m| summary_cell(s, m)).collect(),
        bands: Curve::ALL
            .iter()
            .map(|&curve| thin(c.bands(curve), points).map(band_row).collect())
            .collect(),
        evals: evals(c),
    }
}

/// `None` for a value JSON cannot carry (a first epoch never reached is infinite).
fn finite(x: Option<f64>) -> Option<f64> {
    x.filter(|x| x.is_finite()).map(round4)
}

fn band_row(b: &Band) -> [f64; 5] {
    [
        f64::from(b.epoch),
        round4(b.q25),
        round4(b.median),
        round4(b.q75),
        b.n as f64,
    ]
}

/// At most `points` items of `list`, evenly spaced, its first and last kept.
pub(crate) fn thin<T>(list: &[T], points: usize) -> impl Iterator<Item = &T> {
    let n = list.len();
    let step = n.div_ceil(points.max(2)).max(1);
    list.iter()
        .enumerate()
        .filter(move |(i, _)| i % step == 0 || *i + 1 == n)
        .map(|(_, item)| item)
}

/// The configuration's epoch table (`sweep table --config`): per evaluated epoch, the
/// seeds and each curve's median and quartiles.
fn evals(c: &Config) -> Vec<Vec<Option<f64>>> {
    c.bands(Curve::TestAcc)
        .iter()
        .map(|test| {
            let mut row = vec![Some(f64::from(test.epoch)), Some(test.n as f64)];
            for curve in Curve::ALL {
                match c.band_at(curve, test.epoch) {
                    Some(b) => row.extend([b.median, b.q25, b.q75].map(|x| finite(Some(x)))),
                    None => row.extend([None, None, None]),
                }
            }
            row
        })
        .collect()
}

/// A configuration's detail draws the curves of its first this many seeds (in grid order):
/// more are one blur, and 50,000 seeds of 20 configurations would be a page of 100 MB.
pub(crate) const MAX_SEED_CURVES: usize = 100;

/// Every seed's train-loss curve of every configuration (its first [`MAX_SEED_CURVES`]),
/// thinned, in configuration order.
pub(crate) fn seed_curves(sweep: &Sweep, points: usize) -> Vec<SeedCurves> {
    sweep
        .configs
        .par_iter()
        .map(|c| {
            c.runs
                .iter()
                .take(MAX_SEED_CURVES)
                .map(|&r| {
                    let loss = &sweep.curves[r].train_loss;
                    let epochs: Vec<(usize, &f64)> = loss.iter().enumerate().collect();
                    let flat = thin(&epochs, points)
                        .flat_map(|&(i, &y)| [(i + 1) as f64, round4(y.max(LOSS_FLOOR))])
                        .filter(|y| y.is_finite())
                        .collect();
                    let diverged = matches!(sweep.runs[r].summary.status, Status::Diverged { .. });
                    (sweep.runs[r].seed, diverged, flat)
                })
                .collect()
        })
        .collect()
}

fn comparisons(sweep: &Sweep, list: &[Comparison]) -> Vec<ComparisonData> {
    let all = list.len() <= SENTENCES;
    let index: std::collections::HashMap<&str, usize> = sweep
        .configs
        .iter()
        .enumerate()
        .map(|(i, c)| (c.label.as_str(), i))
        .collect();
    list.iter()
        .filter(|c| all || c.significant())
        .map(|c| ComparisonData {
            a: index.get(c.a.as_str()).copied(),
            b: index.get(c.b.as_str()).copied(),
            setting: c.setting.clone(),
            metric: c.metric.name(),
            effect: c
                .effect
                .map(|i| [i.estimate, i.low, i.high].map(round4))
                .filter(|e| e.iter().all(|x| x.is_finite())),
            adjusted: c.test.map(|t| round4(t.adjusted)),
            significant: c.significant(),
            sentence: all.then(|| verdict::sentence(c)),
        })
        .collect()
}

/// Each configuration's path through the rungs, as `halving.png` draws it.
fn halving(sweep: &Sweep, h: &crate::search::Halving) -> HalvingData {
    let last = sweep
        .runs
        .iter()
        .map(|r| r.settings.epochs)
        .max()
        .unwrap_or(0);
    let stages: Vec<u64> = h.rungs.iter().copied().chain([last]).collect();
    let paths: Vec<Vec<[f64; 2]>> = sweep
        .configs
        .iter()
        .map(|c| {
            stages
                .iter()
                .filter_map(|&e| {
                    let epoch = u32::try_from(e).ok()?;
                    let band = c.band_at(h.metric, epoch)?;
                    let diverged = c
                        .runs
                        .iter()
                        .filter_map(|&r| sweep.runs[r].summary.status.diverged_epoch())
                        .filter(|&d| d <= epoch)
                        .count();
                    (band.n + diverged == c.runs.len())
                        .then_some([f64::from(epoch), round4(band.median)])
                })
                .collect()
        })
        .collect();
    HalvingData {
        metric: h.metric.name(),
        rungs: h.rungs.clone(),
        stopped: sweep
            .configs
            .iter()
            .map(|c| c.summary.all_pruned())
            .collect(),
        paths,
    }
}

fn figure(sweep: &Sweep, d: &Drawn) -> FigureData {
    let index = |k: Key| sweep.varying.iter().position(|&v| v == k);
    let mut f = FigureData {
        name: d.name.clone(),
        kind: "search",
        pair: None,
        axis: None,
        curve: None,
        config: None,
        caption: d.caption.clone(),
        image: None,
    };
    if d.kind == FigureKind::Race {
        use base64::Engine;
        f.kind = "image";
        f.image = std::fs::read(&d.path).ok().map(|png| {
            let encoded = base64::engine::general_purpose::STANDARD.encode(png);
            format!("data:image/png;base64,{encoded}")
        });
        return f;
    }
    match d.shows {
        Shows::Pair(a, b) => {
            f.kind = "heatmap";
            f.pair = index(a).zip(index(b)).map(|(a, b)| [a, b]);
        }
        Shows::Curve(c) => {
            f.kind = "bands";
            f.curve = Some(c.name());
        }
        Shows::Axis(k) => {
            f.kind = "effect";
            f.axis = index(k);
        }
        Shows::Config(i) => {
            f.kind = "curves";
            f.config = Some(i);
        }
        Shows::Search => {}
    }
    f
}
