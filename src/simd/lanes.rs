//! Eight `f64` lanes, the logical vector of every kernel loop, on each instruction set.
//!
//! The kernel is written once, generic over [`Lanes`], and its arithmetic is defined lane
//! by lane: which products go into which lane, in which order, and the fixed tree that sums
//! the lanes of a dot product. Each implementation performs exactly those correctly rounded
//! operations (fused multiply-adds are fused everywhere, plain multiplies and adds never
//! are), so all of them give the same bits; only the instructions differ:
//!
//! - [`Portable`]: an array of eight, for any CPU (multiply-adds through `f64::mul_add`,
//!   the compiler runtime's correctly rounded `fma` call where the CPU has none).
//! - [`Avx2`]: two 256-bit registers, FMA3.
//! - [`Avx512`]: one 512-bit register.
//!
//! The point of writing the x86 ones by hand is the horizontal step: summing the lanes of
//! eight dot products at once by a transposing network of shuffles and vector adds, which
//! the compiler does not find on its own (it extracts every lane to a scalar and spills).
//!
//! Each set has two types: a zero-sized token ([`Portable`], [`Avx2`], [`Avx512`]; the
//! [`Lanes`] trait), which makes vectors, and the vector ([`F64x8`]), which computes.
//!
//! # Safety, in the types
//!
//! The x86 vectors execute their instructions unchecked, so no value of them may exist
//! before the CPU was found to have those instructions. The types see to it:
//!
//! - A vector's field is private to this module, and its only constructors are the
//!   methods of its token ([`Lanes::zero`], [`Lanes::splat`], [`Lanes::load`],
//!   [`Lanes::load_partial`]), which take the token by value.
//! - A token's field is private too, and its only constructor, `detect`, checks the CPU
//!   (AVX2 + FMA; AVX-512F + AVX2 + FMA) and returns `None` without them. Tokens and
//!   vectors derive nothing that would make one from nothing (no `Default`).
//! - So every vector descends from a token, and every token from a passed check: holding
//!   either is the proof. The vectors' own operations (`mul_add`, `store`, the lane sums,
//!   ...) take a vector, hence are safe functions, and so is every kernel loop: the only
//!   `unsafe` outside this module is the call of a `#[target_feature]` function in
//!   [`super::Isa::run`], which takes the token as its proof. The private helpers below
//!   take raw registers, which only those operations hold.
//!
//! (CPU features do not change while a process runs and are the same on every core, as
//! `is_x86_feature_detected!` itself assumes.) The portable token needs no check, and
//! anyone may make one. Tokens are zero-sized and vanish from the compiled code.
//!
//! An `unsafe trait` or `unsafe fn` constructors were the alternative: they mark the
//! obligation but leave every call site to keep it (an `unsafe` block per `zero` or `load`
//! in the kernel, each with its comment); a token keeps the check in one place and the
//! kernel free of `unsafe`.

/// An instruction set's permission to make vectors, and their constructors: holding a
/// value of this type means the CPU has the set (see the module docs).
pub(crate) trait Lanes: Copy {
    /// The vector this set computes with.
    type V: F64x8;
    /// How many vectors of accumulators a kernel loop may keep live: about half the
    /// register file, so that operands fit beside them (8 for AVX-512's 32 registers, 4
    /// for AVX2's 16, where a vector takes two). Changes blocking, never results.
    const BLOCK: usize;
    fn zero(self) -> Self::V;
    fn splat(self, x: f64) -> Self::V;
    fn load(self, a: &[f64; 8]) -> Self::V;
    /// `part` (fewer than eight values) in the first lanes, `fill` in the others; reads
    /// nothing past `part`.
    fn load_partial(self, part: &[f64], fill: f64) -> Self::V;
}

/// Eight `f64` lanes: what a vector that exists can do (making one is [`Lanes`]' job).
pub(crate) trait F64x8: Copy {
    fn store(self, a: &mut [f64; 8]);
    /// `self * b + c` per lane, rounded once.
    fn mul_add(self, b: Self, c: Self) -> Self;
    fn sub(self, b: Self) -> Self;
    fn mul(self, b: Self) -> Self;
    /// Per lane `if x < lo { lo } else if x > hi { hi } else { x }`: NaN stays NaN.
    fn clamp(self, lo: Self, hi: Self) -> Self;
    /// The lane sums of eight dot products: output `r` is
    /// `((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7))` of `rows[r]`.
    fn sum_lanes_of_eight(rows: [Self; 8]) -> [f64; 8];
}

