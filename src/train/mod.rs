//! One run: a pure function of (data, settings, seed).
//!
//! A ChaCha RNG seeded from the seed draws the initial weights and then every epoch's
//! shuffle. Each epoch trains on every example once with a per-example SGD step; its train
//! loss and accuracy accumulate while the weights change, as the article's do. Test metrics
//! are measured without updates every `eval_every` epochs and after the last. A non-finite
//! loss stops the run and marks it diverged at that epoch. No I/O happens here: metrics go
//! to a callback and come back in the [`RunResult`].

mod curve;
mod run;

use std::sync::atomic::{AtomicBool, Ordering};

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

pub use curve::Curve;
pub use run::{NUMERICS_VERSION, RunSpec, run_id, run_id_of_version};

use crate::data::{Dataset, Example};
use crate::model::{Grads, Rnn, Step, Workspace};
use crate::settings::Settings;

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
    /// Successive halving stopped the run after `epoch`, where its configuration was not
    /// among those kept; the metrics stop there.
    Pruned { epoch: u32 },
}

impl Status {
    /// As the `status` column of `runs.csv` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Diverged { .. } => "diverged",
            Status::Pruned { .. } => "pruned",
        }
    }

    /// Whether the run trained every epoch.
    pub fn finished(self) -> bool {
        self == Status::Ok
    }

    /// The epoch a run that did not finish stopped in (diverged) or after (pruned).
    pub fn stopped_epoch(self) -> Option<u32> {
        match self {
            Status::Ok => None,
            Status::Diverged { epoch } | Status::Pruned { epoch } => Some(epoch),
        }
    }

    /// The epoch a diverged run's loss stopped being finite in (none for others).
    pub fn diverged_epoch(self) -> Option<u32> {
        match self {
            Status::Diverged { epoch } => Some(epoch),
            _ => None,
        }
    }

    pub fn diverged(self) -> bool {
        matches!(self, Status::Diverged { .. })
    }

    pub fn pruned(self) -> bool {
        matches!(self, Status::Pruned { .. })
    }
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
    on_epoch: impl FnMut(&EpochMetrics),
    cancel: &AtomicBool,
) -> Option<RunResult> {
    run_until(
        data,
        settings,
        seed,
        settings.epoch_count(),
        on_epoch,
        cancel,
    )
}

/// [`run_cancellable`] stopped after epoch `until`: a run stopped before its last epoch is
/// [`Status::Pruned`] there, and its epochs are exactly the first `until` of the whole run
/// (nothing but the number of epochs differs).
pub fn run_until(
    data: &Dataset,
    settings: &Settings,
    seed: u64,
    until: u32,
    mut on_epoch: impl FnMut(&EpochMetrics),
    cancel: &AtomicBool,
) -> Option<RunResult> {
    let mut trainer = Trainer::new(data, settings, seed);
    let last = until.min(settings.epoch_count());
    // Grown as epochs finish: reserving `epochs` up front would make a mistyped epoch count
    // an allocation failure (an abort) instead of a run that can still be interrupted.
    let mut metrics = Vec::new();
    for epoch in 1..=last {
        if cancel.load(Ordering::Relaxed) {
            return None;
        }
        let Some(m) = trainer.epoch(epoch) else {
            return Some(diverged(metrics, epoch, trainer.model));
        };
        on_epoch(&m);
        metrics.push(m);
    }
    let status = if last < settings.epoch_count() {
        Status::Pruned { epoch: last }
    } else {
        Status::Ok
    };
    Some(RunResult {
        metrics,
        status,
        model: trainer.model,
    })
}

/// The state of a run between epochs: the model, the RNG that drew its initial weights and
/// draws every shuffle, and the buffers reused by every step.
struct Trainer<'a> {
    data: &'a Dataset,
    settings: &'a Settings,
    rng: ChaCha8Rng,
    model: Rnn,
    ws: Workspace,
    grads: Grads,
    order: Vec<usize>,
}

