//! What a report costs as grids grow (`cargo bench --bench report_figures`): the time of
//! `report::write_report` (reading the tables, intervals, comparisons, every figure and
//! report.md) and the files it writes, for 2, 8, 40 and 200 configurations shaped as the
//! baseline and the grids of `experiments/` (2 x 48 seeds x 1000 epochs; 4 x 2 x 8 seeds x
//! 300 epochs; 5 x 4 x 2 x 8 seeds x 200 epochs; 10 x 5 x 4 x 2 seeds x 100 epochs), on
//! synthetic runs written as `sweep run` writes its tables. Prints a Markdown table;
//! medians of 3, wall time on every core.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use std::path::Path;
use std::time::Instant;

use sweep::metric::RunSummary;
use sweep::model::Gradient;
use sweep::report::{self, Options};
use sweep::settings::{Key, SettingsParams};
use sweep::store::{CURVES, RUNS, ResultsDir};
use sweep::tables::rows::TableWriter;
use sweep::tables::schema::{CurveRow, RunRow};
use sweep::train::{EpochMetrics, Eval, Status};

/// A grid: each configuration's settings, the seeds and the swept keys (for labels).
struct Grid {
    name: &'static str,
    configs: Vec<SettingsParams>,
    seeds: u64,
    swept: Vec<Key>,
}

fn grid(name: &'static str, epochs: u64, seeds: u64, axes: &[(Key, Vec<f64>)]) -> Grid {
    let mut configs = vec![SettingsParams {
        epochs,
        eval_every: epochs.min(100),
        ..Default::default()
    }];
    for (key, values) in axes {
        configs = configs
            .into_iter()
            .flat_map(|c| values.iter().map(move |&v| with(c.clone(), *key, v)))
            .collect();
    }
    Grid {
        name,
        configs,
        seeds,
        swept: axes.iter().map(|(k, _)| *k).collect(),
    }
}

/// `c` with `key` set to `v` (the gradient: 0 article, 1 exact).
fn with(mut c: SettingsParams, key: Key, v: f64) -> SettingsParams {
    match key {
        Key::HiddenSize => c.hidden_size = v as u64,
        Key::LearningRate => c.learning_rate = v,
        Key::Clip => c.clip = v,
        Key::Gradient => c.gradient = Gradient::ALL[v as usize],
        _ => {}
    }
    c
}

/// The configuration label `sweep run` would give.
fn label(c: &SettingsParams, swept: &[Key]) -> String {
    Key::configuration()
        .filter(|&k| k.setting().always_labelled || swept.contains(&k))
        .map(|k| k.labelled(&k.value_of(c, 0)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A cheap, reproducible scramble standing in for real runs.
fn hash(a: u64, b: u64) -> f64 {
    let h = (a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_mul(0xBF58_476D_1CE4_E5B9)) >> 11;
    (h % 10_000) as f64 / 10_000.0
}

/// One run's epochs: a loss that drops from ln 2 at an epoch set by the settings and seed.
fn epochs(c: &SettingsParams, salt: u64, seed: u64) -> Vec<EpochMetrics> {
    let drop_at = c.epochs as f64 * (0.3 + hash(salt, seed));
    (1..=c.epochs as u32)
        .map(|e| {
            let t = 1.0 / (1.0 + ((f64::from(e) - drop_at) / 30.0).exp());
            let loss = 0.001 + 0.69 * t + 0.02 * hash(u64::from(e), seed);
            let train = Eval {
                loss,
                accuracy: (1.0 - 0.5 * t).min(1.0),
            };
            let evaluated = u64::from(e) % c.eval_every == 0 || u64::from(e) == c.epochs;
            let test = evaluated.then(|| Eval {
                loss: loss * 1.5,
                accuracy: ((1.0 - 0.5 * t) * 20.0).round() / 20.0,
            });
            EpochMetrics {
                epoch: e,
                train,
                test,
            }
        })
        .collect()
}

/// Writes the grid's `runs.csv` and `curves.csv` into `dir`.
fn write_tables(g: &Grid, dir: &Path) {
    let mut runs = TableWriter::<RunRow>::create(&dir.join(RUNS)).unwrap();
    let mut curves = TableWriter::<CurveRow>::create(&dir.join(CURVES)).unwrap();
    for (i, c) in g.configs.iter().enumerate() {
        for seed in 0..g.seeds {
            let run_id = format!("r{i}s{seed}");
            let metrics = epochs(c, i as u64, seed);
            for m in &metrics {
                curves
                    .write(&CurveRow {
                        run_id: run_id.clone(),
                        metrics: *m,
                    })
                    .unwrap();
            }
            runs.write(&RunRow {
                run_id,
                config: label(c, &g.swept),
                settings: c.clone(),
                seed,
                summary: RunSummary::of(&metrics, Status::Ok),
            })
            .unwrap();
        }
    }
    runs.commit().unwrap();
    curves.commit().unwrap();
}

/// Seconds of one report of `dir`, and the files it wrote.
fn report(dir: &Path) -> (f64, usize) {
    let start = Instant::now();
    let files = report::write_report(&ResultsDir::at(dir), &Options::default()).unwrap();
    (start.elapsed().as_secs_f64(), files.len())
}

fn main() {
    let lr = |n: usize, lo: f64, hi: f64| -> Vec<f64> {
        (0..n)
            .map(|i| lo * (hi / lo).powf(i as f64 / (n - 1) as f64))
            .collect()
    };
    let grids = [
        grid("baseline", 1000, 48, &[(Key::Gradient, vec![0.0, 1.0])]),
        grid(
            "learning rate x gradient",
            300,
            8,
            &[
                (Key::LearningRate, lr(4, 0.01, 0.1)),
                (Key::Gradient, vec![0.0, 1.0]),
            ],
        ),
        grid(
            "grid3: learning rate x clip x gradient",
            200,
            8,
            &[
                (Key::LearningRate, lr(5, 0.005, 0.08)),
                (Key::Clip, vec![0.3, 1.0, 3.0, f64::INFINITY]),
                (Key::Gradient, vec![0.0, 1.0]),
            ],
        ),
        grid(
            "hidden size x learning rate x clip",
            100,
            2,
            &[
                (Key::HiddenSize, vec![16.0, 32.0, 64.0, 128.0]),
                (Key::LearningRate, lr(10, 0.005, 0.2)),
                (Key::Clip, vec![0.3, 1.0, 3.0, 10.0, f64::INFINITY]),
            ],
        ),
    ];
    println!("| grid | configurations | runs | epochs | files written | figures | report |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for g in &grids {
        let dir = tempfile::tempdir().unwrap();
        write_tables(g, dir.path());
        let mut times: Vec<(f64, usize)> = (0..3).map(|_| report(dir.path())).collect();
        times.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (seconds, files) = times[1];
        let figures = std::fs::read_dir(dir.path().join("plots")).unwrap().count();
        println!(
            "| {} | {} | {} | {} | {files} | {figures} | {seconds:.2} s |",
            g.name,
            g.configs.len(),
            g.configs.len() as u64 * g.seeds,
            g.configs[0].epochs,
        );
    }
}