/// The lane-sum tree of one dot product, in scalar code (tails and the portable path).
#[inline(always)]
pub(crate) fn sum_lanes(a: [f64; 8]) -> f64 {
    ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]))
}

/// `x` clamped to `[lo, hi]` as [`F64x8::clamp`] defines it: `f64::clamp` spelled out (same
/// result, NaN included) so that it inlines everywhere.
#[inline(always)]
pub(crate) fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

/// The reference set: plain arrays, any CPU, no check to pass.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Portable;

/// The portable vector.
#[derive(Clone, Copy)]
pub(crate) struct PortableVec([f64; 8]);

impl PortableVec {
    #[inline(always)]
    fn map2(self, b: Self, f: impl Fn(f64, f64) -> f64) -> Self {
        PortableVec(std::array::from_fn(|l| f(self.0[l], b.0[l])))
    }
}

impl Lanes for Portable {
    type V = PortableVec;
    const BLOCK: usize = 8;
    #[inline(always)]
    fn zero(self) -> PortableVec {
        PortableVec([0.0; 8])
    }
    #[inline(always)]
    fn splat(self, x: f64) -> PortableVec {
        PortableVec([x; 8])
    }
    #[inline(always)]
    fn load(self, a: &[f64; 8]) -> PortableVec {
        PortableVec(*a)
    }
    #[inline(always)]
    fn load_partial(self, part: &[f64], fill: f64) -> PortableVec {
        let mut lanes = [fill; 8];
        for (l, v) in lanes.iter_mut().zip(part) {
            *l = *v;
        }
        PortableVec(lanes)
    }
}

