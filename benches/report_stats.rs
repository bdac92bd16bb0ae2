//! What intervals and comparisons cost a report (`cargo bench --bench report_stats`): the
//! 95% intervals of every configuration's figures ([`ConfigSummary::interval`]) and every
//! comparison of configurations that differ in one setting ([`compare::within`]), for the
//! baseline's shape (2 configurations x 48 seeds) and for a 10 x 10 x 10 grid x 16 seeds
//! (1000 configurations, 2700 pairs, 16200 comparisons), on synthetic runs. Prints a
//! Markdown table; medians of 3, wall time on every core (rayon).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use std::time::Instant;

use rayon::prelude::*;
use sweep::compare;
use sweep::metric::{Metric, RunSummary};
use sweep::settings::SettingsParams;
use sweep::tables::ConfigSummary;
use sweep::train::Status;

/// A configuration of `seeds` runs with metrics that vary by seed and setting.
fn config(settings: SettingsParams, seeds: u64, salt: u64) -> ConfigSummary {
    let mut c = ConfigSummary::new(format!("c{salt}"), settings);
    for seed in 0..seeds {
        // A cheap, reproducible scramble standing in for real runs.
        let h = (seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ salt.wrapping_mul(0xBF58_476D_1CE4_E5B9))
            >> 11;
        let u = (h % 1000) as f64 / 1000.0;
        let mut run = RunSummary::empty(Status::Ok, 1000);
        run.set(Metric::FinalTrainLoss, Some(0.001 + u * 0.01));
        run.set(Metric::FinalTrainAcc, Some(1.0));
        run.set(Metric::FinalTestLoss, Some(0.05 + u));
        run.set(Metric::FinalTestAcc, Some(0.8 + (h % 5) as f64 * 0.05));
        run.set(Metric::BestTestAcc, Some(1.0));
        let first = (!h.is_multiple_of(7)).then_some(300.0 + (h % 500) as f64);
        run.set(Metric::FirstEpochTrainAcc1, first);
        c.add(seed, &run);
    }
    c
}

/// The configurations of a grid: learning rates x clips x hidden sizes.
fn grid(lrs: usize, clips: usize, hiddens: usize, seeds: u64) -> Vec<ConfigSummary> {
    let mut out = Vec::new();
    for i in 0..lrs {
        for j in 0..clips {
            for k in 0..hiddens {
                let settings = SettingsParams {
                    learning_rate: 0.01 * (i + 1) as f64,
                    clip: (j + 1) as f64,
                    hidden_size: 16 * (k + 1) as u64,
                    ..Default::default()
                };
                out.push(config(settings, seeds, out.len() as u64));
            }
        }
    }
    out
}

/// Seconds of the report's statistics: every interval, then every comparison.
fn seconds(configs: &[ConfigSummary]) -> (f64, f64, usize) {
    let start = Instant::now();
    let intervals: usize = configs
        .par_iter()
        .map(|c| {
            Metric::summarised()
                .filter(|&m| c.interval(m).is_some())
                .count()
        })
        .sum();
    std::hint::black_box(intervals);
    let intervals = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let refs: Vec<&ConfigSummary> = configs.iter().collect();
    let comparisons = compare::within(&refs);
    (intervals, start.elapsed().as_secs_f64(), comparisons.len())
}

fn main() {
    println!("| sweep | configurations x seeds | comparisons | intervals | comparisons | total |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, configs) in [
        (
            "baseline shape",
            grid(1, 1, 1, 48)
                .into_iter()
                .chain(grid(1, 2, 1, 48).into_iter().skip(1))
                .collect::<Vec<_>>(),
        ),
        ("10 x 10 x 10 grid", grid(10, 10, 10, 16)),
    ] {
        let mut runs: Vec<(f64, f64, usize)> = (0..3).map(|_| seconds(&configs)).collect();
        runs.sort_by(|a, b| (a.0 + a.1).total_cmp(&(b.0 + b.1)));
        let (i, c, n) = runs[1];
        println!(
            "| {name} | {} x {} | {n} | {i:.3} s | {c:.3} s | {:.3} s |",
            configs.len(),
            configs[0].runs(),
            i + c
        );
    }
}
