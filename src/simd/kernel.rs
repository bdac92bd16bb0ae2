//! The numeric hot path on plain contiguous slices: matrix-vector products both ways, the
//! sum of weighted rows and the fused clip-and-update.
//!
//! Every function is generic over [`Lanes`] and takes the set's token as its first argument
//! (which is what lets it make vectors: see [`super::lanes`]), and its arithmetic is fixed
//! lane by lane, not by the instruction set: a dot product keeps eight lanes (lane k sums
//! the elements j ≡ k mod 8 in ascending order, all fused multiply-adds) summed by the
//! fixed tree of [`sum_lanes`]; a sum of weighted rows keeps one running fused multiply-add
//! per output element. So every set gives the same bits, and blocking (which rows or
//! columns are computed together) changes speed only. No function here allocates.

use super::lanes::{F64x8, Lanes, clamp, sum_lanes};

/// The logical vector width.
const LANES: usize = 8;

/// `out = W x` for a row-major `W` with `x.len()` columns: for each row, the dot product
/// of [`dot_lanes`] summed by [`sum_lanes`]. Rows go eight at a time, which keeps eight
/// independent accumulators busy and lets [`F64x8::sum_lanes_of_eight`] finish them
/// together.
#[inline(always)]
pub(crate) fn matvec<L: Lanes>(lanes: L, w: &[f64], x: &[f64], out: &mut [f64]) {
    let n = x.len();
    assert_eq!(
        w.len(),
        n * out.len(),
        "matvec: W is not out.len() x x.len()"
    );
    if n == 0 {
        // Empty sums; also keeps the chunk sizes below non-zero.
        out.fill(0.0);
        return;
    }
    let (blocks, rest) = out.as_chunks_mut::<8>();
    let (w_blocks, w_rest) = w.split_at(blocks.len() * 8 * n);
    for (o, block) in blocks.iter_mut().zip(w_blocks.chunks_exact(8 * n)) {
        let (top, bottom) = block.split_at(4 * n);
        // Four rows' accumulators at a time where eight would not fit in the registers.
        let sums = if L::BLOCK >= 8 {
            dot_lanes::<L, 8>(lanes, rows_of(block, n), x)
        } else {
            let ([a, b, c, d], [e, f, g, h]) = (
                dot_lanes::<L, 4>(lanes, rows_of(top, n), x),
                dot_lanes::<L, 4>(lanes, rows_of(bottom, n), x),
            );
            [a, b, c, d, e, f, g, h]
        };
        *o = F64x8::sum_lanes_of_eight(sums);
    }
    for (o, row) in rest.iter_mut().zip(w_rest.chunks_exact(n)) {
        let [sums] = dot_lanes::<L, 1>(lanes, [row], x);
        *o = sum_lanes(to_array(sums));
    }
}

/// The `R` rows of `n` elements of `block`. (Spelled out: `array::from_fn` here was left as
/// a call in the hot loop.)
#[inline(always)]
fn rows_of<const R: usize>(block: &[f64], n: usize) -> [&[f64]; R] {
    let mut rows = [&block[..0]; R];
    for (r, row) in rows.iter_mut().zip(block.chunks_exact(n)) {
        *r = row;
    }
    rows
}

/// The eight lane sums of each row's dot product with `x`: lane k accumulates
/// `row[j] * x[j]` for j ≡ k (mod 8), j ascending, from zero.
#[inline(always)]
fn dot_lanes<L: Lanes, const R: usize>(lanes: L, rows: [&[f64]; R], x: &[f64]) -> [L::V; R] {
    let (x_body, x_tail) = x.as_chunks::<LANES>();
    let split = rows.map(|r| r.as_chunks::<LANES>());
    let mut acc = [lanes.zero(); R];
    for (c, xs) in x_body.iter().enumerate() {
        let xv = lanes.load(xs);
        for (a, (body, _)) in acc.iter_mut().zip(&split) {
            *a = lanes.load(&body[c]).mul_add(xv, *a);
        }
    }
    if !x_tail.is_empty() {
        // The last partial chunk lane by lane (a masked vector step here, though exact,
        // slowed the whole product down by crowding the registers of the loop above).
        for (a, (_, tail)) in acc.iter_mut().zip(&split) {
            let mut sums = to_array(*a);
            for (k, (w, xv)) in tail.iter().zip(x_tail).enumerate() {
                sums[k] = w.mul_add(*xv, sums[k]);
            }
            *a = lanes.load(&sums);
        }
    }
    acc
}

