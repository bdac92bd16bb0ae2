//! Runtime choice of the instruction set: the training step and the forward pass compiled
//! for AVX-512, for AVX2 and for the default target, entered after checking the CPU.
//!
//! No `-C target-cpu` is needed: the default build carries all three. Every path gives the
//! same bits (see [`super::simd`]), which a test checks on whatever CPU runs it.

use super::simd::Portable;
#[cfg(target_arch = "x86_64")]
use super::simd::{Avx2, Avx512};
use super::{Grads, Outcome, Rnn, Step, Workspace};

/// Instruction sets the training step is compiled for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    /// The default target (SSE2 on x86-64; multiply-adds through the compiler runtime's
    /// `fma`, slow but exact, for CPUs without FMA).
    Baseline,
    Avx2,
    Avx512,
}

/// The set [`Isa::best`] returns, once chosen.
static CHOSEN: std::sync::OnceLock<Isa> = std::sync::OnceLock::new();

impl Isa {
    pub const ALL: [Isa; 3] = [Isa::Baseline, Isa::Avx2, Isa::Avx512];

    /// The set training runs on: the widest this CPU supports, unless [`Isa::choose`] set
    /// another first.
    pub fn best() -> Isa {
        *CHOSEN.get_or_init(|| {
            [Isa::Avx512, Isa::Avx2]
                .into_iter()
                .find(|i| i.is_supported())
                .unwrap_or(Isa::Baseline)
        })
    }

    /// Makes [`Isa::best`] return `isa` for the rest of the process (the `SWEEP_ISA`
    /// variable: benchmarks of the narrower paths on a wide CPU). Results do not change,
    /// only speed. Fails if the CPU lacks `isa` or a set was already in use.
    pub fn choose(isa: Isa) -> Result<(), String> {
        if !isa.is_supported() {
            return Err(format!("this CPU cannot run {}", isa.name()));
        }
        match CHOSEN.set(isa) {
            Ok(()) => Ok(()),
            Err(_) if Isa::best() == isa => Ok(()),
            Err(_) => Err(format!("{} is already in use", Isa::best().name())),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Isa::Baseline => "baseline",
            Isa::Avx2 => "avx2",
            Isa::Avx512 => "avx512",
        }
    }

    /// Parses `baseline`, `avx2` or `avx512`.
    pub fn parse(s: &str) -> Option<Isa> {
        Isa::ALL.into_iter().find(|i| i.name() == s)
    }

    /// Every set this CPU supports.
    pub fn available() -> Vec<Isa> {
        Isa::ALL.into_iter().filter(|i| i.is_supported()).collect()
    }

    pub fn is_supported(self) -> bool {
        match self {
            Isa::Baseline => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => {
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => {
                // `avx512f` code may use AVX2 instructions too.
                std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }
}

impl Rnn {
    /// Forward, backward and update on one example; returns the forward pass's outcome.
    /// Runs the widest instruction set this machine has ([`Isa::best`]); every one gives the
    /// same bits.
    pub fn train_example(
        &mut self,
        step: Step<'_>,
        ws: &mut Workspace,
        grads: &mut Grads,
    ) -> Outcome {
        self.train_example_on(Isa::best(), step, ws, grads)
    }

    /// [`Rnn::train_example`] on a chosen instruction set (tests compare them all); a set
    /// the CPU lacks falls back to the baseline.
    pub fn train_example_on(
        &mut self,
        isa: Isa,
        step: Step<'_>,
        ws: &mut Workspace,
        grads: &mut Grads,
    ) -> Outcome {
        match isa {
            // SAFETY: the guard checked that the CPU has the features these enable.
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 if isa.is_supported() => unsafe { self.step_avx512(step, ws, grads) },
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 if isa.is_supported() => unsafe { self.step_avx2(step, ws, grads) },
            _ => self.step::<Portable>(step, ws, grads),
        }
    }

    /// [`Rnn::forward`] on the widest instruction set this machine has (same bits).
    pub fn forward_fast(&self, words: &[Option<u32>], label: usize, ws: &mut Workspace) -> Outcome {
        match Isa::best() {
            // SAFETY: `Isa::best` only returns sets the CPU has.
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => unsafe { self.forward_avx512(words, label, ws) },
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => unsafe { self.forward_avx2(words, label, ws) },
            _ => self.forward(words, label, ws),
        }
    }

    // The same code compiled for wider vectors and hardware FMA; the lane types make each
    // path round exactly like the baseline.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn step_avx2(&mut self, s: Step<'_>, ws: &mut Workspace, grads: &mut Grads) -> Outcome {
        self.step::<Avx2>(s, ws, grads)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,fma")]
    fn step_avx512(&mut self, s: Step<'_>, ws: &mut Workspace, grads: &mut Grads) -> Outcome {
        self.step::<Avx512>(s, ws, grads)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn forward_avx2(&self, words: &[Option<u32>], label: usize, ws: &mut Workspace) -> Outcome {
        self.forward_on::<Avx2>(words, label, ws)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,fma")]
    fn forward_avx512(&self, words: &[Option<u32>], label: usize, ws: &mut Workspace) -> Outcome {
        self.forward_on::<Avx512>(words, label, ws)
    }
}
