//! The race's error control, measured by simulation: how often a race eliminates the
//! configuration a uniform large sample ranks first (at most `alpha` is what the race
//! states), how often the difference of the tolerance is found (80% is what it states), and
//! what the race spends.
//!
//! Two kinds of truth:
//! - real runs: `tests/fixtures/grid3_64.csv`, the final test accuracy of every run of
//!   `experiments/grid3.toml` at 64 seeds per configuration (40 configurations, 2560 runs;
//!   `sweep run experiments/grid3.toml --set grid.seed='{ start = 0, count = 64 }'`). Each
//!   simulated race draws its seeds with replacement from the 64 (one draw per seed, shared
//!   by every configuration, so the pairing by seed is kept), and "the best" is the first by
//!   the share of the 64 seeds at 100% test accuracy (ties in the experiment's order);
//! - synthetic runs with known differences: successes drawn from a Gaussian copula (a seed's
//!   common factor, correlation 0.5, as seeds shared by configurations correlate), and
//!   normal measurements with known shifts.
//!
//! `cargo test --release --lib race_error` runs a fast version (fewer simulated races) with a
//! margin of Monte Carlo error; `-- --ignored race_error_full --nocapture` prints the figures
//! of `docs/search.md`.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::race::{Race, course};
use crate::error::Result;
use crate::metric::Metric;
use crate::stats::normal;

const GRID3_64: &str = include_str!("../../tests/fixtures/grid3_64.csv");

/// What a batch of simulated races did.
#[derive(Debug, Clone, Copy)]
struct Figures {
    trials: usize,
    /// Races that eliminated the best.
    best_out: usize,
    /// Races whose winner is the best, and whose tied set holds it.
    winner: usize,
    /// Runs spent (selection only), on average, as a share of every configuration on the
    /// whole budget.
    runs: f64,
    /// Races that eliminated `target` (a configuration worse than the best by the
    /// tolerance), for power.
    target_out: usize,
}

impl Figures {
    fn error(&self) -> f64 {
        self.best_out as f64 / self.trials as f64
    }
}

/// Simulates `trials` races over `configs` configurations; `draw(rng, n)` gives each
/// configuration's scores on n fresh seeds; `best` is the truly best, `target` one to count
/// the eliminations of.
fn simulate(
    race: &Race,
    configs: usize,
    best: usize,
    target: Option<usize>,
    trials: usize,
    draw: &dyn Fn(&mut ChaCha8Rng, usize) -> Vec<Vec<f64>>,
) -> Figures {
    let mut rng = ChaCha8Rng::seed_from_u64(19);
    let mut f = Figures {
        trials,
        best_out: 0,
        winner: 0,
        runs: 0.0,
        target_out: 0,
    };
    for _ in 0..trials {
        let all = draw(&mut rng, race.budget);
        let mut scores = |alive: &[usize], n: usize| -> Result<Option<Vec<Vec<f64>>>> {
            Ok(Some(alive.iter().map(|&c| all[c][..n].to_vec()).collect()))
        };
        let Ok(c) = course(race, configs, race.budget, &mut scores) else {
            continue;
        };
        f.best_out += usize::from(c.out_at[best].is_some());
        f.winner += usize::from(c.winner() == Some(best));
        f.target_out += usize::from(target.is_some_and(|t| c.out_at[t].is_some()));
        let spent: usize = (0..configs).map(|i| c.seeds_of(i)).sum();
        f.runs += spent as f64 / (configs * race.budget) as f64 / trials as f64;
    }
    f
}

/// grid3 at 64 seeds: each configuration's final test accuracy by seed.
fn grid3() -> Vec<Vec<f64>> {
    let mut rows: Vec<Vec<f64>> = Vec::new();
    let mut last = String::new();
    for line in GRID3_64.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let [config, _seed, acc] = cells[..] else {
            panic!("grid3_64.csv: bad line {line}");
        };
        if config != last {
            rows.push(Vec::new());
            last = config.to_owned();
        }
        let acc: f64 = acc.parse().unwrap_or(f64::NAN);
        rows.last_mut().unwrap().push(acc);
    }
    rows
}

/// The race on grid3's space as `experiments/race.toml` states it.
fn race_toml() -> Race {
    Race {
        metric: Metric::TestAcc1,
        first: 12,
        block: 4,
        budget: 16,
        alpha: 0.05,
        tolerance: Some(0.3),
        fresh: 8,
        reevaluate: Some(4),
    }
}

/// Races resampling grid3's 64 seeds.
fn real(race: &Race, trials: usize) -> (Figures, usize) {
    let truth = grid3();
    let shares: Vec<f64> = truth
        .iter()
        .map(|r| r.iter().filter(|&&a| a == 1.0).count() as f64 / r.len() as f64)
        .collect();
    let best = (0..shares.len())
        .min_by(|&a, &b| shares[b].total_cmp(&shares[a]).then(a.cmp(&b)))
        .unwrap();
    let seeds = truth[0].len();
    let draw = |rng: &mut ChaCha8Rng, n: usize| {
        let picks: Vec<usize> = (0..n).map(|_| rng.random_range(0..seeds)).collect();
        truth
            .iter()
            .map(|r| picks.iter().map(|&s| -f64::from(r[s] == 1.0)).collect())
            .collect()
    };
    (simulate(race, truth.len(), best, None, trials, &draw), best)
}