#[inline(always)]
fn to_array<V: F64x8>(v: V) -> [f64; 8] {
    let mut a = [0.0; 8];
    v.store(&mut a);
    a
}

/// `out = Wᵀ x` for a row-major `W` with `out.len()` columns: `out = Σ_i x_i · row_i`, each
/// element summed over `i` in ascending order from 0.
#[inline(always)]
pub(crate) fn matvec_t<L: Lanes>(lanes: L, w: &[f64], x: &[f64], out: &mut [f64]) {
    let cols = out.len();
    assert_eq!(
        w.len(),
        x.len() * cols,
        "matvec_t: W is not x.len() x out.len()"
    );
    weighted_row_sum(lanes, &Transposed { w, x, cols }, out);
}

/// The terms `(x_i, row_i of W)` of `Wᵀ x`.
struct Transposed<'a> {
    w: &'a [f64],
    x: &'a [f64],
    cols: usize,
}

impl Terms for Transposed<'_> {
    #[inline(always)]
    fn count(&self) -> usize {
        self.x.len()
    }
    #[inline(always)]
    fn term(&self, i: usize) -> (f64, &[f64]) {
        (self.x[i], &self.w[i * self.cols..(i + 1) * self.cols])
    }
}

/// The terms `(c_k, row_k)`, `k = 0..count`, of a [`weighted_row_sum`]. (A trait rather
/// than a closure so that it is always inlined into the hot loop.)
pub(crate) trait Terms {
    fn count(&self) -> usize;
    fn term(&self, k: usize) -> (f64, &[f64]);
}

/// `out = Σ_k c_k · row_k` for `k = 0..count` in that order, starting from zero, where
/// `terms.term(k) = (c_k, row_k)`: each output element one running fused multiply-add over
/// the terms. A block of outputs stays in registers across the whole sum (64 with AVX-512:
/// eight independent chains of fused multiply-adds), then 32, 16 and 8 for what is left.
#[inline(always)]
pub(crate) fn weighted_row_sum<L: Lanes>(lanes: L, terms: &impl Terms, out: &mut [f64]) {
    weighted_row_sum_from(lanes, terms, 0, out);
}

/// [`weighted_row_sum`] of the columns `start..start + out.len()` of the rows.
#[inline(always)]
fn weighted_row_sum_from<L: Lanes>(
    lanes: L,
    terms: &impl Terms,
    mut start: usize,
    out: &mut [f64],
) {
    let (chunks, tail) = out.as_chunks_mut::<LANES>();
    let (eights, rest) = match L::BLOCK {
        8.. => chunks.as_chunks_mut::<8>(),
        _ => (&mut [][..], chunks),
    };
    for block in eights {
        store(sum_block::<L, 8>(lanes, terms, start), block);
        start += 8 * LANES;
    }
    let (fours, rest) = rest.as_chunks_mut::<4>();
    for block in fours {
        store(sum_block::<L, 4>(lanes, terms, start), block);
        start += 4 * LANES;
    }
    let (twos, rest) = rest.as_chunks_mut::<2>();
    for block in twos {
        store(sum_block::<L, 2>(lanes, terms, start), block);
        start += 2 * LANES;
    }
    for block in rest.as_chunks_mut::<1>().0 {
        store(sum_block::<L, 1>(lanes, terms, start), block);
        start += LANES;
    }
    if !tail.is_empty() {
        // The last partial chunk in a register too (each lane is its own output, so the
        // padding lanes' values do not matter and are dropped).
        let mut acc = lanes.zero();
        for k in 0..terms.count() {
            let (c, row) = terms.term(k);
            acc = lanes
                .splat(c)
                .mul_add(lanes.load_partial(&row[start..], 0.0), acc);
        }
        tail.copy_from_slice(&to_array(acc)[..tail.len()]);
    }
}

