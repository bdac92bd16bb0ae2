//! Property tests over inputs generated from a seeded RNG (so every run checks the same
//! cases): p-values in [0, 1], swapping the two sides keeps p and mirrors the effect, a sample
//! against itself gives p = 1 and a zero effect, intervals are ordered around their
//! estimates, the bootstrap repeats itself exactly and covers the sample median, and nothing
//! panics on empty, single, tied, infinite or NaN inputs.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;

const ROUNDS: usize = 300;

/// A sample of 0..=max_len values: coarse values (many ties, zeros), sometimes continuous
/// ones, sometimes ±inf.
fn sample(rng: &mut ChaCha8Rng, max_len: usize) -> Vec<f64> {
    let n = rng.random_range(0..=max_len);
    let coarse = rng.random_bool(0.5);
    (0..n)
        .map(|_| match rng.random_range(0..20) {
            0 => f64::INFINITY,
            1 if rng.random_bool(0.2) => f64::NEG_INFINITY,
            _ if coarse => f64::from(rng.random_range(-3..=4)) / 2.0,
            _ => rng.random_range(-3.0..3.0),
        })
        .collect()
}

/// Two samples of one length (pairs).
fn pairs(rng: &mut ChaCha8Rng, max_len: usize) -> (Vec<f64>, Vec<f64>) {
    let a = sample(rng, max_len);
    let mut b = sample(rng, a.len());
    b.resize(a.len(), 1.0);
    (a, b)
}

fn in_unit(p: f64) -> bool {
    (0.0..=1.0).contains(&p)
}

/// Low ≤ estimate ≤ high (estimates and bounds may be infinite, never NaN).
fn ordered(i: &Interval) -> bool {
    i.low <= i.estimate && i.estimate <= i.high
}

#[test]
fn wilcoxon_is_symmetric_and_bounded() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for _ in 0..ROUNDS {
        let (a, b) = pairs(&mut rng, 20);
        let Some(r) = wilcoxon_signed_rank(&a, &b) else {
            assert!(a.is_empty());
            continue;
        };
        let s = wilcoxon_signed_rank(&b, &a).unwrap();
        assert!(in_unit(r.p_value), "{a:?} {b:?}");
        assert_eq!(
            (r.p_value, r.statistic, r.n, r.method),
            (s.p_value, s.statistic, s.n, s.method)
        );
        let same = wilcoxon_signed_rank(&a, &a).unwrap();
        assert_eq!((same.p_value, same.n, same.statistic), (1.0, 0, 0.0));
    }
}

#[test]
fn mann_whitney_is_symmetric_and_bounded() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for _ in 0..ROUNDS {
        let (x, y) = (sample(&mut rng, 20), sample(&mut rng, 20));
        let Some(r) = mann_whitney_u(&x, &y) else {
            assert!(x.is_empty() || y.is_empty());
            continue;
        };
        let s = mann_whitney_u(&y, &x).unwrap();
        assert!(in_unit(r.p_value));
        assert_eq!(r.p_value, s.p_value, "{x:?} {y:?}");
        assert_eq!(r.statistic + s.statistic, (x.len() * y.len()) as f64);
        assert_eq!(mann_whitney_u(&x, &x).unwrap().p_value, 1.0);
    }
}

#[test]
fn count_tests_are_symmetric_and_bounded() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for _ in 0..ROUNDS {
        let t = [[0; 2]; 2].map(|row| row.map(|_: u64| rng.random_range(0..25u64)));
        let r = fisher_exact(t);
        assert!(in_unit(r.p_value));
        let transposed = fisher_exact([[t[0][0], t[1][0]], [t[0][1], t[1][1]]]);
        let rows_swapped = fisher_exact([t[1], t[0]]);
        let close = |p: f64, q: f64| (p - q).abs() <= 1e-12 * p.max(1e-300);
        assert!(close(r.p_value, transposed.p_value), "{t:?}");
        assert!(close(r.p_value, rows_swapped.p_value), "{t:?}");
        let (b, c) = (t[0][1], t[1][0]);
        let m = mcnemar_exact(b, c);
        assert!(in_unit(m.p_value));
        assert_eq!(m, mcnemar_exact(c, b));
    }
}

#[test]
fn share_intervals_are_ordered_and_mirror() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    for _ in 0..ROUNDS {
        let n = rng.random_range(1..40u64);
        let k = rng.random_range(0..=n);
        let w = wilson(k, n, 0.95).unwrap();
        let m = wilson(n - k, n, 0.95).unwrap();
        assert!(ordered(&w) && w.low >= 0.0 && w.high <= 1.0);
        assert!((w.low - (1.0 - m.high)).abs() < 1e-14 && (w.high - (1.0 - m.low)).abs() < 1e-14);

        let (n2, level) = (rng.random_range(1..40u64), rng.random_range(0.5..0.999));
        let k2 = rng.random_range(0..=n2);
        let d = share_difference(k, n, k2, n2, level).unwrap();
        let e = share_difference(k2, n2, k, n, level).unwrap();
        assert!(ordered(&d) && d.low >= -1.0 - 1e-12 && d.high <= 1.0 + 1e-12);
        assert!((d.low + e.high).abs() < 1e-14 && (d.high + e.low).abs() < 1e-14);

        let [both, a, b, neither] = [0; 4].map(|_: u64| rng.random_range(0..12u64));
        let Some(p) = paired_share_difference(both, a, b, neither, level) else {
            assert_eq!(both + a + b + neither, 0);
            continue;
        };
        let q = paired_share_difference(both, b, a, neither, level).unwrap();
        assert!(ordered(&p), "{both} {a} {b} {neither}: {p:?}");
        assert!((p.low + q.high).abs() < 1e-14 && (p.high + q.low).abs() < 1e-14);
    }
}

