//! The instruction sets the kernel is compiled for, which of them this CPU has, and the one
//! the process runs on (the widest, or the one `SWEEP_ISA` chose).
//!
//! No `-C target-cpu` is needed: the default build carries all three, and [`Isa::run`]
//! enters the code compiled for a set only with the set's token in hand (the CPU check; see
//! [`super::lanes`]). Every set gives the same bits, which tests check on whatever CPU runs
//! them.

#[cfg(target_arch = "x86_64")]
use super::lanes::{Avx2, Avx512};
use super::lanes::{Lanes, Portable};

/// Instruction sets the training step is compiled for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    /// The default target (SSE2 on x86-64; multiply-adds through the compiler runtime's
    /// `fma`, slow but exact, for CPUs without FMA).
    Baseline,
    Avx2,
    Avx512,
}

/// The set [`Isa::in_use`] returns, once chosen.
static CHOSEN: std::sync::OnceLock<Isa> = std::sync::OnceLock::new();

impl Isa {
    pub const ALL: [Isa; 3] = [Isa::Baseline, Isa::Avx2, Isa::Avx512];

    /// The set training and evaluation run on: the one [`Isa::choose`] set (`SWEEP_ISA`),
    /// or else the widest this CPU supports. Fixed at the first call.
    pub fn in_use() -> Isa {
        *CHOSEN.get_or_init(|| {
            [Isa::Avx512, Isa::Avx2]
                .into_iter()
                .find(|i| i.is_supported())
                .unwrap_or(Isa::Baseline)
        })
    }

    /// Makes [`Isa::in_use`] return `isa` for the rest of the process (the `SWEEP_ISA`
    /// variable: benchmarks of the narrower paths on a wide CPU). Results do not change,
    /// only speed. Fails if the CPU lacks `isa` or a set was already in use.
    pub fn choose(isa: Isa) -> Result<(), String> {
        if !isa.is_supported() {
            return Err(format!("this CPU cannot run {}", isa.name()));
        }
        match CHOSEN.set(isa) {
            Ok(()) => Ok(()),
            Err(_) if Isa::in_use() == isa => Ok(()),
            Err(_) => Err(format!("{} is already in use", Isa::in_use().name())),
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

    /// Whether this CPU has the set: the same check that hands out its token.
    pub fn is_supported(self) -> bool {
        match self {
            Isa::Baseline => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => Avx2::detect().is_some(),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => Avx512::detect().is_some(),
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// Runs `task` on this set's lanes, or on the portable ones if the CPU lacks the set.
    /// The one way in from code that knows no instruction set to code compiled for one.
    #[inline]
    pub(crate) fn run<T: LaneTask>(self, task: T) -> T::Output {
        match self {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => {
                if let Some(lanes) = Avx512::detect() {
                    // SAFETY: the token exists, so the CPU has what `on_avx512` enables.
                    return unsafe { on_avx512(lanes, task) };
                }
            }
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => {
                if let Some(lanes) = Avx2::detect() {
                    // SAFETY: as above, for `on_avx2`.
                    return unsafe { on_avx2(lanes, task) };
                }
            }
            _ => {}
        }
        task.run(Portable)
    }
}

/// A computation written once over [`Lanes`], which [`Isa::run`] compiles for each set.
/// `run` should be `#[inline(always)]`, and so should everything it calls on the lanes:
/// only what is inlined into the `#[target_feature]` functions below is compiled for
/// their instructions (anything else stays on the baseline target, the intrinsics as calls).
pub(crate) trait LaneTask {
    type Output;
    fn run<L: Lanes>(self, lanes: L) -> Self::Output;
}

// The same task compiled for wider vectors and hardware FMA; the lane types make each path
// round exactly like the baseline. The token argument is the caller's proof that the CPU
// has these features.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn on_avx2<T: LaneTask>(lanes: Avx2, task: T) -> T::Output {
    task.run(lanes)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
fn on_avx512<T: LaneTask>(lanes: Avx512, task: T) -> T::Output {
    task.run(lanes)
}

/// Says (past the test harness's output capture, so that it shows) which sets `test` could
/// not check because this CPU lacks them: a comparison that was not made must not pass
/// silently. With no set but the baseline there is nothing to compare, which fails under
/// `SWEEP_STRICT_TESTS` ([`crate::skip_or_fail`]); a CPU with AVX2 but not AVX-512 passes
/// there too, with its `SKIPPED` line.
#[cfg(test)]
pub(crate) fn say_unchecked_sets(test: &str) {
    use std::io::Write as _;
    let missing: Vec<&str> = Isa::ALL
        .into_iter()
        .filter(|i| !i.is_supported())
        .map(Isa::name)
        .collect();
    if missing.len() + 1 == Isa::ALL.len() {
        crate::skip_or_fail(
            test,
            &format!(
                "this CPU lacks {}, so no instruction set was compared with the baseline",
                missing.join(" and ")
            ),
        );
    } else if !missing.is_empty() {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED in {test}: this CPU lacks {}, so that code was not compared with the \
             baseline",
            missing.join(" and ")
        );
    }
}