/// Successes with shares `p`, correlated by seed through a common factor.
fn shares_draw(p: &[f64]) -> impl Fn(&mut ChaCha8Rng, usize) -> Vec<Vec<f64>> + '_ {
    move |rng: &mut ChaCha8Rng, n: usize| {
        let common: Vec<f64> = (0..n).map(|_| gaussian(rng)).collect();
        p.iter()
            .map(|&p| {
                let cut = normal::quantile(p);
                common
                    .iter()
                    .map(|z| {
                        let x = 0.5f64.sqrt() * z + 0.5f64.sqrt() * gaussian(rng);
                        -f64::from(x < cut)
                    })
                    .collect()
            })
            .collect()
    }
}

/// Normal losses with means `mu` (lower is better) and unit spread, correlated by seed.
fn shifts_draw(mu: &[f64]) -> impl Fn(&mut ChaCha8Rng, usize) -> Vec<Vec<f64>> + '_ {
    move |rng: &mut ChaCha8Rng, n: usize| {
        let common: Vec<f64> = (0..n).map(|_| gaussian(rng)).collect();
        mu.iter()
            .map(|&m| {
                common
                    .iter()
                    .map(|z| m + 0.5f64.sqrt() * (z + gaussian(rng)))
                    .collect()
            })
            .collect()
    }
}

fn gaussian(rng: &mut ChaCha8Rng) -> f64 {
    let u: f64 = rng.random_range(1e-12..1.0);
    normal::quantile(u)
}

/// 40 configurations: the best at `top`, `near` others tied with it, 7 − `near` a tolerance
/// below, the rest far below.
fn share_scenario(top: f64, near: usize, tolerance: f64) -> Vec<f64> {
    let mut p = vec![top];
    p.extend(std::iter::repeat_n(top, near));
    p.extend(std::iter::repeat_n(top - tolerance, 7 - near));
    p.extend((0..32).map(|i| 0.3 * i as f64 / 32.0));
    p
}

/// Every scenario; prints the figures; returns each one's error rate and its Monte Carlo
/// standard error, and the power figures.
fn all(trials: usize) -> Vec<(&'static str, Figures)> {
    let race = race_toml();
    let (grid, _) = real(&race, trials);
    let mut out = vec![("grid3 at 64 seeds, resampled", grid)];
    let t = race.tolerance.unwrap_or(0.3);
    for (name, near) in [("shares: best + 7 tied", 7), ("shares: best + 3 tied", 3)] {
        let p = share_scenario(0.8, near, t);
        let target = (near < 7).then_some(1 + near);
        out.push((
            name,
            simulate(&race, 40, 0, target, trials, &shares_draw(&p)),
        ));
    }
    let equal = vec![0.5; 40];
    out.push((
        "shares: all 40 equal",
        simulate(&race, 40, 0, None, trials, &shares_draw(&equal)),
    ));
    let measured = Race {
        metric: Metric::FinalTestLoss,
        tolerance: Some(1.0),
        ..race
    };
    let mut mu = vec![0.0; 4];
    mu.push(1.0);
    mu.extend((0..35).map(|i| 1.0 + i as f64 / 10.0));
    out.push((
        "losses: 4 tied, 1 a tolerance (1 sd) worse",
        simulate(&measured, 40, 0, Some(4), trials, &shifts_draw(&mu)),
    ));
    for (name, f) in &out {
        note!(
            "race_error: {name}: best eliminated {}/{} = {:.4} (alpha {}), winner = best {:.3}, \
             runs {:.1}% of the uniform budget, target eliminated {:.3}",
            f.best_out,
            f.trials,
            f.error(),
            race.alpha,
            f.winner as f64 / f.trials as f64,
            100.0 * f.runs,
            f.target_out as f64 / f.trials as f64
        );
    }
    out
}

/// The error rate is at most alpha, but for Monte Carlo error (3 standard errors at alpha).
fn check(figures: &[(&str, Figures)], alpha: f64) {
    for (name, f) in figures {
        let se = (alpha * (1.0 - alpha) / f.trials as f64).sqrt();
        assert!(
            f.error() <= alpha + 3.0 * se,
            "{name}: the best was eliminated in {} of {} races, above alpha {alpha}",
            f.best_out,
            f.trials
        );
    }
}

#[test]
fn race_error_fast() {
    let figures = all(300);
    check(&figures, race_toml().alpha);
    // The fixture is grid3's: 40 configurations at 64 seeds.
    let truth = grid3();
    assert_eq!((truth.len(), truth[0].len()), (40, 64));
}

#[test]
#[ignore = "the full simulation (a minute); the fast one always runs"]
fn race_error_full() {
    let figures = all(4000);
    check(&figures, race_toml().alpha);
}
