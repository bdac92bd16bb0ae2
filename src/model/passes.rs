//! The forward pass, BPTT and the SGD update, written once over the [`Lanes`] of
//! [`crate::simd::lanes`] and compiled for each instruction set by [`super::dispatch`].
//!
//! The public entry points here run on the portable lanes: they are the definition that the
//! gradient checks and tests use. Training and evaluation go through the dispatched
//! [`Rnn::train_example`] and [`Rnn::forward`], which give the same bits.

use ndarray::{Array2, Order};

use super::{ExampleOutcome, Gradient, Grads, Rnn, Workspace};
use super::{slice, slice_mut, slice1, slice1_mut};
use crate::numeric::{math, tanh};
use crate::simd::lanes::{Lanes, Portable};
use crate::simd::{aligned, kernel};

/// One training example and the settings its step needs.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    pub words: &'a [Option<u32>],
    pub label: usize,
    pub gradient: Gradient,
    pub learning_rate: f64,
    pub clip: f64,
}

impl Rnn {
    /// Runs the phrase through the net on the portable lanes; leaves the hidden states and
    /// the class probabilities in `ws` and returns the loss against `label` and whether the
    /// argmax (ties to the first class) is `label`. [`Rnn::forward`] gives the same bits on
    /// the instruction set in use.
    pub fn forward_portable(
        &self,
        words: &[Option<u32>],
        label: usize,
        ws: &mut Workspace,
    ) -> ExampleOutcome {
        self.forward_on(Portable, words, label, ws)
    }

    /// BPTT for the example of the last [`Rnn::forward_portable`] on `ws`: fills `grads`
    /// and returns `dL/dW_hh` (row-major, `H×H`), which [`Grads`] has no room for because
    /// training never stores it.
    pub fn backward(
        &self,
        words: &[Option<u32>],
        label: usize,
        gradient: Gradient,
        ws: &mut Workspace,
        grads: &mut Grads,
    ) -> Array2<f64> {
        self.bptt(Portable, words, label, gradient, ws, grads);
        let h = self.hidden_size();
        let mut d_w_hh = aligned::zeros2(h, h, Order::RowMajor);
        for (i, row) in slice_mut(&mut d_w_hh).chunks_exact_mut(h).enumerate() {
            w_hh_grad_row(Portable, ws, words.len(), i, row);
        }
        d_w_hh
    }

    /// One SGD step with every gradient element clipped to `[-clip, clip]`: `grads` and
    /// `d_w_hh` as [`Rnn::backward`] left and returned them.
    pub fn sgd_step(&mut self, grads: &Grads, d_w_hh: &Array2<f64>, learning_rate: f64, clip: f64) {
        assert_eq!(
            d_w_hh.dim(),
            self.w_hh.dim(),
            "sgd_step: dL/dW_hh has the wrong shape"
        );
        kernel::clip_update(
            Portable,
            slice_mut(&mut self.w_hh),
            &d_w_hh.iter().copied().collect::<Vec<f64>>(),
            learning_rate,
            clip,
        );
        self.update_all_but_w_hh(Portable, grads, learning_rate, clip);
    }

    #[inline(always)]
    pub(super) fn forward_on<L: Lanes>(
        &self,
        lanes: L,
        words: &[Option<u32>],
        label: usize,
        ws: &mut Workspace,
    ) -> ExampleOutcome {
        let h = self.hidden_size();
        let k = self.classes();
        ws.hs.resize((words.len() + 1) * h);
        ws.hs[..h].fill(0.0);
        let w_xh = slice(&self.w_xh);
        let w_hh = slice(&self.w_hh);
        let b_h = slice1(&self.b_h);
        for (t, word) in words.iter().enumerate() {
            let (prev, next) = ws.hs[t * h..(t + 2) * h].split_at_mut(h);
            if t == 0 {
                // W_hh h_0 = 0: skipping the product changes no bit of the sum.
                next.fill(0.0);
            } else {
                kernel::matvec(lanes, w_hh, prev, next);
            }
            // h_t = tanh((W_hh h_{t-1} + column) + b_h) in one pass.
            match word {
                Some(w) => {
                    let column = &w_xh[*w as usize * h..][..h];
                    for ((x, c), b) in next.iter_mut().zip(column).zip(b_h) {
                        *x = tanh::tanh((*x + c) + b);
                    }
                }
                None => {
                    for (x, b) in next.iter_mut().zip(b_h) {
                        *x = tanh::tanh(*x + b);
                    }
                }
            }
        }
        let h_n = &ws.hs[words.len() * h..];
        ws.logits.resize(k, 0.0);
        ws.probs.resize(k, 0.0);
        kernel::matvec(lanes, slice(&self.w_hy), h_n, &mut ws.logits);
        for (y, b) in ws.logits.iter_mut().zip(slice1(&self.b_y)) {
            *y += b;
        }
        ws.log_sum_exp = math::softmax(&ws.logits, &mut ws.probs);
        ExampleOutcome {
            loss: math::cross_entropy(&ws.logits, ws.log_sum_exp, label),
            correct: math::argmax(&ws.probs) == label,
        }
    }

