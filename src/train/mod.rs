//! One run: a pure function of (data, settings, seed).
//!
//! A ChaCha RNG seeded from the seed draws the initial weights and then every epoch's
//! shuffle. Each epoch trains on every example once with a per-example SGD step; its train
//! loss and accuracy accumulate while the weights change, as the article's do. Test metrics
//! are measured without updates every `eval_every` epochs and after the last. A non-finite
//! loss stops the run and marks it diverged at that epoch. No I/O happens here: metrics go
//! to a callback and come back in the [`RunResult`].

mod settings;
mod summary;

use std::sync::atomic::{AtomicBool, Ordering};

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

pub use settings::{MAX_EPOCHS, MAX_HIDDEN, Settings, SettingsError, SettingsParams, fmt_f64};
pub use summary::RunSummary;

use crate::data::{Dataset, Example};
use crate::model::{Rnn, Workspace};

/// Mean loss and accuracy over a set of examples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Eval {
    pub loss: f64,
    pub accuracy: f64,
}

/// What one epoch measured.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EpochMetrics {
    pub epoch: u32,
    /// Accumulated over the epoch while training, as the article reports it.
    pub train: Eval,
    /// Measured after the epoch without updates; only on evaluation epochs.
    pub test: Option<Eval>,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Status {
    /// Every epoch ran.
    Ok,
    /// A loss became NaN or infinite during `epoch`; the metrics stop before it.
    Diverged { epoch: u32 },
}

/// Everything a run produced.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub metrics: Vec<EpochMetrics>,
    pub status: Status,
    /// The weights at the end (at the moment of divergence for a diverged run).
    pub model: Rnn,
}

/// Trains one run; `on_epoch` sees each epoch's metrics as soon as they exist.
pub fn run(
    data: &Dataset,
    settings: &Settings,
    seed: u64,
    on_epoch: impl FnMut(&EpochMetrics),
) -> RunResult {
    let never = AtomicBool::new(false);
    // Without a cancel request the run always completes.
    run_cancellable(data, settings, seed, on_epoch, &never).unwrap_or_else(|| unreachable!())
}

/// [`run`] that gives up (returning `None`) at the next epoch boundary after `cancel` is set.
pub fn run_cancellable(
    data: &Dataset,
    settings: &Settings,
    seed: u64,
    mut on_epoch: impl FnMut(&EpochMetrics),
    cancel: &AtomicBool,
) -> Option<RunResult> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let classes = data.classes.len();
    let mut model = Rnn::init(
        data.vocab.len(),
        settings.hidden(),
        classes,
        settings.init_scale,
        &mut rng,
    );
    let mut ws = Workspace::default();
    let mut grads = model.grads();
    let mut order: Vec<usize> = Vec::with_capacity(data.train.len());
    // Grown as epochs finish: reserving `epochs` up front would make a mistyped epoch count
    // an allocation failure (an abort) instead of a run that can still be interrupted.
    let mut metrics = Vec::new();
    for epoch in 1..=settings.epoch_count() {
        if cancel.load(Ordering::Relaxed) {
            return None;
        }
        // Each epoch shuffles the set in file order afresh, as the article's does.
        order.clear();
        order.extend(0..data.train.len());
        order.shuffle(&mut rng);
        let mut loss = 0.0;
        let mut correct = 0usize;
        for &i in &order {
            let ex = &data.train[i];
            let out = model.train_example(
                &ex.words,
                ex.label,
                settings.gradient,
                settings.learning_rate,
                settings.clip,
                &mut ws,
                &mut grads,
            );
            if !out.loss.is_finite() {
                return Some(diverged(metrics, epoch, model));
            }
            loss += out.loss;
            correct += usize::from(out.correct);
        }
        let test = settings
            .evaluates_at(epoch)
            .then(|| evaluate(&model, &data.test, &mut ws));
        // Finite losses can still sum to infinity; a record never holds a non-finite number.
        if !loss.is_finite() || test.is_some_and(|t| !t.loss.is_finite()) {
            return Some(diverged(metrics, epoch, model));
        }
        let n = data.train.len() as f64;
        let m = EpochMetrics {
            epoch,
            train: Eval {
                loss: loss / n,
                accuracy: correct as f64 / n,
            },
            test,
        };
        on_epoch(&m);
        metrics.push(m);
    }
    Some(RunResult {
        metrics,
        status: Status::Ok,
        model,
    })
}

fn diverged(metrics: Vec<EpochMetrics>, epoch: u32, model: Rnn) -> RunResult {
    RunResult {
        metrics,
        status: Status::Diverged { epoch },
        model,
    }
}

/// Mean loss and accuracy of `model` on `examples`, without updates.
pub fn evaluate(model: &Rnn, examples: &[Example], ws: &mut Workspace) -> Eval {
    let mut loss = 0.0;
    let mut correct = 0usize;
    for ex in examples {
        let out = model.forward_fast(&ex.words, ex.label, ws);
        loss += out.loss;
        correct += usize::from(out.correct);
    }
    let n = examples.len() as f64;
    Eval {
        loss: loss / n,
        accuracy: correct as f64 / n,
    }
}

#[cfg(test)]
mod tests;