/// The sums of [`weighted_row_sum`] for the `B` vectors of outputs at `start..start + 8B`.
#[inline(always)]
fn sum_block<L: Lanes, const B: usize>(lanes: L, terms: &impl Terms, start: usize) -> [L::V; B] {
    let mut acc = [lanes.zero(); B];
    for k in 0..terms.count() {
        let (c, row) = terms.term(k);
        let c = lanes.splat(c);
        let (row, _) = row[start..start + B * LANES].as_chunks::<LANES>();
        for (a, r) in acc.iter_mut().zip(row) {
            *a = c.mul_add(lanes.load(r), *a);
        }
    }
    acc
}

#[inline(always)]
fn store<V: F64x8, const B: usize>(vs: [V; B], out: &mut [[f64; LANES]; B]) {
    for (o, v) in out.iter_mut().zip(vs) {
        v.store(o);
    }
}

/// The terms `(u_k, v_k)`, `k = 0..count`, of an outer-product sum `G = Σ_k u_k v_kᵀ`.
pub(crate) trait OuterTerms {
    fn count(&self) -> usize;
    fn term(&self, k: usize) -> (&[f64], &[f64]);
}

/// Row `i` of an outer-product sum as the [`Terms`] `(u_k[i], v_k)` of a
/// [`weighted_row_sum`].
pub(crate) struct RowOf<'a, T> {
    pub outer: &'a T,
    pub i: usize,
}

impl<T: OuterTerms> Terms for RowOf<'_, T> {
    #[inline(always)]
    fn count(&self) -> usize {
        self.outer.count()
    }
    #[inline(always)]
    fn term(&self, k: usize) -> (f64, &[f64]) {
        let (u, v) = self.outer.term(k);
        (u[self.i], v)
    }
}

/// `W -= lr * clamp(G, -clip, clip)` for a row-major `W` with `cols` columns and
/// `G = Σ_k u_k v_kᵀ`, row `i` of `G` being the [`weighted_row_sum`] of [`RowOf`] `i`: the
/// same bits as computing `G` and then calling [`clip_update`], without ever storing `G`.
/// Two rows go together so that they share each load of `v_k`, and a block of columns of
/// both stays in registers from the sum to the update; `scratch` (at least `cols` long)
/// takes the columns past the last block.
#[inline(always)]
pub(crate) fn clip_update_outer<L: Lanes>(
    lanes: L,
    terms: &impl OuterTerms,
    w: &mut [f64],
    cols: usize,
    lr: f64,
    clip: f64,
    scratch: &mut [f64],
) {
    assert!(cols > 0 && w.len().is_multiple_of(cols) && scratch.len() >= cols);
    assert!(clip >= 0.0, "clip_update_outer: a clip of {clip}");
    if L::BLOCK >= 8 {
        clip_update_outer_by::<L, 8>(lanes, terms, w, cols, [lr, clip], scratch);
    } else {
        clip_update_outer_by::<L, 2>(lanes, terms, w, cols, [lr, clip], scratch);
    }
}