    /// BPTT for everything but `dL/dW_hh`, which is a function of `ws` alone afterwards
    /// ([`w_hh_grad_row`]) and is left to the caller: the training step folds it into the
    /// update row by row instead of storing it.
    #[inline(always)]
    fn bptt<L: Lanes>(
        &self,
        lanes: L,
        words: &[Option<u32>],
        label: usize,
        gradient: Gradient,
        ws: &mut Workspace,
        grads: &mut Grads,
    ) {
        let h = self.hidden_size();
        let n = words.len();
        ws.dh.resize(h);
        ws.dh_prev.resize(h);
        ws.temps.resize(n * h);
        self.output_layer_grads(lanes, n, label, ws, grads);

        // Back through time, newest step first.
        let Workspace {
            hs,
            temps,
            dh,
            dh_prev,
            ..
        } = ws;
        let d_xh = slice_mut(&mut grads.w_xh);
        for &w in &grads.touched {
            d_xh[w as usize * h..][..h].fill(0.0);
        }
        grads.touched.clear();
        let d_bh = slice1_mut(&mut grads.b_h);
        d_bh.fill(0.0);
        let w_hh = slice(&self.w_hh);
        for t in (0..n).rev() {
            let h_t = &hs[(t + 1) * h..(t + 2) * h];
            let temp = &mut temps[t * h..(t + 1) * h];
            // temp_t = (1 - h_t²) ⊙ dL/dh_t, added into dL/db_h and the word's column of
            // dL/dW_xh in the same pass.
            let temp_of = |x: f64, d: f64| (1.0 - x * x) * d;
            let pairs = h_t.iter().zip(dh.iter());
            match words[t] {
                Some(w) => {
                    let d_col = &mut d_xh[w as usize * h..][..h];
                    let outs = temp.iter_mut().zip(d_bh.iter_mut()).zip(d_col);
                    for (((tp, gb), gx), (&x, &d)) in outs.zip(pairs) {
                        *tp = temp_of(x, d);
                        *gb += *tp;
                        *gx += *tp;
                    }
                    grads.touched.push(w);
                }
                None => {
                    for ((tp, gb), (&x, &d)) in temp.iter_mut().zip(d_bh.iter_mut()).zip(pairs) {
                        *tp = temp_of(x, d);
                        *gb += *tp;
                    }
                }
            }
            if t > 0 {
                match gradient {
                    Gradient::Article => kernel::matvec(lanes, w_hh, temp, dh_prev),
                    Gradient::Exact => kernel::matvec_t(lanes, w_hh, temp, dh_prev),
                }
                std::mem::swap(dh, dh_prev);
            }
        }
        grads.touched.sort_unstable();
        grads.touched.dedup();
    }

    /// `dL/dy = p - onehot(label)` into `b_y`, `dL/dW_hy = dL/dy h_nᵀ`, and `dL/dh_n` into
    /// `ws.dh`.
    #[inline(always)]
    fn output_layer_grads<L: Lanes>(
        &self,
        lanes: L,
        n: usize,
        label: usize,
        ws: &mut Workspace,
        grads: &mut Grads,
    ) {
        let h = self.hidden_size();
        let d_y = slice1_mut(&mut grads.b_y);
        d_y.copy_from_slice(&ws.probs);
        d_y[label] -= 1.0;
        let h_n = &ws.hs[n * h..(n + 1) * h];
        for (row, &dy) in slice_mut(&mut grads.w_hy)
            .chunks_exact_mut(h)
            .zip(d_y.iter())
        {
            for (g, &x) in row.iter_mut().zip(h_n) {
                *g = dy * x;
            }
        }
        kernel::matvec_t(lanes, slice(&self.w_hy), d_y, &mut ws.dh);
    }

