//! Criterion benchmarks of the statistics the report runs per configuration and metric: the
//! deterministic bootstrap of a 16-seed median (B = 2000), and the rank tests and
//! Hodges–Lehmann intervals on 16 paired seeds.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use sweep::stats;

/// 16 accuracies with ties, as a seed sweep gives them.
fn sample(shift: f64) -> Vec<f64> {
    (0..16)
        .map(|i| shift + f64::from((i * 7) % 11) / 20.0)
        .collect()
}

fn bench(c: &mut Criterion) {
    let (a, b) = (sample(0.5), sample(0.45));
    c.bench_function("bootstrap median n=16 B=2000", |bench| {
        bench.iter(|| stats::bootstrap_median(black_box(&a), 2000, 0.95))
    });
    c.bench_function("bootstrap median difference n=16+16 B=2000", |bench| {
        bench.iter(|| stats::bootstrap_median_difference(black_box(&a), black_box(&b), 2000, 0.95))
    });
    c.bench_function("wilcoxon n=16", |bench| {
        bench.iter(|| stats::wilcoxon_signed_rank(black_box(&a), black_box(&b)))
    });
    c.bench_function("mann-whitney n=16+16", |bench| {
        bench.iter(|| stats::mann_whitney_u(black_box(&a), black_box(&b)))
    });
    c.bench_function("hodges-lehmann paired n=16", |bench| {
        bench.iter(|| stats::hodges_lehmann_paired(black_box(&a), black_box(&b), 0.95))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
