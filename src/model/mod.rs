//! The article's vanilla many-to-one RNN: parameters, forward pass, BPTT and the SGD step.
//!
//! ```text
//! h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h),  h_0 = 0
//! y   = W_hy h_n + b_y,   p = softmax(y),   L = -ln p_c
//! ```
//! Parameters live in ndarray arrays; the loops run over their contiguous slices through
//! `crate::simd::kernel`. A [`Workspace`] and a [`Grads`] are reused across examples so
//! that training allocates nothing per example.

mod dispatch;
mod passes;

pub use passes::Step;

use ndarray::{Array1, Array2, Order};
use serde::{Deserialize, Serialize};

use crate::numeric::normal_draws;
use crate::simd::aligned::{self, AlignedVec};

/// How BPTT carries the gradient from `h_t` to `h_{t-1}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gradient {
    /// The published code: `dL/dh_{t-1} = W_hh · temp` (not the true gradient unless
    /// `W_hh` is symmetric); the article's table was made with it.
    Article,
    /// The chain rule: `dL/dh_{t-1} = W_hhᵀ · temp`.
    Exact,
}

impl Gradient {
    pub const ALL: [Gradient; 2] = [Gradient::Article, Gradient::Exact];

    pub fn name(self) -> &'static str {
        match self {
            Gradient::Article => "article",
            Gradient::Exact => "exact",
        }
    }

    /// Parses `article` or `exact`.
    pub fn parse(s: &str) -> Option<Gradient> {
        Gradient::ALL.into_iter().find(|g| g.name() == s)
    }
}

impl std::fmt::Display for Gradient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The five parameters. `w_xh` is stored column-major so that a word's column, the one-hot
/// input's product, is one contiguous slice; the others are row-major. Every array starts on
/// a cache line ([`aligned`]), clones included.
#[derive(Debug, PartialEq)]
pub struct Rnn {
    w_xh: Array2<f64>,
    w_hh: Array2<f64>,
    w_hy: Array2<f64>,
    b_h: Array1<f64>,
    b_y: Array1<f64>,
}

/// The gradient of the loss of one example, same shapes and layouts as [`Rnn`], but for
/// `dL/dW_hh`: the training step sums each of its rows straight into the update and never
/// stores it, so there is no room for it here ([`Rnn::backward`] returns it instead).
#[derive(Debug)]
pub struct Grads {
    pub w_xh: Array2<f64>,
    pub w_hy: Array2<f64>,
    pub b_h: Array1<f64>,
    pub b_y: Array1<f64>,
    /// Columns of `w_xh` the example touched, sorted and distinct; every other column is 0.
    touched: Vec<u32>,
}

impl Clone for Rnn {
    /// A copy on freshly aligned storage (a derived clone would copy the `Vec` behind each
    /// array and lose the alignment).
    fn clone(&self) -> Rnn {
        Rnn::aligned_copy([&self.w_xh, &self.w_hh, &self.w_hy], [&self.b_h, &self.b_y])
    }
}

impl Clone for Grads {
    /// A copy on freshly aligned storage, as [`Rnn`]'s.
    fn clone(&self) -> Grads {
        let (hidden, vocab) = self.w_xh.dim();
        let mut copy = Grads::zeros(vocab, hidden, self.b_y.len());
        copy.w_xh.assign(&self.w_xh);
        copy.w_hy.assign(&self.w_hy);
        copy.b_h.assign(&self.b_h);
        copy.b_y.assign(&self.b_y);
        copy.touched.clone_from(&self.touched);
        copy
    }
}

impl Grads {
    /// A zeroed gradient for `vocab` words, `hidden` units and `classes` outputs, laid out
    /// as [`Rnn::zeros`] lays out the parameters.
    fn zeros(vocab: usize, hidden: usize, classes: usize) -> Grads {
        Grads {
            w_xh: aligned::zeros2(hidden, vocab, Order::ColumnMajor),
            w_hy: aligned::zeros2(classes, hidden, Order::RowMajor),
            b_h: aligned::zeros1(hidden),
            b_y: aligned::zeros1(classes),
            touched: Vec::new(),
        }
    }
}

