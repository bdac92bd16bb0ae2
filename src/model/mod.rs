//! The article's vanilla many-to-one RNN: parameters, forward pass, BPTT and the SGD step.
//!
//! ```text
//! h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h),  h_0 = 0
//! y   = W_hy h_n + b_y,   p = softmax(y),   L = -ln p_c
//! ```
//! Parameters live in ndarray arrays; the loops run over their contiguous slices through
//! [`kernel`]. A [`Workspace`] and a [`Grads`] are reused across examples so that training
//! allocates nothing per example.

pub mod kernel;
pub mod math;
pub mod tanh;
pub mod weights;

use ndarray::{Array1, Array2, ShapeBuilder};
use rand::RngExt;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

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
/// input's product, is one contiguous slice; the others are row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Rnn {
    w_xh: Array2<f64>,
    w_hh: Array2<f64>,
    w_hy: Array2<f64>,
    b_h: Array1<f64>,
    b_y: Array1<f64>,
}

/// The gradient of the loss of one example, same shapes as [`Rnn`].
#[derive(Debug, Clone)]
pub struct Grads {
    pub w_xh: Array2<f64>,
    pub w_hh: Array2<f64>,
    pub w_hy: Array2<f64>,
    pub b_h: Array1<f64>,
    pub b_y: Array1<f64>,
    /// Columns of `w_xh` the example touched, sorted and distinct; every other column is 0.
    touched: Vec<u32>,
}

/// Scratch space of one run, grown to the longest phrase seen and then reused.
#[derive(Debug, Default)]
pub struct Workspace {
    /// `h_0 .. h_n`, each `H` long.
    hs: Vec<f64>,
    /// `temp_1 .. temp_n` of BPTT.
    temps: Vec<f64>,
    dh: Vec<f64>,
    dh_prev: Vec<f64>,
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
pub struct Outcome {
    pub loss: f64,
    pub correct: bool,
}

impl Rnn {
    /// All-zero parameters for `vocab` words, `hidden` units and `classes` outputs.
    pub fn zeros(vocab: usize, hidden: usize, classes: usize) -> Rnn {
        Rnn {
            w_xh: Array2::zeros((hidden, vocab).f()),
            w_hh: Array2::zeros((hidden, hidden)),
            w_hy: Array2::zeros((classes, hidden)),
            b_h: Array1::zeros(hidden),
            b_y: Array1::zeros(classes),
        }
    }