#[test]
fn holm_is_monotone_bounded_and_ordered() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for _ in 0..ROUNDS {
        let p: Vec<f64> = (0..rng.random_range(0..12))
            .map(|_| rng.random_range(0.0..0.2))
            .collect();
        let h = holm(&p);
        for i in 0..p.len() {
            assert!(h[i] >= p[i] && h[i] <= 1.0);
            for j in 0..p.len() {
                if p[i] <= p[j] {
                    assert!(h[i] <= h[j], "{p:?} -> {h:?}");
                }
            }
        }
    }
}

#[test]
fn hodges_lehmann_mirrors_and_is_zero_against_itself() {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    for _ in 0..ROUNDS {
        let (a, b) = pairs(&mut rng, 16);
        let Some(i) = hodges_lehmann_paired(&a, &b, 0.95) else {
            assert!(a.is_empty());
            continue;
        };
        let j = hodges_lehmann_paired(&b, &a, 0.95).unwrap();
        assert!(ordered(&i), "{a:?} {b:?} {i:?}");
        assert_eq!(
            (i.estimate, i.low, i.high),
            (-j.estimate + 0.0, -j.high + 0.0, -j.low + 0.0)
        );
        let z = hodges_lehmann_paired(&a, &a, 0.95).unwrap();
        assert_eq!((z.estimate, z.low, z.high), (0.0, 0.0, 0.0));

        let y = sample(&mut rng, 16);
        let Some(i) = hodges_lehmann_shift(&a, &y, 0.9) else {
            assert!(y.is_empty());
            continue;
        };
        let j = hodges_lehmann_shift(&y, &a, 0.9).unwrap();
        assert!(ordered(&i));
        assert_eq!(
            (i.estimate, i.low, i.high),
            (-j.estimate + 0.0, -j.high + 0.0, -j.low + 0.0)
        );
    }
}

#[test]
fn bootstrap_repeats_and_covers_the_median() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for _ in 0..ROUNDS / 3 {
        let (a, b) = pairs(&mut rng, 16);
        let Some(i) = bootstrap_median(&a, 400, 0.95) else {
            assert!(a.is_empty());
            continue;
        };
        assert_eq!(Some(i), bootstrap_median(&a, 400, 0.95));
        assert_eq!(Some(i.estimate), median(&a));
        assert!(ordered(&i), "{a:?} {i:?}");
        let p = bootstrap_paired_median(&a, &b, 400, 0.95).unwrap();
        assert_eq!(Some(p), bootstrap_paired_median(&a, &b, 400, 0.95));
        assert!(ordered(&p), "{a:?} {b:?} {p:?}");
        let y = sample(&mut rng, 16);
        if let Some(d) = bootstrap_median_difference(&a, &y, 400, 0.95) {
            assert_eq!(Some(d), bootstrap_median_difference(&a, &y, 400, 0.95));
            assert!(ordered(&d), "{a:?} {y:?} {d:?}");
        }
    }
}

#[test]
fn nothing_panics_on_awkward_inputs() {
    let inf = f64::INFINITY;
    let awkward: [&[f64]; 8] = [
        &[],
        &[1.0],
        &[f64::NAN],
        &[inf],
        &[-inf, inf],
        &[2.0; 7],
        &[0.0, -0.0, 0.0],
        &[f64::MAX, -f64::MAX, f64::MIN_POSITIVE],
    ];
    for x in awkward {
        for y in awkward {
            let _ = wilcoxon_signed_rank(x, y);
            let _ = mann_whitney_u(x, y);
            let _ = hodges_lehmann_paired(x, y, 0.95);
            let _ = hodges_lehmann_shift(x, y, 0.95);
            let _ = bootstrap_paired_median(x, y, 50, 0.95);
            let _ = bootstrap_median_difference(x, y, 50, 0.95);
        }
        let _ = bootstrap_median(x, 50, 0.95);
        let _ = bootstrap_interval(x, |v| v.iter().sum(), 50, 0.95);
        let _ = holm(x);
        let _ = average_ranks(x);
        let _ = median(x);
    }
    for level in [0.0, 1.0, -1.0, f64::NAN, 1e-300, 1.0 - 1e-16] {
        let _ = wilson(1, 3, level);
        let _ = share_difference(1, 3, 2, 3, level);
        let _ = paired_share_difference(1, 2, 3, 4, level);
        let _ = hodges_lehmann_paired(&[1.0, 2.0], &[0.0, 0.0], level);
        let _ = hodges_lehmann_shift(&[1.0, 2.0], &[0.0, 0.0], level);
        let _ = bootstrap_median(&[1.0, 2.0], 10, level);
    }
}
