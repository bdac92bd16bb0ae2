//! Run-level tests: determinism, seeds, divergence, and that the bundled English set is
//! learned with the exact gradient (which a broken gradient cannot do).

use std::path::Path;

use super::*;
use crate::data;
use crate::metric::{Metric, RunSummary};
use crate::model::Gradient;
use crate::settings::SettingsParams;

fn bundled_en() -> Dataset {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/en");
    data::load(&dir.join("train.tsv"), &dir.join("test.tsv")).unwrap()
}

fn settings(f: impl FnOnce(&mut SettingsParams)) -> Settings {
    let mut p = SettingsParams::default();
    f(&mut p);
    p.check().unwrap()
}

fn bits(metrics: &[EpochMetrics]) -> Vec<u64> {
    metrics
        .iter()
        .flat_map(|m| {
            let t = m
                .test
                .map_or([0, 0], |t| [t.loss.to_bits(), t.accuracy.to_bits()]);
            [
                m.train.loss.to_bits(),
                m.train.accuracy.to_bits(),
                t[0],
                t[1],
            ]
        })
        .collect()
}

/// The epochs that were evaluated on the test set.
fn evaluated(metrics: &[EpochMetrics]) -> Vec<u32> {
    metrics
        .iter()
        .filter(|m| m.test.is_some())
        .map(|m| m.epoch)
        .collect()
}

#[test]
fn same_seed_same_bits_other_seed_other_numbers() {
    let data = bundled_en();
    let s = settings(|p| {
        p.epochs = 30;
        p.eval_every = 10;
        p.hidden_size = 16;
        p.learning_rate = 0.1;
    });
    let a = run(&data, &s, 5, |_| {});
    let b = run(&data, &s, 5, |_| {});
    let c = run(&data, &s, 6, |_| {});
    assert_eq!(bits(&a.metrics), bits(&b.metrics));
    assert_eq!(a.model, b.model);
    assert_ne!(bits(&a.metrics), bits(&c.metrics));
    assert_eq!(a.metrics.len(), 30);
    assert_eq!(evaluated(&a.metrics), [10, 20, 30]);
}

#[test]
fn callback_sees_every_epoch_in_order() {
    let data = bundled_en();
    let s = settings(|p| {
        p.epochs = 7;
        p.eval_every = 3;
        p.hidden_size = 4;
    });
    let mut seen = Vec::new();
    let result = run(&data, &s, 0, |m| seen.push(*m));
    assert_eq!(seen, result.metrics);
    // The last epoch is evaluated even off the eval_every grid.
    assert_eq!(evaluated(&seen), [3, 6, 7]);
}

#[test]
fn non_finite_loss_marks_the_run_diverged() {
    let data = bundled_en();
    // Weights near f64::MAX overflow the first product to inf, so the first loss is NaN.
    let s = settings(|p| {
        p.init_scale = 1e307;
        p.epochs = 5;
        p.eval_every = 1;
    });
    let r = run(&data, &s, 0, |_| {});
    assert_eq!(r.status, Status::Diverged { epoch: 1 });
    assert!(r.metrics.is_empty());
}

#[test]
fn an_epoch_whose_finite_losses_sum_to_infinity_is_diverged() {
    // Regression: with 8 units each example's loss stays finite (about 1e307) but their sum
    // overflowed, and the run went on recording an infinite loss (written as JSON null).
    let data = bundled_en();
    let s = settings(|p| {
        p.init_scale = 1e307;
        p.hidden_size = 8;
        p.epochs = 5;
        p.eval_every = 5;
    });
    let r = run(&data, &s, 0, |_| {});
    assert_eq!(r.status, Status::Diverged { epoch: 1 });
    // The first epoch's sum was not finite, so not even that epoch is recorded.
    assert!(r.metrics.is_empty(), "{:?}", r.metrics);
}

#[test]
fn exact_gradient_learns_the_bundled_set_for_seeds_0_to_3() {
    let data = bundled_en();
    let s = settings(|p| p.gradient = Gradient::Exact);
    for seed in 0..4 {
        let r = run(&data, &s, seed, |_| {});
        let summary = RunSummary::of(&r.metrics, r.status);
        assert_eq!(r.status, Status::Ok);
        let first = summary.value(Metric::FirstEpochTrainAcc1).unwrap();
        assert!(
            first.is_finite(),
            "seed {seed} never reached 100% train accuracy"
        );
        assert_eq!(
            summary.value(Metric::FinalTrainAcc),
            Some(1.0),
            "seed {seed}"
        );
    }
}
