//! The training step and the forward pass compiled for AVX-512, for AVX2 and for the
//! default target, and entered on the instruction set [`Isa`] picks after checking the CPU.
//! Every path gives the same bits (see [`crate::simd::lanes`]).

use super::{ExampleOutcome, Grads, Rnn, Step, Workspace};
use crate::simd::Isa;
use crate::simd::lanes::Portable;
#[cfg(target_arch = "x86_64")]
use crate::simd::lanes::{Avx2, Avx512};

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
        match isa {
            // SAFETY: the guard checked that the CPU has the features these enable.
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 if isa.is_supported() => unsafe { self.step_avx512(step, ws, grads) },
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 if isa.is_supported() => unsafe { self.step_avx2(step, ws, grads) },
            _ => self.step::<Portable>(step, ws, grads),
        }
    }

    /// The forward pass ([`Rnn::forward_portable`], same bits) on the instruction set in use
    /// ([`Isa::in_use`]): what evaluation and prediction run.
    pub fn forward(
        &self,
        words: &[Option<u32>],
        label: usize,
        ws: &mut Workspace,
    ) -> ExampleOutcome {
        match Isa::in_use() {
            // SAFETY: `Isa::in_use` only returns sets the CPU has.
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => unsafe { self.forward_avx512(words, label, ws) },
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => unsafe { self.forward_avx2(words, label, ws) },
            _ => self.forward_portable(words, label, ws),
        }
    }

    // The same code compiled for wider vectors and hardware FMA; the lane types make each
    // path round exactly like the baseline.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn step_avx2(&mut self, s: Step<'_>, ws: &mut Workspace, grads: &mut Grads) -> ExampleOutcome {
        self.step::<Avx2>(s, ws, grads)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,fma")]
    fn step_avx512(
        &mut self,
        s: Step<'_>,
        ws: &mut Workspace,
        grads: &mut Grads,
    ) -> ExampleOutcome {
        self.step::<Avx512>(s, ws, grads)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn forward_avx2(
        &self,
        words: &[Option<u32>],
        label: usize,
        ws: &mut Workspace,
    ) -> ExampleOutcome {
        self.forward_on::<Avx2>(words, label, ws)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,fma")]
    fn forward_avx512(
        &self,
        words: &[Option<u32>],
        label: usize,
        ws: &mut Workspace,
    ) -> ExampleOutcome {
        self.forward_on::<Avx512>(words, label, ws)
    }
}
