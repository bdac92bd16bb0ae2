//! The numeric hot path on plain contiguous slices: dot products, matrix-vector products,
//! axpy and the fused clip-and-update.
//!
//! Each reduction keeps eight independent accumulators in a fixed order, and every
//! multiply-add is a fused one (`mul_add`, rounded once): a single instruction where the CPU
//! has FMA, libm's correctly rounded `fma` where it has not. So the result depends only on
//! the inputs, never on the instruction set the code is compiled for. No function here
//! allocates.

/// Number of independent accumulators (and the logical vector width) of every reduction.
const LANES: usize = 8;
/// Rows of a matrix-vector product computed together, for independent dependency chains.
const ROWS: usize = 4;
/// Output elements kept in registers while a sum over rows runs.
const BLOCK: usize = 32;

/// `a · b` over equal-length slices.
#[inline(always)]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let [d] = dot_rows([a], b);
    d
}

/// `R` dot products with one vector at once. Each row's arithmetic is exactly that of a
/// lone [`dot`] (lane k sums the elements j ≡ k mod 8 in order, then a fixed pairwise sum),
/// so blocking rows changes speed, never bits.
#[inline(always)]
fn dot_rows<const R: usize>(rows: [&[f64]; R], x: &[f64]) -> [f64; R] {
    let mut acc = [[0.0; LANES]; R];
    let (x_body, x_tail) = x.as_chunks::<LANES>();
    let split: [(&[[f64; LANES]], &[f64]); R] = rows.map(|r| r.as_chunks::<LANES>());
    for (c, xs) in x_body.iter().enumerate() {
        for (acc, (body, _)) in acc.iter_mut().zip(&split) {
            let ws = &body[c];
            for k in 0..LANES {
                acc[k] = ws[k].mul_add(xs[k], acc[k]);
            }
        }
    }
    for (acc, (_, tail)) in acc.iter_mut().zip(&split) {
        for (k, (w, xv)) in tail.iter().zip(x_tail).enumerate() {
            acc[k] = w.mul_add(*xv, acc[k]);
        }
    }
    acc.map(|a| ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7])))
}

/// `y += alpha * x`.
#[inline(always)]
pub fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    debug_assert_eq!(x.len(), y.len());
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi = alpha.mul_add(*xi, *yi);
    }
}

/// `out = W x` for a row-major `W` with `x.len()` columns.
#[inline(always)]
pub fn matvec(w: &[f64], x: &[f64], out: &mut [f64]) {
    let n = x.len();
    debug_assert_eq!(w.len(), n * out.len());
    let full = out.len() - out.len() % ROWS;
    let (head, tail) = out.split_at_mut(full);
    for (o, block) in head.chunks_exact_mut(ROWS).zip(w.chunks_exact(ROWS * n)) {
        let rows: [&[f64]; ROWS] = std::array::from_fn(|r| &block[r * n..(r + 1) * n]);
        o.copy_from_slice(&dot_rows(rows, x));
    }
    for (o, row) in tail.iter_mut().zip(w[full * n..].chunks_exact(n)) {
        *o = dot(row, x);
    }
}

/// `out = Wᵀ x` for a row-major `W` with `out.len()` columns: `out = Σ_i x_i · row_i`, each
/// element summed over `i` in ascending order from 0, a block of it held in registers.
#[inline(always)]
pub fn matvec_t(w: &[f64], x: &[f64], out: &mut [f64]) {
    let cols = out.len();
    debug_assert_eq!(w.len(), x.len() * cols);
    weighted_row_sum(x.len(), |i| (x[i], &w[i * cols..(i + 1) * cols]), out);
}

/// `out = Σ_k c_k · row_k` for `k = 0..count` in that order, starting from zero, where
/// `term(k) = (c_k, row_k)`: the same arithmetic as zeroing `out` and calling [`axpy`] for
/// each term.
#[inline(always)]
pub fn weighted_row_sum<'a>(
    count: usize,
    term: impl Fn(usize) -> (f64, &'a [f64]),
    out: &mut [f64],
) {
    let (blocks, rest) = out.as_chunks_mut::<BLOCK>();
    for (b, block) in blocks.iter_mut().enumerate() {
        let mut acc = [0.0; BLOCK];
        for k in 0..count {
            let (c, row) = term(k);
            let Some(row) = row.get(b * BLOCK..(b + 1) * BLOCK) else {
                continue;
            };
            let row: &[f64; BLOCK] = row.try_into().expect("a block of BLOCK elements");
            for j in 0..BLOCK {
                acc[j] = c.mul_add(row[j], acc[j]);
            }
        }
        *block = acc;
    }
    let start = blocks.len() * BLOCK;
    rest.fill(0.0);
    for k in 0..count {
        let (c, row) = term(k);
        axpy(c, &row[start..], rest);
    }
}

/// `w -= lr * clamp(g, -clip, clip)` elementwise; `clip = inf` leaves `g` as it is. A NaN in
/// `g` stays NaN (clamp propagates it), so a broken gradient is seen, not hidden.
#[inline(always)]
pub fn clip_update(w: &mut [f64], g: &[f64], lr: f64, clip: f64) {
    debug_assert_eq!(w.len(), g.len());
    for (wi, &gi) in w.iter_mut().zip(g) {
        // `f64::clamp` spelled out (same result, NaN included) so it inlines everywhere.
        let c = if gi < -clip {
            -clip
        } else if gi > clip {
            clip
        } else {
            gi
        };
        *wi -= lr * c;
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
    fn blocked_products_equal_the_plain_loops_bit_for_bit() {
        // Sizes around the block widths, values with rounding in every product.
        for (rows, cols) in [(1, 1), (3, 5), (4, 8), (5, 13), (64, 64), (33, 70), (7, 31)] {
            let w: Vec<f64> = (0..rows * cols)
                .map(|i| ((i * 7919 % 1000) as f64 - 500.0) / 333.0)
                .collect();
            let x: Vec<f64> = (0..cols)
                .map(|i| ((i * 104_729 % 997) as f64 - 498.0) / 77.0)
                .collect();
            let xr: Vec<f64> = (0..rows)
                .map(|i| ((i * 31 % 17) as f64 - 8.0) / 3.0)
                .collect();
            let mut out = vec![0.0; rows];
            matvec(&w, &x, &mut out);
            let plain: Vec<f64> = w.chunks_exact(cols).map(|r| dot(r, &x)).collect();
            assert_eq!(out, plain, "{rows}x{cols}");
            let mut out_t = vec![0.0; cols];
            matvec_t(&w, &xr, &mut out_t);
            let mut plain_t = vec![0.0; cols];
            for (c, row) in xr.iter().zip(w.chunks_exact(cols)) {
                axpy(*c, row, &mut plain_t);
            }
            assert_eq!(out_t, plain_t, "{rows}x{cols} transposed");
        }
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