/// Scratch space of one run, grown to the longest phrase seen and then reused.
#[derive(Debug, Default)]
pub struct Workspace {
    /// `h_0 .. h_n`, each `H` long.
    hs: AlignedVec,
    /// `temp_1 .. temp_n` of BPTT.
    temps: AlignedVec,
    dh: AlignedVec,
    dh_prev: AlignedVec,
    /// The part of a row of `dL/dW_hh` that does not fill a block of registers.
    scratch: AlignedVec,
    logits: Vec<f64>,
    probs: Vec<f64>,
    log_sum_exp: f64,
}

impl Workspace {
    /// Class probabilities of the last forward pass.
    pub fn probs(&self) -> &[f64] {
        &self.probs
    }
}

/// Loss and whether the prediction was right, for one example.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExampleOutcome {
    pub loss: f64,
    pub correct: bool,
}

impl Rnn {
    /// All-zero parameters for `vocab` words, `hidden` units and `classes` outputs.
    pub fn zeros(vocab: usize, hidden: usize, classes: usize) -> Rnn {
        Rnn {
            w_xh: aligned::zeros2(hidden, vocab, Order::ColumnMajor),
            w_hh: aligned::zeros2(hidden, hidden, Order::RowMajor),
            w_hy: aligned::zeros2(classes, hidden, Order::RowMajor),
            b_h: aligned::zeros1(hidden),
            b_y: aligned::zeros1(classes),
        }
    }

    /// The article's initialisation: `W_hh`, `W_xh`, `W_hy` drawn in that order, each in
    /// row-major order like numpy's `randn(rows, cols)`, from N(0, 1) times `scale` (by the
    /// polar method, as numpy's legacy `randn`); biases zero.
    pub fn init<R: rand::Rng>(
        vocab: usize,
        hidden: usize,
        classes: usize,
        scale: f64,
        rng: &mut R,
    ) -> Rnn {
        let mut rnn = Rnn::zeros(vocab, hidden, classes);
        let mut normals = normal_draws::Normals::default();
        for w in [&mut rnn.w_hh, &mut rnn.w_xh, &mut rnn.w_hy] {
            // `iter_mut` walks the logical (row-major) order whatever the memory layout.
            for x in w.iter_mut() {
                *x = normals.next(rng) * scale;
            }
        }
        rnn
    }

    /// Builds a model from its five parameters (logical shapes `H×V`, `H×H`, `K×H`, `H`, `K`),
    /// or says which shape is wrong.
    pub fn from_parts(
        w_xh: Array2<f64>,
        w_hh: Array2<f64>,
        w_hy: Array2<f64>,
        b_h: Array1<f64>,
        b_y: Array1<f64>,
    ) -> Result<Rnn, String> {
        let hidden = w_xh.nrows();
        let classes = b_y.len();
        let checks = [
            ("w_hh", w_hh.dim(), (hidden, hidden)),
            ("w_hy", w_hy.dim(), (classes, hidden)),
            ("b_h", (b_h.len(), 1), (hidden, 1)),
        ];
        for (name, got, want) in checks {
            if got != want {
                return Err(format!("{name} has shape {got:?}, expected {want:?}"));
            }
        }
        Ok(Rnn::aligned_copy([&w_xh, &w_hh, &w_hy], [&b_h, &b_y]))
    }

