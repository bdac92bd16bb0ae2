//! Comparisons: the design rule, hand-computed cases, and the properties every comparison
//! must have (swapping the sides flips the effect and keeps p; a side against itself shows
//! no difference).

use super::*;
use crate::metric::Metric;

/// A side whose runs have seeds 0.. and `values` of `metric` (every other metric absent).
fn side(name: &str, metric: Metric, values: &[f64], hidden_size: u64) -> Side {
    let mut all = vec![None; Metric::ALL.len()];
    all[metric as usize] = Some(values.iter().map(|&v| Some(v)).collect());
    Side {
        name: name.into(),
        seeds: (0..values.len() as u64).collect(),
        values: all,
        draws: Some(DrawKey {
            data: "d".into(),
            hidden_size,
            init_scale: 0.001,
        }),
        schedule: Some((1000, 100)),
        settings: None,
    }
}

#[test]
fn seeds_pair_only_configurations_that_draw_the_same_numbers() {
    let m = Metric::FinalTestAcc;
    let a = side("a", m, &[1.0, 0.9], 64);
    assert!(matches!(
        design(&a, &side("b", m, &[1.0, 0.9], 64)),
        Design::Paired { .. }
    ));
    let Design::Unpaired { why } = design(&a, &side("b", m, &[1.0, 0.9], 32)) else {
        panic!("different hidden sizes must not pair");
    };
    assert!(why.contains("hidden sizes"), "{why}");
    let mut elsewhere = side("b", m, &[1.0, 0.9], 64);
    elsewhere.draws = None;
    assert!(matches!(design(&a, &elsewhere), Design::Unpaired { .. }));
}

#[test]
fn a_paired_shift_by_hand() {
    // B is A + 10 epochs on every seed: the median paired difference is 10 and 6 positive
    // differences give the exact two-sided p = 2/2^6 = 0.03125.
    let m = Metric::FirstEpochTrainAcc1;
    let a = side("a", m, &[100.0, 120.0, 130.0, 150.0, 160.0, 170.0], 64);
    let b = side("b", m, &[110.0, 130.0, 140.0, 160.0, 170.0, 180.0], 64);
    let c = compare(&a, &b, m, None).unwrap();
    assert!(matches!(c.design, Design::Paired { .. }));
    assert_eq!(c.effect.unwrap().estimate, 10.0);
    let t = c.test.unwrap();
    assert_eq!(t.name, "Wilcoxon signed-rank");
    assert!(
        (t.result.p_value - 0.03125).abs() < 1e-12,
        "{}",
        t.result.p_value
    );
}

#[test]
fn shares_by_hand_paired_and_unpaired() {
    // 10 seeds: A reaches 100% on 2, B on 8; the 6 seeds where only B does are all the
    // discordant pairs: McNemar's exact p = 2 x 0.5^6 = 0.03125.
    let m = Metric::TestAcc1;
    let a = side("a", m, &[1., 1., 0., 0., 0., 0., 0., 0., 0., 0.], 64);
    let b = side("b", m, &[1., 1., 1., 1., 1., 1., 1., 1., 0., 0.], 64);
    let c = compare(&a, &b, m, None).unwrap();
    assert!((c.effect.unwrap().estimate - 0.6).abs() < 1e-12);
    assert!((c.test.unwrap().result.p_value - 0.03125).abs() < 1e-12);
    // Unpaired (other hidden size): Fisher's exact test on [[8, 2], [2, 8]], p = 0.0230.
    let b = side("b", m, &[1., 1., 1., 1., 1., 1., 1., 1., 0., 0.], 32);
    let c = compare(&a, &b, m, None).unwrap();
    assert_eq!(c.test.unwrap().name, "Fisher exact");
    assert!((c.test.unwrap().result.p_value - 0.023_014_3).abs() < 1e-6);
}

#[test]
fn swapping_the_sides_flips_the_effect_and_keeps_p() {
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(9);
    for trial in 0..40 {
        let n = 3 + trial % 20;
        let hidden = if trial % 2 == 0 { 64 } else { 32 };
        for m in [
            Metric::FinalTestLoss,
            Metric::TestAcc1,
            Metric::FirstEpochTrainAcc1,
        ] {
            let draw = |rng: &mut rand_chacha::ChaCha8Rng| -> Vec<f64> {
                (0..n)
                    .map(|_| match m.kind() {
                        Measure::Share { .. } => {
                            f64::from(u8::from(rand::RngExt::random::<bool>(rng)))
                        }
                        _ => (rand::RngExt::random_range(rng, 0..8) * 50) as f64,
                    })
                    .collect()
            };
            let a = side("a", m, &draw(&mut rng), 64);
            let b = side("b", m, &draw(&mut rng), hidden);
            let ab = compare(&a, &b, m, None).unwrap();
            let ba = compare(&b, &a, m, None).unwrap();
            let (p, q) = (
                ab.test.unwrap().result.p_value,
                ba.test.unwrap().result.p_value,
            );
            assert!((0.0..=1.0).contains(&p));
            assert!((p - q).abs() < 1e-12, "{m}: {p} vs {q}");
            let (e, f) = (ab.effect.unwrap(), ba.effect.unwrap());
            assert!(
                (e.estimate + f.estimate).abs() < 1e-9,
                "{m}: {e:?} vs {f:?}"
            );
        }
    }
}

#[test]
fn a_side_against_itself_shows_no_difference() {
    for m in [
        Metric::FinalTestAcc,
        Metric::TestAcc1,
        Metric::FirstEpochTrainAcc1,
    ] {
        let a = side("a", m, &[1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0], 64);
        let c = compare(&a, &a.clone(), m, None).unwrap();
        assert_eq!(c.effect.unwrap().estimate, 0.0, "{m}");
        assert_eq!(c.test.unwrap().result.p_value, 1.0, "{m}");
        assert!(!c.significant());
        let s = verdict::sentence(&c);
        // "no difference" where every resample agrees, else "no detectable difference".
        assert!(
            s.starts_with("no ") && s.contains("difference between a and a"),
            "{m}: {s}"
        );
    }
}

#[test]
fn one_seed_a_side_is_too_few_for_a_p_value() {
    let m = Metric::FinalTestAcc;
    let c = compare(
        &side("a", m, &[1.0], 64),
        &side("b", m, &[0.9], 32),
        m,
        None,
    )
    .unwrap();
    assert!(c.test.is_none() && c.effect.is_none());
    assert_eq!(
        verdict::sentence(&c),
        "too few seeds to compare (1 and 1 with a value)"
    );
}

#[test]
fn holm_adjusts_over_the_whole_set() {
    let m = Metric::FirstEpochTrainAcc1;
    let a = side("a", m, &[100.0, 120.0, 130.0, 150.0, 160.0, 170.0], 64);
    let b = side("b", m, &[110.0, 130.0, 140.0, 160.0, 170.0, 180.0], 64);
    let mut set = vec![
        compare(&a, &b, m, None).unwrap(),
        compare(&a, &b, m, None).unwrap(),
    ];
    adjust(&mut set);
    // Two equal p-values of 0.03125: Holm multiplies the smaller by 2, the next by 1, and
    // keeps them monotone: both 0.0625, no longer under 0.05.
    for c in &set {
        assert!((c.test.unwrap().adjusted - 0.0625).abs() < 1e-12);
        assert!(!c.significant());
    }
}