/// [`clip_update_outer`] with blocks of `B` vectors per row (`2B` accumulators).
#[inline(always)]
fn clip_update_outer_by<L: Lanes, const B: usize>(
    lanes: L,
    terms: &impl OuterTerms,
    w: &mut [f64],
    cols: usize,
    [lr, clip]: [f64; 2],
    scratch: &mut [f64],
) {
    let last_row = w.len() / cols - 1;
    let mut pairs = w.chunks_exact_mut(2 * cols);
    for (p, pair) in pairs.by_ref().enumerate() {
        let (first, second) = pair.split_at_mut(cols);
        let blocks0 = first.as_chunks_mut::<LANES>().0.as_chunks_mut::<B>().0;
        let blocks1 = second.as_chunks_mut::<LANES>().0.as_chunks_mut::<B>().0;
        for (b, (w0, w1)) in blocks0.iter_mut().zip(blocks1).enumerate() {
            let [g0, g1] = sum_block_pair::<L, B>(lanes, terms, 2 * p, b * B * LANES);
            update_block(lanes, w0, g0, lr, clip);
            update_block(lanes, w1, g1, lr, clip);
        }
        // Two calls, not a loop over `[first, second]`: the loop made a whole run execute
        // about 2% more instructions (callgrind, AVX2 path).
        let i = 2 * p;
        update_rest::<L, B>(lanes, &RowOf { outer: terms, i }, first, lr, clip, scratch);
        let i = 2 * p + 1;
        update_rest::<L, B>(lanes, &RowOf { outer: terms, i }, second, lr, clip, scratch);
    }
    let odd = pairs.into_remainder();
    if !odd.is_empty() {
        let terms = RowOf {
            outer: terms,
            i: last_row,
        };
        let blocks = odd.as_chunks_mut::<LANES>().0.as_chunks_mut::<B>().0;
        for (b, block) in blocks.iter_mut().enumerate() {
            update_block(
                lanes,
                block,
                sum_block::<L, B>(lanes, &terms, b * B * LANES),
                lr,
                clip,
            );
        }
        update_rest::<L, B>(lanes, &terms, odd, lr, clip, scratch);
    }
}

/// [`clip_update`] of `B` vectors whose gradient is in registers.
#[inline(always)]
fn update_block<L: Lanes, const B: usize>(
    lanes: L,
    w: &mut [[f64; LANES]; B],
    g: [L::V; B],
    lr: f64,
    clip: f64,
) {
    let (lo, hi, rate) = (lanes.splat(-clip), lanes.splat(clip), lanes.splat(lr));
    for (wv, gv) in w.iter_mut().zip(g) {
        lanes.load(wv).sub(rate.mul(gv.clamp(lo, hi))).store(wv);
    }
}

/// The sums of rows `i` and `i + 1` of an outer-product sum over the `B` vectors of
/// columns at `start`, sharing each load of `v_k`: each row gets exactly the arithmetic of
/// [`sum_block`] on its [`RowOf`].
#[inline(always)]
fn sum_block_pair<L: Lanes, const B: usize>(
    lanes: L,
    terms: &impl OuterTerms,
    i: usize,
    start: usize,
) -> [[L::V; B]; 2] {
    let mut acc0 = [lanes.zero(); B];
    let mut acc1 = [lanes.zero(); B];
    for k in 0..terms.count() {
        let (u, v) = terms.term(k);
        let (c0, c1) = (lanes.splat(u[i]), lanes.splat(u[i + 1]));
        let (v, _) = v[start..start + B * LANES].as_chunks::<LANES>();
        for ((a0, a1), vq) in acc0.iter_mut().zip(acc1.iter_mut()).zip(v) {
            let x = lanes.load(vq);
            *a0 = c0.mul_add(x, *a0);
            *a1 = c1.mul_add(x, *a1);
        }
    }
    [acc0, acc1]
}

/// The update of the columns of `row` past its last full block of `B` vectors, through
/// `scratch`.
#[inline(always)]
fn update_rest<L: Lanes, const B: usize>(
    lanes: L,
    terms: &impl Terms,
    row: &mut [f64],
    lr: f64,
    clip: f64,
    scratch: &mut [f64],
) {
    let start = row.len() - row.len() % (B * LANES);
    let rest = &mut row[start..];
    if !rest.is_empty() {
        let g = &mut scratch[..rest.len()];
        weighted_row_sum_from(lanes, terms, start, g);
        clip_update(lanes, rest, g, lr, clip);
    }
}

