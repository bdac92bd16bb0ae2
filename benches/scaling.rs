//! Cost growth of one run (`cargo bench --bench scaling`): seconds per 1000-epoch run for
//! hidden sizes 16..256 and for the bundled English set repeated 1x, 4x and 16x, beside the
//! O(H² × tokens) model normalised at H = 64, 1x. Prints a Markdown table; medians of 3.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use std::path::Path;
use std::time::Instant;

use sweep::data::Dataset;
use sweep::model::Gradient;
use sweep::settings::SettingsParams;
use sweep::train;

fn bundled(copies: usize) -> Dataset {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/en");
    let mut data =
        sweep::data::load(&dir.join("train.tsv"), &dir.join("test.tsv")).expect("bundled data");
    // A larger article-style set: the same phrases, `copies` times over.
    data.train = data
        .train
        .iter()
        .cloned()
        .cycle()
        .take(data.train.len() * copies)
        .collect();
    data
}

fn seconds(data: &Dataset, hidden: u64) -> f64 {
    let settings = SettingsParams {
        hidden_size: hidden,
        gradient: Gradient::Exact,
        ..Default::default()
    }
    .check()
    .expect("valid settings");
    let mut times: Vec<f64> = (0..3)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(train::run(data, &settings, 0, |_| {}));
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[1]
}

fn main() {
    // `cargo bench` passes flags such as --bench; this harness takes none.
    let base_data = bundled(1);
    let base = seconds(&base_data, 64);
    println!("instruction set: {:?}\n", sweep::simd::Isa::in_use());
    println!("| H | data | tokens/epoch | s per run | model O(H² x tokens) | measured / model |");
    println!("|---:|---:|---:|---:|---:|---:|");
    let tokens = base_data.train_tokens() as f64;
    let row = |hidden: u64, copies: usize, data: &Dataset| {
        let t = if hidden == 64 && copies == 1 {
            base
        } else {
            seconds(data, hidden)
        };
        let model = base * (hidden as f64 / 64.0).powi(2) * copies as f64;
        println!(
            "| {hidden} | {copies}x | {} | {t:.3} | {model:.3} | {:.2} |",
            tokens as usize * copies,
            t / model
        );
    };
    for hidden in [16, 32, 64, 128, 256] {
        row(hidden, 1, &base_data);
    }
    for copies in [4, 16] {
        let data = bundled(copies);
        row(64, copies, &data);
    }
}
