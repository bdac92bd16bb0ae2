//! Model tests: hand-computed forward values, finite-difference gradient checks, and the
//! difference between the article's propagation and the exact gradient.

use ndarray::{Array1, Array2, array};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;
use crate::simd::Isa;

/// The 2-unit net of the hand computation (values worked out with Python's `math`).
fn two_unit_net() -> Rnn {
    Rnn::from_parts(
        array![[0.5, -1.0], [0.25, 0.0]],
        array![[0.1, -0.2], [0.3, 0.4]],
        array![[1.0, -1.0], [0.5, 2.0]],
        array![0.0, 0.1],
        array![0.0, -0.5],
    )
    .unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-15 * b.abs().max(1.0)
}

#[test]
fn forward_by_hand_on_two_units() {
    let rnn = two_unit_net();
    let mut ws = Workspace::default();
    let out = rnn.forward_portable(&[Some(0), Some(1)], 0, &mut ws);
    let want_hs = [
        0.0,
        0.0,
        0.462_117_157_260_009_74,
        0.336_375_544_336_332_2,
        -0.770_299_307_341_499_2,
        0.356_774_771_320_455_9,
    ];
    // Equal lengths first: `zip` stops at the shorter side, so a short `hs` would pass.
    assert_eq!(ws.hs.len(), want_hs.len());
    for (got, want) in ws.hs.iter().zip(want_hs) {
        assert!(close(*got, want), "{got} vs {want}");
    }
    assert!(close(ws.probs[0], 0.277_785_296_453_653_24));
    assert!(close(ws.probs[1], 0.722_214_703_546_346_8));
    assert!(close(out.loss, 1.280_906_778_595_223_5));
    assert!(!out.correct);
    // A word the vocabulary lacks is a zero input: only the bias moves the state.
    rnn.forward_portable(&[None], 1, &mut ws);
    assert_eq!(ws.hs[2], 0.0);
    assert!(close(ws.hs[3], 0.1f64.tanh()));
}

/// A random net with weights large enough that tanh is far from linear.
fn random_net(rng: &mut ChaCha8Rng, vocab: usize, hidden: usize, classes: usize) -> Rnn {
    let mut draw =
        |r: usize, c: usize| Array2::from_shape_fn((r, c), |_| rng.random_range(-1.0..1.0) * 0.8);
    let (w_xh, w_hh, w_hy) = (
        draw(hidden, vocab),
        draw(hidden, hidden),
        draw(classes, hidden),
    );
    let b_h = Array1::from_shape_fn(hidden, |_| rng.random_range(-0.5..0.5));
    let b_y = Array1::from_shape_fn(classes, |_| rng.random_range(-0.5..0.5));
    Rnn::from_parts(w_xh, w_hh, w_hy, b_h, b_y).unwrap()
}

fn loss(rnn: &Rnn, words: &[Option<u32>], label: usize) -> f64 {
    rnn.forward_portable(words, label, &mut Workspace::default())
        .loss
}

/// The whole gradient of one example: what [`Rnn::backward`] fills and what it returns.
struct FullGrads {
    grads: Grads,
    w_hh: Array2<f64>,
}

/// The five parameters as (name, logical shape, getter of element (i, j)) in one place.
type Param = (
    &'static str,
    fn(&mut Rnn) -> &mut [f64],
    fn(&FullGrads) -> Vec<f64>,
);

fn params() -> [Param; 5] {
    // Flat views in memory order; the gradient is read in the same order.
    [
        ("w_xh", |r| slice_mut(&mut r.w_xh), |g| mem(&g.grads.w_xh)),
        ("w_hh", |r| slice_mut(&mut r.w_hh), |g| mem(&g.w_hh)),
        ("w_hy", |r| slice_mut(&mut r.w_hy), |g| mem(&g.grads.w_hy)),
        ("b_h", |r| slice1_mut(&mut r.b_h), |g| g.grads.b_h.to_vec()),
        ("b_y", |r| slice1_mut(&mut r.b_y), |g| g.grads.b_y.to_vec()),
    ]
}

