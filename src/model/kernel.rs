//! The numeric hot path on plain contiguous slices: dot products, matrix-vector products,
//! axpy and the fused clip-and-update.
//!
//! Each reduction keeps eight independent accumulators in a fixed order, so LLVM vectorises
//! it on the default target and the result depends only on the inputs, never on the
//! instruction set the code happens to be compiled for. No function here allocates.

/// Number of independent accumulators (and the logical vector width) of every reduction.
const LANES: usize = 8;

/// `a · b` over equal-length slices.
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [0.0; LANES];
    let (a_body, a_tail) = a.split_at(a.len() - a.len() % LANES);
    let (b_body, b_tail) = b.split_at(a_body.len());
    for (x, y) in a_body.chunks_exact(LANES).zip(b_body.chunks_exact(LANES)) {
        for k in 0..LANES {
            acc[k] += x[k] * y[k];
        }
    }
    for (k, (x, y)) in a_tail.iter().zip(b_tail).enumerate() {
        acc[k] += x * y;
    }
    // A fixed pairwise order, the same on every target.
    ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]))
}

/// `y += alpha * x`.
#[inline]
pub fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    debug_assert_eq!(x.len(), y.len());
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// `out = W x` for a row-major `W` with `x.len()` columns.
#[inline]
pub fn matvec(w: &[f64], x: &[f64], out: &mut [f64]) {
    debug_assert_eq!(w.len(), x.len() * out.len());
    for (o, row) in out.iter_mut().zip(w.chunks_exact(x.len())) {
        *o = dot(row, x);
    }
}

/// `out = Wᵀ x` for a row-major `W` with `out.len()` columns.
#[inline]
pub fn matvec_t(w: &[f64], x: &[f64], out: &mut [f64]) {
    debug_assert_eq!(w.len(), x.len() * out.len());
    out.fill(0.0);
    for (&xi, row) in x.iter().zip(w.chunks_exact(out.len())) {
        axpy(xi, row, out);
    }
}

/// `w -= lr * clamp(g, -clip, clip)` elementwise; `clip = inf` leaves `g` as it is. A NaN in
/// `g` stays NaN (clamp propagates it), so a broken gradient is seen, not hidden.
#[inline]
pub fn clip_update(w: &mut [f64], g: &[f64], lr: f64, clip: f64) {
    debug_assert_eq!(w.len(), g.len());
    for (wi, gi) in w.iter_mut().zip(g) {
        *wi -= lr * gi.clamp(-clip, clip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_matches_hand_sums_for_every_tail_length() {
        for n in 0..20 {
            let a: Vec<f64> = (1..=n).map(f64::from).collect();
            let b: Vec<f64> = (1..=n).map(|i| f64::from(i) * 0.5).collect();
            // Sum of i^2 / 2 for i = 1..n, exact in f64 at these sizes.
            let want = f64::from(n * (n + 1) * (2 * n + 1)) / 12.0;
            assert_eq!(dot(&a, &b), want, "n = {n}");
        }
    }

    #[test]
    fn matvec_and_transpose_by_hand() {
        // W = [[1, 2, 3], [4, 5, 6]]
        let w = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let mut out = [0.0; 2];
        matvec(&w, &[1.0, 0.0, -1.0], &mut out);
        assert_eq!(out, [-2.0, -2.0]);
        let mut out = [9.0; 3];
        matvec_t(&w, &[1.0, -1.0], &mut out);
        assert_eq!(out, [-3.0, -3.0, -3.0]);
    }

    #[test]
    fn clip_update_clips_each_element() {
        let mut w = [1.0, 1.0, 1.0, 1.0];
        clip_update(&mut w, &[5.0, -0.5, -3.0, f64::NAN], 0.5, 1.0);
        assert_eq!(&w[..3], &[0.5, 1.25, 1.5]);
        assert!(w[3].is_nan());
        let mut w = [0.0];
        clip_update(&mut w, &[5.0], 0.5, f64::INFINITY);
        assert_eq!(w, [-2.5]);
    }
}
