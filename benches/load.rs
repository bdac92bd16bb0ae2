//! Criterion benchmarks of loading data (`cargo bench --bench load`): generated TSV files of
//! 10k, 100k and 1M lines (deterministic phrases of 3 to 10 words from 2000, labels 0/1,
//! written to a temp dir), each parsed into raw examples (`parse`: the TSV loader alone) and
//! loaded into a data set (`load`: the file read, parsed, its vocabulary built and encoded,
//! against a 100-line test file). Throughput is in lines: time per line is its inverse, and
//! the same at every size when loading is linear (issue #22: it was quadratic).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use sweep::data::{self, Role};

const SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];

/// A TSV of `lines` examples after its header; the same text on every run.
fn tsv(lines: usize) -> String {
    // SplitMix64: deterministic, no dependency.
    let mut state: u64 = 0x5eed;
    let mut next = |n: u64| {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    };
    let mut text = String::from("text\tlabel\n");
    for _ in 0..lines {
        let words = 3 + next(8);
        for w in 0..words {
            let sep = if w == 0 { "" } else { " " };
            write!(text, "{sep}w{}", next(2000)).unwrap();
        }
        writeln!(text, "\t{}", next(2)).unwrap();
    }
    text
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let test = write(dir.path(), "test.tsv", &tsv(100));
    let mut group = c.benchmark_group("load");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for lines in SIZES {
        let text = tsv(lines);
        let train = write(dir.path(), &format!("train{lines}.tsv"), &text);
        group.throughput(Throughput::Elements(lines as u64));
        group.bench_function(format!("parse/{lines}"), |b| {
            b.iter(|| data::parse(&train, black_box(text.as_bytes()), Role::Train).unwrap())
        });
        group.bench_function(format!("load/{lines}"), |b| {
            b.iter(|| data::load(black_box(&train), &test).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