fn mem(a: &Array2<f64>) -> Vec<f64> {
    a.as_slice_memory_order().unwrap().to_vec()
}

/// Fourth-order central difference of the loss in one parameter element.
fn numeric_grad(
    rnn: &Rnn,
    get: fn(&mut Rnn) -> &mut [f64],
    idx: usize,
    words: &[Option<u32>],
    label: usize,
) -> f64 {
    const EPS: f64 = 1e-3;
    let at = |delta: f64| {
        let mut r = rnn.clone();
        get(&mut r)[idx] += delta;
        loss(&r, words, label)
    };
    (-at(2.0 * EPS) + 8.0 * at(EPS) - 8.0 * at(-EPS) + at(-2.0 * EPS)) / (12.0 * EPS)
}

fn analytic(rnn: &Rnn, words: &[Option<u32>], label: usize, gradient: Gradient) -> FullGrads {
    let mut ws = Workspace::default();
    let mut grads = rnn.grads();
    rnn.forward_portable(words, label, &mut ws);
    let w_hh = rnn.backward(words, label, gradient, &mut ws, &mut grads);
    FullGrads { grads, w_hh }
}

/// Largest relative error |a - n| / max(|a|, |n|) over every element of every parameter;
/// elements where both are below 1e-7 in size compare absolutely (relative error there is
/// finite-difference noise, and their absolute error is far below 1e-12).
fn worst_relative_error(
    rnn: &Rnn,
    words: &[Option<u32>],
    label: usize,
    gradient: Gradient,
) -> (f64, String) {
    let grads = analytic(rnn, words, label, gradient);
    let mut worst = (0.0, String::new());
    for (name, get, read) in params() {
        for (idx, a) in read(&grads).into_iter().enumerate() {
            let n = numeric_grad(rnn, get, idx, words, label);
            let err = (a - n).abs() / a.abs().max(n.abs()).max(1e-7);
            if err > worst.0 {
                worst = (err, format!("{name}[{idx}]: analytic {a:e}, numeric {n:e}"));
            }
        }
    }
    worst
}

#[test]
fn exact_gradient_matches_finite_differences() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for case in 0..24 {
        let hidden = rng.random_range(3..=8);
        let classes = rng.random_range(2..=4);
        let vocab = rng.random_range(2..=6);
        let len = rng.random_range(1..=6);
        let words: Vec<Option<u32>> = (0..len)
            .map(|_| {
                // Now and then a word outside the vocabulary (a zero input).
                (rng.random_range(0..8) > 0).then(|| rng.random_range(0..vocab as u32))
            })
            .collect();
        let label = rng.random_range(0..classes);
        let rnn = random_net(&mut rng, vocab, hidden, classes);
        let (err, at) = worst_relative_error(&rnn, &words, label, Gradient::Exact);
        assert!(
            err < 1e-6,
            "case {case} (H={hidden} K={classes} n={len}): {err:e} at {at}"
        );
    }
}

#[test]
fn article_propagation_equals_exact_only_for_symmetric_w_hh() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let words = [Some(0), Some(2), Some(1), Some(2)];
    let mut rnn = random_net(&mut rng, 3, 5, 2);
    let max_diff = |rnn: &Rnn| {
        let a = analytic(rnn, &words, 1, Gradient::Article);
        let e = analytic(rnn, &words, 1, Gradient::Exact);
        let pairs = [
            (mem(&a.grads.w_xh), mem(&e.grads.w_xh)),
            (mem(&a.w_hh), mem(&e.w_hh)),
            (a.grads.b_h.to_vec(), e.grads.b_h.to_vec()),
        ];
        pairs
            .iter()
            .flat_map(|(x, y)| x.iter().zip(y).map(|(p, q)| (p - q).abs()))
            .fold(0.0, f64::max)
    };
    assert!(
        max_diff(&rnn) > 1e-3,
        "a random W_hh should separate the variants"
    );
    let (err, _) = worst_relative_error(&rnn, &words, 1, Gradient::Article);
    assert!(err > 1e-3, "the article's propagation is not the gradient");

    let sym = (rnn.w_hh() + &rnn.w_hh().t()) * 0.5;
    rnn.set_w_hh(&sym).unwrap();
    // Same values, summed in another order: equal to rounding.
    assert!(max_diff(&rnn) < 1e-14, "{:e}", max_diff(&rnn));
}