/// `w -= lr * clamp(g, -clip, clip)` elementwise (a product, then a difference: no fused
/// operation); `clip = inf` leaves `g` as it is. A NaN in `g` stays NaN, so a broken
/// gradient is seen, not hidden.
#[inline(always)]
pub(crate) fn clip_update<L: Lanes>(lanes: L, w: &mut [f64], g: &[f64], lr: f64, clip: f64) {
    assert_eq!(w.len(), g.len(), "clip_update: lengths differ");
    // The vector clamp equals the scalar one only for lo <= hi (settings ensure clip > 0).
    assert!(clip >= 0.0, "clip_update: a clip of {clip}");
    let (w_body, w_tail) = w.as_chunks_mut::<LANES>();
    let (g_body, g_tail) = g.as_chunks::<LANES>();
    let (lo, hi, rate) = (lanes.splat(-clip), lanes.splat(clip), lanes.splat(lr));
    for (wv, gv) in w_body.iter_mut().zip(g_body) {
        let step = rate.mul(lanes.load(gv).clamp(lo, hi));
        lanes.load(wv).sub(step).store(wv);
    }
    for (wi, &gi) in w_tail.iter_mut().zip(g_tail) {
        *wi -= lr * clamp(gi, -clip, clip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::lanes::Portable;
    use crate::simd::say_unchecked_sets;

    /// Runs `$body` with `$lanes` bound to the token of each set this CPU can execute.
    macro_rules! for_each_isa {
        ($lanes:ident => $body:block) => {{
            {
                let $lanes = Portable;
                $body
            }
            #[cfg(target_arch = "x86_64")]
            if let Some($lanes) = crate::simd::lanes::Avx2::detect() {
                $body
            }
            #[cfg(target_arch = "x86_64")]
            if let Some($lanes) = crate::simd::lanes::Avx512::detect() {
                $body
            }
        }};
    }

    /// The dot product as the module docs define it, one scalar step at a time.
    fn reference_dot(a: &[f64], b: &[f64]) -> f64 {
        let mut lanes = [0.0; 8];
        for (j, (x, y)) in a.iter().zip(b).enumerate() {
            lanes[j % 8] = x.mul_add(*y, lanes[j % 8]);
        }
        sum_lanes(lanes)
    }

    fn awkward(len: usize, seed: usize) -> Vec<f64> {
        (0..len)
            .map(|i| (((i + seed) * 7919 % 1000) as f64 - 500.0) / 333.0)
            .collect()
    }

    #[test]
    fn dot_matches_hand_sums_for_every_tail_length() {
        say_unchecked_sets("dot_matches_hand_sums_for_every_tail_length");
        for n in 0..20usize {
            let a: Vec<f64> = (1..=n).map(|i| i as f64).collect();
            let b: Vec<f64> = (1..=n).map(|i| i as f64 * 0.5).collect();
            // Sum of i^2 / 2 for i = 1..n, exact in f64 at these sizes.
            let want = (n * (n + 1) * (2 * n + 1)) as f64 / 12.0;
            for_each_isa!(lanes => {
                let mut out = [0.0];
                matvec(lanes, &a, &b, &mut out);
                assert_eq!(out[0], want, "n = {n}");
            });
        }
    }

    #[test]
    fn matvec_and_transpose_by_hand() {
        say_unchecked_sets("matvec_and_transpose_by_hand");
        // W = [[1, 2, 3], [4, 5, 6]]
        let w = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        for_each_isa!(lanes => {
            let mut out = [0.0; 2];
            matvec(lanes, &w, &[1.0, 0.0, -1.0], &mut out);
            assert_eq!(out, [-2.0, -2.0]);
            let mut out = [9.0; 3];
            matvec_t(lanes, &w, &[1.0, -1.0], &mut out);
            assert_eq!(out, [-3.0, -3.0, -3.0]);
        });
    }

    #[test]
    fn every_lane_type_equals_the_scalar_definition_bit_for_bit() {
        say_unchecked_sets("every_lane_type_equals_the_scalar_definition_bit_for_bit");
        // Sizes around the lane and block widths, values with rounding in every product.
        let sizes = [
            (1, 1),
            (3, 5),
            (4, 8),
            (5, 13),
            (8, 8),
            (64, 64),
            (33, 70),
            (7, 31),
            (17, 120),
        ];
        for (rows, cols) in sizes {
            let w = awkward(rows * cols, 0);
            let x: Vec<f64> = awkward(cols, 3).iter().map(|v| v / 4.3).collect();
            let xr: Vec<f64> = awkward(rows, 11).iter().map(|v| v / 2.9).collect();
            let plain: Vec<f64> = w.chunks_exact(cols).map(|r| reference_dot(r, &x)).collect();
            let mut plain_t = vec![0.0; cols];
            for (c, row) in xr.iter().zip(w.chunks_exact(cols)) {
                for (o, v) in plain_t.iter_mut().zip(row) {
                    *o = c.mul_add(*v, *o);
                }
            }
            for_each_isa!(lanes => {
                let mut out = vec![0.0; rows];
                matvec(lanes, &w, &x, &mut out);
                assert_eq!(out, plain, "{rows}x{cols}");
                let mut out_t = vec![f64::NAN; cols];
                matvec_t(lanes, &w, &xr, &mut out_t);
                assert_eq!(out_t, plain_t, "{rows}x{cols} transposed");
            });
        }
    }

    #[test]
    fn a_partial_last_chunk_leaves_the_other_lanes_bit_for_bit() {
        say_unchecked_sets("a_partial_last_chunk_leaves_the_other_lanes_bit_for_bit");
        // Products that underflow to -0 make every lane -0; the tail's padding must keep
        // them so (a padding of +0 * +0 would turn them into +0).
        for n in [9, 12, 15, 17] {
            let w = vec![1e-200; n];
            let x = vec![-1e-200; n];
            let want = reference_dot(&w, &x);
            assert_eq!(want.to_bits(), (-0.0f64).to_bits());
            for_each_isa!(lanes => {
                let mut out = [1.0];
                matvec(lanes, &w, &x, &mut out);
                assert_eq!(out[0].to_bits(), want.to_bits(), "n = {n}");
            });
        }
        for_each_isa!(lanes => {
            let mut got = [0.0; 8];
            lanes.load_partial(&[1.0, 2.0, 3.0], -0.0).store(&mut got);
            assert_eq!(got[..3], [1.0, 2.0, 3.0]);
            assert!(got[3..].iter().all(|v| v.to_bits() == (-0.0f64).to_bits()));
            lanes.load_partial(&[], 7.0).store(&mut got);
            assert_eq!(got, [7.0; 8]);
        });
    }

    #[test]
    fn lane_sums_of_eight_rows_follow_the_tree() {
        say_unchecked_sets("lane_sums_of_eight_rows_follow_the_tree");
        // Lanes chosen so that any other summation order rounds differently: 1e16 swallows
        // a lone 1.0 but not a 2.0 made by adding the two ones first.
        let values = [1e16, 1.0, -1e16, 1.0, 1.0, 3.0, 1.0, -3.0];
        let want = sum_lanes(values);
        assert_eq!(want, 2.0);
        let rows: [[f64; 8]; 8] = std::array::from_fn(|r| values.map(|v| v * (r + 1) as f64));
        for_each_isa!(lanes => {
            let got = F64x8::sum_lanes_of_eight(rows.map(|r| lanes.load(&r)));
            let each: Vec<f64> = rows.iter().map(|r| sum_lanes(*r)).collect();
            assert_eq!(got.to_vec(), each);
        });
    }

    #[test]
    fn clip_update_clips_each_element() {
        say_unchecked_sets("clip_update_clips_each_element");
        for_each_isa!(lanes => {
            // Eleven elements: a full vector and a scalar tail, both clipped alike.
            let mut w = [1.0; 11];
            let g = [5.0, -0.5, -3.0, f64::NAN, 0.25, -0.0, 1.0, -1.0, 5.0, -0.5, f64::NAN];
            clip_update(lanes, &mut w, &g, 0.5, 1.0);
            assert_eq!(&w[..3], &[0.5, 1.25, 1.5]);
            assert!(w[3].is_nan() && w[10].is_nan());
            assert_eq!(&w[4..10], &[0.875, 1.0, 0.5, 1.5, 0.5, 1.25]);
            let mut w = [0.0; 9];
            clip_update(lanes, &mut w, &[5.0; 9], 0.5, f64::INFINITY);
            assert_eq!(w, [-2.5; 9]);
        });
    }
}
