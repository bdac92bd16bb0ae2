//! Criterion benchmarks of the training kernel: one epoch and one full article run (1000
//! epochs, evaluation every 100) on the bundled English set, at H = 64 and H = 256, with
//! the exact gradient, on the instruction set this machine dispatches to.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use sweep::model::Gradient;
use sweep::settings::SettingsParams;
use sweep::train;

fn bundled() -> sweep::data::Dataset {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/en");
    sweep::data::load(&dir.join("train.tsv"), &dir.join("test.tsv")).expect("bundled data")
}

fn settings(hidden: u64, epochs: u64) -> sweep::settings::Settings {
    SettingsParams {
        hidden_size: hidden,
        epochs,
        eval_every: epochs.min(100),
        gradient: Gradient::Exact,
        ..Default::default()
    }
    .check()
    .expect("valid settings")
}

fn bench(c: &mut Criterion) {
    let data = bundled();
    eprintln!("instruction set: {:?}", sweep::simd::Isa::in_use());
    let mut group = c.benchmark_group("train");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for hidden in [64, 256] {
        let one = settings(hidden, 1);
        group.bench_function(format!("epoch/H={hidden}"), |b| {
            b.iter(|| train::run(black_box(&data), &one, 0, |_| {}))
        });
        let full = settings(hidden, 1000);
        group.bench_function(format!("run_1000_epochs/H={hidden}"), |b| {
            b.iter(|| train::run(black_box(&data), &full, 0, |_| {}))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