#[test]
fn sgd_step_clips_each_element_and_skips_untouched_columns() {
    let mut rnn = two_unit_net();
    let before = rnn.clone();
    let mut ws = Workspace::default();
    let mut grads = rnn.grads();
    let step = Step {
        words: &[Some(1)],
        label: 0,
        gradient: Gradient::Exact,
        learning_rate: 0.5,
        clip: 0.01,
    };
    rnn.train_example(step, &mut ws, &mut grads);
    // Column 0 of W_xh was not in the phrase: bit for bit unchanged.
    assert_eq!(rnn.w_xh().column(0), before.w_xh().column(0));
    // |dL/db_y| = |p - onehot| is far above 0.01 for this net, so each moves by lr * clip.
    for k in 0..2 {
        let moved = before.b_y()[k] - rnn.b_y()[k];
        assert!((moved.abs() - 0.005).abs() < 1e-15, "{moved}");
    }
    // Grads of a second example: the stale column of the first is cleared.
    rnn.forward_portable(&[Some(0)], 0, &mut ws);
    rnn.backward(&[Some(0)], 0, Gradient::Exact, &mut ws, &mut grads);
    assert!(grads.w_xh.column(1).iter().all(|&g| g == 0.0));
    assert_eq!(grads.touched, [0]);
}

