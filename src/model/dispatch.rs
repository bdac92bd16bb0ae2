//! The training step and the forward pass on the instruction set [`Isa`] picks: each is a
//! [`LaneTask`] that [`Isa::run`] compiles for AVX-512, AVX2 and the default target and
//! enters after checking the CPU. Every path gives the same bits (see
//! [`crate::simd::lanes`]); nothing here is `unsafe`.

use super::{ExampleOutcome, Grads, Rnn, Step, Workspace};
use crate::simd::lanes::Lanes;
use crate::simd::{Isa, LaneTask};

impl Rnn {
    /// Forward, backward and update on one example; returns the forward pass's outcome.
    /// Runs on the instruction set in use ([`Isa::in_use`]); every one gives the same bits.
    pub fn train_example(
        &mut self,
        step: Step<'_>,
        ws: &mut Workspace,
        grads: &mut Grads,
    ) -> ExampleOutcome {
        self.train_example_on(Isa::in_use(), step, ws, grads)
    }

    /// [`Rnn::train_example`] on a chosen instruction set (tests compare them all); a set
    /// the CPU lacks falls back to the baseline.
    pub fn train_example_on(
        &mut self,
        isa: Isa,
        step: Step<'_>,
        ws: &mut Workspace,
        grads: &mut Grads,
    ) -> ExampleOutcome {
        isa.run(TrainStep {
            rnn: self,
            step,
            ws,
            grads,
        })
    }

    /// The forward pass ([`Rnn::forward_portable`], same bits) on the instruction set in use
    /// ([`Isa::in_use`]): what evaluation and prediction run.
    pub fn forward(
        &self,
        words: &[Option<u32>],
        label: usize,
        ws: &mut Workspace,
    ) -> ExampleOutcome {
        Isa::in_use().run(Forward {
            rnn: self,
            words,
            label,
            ws,
        })
    }
}

/// The arguments of [`Rnn::train_example`], as a task over the lanes.
struct TrainStep<'a, 'b> {
    rnn: &'a mut Rnn,
    step: Step<'b>,
    ws: &'a mut Workspace,
    grads: &'a mut Grads,
}

impl LaneTask for TrainStep<'_, '_> {
    type Output = ExampleOutcome;
    // Inlined into `Isa::run`'s `#[target_feature]` functions, down to the kernel loops.
    #[inline(always)]
    fn run<L: Lanes>(self, lanes: L) -> ExampleOutcome {
        self.rnn.step(lanes, self.step, self.ws, self.grads)
    }
}

/// The arguments of [`Rnn::forward`], as a task over the lanes.
struct Forward<'a, 'b> {
    rnn: &'a Rnn,
    words: &'b [Option<u32>],
    label: usize,
    ws: &'a mut Workspace,
}

impl LaneTask for Forward<'_, '_> {
    type Output = ExampleOutcome;
    #[inline(always)]
    fn run<L: Lanes>(self, lanes: L) -> ExampleOutcome {
        self.rnn.forward_on(lanes, self.words, self.label, self.ws)
    }
}
