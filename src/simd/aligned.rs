//! Storage whose first element sits on a 64-byte (cache line) boundary.
//!
//! A 512-bit load that straddles two cache lines costs about twice an aligned one, and the
//! allocator only promises 16 bytes; measured on the article run's `W_hh` product (H = 64,
//! AVX-512), a misaligned matrix made the whole product 1.7x slower. Parameters stay
//! ordinary ndarray arrays: the trick is to allocate a few spare elements and start the
//! array at the first aligned one, which an owned ndarray array supports (it keeps the
//! whole `Vec` and an offset pointer). Alignment only changes speed, never a result.

use std::ops::{Deref, DerefMut};

use ndarray::{Array1, Array2, Order, s};

/// Bytes of the boundary the data starts on.
pub(crate) const ALIGN: usize = 64;
const SPARE: usize = ALIGN / size_of::<f64>() - 1;

/// Offset (in elements) of the first 64-byte-aligned element of `buf`.
fn aligned_start(buf: &[f64]) -> usize {
    buf.as_ptr().align_offset(ALIGN).min(SPARE)
}

/// A zeroed 1-D array of `len` elements starting on a 64-byte boundary.
#[allow(clippy::expect_used, reason = "a fresh array is contiguous")]
pub(crate) fn zeros1(len: usize) -> Array1<f64> {
    let whole = Array1::zeros(len + SPARE);
    let start = aligned_start(whole.as_slice().expect("fresh arrays are contiguous"));
    whole.slice_move(s![start..start + len])
}

/// A zeroed `rows × cols` array starting on a 64-byte boundary, in the given memory order.
#[allow(
    clippy::expect_used,
    reason = "a contiguous array of rows * cols elements takes that shape"
)]
pub(crate) fn zeros2(rows: usize, cols: usize, order: Order) -> Array2<f64> {
    zeros1(rows * cols)
        .into_shape_with_order(((rows, cols), order))
        .expect("a contiguous array of rows * cols elements takes that shape")
}

/// A growable scratch vector of `f64` starting on a 64-byte boundary.
#[derive(Debug, Default)]
pub(crate) struct AlignedVec {
    buf: Vec<f64>,
    start: usize,
    len: usize,
}

impl AlignedVec {
    /// Sets the length to `len`, keeping the first `min(len, old len)` values and zeroing
    /// any new ones.
    pub(crate) fn resize(&mut self, len: usize) {
        if len + SPARE > self.buf.len() {
            let mut buf = vec![0.0; len + SPARE];
            let start = aligned_start(&buf);
            buf[start..start + self.len].copy_from_slice(self);
            self.buf = buf;
            self.start = start;
        } else if len > self.len {
            self.buf[self.start + self.len..self.start + len].fill(0.0);
        }
        self.len = len;
    }
}

impl Deref for AlignedVec {
    type Target = [f64];
    #[inline(always)]
    fn deref(&self) -> &[f64] {
        &self.buf[self.start..self.start + self.len]
    }
}

impl DerefMut for AlignedVec {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [f64] {
        &mut self.buf[self.start..self.start + self.len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_aligned(p: *const f64) -> bool {
        (p as usize).is_multiple_of(ALIGN)
    }

    #[test]
    fn arrays_start_on_the_boundary_in_either_order() {
        for (rows, cols) in [(1, 1), (3, 5), (64, 64), (7, 130)] {
            for order in [Order::RowMajor, Order::ColumnMajor] {
                let a = zeros2(rows, cols, order);
                assert_eq!(a.dim(), (rows, cols));
                assert!(is_aligned(a.as_ptr()), "{rows}x{cols} {order:?}");
                assert_eq!(a.as_slice_memory_order().unwrap().len(), rows * cols);
                let by_rows = a.is_standard_layout();
                assert_eq!(by_rows, order == Order::RowMajor || rows == 1 || cols == 1);
            }
        }
        assert!(is_aligned(zeros1(5).as_ptr()));
    }

    #[test]
    fn aligned_vec_keeps_values_and_zeroes_new_ones() {
        let mut v = AlignedVec::default();
        assert!(v.is_empty());
        v.resize(3);
        v.copy_from_slice(&[1.0, 2.0, 3.0]);
        v.resize(100);
        assert!(is_aligned(v.as_ptr()));
        assert_eq!(&v[..4], &[1.0, 2.0, 3.0, 0.0]);
        v[50] = 7.0;
        v.resize(2);
        v.resize(60);
        assert_eq!(&v[..3], &[1.0, 2.0, 0.0]);
        assert_eq!(v[50], 0.0, "values past a shrink come back as zeros");
    }
}