impl F64x8 for PortableVec {
    #[inline(always)]
    fn store(self, a: &mut [f64; 8]) {
        *a = self.0;
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        PortableVec(std::array::from_fn(|l| self.0[l].mul_add(b.0[l], c.0[l])))
    }
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        self.map2(b, |x, y| x - y)
    }
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        self.map2(b, |x, y| x * y)
    }
    #[inline(always)]
    fn clamp(self, lo: Self, hi: Self) -> Self {
        PortableVec(std::array::from_fn(|l| clamp(self.0[l], lo.0[l], hi.0[l])))
    }
    #[inline(always)]
    fn sum_lanes_of_eight(rows: [Self; 8]) -> [f64; 8] {
        rows.map(|r| sum_lanes(r.0))
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) use x86::{Avx2, Avx512};

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::is_x86_feature_detected as has;
    use std::arch::x86_64::*;

    use super::{F64x8, Lanes};

    /// The AVX2 + FMA set; only [`Avx2::detect`] makes one.
    #[derive(Debug, Clone, Copy)]
    pub(crate) struct Avx2(());

    /// The AVX-512F set (with AVX2 + FMA, whose instructions `avx512f` code may use too);
    /// only [`Avx512::detect`] makes one.
    #[derive(Debug, Clone, Copy)]
    pub(crate) struct Avx512(());

    impl Avx2 {
        /// The token, if this CPU has AVX2 and FMA.
        #[inline]
        pub(crate) fn detect() -> Option<Avx2> {
            (has!("avx2") && has!("fma")).then_some(Avx2(()))
        }
    }

    impl Avx512 {
        /// The token, if this CPU has AVX-512F, AVX2 and FMA.
        #[inline]
        pub(crate) fn detect() -> Option<Avx512> {
            (has!("avx512f") && has!("avx2") && has!("fma")).then_some(Avx512(()))
        }
    }

    /// Lanes 0-3 in the first register, 4-7 in the second.
    #[derive(Clone, Copy)]
    pub(crate) struct Avx2Vec([__m256d; 2]);

    #[derive(Clone, Copy)]
    pub(crate) struct Avx512Vec(__m512d);

    // SAFETY (every `unsafe` block below): each runs in a method that took a token or a
    // vector, so the CPU was checked for AVX2 + FMA, or AVX-512F + AVX2 + FMA (module
    // docs). Loads and stores go through references to eight elements, so they are in
    // bounds; masked loads read only the lanes of `part`.
    impl Lanes for Avx2 {
        type V = Avx2Vec;
        const BLOCK: usize = 4;
        #[inline(always)]
        fn zero(self) -> Avx2Vec {
            unsafe { Avx2Vec([_mm256_setzero_pd(); 2]) }
        }
        #[inline(always)]
        fn splat(self, x: f64) -> Avx2Vec {
            unsafe { Avx2Vec([_mm256_set1_pd(x); 2]) }
        }
        #[inline(always)]
        fn load(self, a: &[f64; 8]) -> Avx2Vec {
            unsafe {
                Avx2Vec([
                    _mm256_loadu_pd(a.as_ptr()),
                    _mm256_loadu_pd(a[4..].as_ptr()),
                ])
            }
        }
        #[inline(always)]
        fn load_partial(self, part: &[f64], fill: f64) -> Avx2Vec {
            assert!(part.len() < 8);
            // Lane l is loaded when l < part.len(): masked loads do not touch the others.
            let n = part.len() as i64;
            unsafe {
                let lane = |first: i64| {
                    let mask = _mm256_set_epi64x(
                        -i64::from(first + 3 < n),
                        -i64::from(first + 2 < n),
                        -i64::from(first + 1 < n),
                        -i64::from(first < n),
                    );
                    let ptr = part.as_ptr().wrapping_add(first as usize);
                    let loaded = _mm256_maskload_pd(ptr, mask);
                    _mm256_blendv_pd(_mm256_set1_pd(fill), loaded, _mm256_castsi256_pd(mask))
                };
                Avx2Vec([lane(0), lane(4)])
            }
        }
    }

    impl F64x8 for Avx2Vec {
        #[inline(always)]
        fn store(self, a: &mut [f64; 8]) {
            unsafe {
                _mm256_storeu_pd(a.as_mut_ptr(), self.0[0]);
                _mm256_storeu_pd(a[4..].as_mut_ptr(), self.0[1]);
            }
        }
        #[inline(always)]
        fn mul_add(self, b: Self, c: Self) -> Self {
            unsafe {
                Avx2Vec([
                    _mm256_fmadd_pd(self.0[0], b.0[0], c.0[0]),
                    _mm256_fmadd_pd(self.0[1], b.0[1], c.0[1]),
                ])
            }
        }
        #[inline(always)]
        fn sub(self, b: Self) -> Self {
            unsafe {
                Avx2Vec([
                    _mm256_sub_pd(self.0[0], b.0[0]),
                    _mm256_sub_pd(self.0[1], b.0[1]),
                ])
            }
        }
        #[inline(always)]
        fn mul(self, b: Self) -> Self {
            unsafe {
                Avx2Vec([
                    _mm256_mul_pd(self.0[0], b.0[0]),
                    _mm256_mul_pd(self.0[1], b.0[1]),
                ])
            }
        }
        #[inline(always)]
        fn clamp(self, lo: Self, hi: Self) -> Self {
            // `max(lo, x)` is `lo > x ? lo : x` and `min(hi, x)` is `hi < x ? hi : x`: with
            // the operands in this order a NaN `x` passes through, as in the scalar code.
            unsafe {
                Avx2Vec([
                    _mm256_min_pd(hi.0[0], _mm256_max_pd(lo.0[0], self.0[0])),
                    _mm256_min_pd(hi.0[1], _mm256_max_pd(lo.0[1], self.0[1])),
                ])
            }
        }
        #[inline(always)]
        fn sum_lanes_of_eight(rows: [Self; 8]) -> [f64; 8] {
            unsafe {
                // Per row: [a0+a4, a1+a5, a2+a6, a3+a7].
                let [r0, r1, r2, r3, r4, r5, r6, r7] = rows;
                let s = [
                    r0.halves_added(),
                    r1.halves_added(),
                    r2.halves_added(),
                    r3.halves_added(),
                    r4.halves_added(),
                    r5.halves_added(),
                    r6.halves_added(),
                    r7.halves_added(),
                ];
                let mut out = [0.0; 8];
                let low = avx2_interleave(avx2_pair(s[0], s[2]), avx2_pair(s[1], s[3]));
                let high = avx2_interleave(avx2_pair(s[4], s[6]), avx2_pair(s[5], s[7]));
                _mm256_storeu_pd(out.as_mut_ptr(), low);
                _mm256_storeu_pd(out[4..].as_mut_ptr(), high);
                out
            }
        }
    }

    // The network's steps are functions, not closures: a closure that the compiler does not
    // inline is compiled without the caller's target features, and the intrinsics inside
    // it become calls (seen: an 8x slower step).
    impl Avx2Vec {
        /// `[a0+a4, a1+a5, a2+a6, a3+a7]`.
        #[inline(always)]
        fn halves_added(self) -> __m256d {
            unsafe { _mm256_add_pd(self.0[0], self.0[1]) }
        }
    }

    /// Rows p, q as halves-added: `[p: (a0+a4)+(a2+a6), (a1+a5)+(a3+a7) | q: the same]`.
    #[inline(always)]
    fn avx2_pair(p: __m256d, q: __m256d) -> __m256d {
        unsafe {
            let lo = _mm256_permute2f128_pd::<0x20>(p, q);
            let hi = _mm256_permute2f128_pd::<0x31>(p, q);
            _mm256_add_pd(lo, hi)
        }
    }

    /// Pairs (0, 2) and (1, 3): the sums of rows 0, 1, 2, 3 in order.
    #[inline(always)]
    fn avx2_interleave(a: __m256d, b: __m256d) -> __m256d {
        unsafe { _mm256_add_pd(_mm256_unpacklo_pd(a, b), _mm256_unpackhi_pd(a, b)) }
    }

    impl Lanes for Avx512 {
        type V = Avx512Vec;
        const BLOCK: usize = 8;
        #[inline(always)]
        fn zero(self) -> Avx512Vec {
            unsafe { Avx512Vec(_mm512_setzero_pd()) }
        }
        #[inline(always)]
        fn splat(self, x: f64) -> Avx512Vec {
            unsafe { Avx512Vec(_mm512_set1_pd(x)) }
        }
        #[inline(always)]
        fn load(self, a: &[f64; 8]) -> Avx512Vec {
            unsafe { Avx512Vec(_mm512_loadu_pd(a.as_ptr())) }
        }
        #[inline(always)]
        fn load_partial(self, part: &[f64], fill: f64) -> Avx512Vec {
            assert!(part.len() < 8);
            let mask = ((1u32 << part.len()) - 1) as __mmask8;
            // Masked-off lanes are neither read nor faulted on.
            unsafe {
                Avx512Vec(_mm512_mask_loadu_pd(
                    _mm512_set1_pd(fill),
                    mask,
                    part.as_ptr(),
                ))
            }
        }
    }

    impl F64x8 for Avx512Vec {
        #[inline(always)]
        fn store(self, a: &mut [f64; 8]) {
            unsafe { _mm512_storeu_pd(a.as_mut_ptr(), self.0) }
        }
        #[inline(always)]
        fn mul_add(self, b: Self, c: Self) -> Self {
            unsafe { Avx512Vec(_mm512_fmadd_pd(self.0, b.0, c.0)) }
        }
        #[inline(always)]
        fn sub(self, b: Self) -> Self {
            unsafe { Avx512Vec(_mm512_sub_pd(self.0, b.0)) }
        }
        #[inline(always)]
        fn mul(self, b: Self) -> Self {
            unsafe { Avx512Vec(_mm512_mul_pd(self.0, b.0)) }
        }
        #[inline(always)]
        fn clamp(self, lo: Self, hi: Self) -> Self {
            // Operand order as in `Avx2Vec::clamp`: a NaN passes through.
            unsafe { Avx512Vec(_mm512_min_pd(hi.0, _mm512_max_pd(lo.0, self.0))) }
        }
        #[inline(always)]
        fn sum_lanes_of_eight(rows: [Self; 8]) -> [f64; 8] {
            unsafe {
                let r = rows.map(|r| r.0);
                // Rows 0, 2, 4, 6 and 1, 3, 5, 7: e + o interleaves them back into order.
                let first = avx512_quarters(avx512_halves(r[0], r[2]), avx512_halves(r[4], r[6]));
                let second = avx512_quarters(avx512_halves(r[1], r[3]), avx512_halves(r[5], r[7]));
                let sums = _mm512_add_pd(
                    _mm512_unpacklo_pd(first, second),
                    _mm512_unpackhi_pd(first, second),
                );
                let mut out = [0.0; 8];
                _mm512_storeu_pd(out.as_mut_ptr(), sums);
                out
            }
        }
    }

    /// Rows p, q: `[p: a0+a4, a1+a5, a2+a6, a3+a7 | q: the same]`.
    #[inline(always)]
    fn avx512_halves(p: __m512d, q: __m512d) -> __m512d {
        unsafe {
            let lo = _mm512_shuffle_f64x2::<0b01_00_01_00>(p, q);
            let hi = _mm512_shuffle_f64x2::<0b11_10_11_10>(p, q);
            _mm512_add_pd(lo, hi)
        }
    }

    /// Two [`avx512_halves`] of rows p, q and r, s: `[p: e, o | q: e, o | r: e, o | s: e, o]`
    /// with `e = (a0+a4)+(a2+a6)` and `o = (a1+a5)+(a3+a7)`.
    #[inline(always)]
    fn avx512_quarters(c: __m512d, d: __m512d) -> __m512d {
        unsafe {
            let even = _mm512_shuffle_f64x2::<0b10_00_10_00>(c, d);
            let odd = _mm512_shuffle_f64x2::<0b11_01_11_01>(c, d);
            _mm512_add_pd(even, odd)
        }
    }
}
