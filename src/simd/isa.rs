//! The instruction sets the kernel is compiled for, which of them this CPU has, and the one
//! the process runs on (the widest, or the one `SWEEP_ISA` chose).
//!
//! No `-C target-cpu` is needed: the default build carries all three. Every set gives the
//! same bits (see [`super::lanes`]), which tests check on whatever CPU runs them.

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