impl<'a> Trainer<'a> {
    fn new(data: &'a Dataset, settings: &'a Settings, seed: u64) -> Trainer<'a> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let model = Rnn::init(
            data.vocab.len(),
            settings.hidden(),
            data.classes.len(),
            settings.init_scale,
            &mut rng,
        );
        let grads = model.grads();
        Trainer {
            data,
            settings,
            rng,
            model,
            ws: Workspace::default(),
            grads,
            order: Vec::with_capacity(data.train.len()),
        }
    }

    /// Trains epoch `epoch` on a fresh shuffle and measures it; `None` if a loss is no
    /// longer finite (the run diverged in this epoch, and the model is left as it was at
    /// that moment).
    fn epoch(&mut self, epoch: u32) -> Option<EpochMetrics> {
        self.shuffle();
        self.train_and_measure(epoch)
    }

    /// The next epoch's order: the training set in file order, shuffled by the run's RNG.
    fn shuffle(&mut self) {
        self.order.clear();
        self.order.extend(0..self.data.train.len());
        self.order.shuffle(&mut self.rng);
    }

    /// Trains epoch `epoch` in the current order and measures it (see [`Trainer::epoch`]).
    fn train_and_measure(&mut self, epoch: u32) -> Option<EpochMetrics> {
        let (loss, correct) = self.train_pass()?;
        let test = self
            .settings
            .evaluates_at(epoch)
            .then(|| evaluate(&self.model, &self.data.test, &mut self.ws));
        // Finite losses can still sum to infinity; a record never holds a non-finite number.
        if !loss.is_finite() || test.is_some_and(|t| !t.loss.is_finite()) {
            return None;
        }
        let n = self.data.train.len() as f64;
        Some(EpochMetrics {
            epoch,
            train: Eval {
                loss: loss / n,
                accuracy: correct as f64 / n,
            },
            test,
        })
    }

    /// One SGD step per training example in the current order, as the article's epoch: the
    /// summed loss and the number correct, or `None` at the first example whose loss is not
    /// finite.
    fn train_pass(&mut self) -> Option<(f64, usize)> {
        let s = self.settings;
        let mut loss = 0.0;
        let mut correct = 0usize;
        for &i in &self.order {
            let ex = &self.data.train[i];
            let step = Step {
                words: &ex.words,
                label: ex.label,
                gradient: s.gradient,
                learning_rate: s.learning_rate,
                clip: s.clip,
            };
            let out = self
                .model
                .train_example(step, &mut self.ws, &mut self.grads);
            if !out.loss.is_finite() {
                return None;
            }
            loss += out.loss;
            correct += usize::from(out.correct);
        }
        Some((loss, correct))
    }
}

/// What another implementation needs to replay a run: its initial weights and every
/// epoch's order (indices into the training set in file order), drawn exactly as
/// [`run`] draws them.
#[derive(Debug)]
pub struct Draws {
    pub initial: Rnn,
    pub shuffles: Vec<Vec<usize>>,
}

/// The draws of run `seed` of `settings` on `data`, for its first `epochs` epochs. (The RNG
/// draws nothing that depends on training, so no training is needed.)
pub fn draws(data: &Dataset, settings: &Settings, seed: u64, epochs: u32) -> Draws {
    let mut trainer = Trainer::new(data, settings, seed);
    let initial = trainer.model.clone();
    let shuffles = (0..epochs)
        .map(|_| {
            trainer.shuffle();
            trainer.order.clone()
        })
        .collect();
    Draws { initial, shuffles }
}

/// Trains from `draws` (given initial weights and orders) instead of a seed: the epochs it
/// finishes, stopping at the first whose loss is not finite. With the draws of a seed, the
/// epochs of [`run`] with that seed.
pub fn replay(data: &Dataset, settings: &Settings, draws: &Draws) -> Vec<EpochMetrics> {
    let mut trainer = Trainer::new(data, settings, 0);
    trainer.model = draws.initial.clone();
    let mut metrics = Vec::new();
    let n = data.train.len();
    for (epoch, order) in (1..).zip(&draws.shuffles) {
        // Orders from elsewhere: indices out of range end the replay rather than panic.
        if order.iter().any(|&i| i >= n) {
            break;
        }
        trainer.order.clone_from(order);
        let Some(m) = trainer.train_and_measure(epoch) else {
            break;
        };
        metrics.push(m);
    }
    metrics
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
        let out = model.forward(&ex.words, ex.label, ws);
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