    /// The five arrays (`W_xh`, `W_hh`, `W_hy`, then `b_h`, `b_y`, shapes already matching)
    /// copied onto fresh aligned storage ([`aligned`]).
    fn aligned_copy(weights: [&Array2<f64>; 3], biases: [&Array1<f64>; 2]) -> Rnn {
        let (hidden, vocab) = weights[0].dim();
        let mut copy = Rnn::zeros(vocab, hidden, biases[1].len());
        for (to, from) in [&mut copy.w_xh, &mut copy.w_hh, &mut copy.w_hy]
            .into_iter()
            .zip(weights)
        {
            to.assign(from);
        }
        for (to, from) in [&mut copy.b_h, &mut copy.b_y].into_iter().zip(biases) {
            to.assign(from);
        }
        copy
    }

    pub fn hidden_size(&self) -> usize {
        self.w_hh.nrows()
    }

    pub fn vocab_size(&self) -> usize {
        self.w_xh.ncols()
    }

    pub fn classes(&self) -> usize {
        self.b_y.len()
    }

    pub fn w_xh(&self) -> &Array2<f64> {
        &self.w_xh
    }
    pub fn w_hh(&self) -> &Array2<f64> {
        &self.w_hh
    }
    pub fn w_hy(&self) -> &Array2<f64> {
        &self.w_hy
    }
    pub fn b_h(&self) -> &Array1<f64> {
        &self.b_h
    }
    pub fn b_y(&self) -> &Array1<f64> {
        &self.b_y
    }

    /// Replaces `W_hh` (for tests and tools that set weights by hand), or says why not: it
    /// must be `H×H`. The copy keeps the parameter's aligned storage.
    pub fn set_w_hh(&mut self, w_hh: &Array2<f64>) -> Result<(), String> {
        let want = self.w_hh.dim();
        if w_hh.dim() != want {
            return Err(format!(
                "w_hh has shape {:?}, expected {want:?}",
                w_hh.dim()
            ));
        }
        self.w_hh.assign(w_hh);
        Ok(())
    }

    /// Whether both models have the same shapes and every parameter the same bits (unlike
    /// `==`, a NaN equals itself and -0 differs from +0).
    pub fn same_bits(&self, other: &Rnn) -> bool {
        let bits = |m: &Rnn| -> Vec<u64> {
            let arrays = [m.w_xh.iter(), m.w_hh.iter(), m.w_hy.iter()];
            let vectors = [m.b_h.iter(), m.b_y.iter()];
            arrays
                .into_iter()
                .flatten()
                .chain(vectors.into_iter().flatten())
                .map(|x| x.to_bits())
                .collect()
        };
        let shape = |m: &Rnn| (m.w_xh.dim(), m.w_hh.dim(), m.w_hy.dim());
        shape(self) == shape(other) && bits(self) == bits(other)
    }

    /// A zeroed gradient buffer for this model's shapes.
    pub fn grads(&self) -> Grads {
        Grads::zeros(self.vocab_size(), self.hidden_size(), self.classes())
    }
}

// Every array here is built contiguous by `Rnn::zeros`, so these never fail.
#[inline(always)]
#[allow(
    clippy::expect_used,
    reason = "every parameter array is built contiguous by `Rnn::zeros`"
)]
fn slice(a: &Array2<f64>) -> &[f64] {
    a.as_slice_memory_order()
        .expect("parameters are contiguous")
}
#[inline(always)]
#[allow(
    clippy::expect_used,
    reason = "every parameter array is built contiguous by `Rnn::zeros`"
)]
fn slice_mut(a: &mut Array2<f64>) -> &mut [f64] {
    a.as_slice_memory_order_mut()
        .expect("parameters are contiguous")
}
#[inline(always)]
#[allow(
    clippy::expect_used,
    reason = "every parameter array is built contiguous by `Rnn::zeros`"
)]
fn slice1(a: &Array1<f64>) -> &[f64] {
    a.as_slice().expect("parameters are contiguous")
}
#[inline(always)]
#[allow(
    clippy::expect_used,
    reason = "every parameter array is built contiguous by `Rnn::zeros`"
)]
fn slice1_mut(a: &mut Array1<f64>) -> &mut [f64] {
    a.as_slice_mut().expect("parameters are contiguous")
}

#[cfg(test)]
mod tests;