    /// The article's initialisation: `W_hh`, `W_xh`, `W_hy` drawn in that order, each in
    /// row-major order like numpy's `randn(rows, cols)`, from N(0, 1) times `scale`;
    /// biases zero.
    pub fn init<R: rand::Rng>(
        vocab: usize,
        hidden: usize,
        classes: usize,
        scale: f64,
        rng: &mut R,
    ) -> Rnn {
        let mut rnn = Rnn::zeros(vocab, hidden, classes);
        for w in [&mut rnn.w_hh, &mut rnn.w_xh, &mut rnn.w_hy] {
            // `iter_mut` walks the logical (row-major) order whatever the memory layout.
            for x in w.iter_mut() {
                *x = rng.sample::<f64, _>(StandardNormal) * scale;
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
        let (hidden, vocab) = w_xh.dim();
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
        let mut rnn = Rnn::zeros(vocab, hidden, classes);
        rnn.w_xh.assign(&w_xh);
        rnn.w_hh.assign(&w_hh);
        rnn.w_hy.assign(&w_hy);
        rnn.b_h.assign(&b_h);
        rnn.b_y.assign(&b_y);
        Ok(rnn)
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

    /// Mutable access for tests and tools that set weights by hand.
    pub fn w_hh_mut(&mut self) -> &mut Array2<f64> {
        &mut self.w_hh
    }

    /// A zeroed gradient buffer for this model's shapes.
    pub fn grads(&self) -> Grads {
        let z = Rnn::zeros(self.vocab_size(), self.hidden_size(), self.classes());
        Grads {
            w_xh: z.w_xh,
            w_hh: z.w_hh,
            w_hy: z.w_hy,
            b_h: z.b_h,
            b_y: z.b_y,
            touched: Vec::new(),
        }
    }

    /// Runs the phrase through the net; leaves the hidden states and the class
    /// probabilities in `ws` and returns the loss against `label` and whether the argmax
    /// (ties to the first class) is `label`.
    #[inline(always)]
    pub fn forward(&self, words: &[Option<u32>], label: usize, ws: &mut Workspace) -> Outcome {
        let h = self.hidden_size();
        let k = self.classes();
        ws.hs.resize((words.len() + 1) * h, 0.0);
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
                kernel::matvec(w_hh, prev, next);
            }
            if let Some(w) = word {
                let column = &w_xh[*w as usize * h..][..h];
                kernel::axpy(1.0, column, next);
            }
            for (x, b) in next.iter_mut().zip(b_h) {
                *x += b;
            }
            tanh::tanh_in_place(next);
        }
        let h_n = &ws.hs[words.len() * h..];
        ws.logits.resize(k, 0.0);
        ws.probs.resize(k, 0.0);
        kernel::matvec(slice(&self.w_hy), h_n, &mut ws.logits);
        for (y, b) in ws.logits.iter_mut().zip(slice1(&self.b_y)) {
            *y += b;
        }
        ws.log_sum_exp = math::softmax(&ws.logits, &mut ws.probs);
        Outcome {
            loss: math::cross_entropy(&ws.logits, ws.log_sum_exp, label),
            correct: math::argmax(&ws.probs) == label,
        }
    }

    /// BPTT for the example of the last [`Rnn::forward`] on `ws`: fills `grads`.
    #[inline(always)]
    pub fn backward(
        &self,
        words: &[Option<u32>],
        label: usize,
        gradient: Gradient,
        ws: &mut Workspace,
        grads: &mut Grads,
    ) {
        let h = self.hidden_size();
        let n = words.len();
        let Workspace {
            hs,
            temps,
            dh,
            dh_prev,
            probs,
            ..
        } = ws;
        dh.resize(h, 0.0);
        dh_prev.resize(h, 0.0);
        temps.resize(n * h, 0.0);

        // Output layer: dL/dy = p - onehot(label).
        let d_y = slice1_mut(&mut grads.b_y);
        d_y.copy_from_slice(probs);
        d_y[label] -= 1.0;
        let h_n = &hs[n * h..(n + 1) * h];
        for (row, &dy) in slice_mut(&mut grads.w_hy)
            .chunks_exact_mut(h)
            .zip(d_y.iter())
        {
            for (g, &x) in row.iter_mut().zip(h_n) {
                *g = dy * x;
            }
        }
        kernel::matvec_t(slice(&self.w_hy), d_y, dh);

        // Back through time, newest step first.
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
            for ((tp, &x), &d) in temp.iter_mut().zip(h_t).zip(dh.iter()) {
                *tp = (1.0 - x * x) * d;
            }
            kernel::axpy(1.0, temp, d_bh);
            if let Some(w) = words[t] {
                kernel::axpy(1.0, temp, &mut d_xh[w as usize * h..][..h]);
                grads.touched.push(w);
            }
            if t > 0 {
                match gradient {
                    Gradient::Article => kernel::matvec(w_hh, temp, dh_prev),
                    Gradient::Exact => kernel::matvec_t(w_hh, temp, dh_prev),
                }
                std::mem::swap(dh, dh_prev);
            }
        }
        grads.touched.sort_unstable();
        grads.touched.dedup();

        // dW_hh = Σ_t temp_t h_{t-1}ᵀ as one product over the sequence, row by row, in the
        // article's order (t = n..1); h_0 = 0 adds nothing.
        for (i, row) in slice_mut(&mut grads.w_hh).chunks_exact_mut(h).enumerate() {
            let term = |k: usize| {
                let t = n - 1 - k;
                (temps[t * h + i], &hs[t * h..(t + 1) * h])
            };
            kernel::weighted_row_sum(n.saturating_sub(1), term, row);
        }
    }

    /// One SGD step with every gradient element clipped to `[-clip, clip]`.
    #[inline(always)]
    pub fn sgd_step(&mut self, grads: &Grads, learning_rate: f64, clip: f64) {
        let pairs = [(&mut self.w_hh, &grads.w_hh), (&mut self.w_hy, &grads.w_hy)];
        for (w, g) in pairs {
            kernel::clip_update(slice_mut(w), slice(g), learning_rate, clip);
        }
        for (w, g) in [(&mut self.b_h, &grads.b_h), (&mut self.b_y, &grads.b_y)] {
            kernel::clip_update(slice1_mut(w), slice1(g), learning_rate, clip);
        }
        // Untouched columns have a zero gradient, so their update is exactly a no-op.
        let h = self.hidden_size();
        let w_xh = slice_mut(&mut self.w_xh);
        let g_xh = slice(&grads.w_xh);
        for &w in &grads.touched {
            let range = w as usize * h..(w as usize + 1) * h;
            kernel::clip_update(&mut w_xh[range.clone()], &g_xh[range], learning_rate, clip);
        }
    }