    /// The SGD step of every parameter but `W_hh`.
    #[inline(always)]
    fn update_all_but_w_hh<L: Lanes>(
        &mut self,
        lanes: L,
        grads: &Grads,
        learning_rate: f64,
        clip: f64,
    ) {
        kernel::clip_update(
            lanes,
            slice_mut(&mut self.w_hy),
            slice(&grads.w_hy),
            learning_rate,
            clip,
        );
        for (w, g) in [(&mut self.b_h, &grads.b_h), (&mut self.b_y, &grads.b_y)] {
            kernel::clip_update(lanes, slice1_mut(w), slice1(g), learning_rate, clip);
        }
        // Untouched columns have a zero gradient, so their update is exactly a no-op.
        let h = self.hidden_size();
        let w_xh = slice_mut(&mut self.w_xh);
        let g_xh = slice(&grads.w_xh);
        for &w in &grads.touched {
            let range = w as usize * h..(w as usize + 1) * h;
            kernel::clip_update(
                lanes,
                &mut w_xh[range.clone()],
                &g_xh[range],
                learning_rate,
                clip,
            );
        }
    }

    /// Forward, backward and update on one example, as [`Rnn::forward_portable`],
    /// [`Rnn::backward`] and [`Rnn::sgd_step`] would do them (same bits), except that each
    /// row of `dL/dW_hh` goes straight from its sum into its update, never stored.
    #[inline(always)]
    pub(super) fn step<L: Lanes>(
        &mut self,
        lanes: L,
        s: Step<'_>,
        ws: &mut Workspace,
        grads: &mut Grads,
    ) -> ExampleOutcome {
        let outcome = self.forward_on(lanes, s.words, s.label, ws);
        self.bptt(lanes, s.words, s.label, s.gradient, ws, grads);
        let h = self.hidden_size();
        let mut scratch = std::mem::take(&mut ws.scratch);
        scratch.resize(h);
        kernel::clip_update_outer(
            lanes,
            &GradTerms::new(ws, s.words.len(), h),
            slice_mut(&mut self.w_hh),
            h,
            s.learning_rate,
            s.clip,
            &mut scratch,
        );
        ws.scratch = scratch;
        self.update_all_but_w_hh(lanes, grads, s.learning_rate, s.clip);
        outcome
    }
}

/// Row `i` of `dL/dW_hh` for a phrase of `n` words whose forward and BPTT left `ws`. The
/// training step computes the same sums inside its update.
#[inline(always)]
fn w_hh_grad_row<L: Lanes>(lanes: L, ws: &Workspace, n: usize, i: usize, row: &mut [f64]) {
    let outer = GradTerms::new(ws, n, row.len());
    kernel::weighted_row_sum(lanes, &kernel::RowOf { outer: &outer, i }, row);
}

/// `dL/dW_hh = Σ_t temp_t h_{t-1}ᵀ` as outer-product terms, in the article's order
/// (t = n..2 in 1-based steps; h_0 = 0 adds nothing).
struct GradTerms<'a> {
    temps: &'a [f64],
    hs: &'a [f64],
    n: usize,
    h: usize,
}

impl<'a> GradTerms<'a> {
    #[inline(always)]
    fn new(ws: &'a Workspace, n: usize, h: usize) -> GradTerms<'a> {
        GradTerms {
            temps: &ws.temps,
            hs: &ws.hs,
            n,
            h,
        }
    }
}

impl kernel::OuterTerms for GradTerms<'_> {
    #[inline(always)]
    fn count(&self) -> usize {
        self.n.saturating_sub(1)
    }
    #[inline(always)]
    fn term(&self, k: usize) -> (&[f64], &[f64]) {
        let (t, h) = (self.n - 1 - k, self.h);
        (
            &self.temps[t * h..(t + 1) * h],
            &self.hs[t * h..(t + 1) * h],
        )
    }
}
