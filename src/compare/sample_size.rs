//! How many seeds a comparison needs: the seeds per side at which a difference of a given
//! size is found 80% of the time at the 5% level, estimated by simulation from the runs
//! already observed.
//!
//! Each simulated experiment draws n runs per side with replacement from the observed ones
//! and applies the comparison's own test (no Holm adjustment: one planned comparison):
//! - a median, for the difference observed: each side's own runs (unpaired), or the
//!   observed paired differences (paired), as they are;
//! - a median, for a difference given: side A's runs and the same runs shifted by it
//!   (unpaired), or the observed paired differences re-centred on it (paired);
//! - a share: A's observed share, B's that share plus the difference (unpaired); or pairs
//!   drawn with the observed share of discordant pairs split to make the difference.
//!
//! The candidates are 4, 8, 12, 16, 24, 32, ... 1024 seeds, each judged by 400 simulated
//! experiments from a fixed seed, so the same sides give the same answer on every run.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{ALPHA, Design, Side, design};
use crate::metric::{Measure, Metric};
use crate::stats::power::POWER;
use crate::stats::{fisher_exact, mann_whitney_u, mcnemar_exact, median, wilcoxon_differences};

/// Simulated experiments per candidate number of seeds.
const TRIALS: usize = 400;

/// Candidate numbers of seeds per side.
const CANDIDATES: [usize; 16] = [
    4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024,
];

/// The seeds one metric's comparison needs.
#[derive(Debug, Clone)]
pub(crate) struct Needed {
    /// The difference B - A to detect (a median shift or a difference of shares).
    pub effect: f64,
    pub paired: bool,
    /// Seeds per side for 80% power, `None` if more than the largest candidate.
    pub seeds: Option<usize>,
}

/// The seeds per side needed to detect `effect` (default: the difference observed between
/// `a` and `b`) in `metric`; `None` when a side lacks the metric or has too few values to
/// resample, or there is no effect to detect.
pub(crate) fn needed(a: &Side, b: &Side, metric: Metric, given: Option<f64>) -> Option<Needed> {
    let (va, vb) = (a.metric(metric)?, b.metric(metric)?);
    let paired = matches!(design(a, b), Design::Paired { .. });
    let observed = |v: &[Option<f64>]| -> Vec<f64> { v.iter().flatten().copied().collect() };
    let (xa, xb) = (observed(va), observed(vb));
    if xa.len() < 2 || xb.len() < 2 {
        return None;
    }
    let share = |x: &[f64]| x.iter().filter(|&&v| v == 1.0).count() as f64 / x.len() as f64;
    let effect = match (given, metric.kind()) {
        (Some(e), _) => e,
        (None, Measure::Share { .. }) => share(&xb) - share(&xa),
        (None, _) => crate::stats::difference(median(&xb)?, median(&xa)?),
    };
    if effect == 0.0 || !effect.is_finite() {
        return None;
    }
    let given = given.is_some();
    let model = match (metric.kind(), paired) {
        (Measure::Share { .. }, false) => Model::Shares(share(&xa), share(&xa) + effect),
        (Measure::Share { .. }, true) => Model::PairedShares(discordant(a, va, b, vb), effect),
        (_, false) if given => {
            let shifted = xa.iter().map(|v| v + effect).collect();
            Model::Samples(xa, shifted)
        }
        (_, false) => Model::Samples(xa, xb),
        (_, true) => Model::Differences(differences(a, va, b, vb, given.then_some(effect))?),
    };
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let seeds = CANDIDATES
        .into_iter()
        .find(|&n| power(&model, n, &mut rng) >= POWER);
    Some(Needed {
        effect,
        paired,
        seeds,
    })
}

/// What a simulated experiment draws from.
enum Model {
    /// Side A's values and side B's.
    Samples(Vec<f64>, Vec<f64>),
    /// Paired differences B - A.
    Differences(Vec<f64>),
    /// The two shares.
    Shares(f64, f64),
    /// The share of discordant pairs, and the effect.
    PairedShares(f64, f64),
}

/// The share of the simulated experiments of `n` seeds per side whose test finds the
/// difference.
fn power(model: &Model, n: usize, rng: &mut ChaCha8Rng) -> f64 {
    let found = (0..TRIALS).filter(|_| rejects(model, n, rng)).count();
    found as f64 / TRIALS as f64
}

fn rejects(model: &Model, n: usize, rng: &mut ChaCha8Rng) -> bool {
    let p = match model {
        Model::Samples(xa, xb) => {
            let x: Vec<f64> = (0..n).map(|_| pick(xa, rng)).collect();
            let y: Vec<f64> = (0..n).map(|_| pick(xb, rng)).collect();
            mann_whitney_u(&y, &x).map(|t| t.p_value)
        }
        Model::Differences(differences) => {
            let d: Vec<f64> = (0..n).map(|_| pick(differences, rng)).collect();
            wilcoxon_differences(&d).map(|t| t.p_value)
        }
        Model::Shares(pa, pb) => {
            let count = |p: f64, rng: &mut ChaCha8Rng| {
                (0..n).filter(|_| rng.random::<f64>() < p).count() as u64
            };
            let (ka, kb) = (count(*pa, rng), count(*pb, rng));
            let n = n as u64;
            Some(fisher_exact([[kb, n - kb], [ka, n - ka]]).p_value)
        }
        Model::PairedShares(psi, effect) => {
            // Discordant pairs split so that p(B only) - p(A only) is the effect.
            let psi = psi.max(effect.abs());
            let (only_b, only_a) = ((psi + effect) / 2.0, (psi - effect) / 2.0);
            let (mut b, mut a) = (0, 0);
            for _ in 0..n {
                let u = rng.random::<f64>();
                if u < only_b {
                    b += 1;
                } else if u < only_b + only_a {
                    a += 1;
                }
            }
            Some(mcnemar_exact(b, a).p_value)
        }
    };
    p.is_some_and(|p| p < ALPHA)
}

fn pick(values: &[f64], rng: &mut ChaCha8Rng) -> f64 {
    values[rng.random_range(0..values.len())]
}

/// The share of a paired comparison's seeds where exactly one side has the value 1.
fn discordant(a: &Side, va: &[Option<f64>], b: &Side, vb: &[Option<f64>]) -> f64 {
    let Design::Paired { seeds } = design(a, b) else {
        return 0.0;
    };
    let (x, y) = super::paired(a, va, b, vb, &seeds);
    let differ = x
        .iter()
        .zip(&y)
        .filter(|(p, q)| (**p == 1.0) != (**q == 1.0))
        .count();
    differ as f64 / x.len().max(1) as f64
}

/// The paired differences B - A, as observed, or shifted so that their median is `effect`
/// (infinite ones, a seed that never got there on one side, left out).
fn differences(
    a: &Side,
    va: &[Option<f64>],
    b: &Side,
    vb: &[Option<f64>],
    effect: Option<f64>,
) -> Option<Vec<f64>> {
    let Design::Paired { seeds } = design(a, b) else {
        return None;
    };
    let (x, y) = super::paired(a, va, b, vb, &seeds);
    let d: Vec<f64> = y
        .iter()
        .zip(&x)
        .map(|(q, p)| crate::stats::difference(*q, *p))
        .filter(|d| d.is_finite())
        .collect();
    let Some(effect) = effect else {
        return (!d.is_empty()).then_some(d);
    };
    let centre = median(&d)?;
    Some(d.iter().map(|v| v - centre + effect).collect())
}