    /// Forward, backward and update on one example; returns the forward pass's outcome.
    /// Runs the widest instruction set this machine has ([`Isa::best`]); every one gives the
    /// same bits.
    #[allow(clippy::too_many_arguments)]
    pub fn train_example(
        &mut self,
        words: &[Option<u32>],
        label: usize,
        gradient: Gradient,
        learning_rate: f64,
        clip: f64,
        ws: &mut Workspace,
        grads: &mut Grads,
    ) -> Outcome {
        let step = Step {
            words,
            label,
            gradient,
            learning_rate,
            clip,
        };
        self.train_example_on(Isa::best(), step, ws, grads)
    }

    /// [`Rnn::train_example`] on a chosen instruction set (tests compare them all).
    pub fn train_example_on(
        &mut self,
        isa: Isa,
        step: Step<'_>,
        ws: &mut Workspace,
        grads: &mut Grads,
    ) -> Outcome {
        match isa {
            // SAFETY: `Isa::best` and `Isa::available` only return sets the CPU has.
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 if Isa::Avx512.is_supported() => unsafe {
                self.step_avx512(step, ws, grads)
            },
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 if Isa::Avx2.is_supported() => unsafe { self.step_avx2(step, ws, grads) },
            _ => self.step(step, ws, grads),
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

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn forward_avx2(&self, words: &[Option<u32>], label: usize, ws: &mut Workspace) -> Outcome {
        self.forward(words, label, ws)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,fma")]
    fn forward_avx512(&self, words: &[Option<u32>], label: usize, ws: &mut Workspace) -> Outcome {
        self.forward(words, label, ws)
    }

    #[inline(always)]
    fn step(&mut self, s: Step<'_>, ws: &mut Workspace, grads: &mut Grads) -> Outcome {
        let outcome = self.forward(s.words, s.label, ws);
        self.backward(s.words, s.label, s.gradient, ws, grads);
        self.sgd_step(grads, s.learning_rate, s.clip);
        outcome
    }

    // The same code compiled for wider vectors and hardware FMA. The kernel's multiply-adds
    // are explicit `mul_add`s (correctly rounded everywhere) and Rust never contracts
    // `a * b + c` on its own, so each path rounds exactly like the baseline.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn step_avx2(&mut self, s: Step<'_>, ws: &mut Workspace, grads: &mut Grads) -> Outcome {
        self.step(s, ws, grads)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,fma")]
    fn step_avx512(&mut self, s: Step<'_>, ws: &mut Workspace, grads: &mut Grads) -> Outcome {
        self.step(s, ws, grads)
    }
}

/// One training example and the settings its step needs.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    pub words: &'a [Option<u32>],
    pub label: usize,
    pub gradient: Gradient,
    pub learning_rate: f64,
    pub clip: f64,
}

/// Instruction sets the training step is compiled for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    /// The default target (SSE2 on x86-64; multiply-adds through libm's `fma`, slow but
    /// exact, for CPUs without FMA).
    Baseline,
    Avx2,
    Avx512,
}

impl Isa {
    /// The widest set this CPU supports.
    pub fn best() -> Isa {
        static BEST: std::sync::OnceLock<Isa> = std::sync::OnceLock::new();
        *BEST.get_or_init(|| {
            [Isa::Avx512, Isa::Avx2]
                .into_iter()
                .find(|i| i.is_supported())
                .unwrap_or(Isa::Baseline)
        })
    }

    /// Every set this CPU supports.
    pub fn available() -> Vec<Isa> {
        [Isa::Baseline, Isa::Avx2, Isa::Avx512]
            .into_iter()
            .filter(|i| i.is_supported())
            .collect()
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
                std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }
}

// Every array here is built contiguous by `Rnn::zeros`, so these never fail.
fn slice(a: &Array2<f64>) -> &[f64] {
    a.as_slice_memory_order()
        .expect("parameters are contiguous")
}
fn slice_mut(a: &mut Array2<f64>) -> &mut [f64] {
    a.as_slice_memory_order_mut()
        .expect("parameters are contiguous")
}
fn slice1(a: &Array1<f64>) -> &[f64] {
    a.as_slice().expect("parameters are contiguous")
}
fn slice1_mut(a: &mut Array1<f64>) -> &mut [f64] {
    a.as_slice_mut().expect("parameters are contiguous")
}

#[cfg(test)]
mod tests;