#[test]
fn init_draws_scaled_normals_and_zero_biases() {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let rnn = Rnn::init(18, 64, 2, 0.001, &mut rng);
    let all: Vec<f64> = [rnn.w_xh(), rnn.w_hh(), rnn.w_hy()]
        .iter()
        .flat_map(|w| w.iter().copied())
        .collect();
    let n = all.len() as f64;
    let mean = all.iter().sum::<f64>() / n;
    let std = (all.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    assert!(
        mean.abs() < 1e-4 && (std - 0.001).abs() < 5e-5,
        "mean {mean}, std {std}"
    );
    assert!(rnn.b_h().iter().chain(rnn.b_y()).all(|&b| b == 0.0));
    let again = Rnn::init(18, 64, 2, 0.001, &mut ChaCha8Rng::seed_from_u64(0));
    assert_eq!(rnn, again);
}

#[test]
fn every_instruction_set_gives_the_same_bits() {
    crate::simd::say_unchecked_sets("every_instruction_set_gives_the_same_bits");
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    // Hidden sizes around the vector and block widths.
    for hidden in [3, 8, 31, 64, 70] {
        let start = Rnn::init(6, hidden, 3, 0.3, &mut rng);
        let mut runs = Vec::new();
        for isa in Isa::available() {
            let mut rnn = start.clone();
            let mut ws = Workspace::default();
            let mut grads = rnn.grads();
            let mut losses = Vec::new();
            for k in 0..40u32 {
                let words: Vec<Option<u32>> =
                    (0..1 + k % 7).map(|j| Some((k * 3 + j) % 6)).collect();
                for gradient in Gradient::ALL {
                    let step = Step {
                        words: &words,
                        label: (k % 3) as usize,
                        gradient,
                        learning_rate: 0.1,
                        clip: 1.0,
                    };
                    losses.push(
                        rnn.train_example_on(isa, step, &mut ws, &mut grads)
                            .loss
                            .to_bits(),
                    );
                }
            }
            runs.push((isa, losses, rnn));
        }
        // Evaluation: the dispatched forward pass equals the baseline's.
        let words = [Some(1), Some(4), None, Some(2)];
        let (mut a, mut b) = (Workspace::default(), Workspace::default());
        let out = runs[0].2.forward_portable(&words, 1, &mut a);
        assert_eq!(
            runs[0].2.forward(&words, 1, &mut b).loss.to_bits(),
            out.loss.to_bits()
        );
        assert_eq!(a.probs(), b.probs());
        for (isa, losses, rnn) in &runs[1..] {
            assert_eq!(
                losses, &runs[0].1,
                "H={hidden}: {isa:?} losses differ from {:?}",
                runs[0].0
            );
            assert!(
                rnn.same_bits(&runs[0].2),
                "H={hidden}: {isa:?} weights differ"
            );
        }
    }
}

#[test]
fn parameters_start_on_a_cache_line_clones_included() {
    let rnn = Rnn::init(18, 64, 2, 0.001, &mut ChaCha8Rng::seed_from_u64(0));
    for model in [&rnn, &rnn.clone()] {
        let starts = [
            model.w_xh().as_ptr(),
            model.w_hh().as_ptr(),
            model.w_hy().as_ptr(),
            model.b_h().as_ptr(),
            model.b_y().as_ptr(),
        ];
        assert!(
            starts
                .iter()
                .all(|p| (*p as usize).is_multiple_of(aligned::ALIGN))
        );
    }
    assert_eq!(rnn.clone(), rnn);
}

#[test]
fn training_step_equals_forward_backward_and_sgd_step_bit_for_bit() {
    crate::simd::say_unchecked_sets(
        "training_step_equals_forward_backward_and_sgd_step_bit_for_bit",
    );
    // The training step fuses the W_hh gradient into the update and runs wide kernels; the
    // separate public passes are the definition. Sizes cover odd row counts (a row without a
    // pair) and column counts past one register block (H = 130).
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for hidden in [1, 3, 8, 31, 64, 130] {
        let start = random_net(&mut rng, 7, hidden, 3);
        for isa in Isa::available() {
            for (gradient, clip) in [(Gradient::Exact, 0.05), (Gradient::Article, f64::INFINITY)] {
                let (mut fused, mut plain) = (start.clone(), start.clone());
                let (mut ws_a, mut ws_b) = (Workspace::default(), Workspace::default());
                let (mut g_a, mut g_b) = (start.grads(), start.grads());
                for k in 0..12u32 {
                    let words: Vec<Option<u32>> = (0..k % 6)
                        .map(|j| (j != 2).then_some((k + 5 * j) % 7))
                        .collect();
                    let label = (k % 3) as usize;
                    let step = Step {
                        words: &words,
                        label,
                        gradient,
                        learning_rate: 0.3,
                        clip,
                    };
                    let a = fused.train_example_on(isa, step, &mut ws_a, &mut g_a);
                    let b = plain.forward_portable(&words, label, &mut ws_b);
                    let d_w_hh = plain.backward(&words, label, gradient, &mut ws_b, &mut g_b);
                    plain.sgd_step(&g_b, &d_w_hh, 0.3, clip);
                    assert_eq!(
                        a.loss.to_bits(),
                        b.loss.to_bits(),
                        "H={hidden} {isa:?} step {k}"
                    );
                }
                assert!(
                    fused.same_bits(&plain),
                    "H={hidden} {isa:?} {gradient} clip {clip}"
                );
            }
        }
    }
}

#[test]
fn same_bits_tells_signed_zeros_apart_and_nans_alike() {
    let a = two_unit_net();
    assert!(a.same_bits(&a.clone()));
    // `a` with its first W_hh weight set to `v`.
    let with = |v: f64| {
        let mut w_hh = a.w_hh().clone();
        w_hh[[0, 0]] = v;
        let mut m = a.clone();
        m.set_w_hh(&w_hh).unwrap();
        m
    };
    assert!(
        with(f64::NAN).same_bits(&with(f64::NAN)),
        "a NaN weight matches itself"
    );
    let (z, nz) = (with(0.0), with(-0.0));
    assert!(!z.same_bits(&nz) && z == nz);
}

#[test]
fn set_w_hh_refuses_another_shape_and_keeps_the_weights() {
    let mut rnn = two_unit_net();
    let before = rnn.clone();
    let err = rnn.set_w_hh(&Array2::zeros((2, 3))).unwrap_err();
    assert_eq!(err, "w_hh has shape (2, 3), expected (2, 2)");
    assert!(rnn.same_bits(&before));
}
