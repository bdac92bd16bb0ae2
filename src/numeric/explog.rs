//! `exp`, `ln` and the pieces `tanh` shares with them, made of IEEE `+ - * /`, fused
//! multiply-adds and bit operations only, so that they give the same bits on every CPU.
//!
//! The system libm does not: glibc picks an FMA or a non-FMA variant of `exp` and `log` by
//! CPU, and the two round differently, so a softmax, a log-spaced grid axis or a normal draw
//! through libm made the same run give other numbers on another machine. Accuracy is within
//! 2 ulp of libm (tested), which is all the training needs.

/// ln 2 split so that `k * LN2_HI` is exact for the `k` used here.
pub(super) const LN2_HI: f64 = 0.693_147_180_369_123_8;
pub(super) const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
/// Adding and subtracting this rounds a double below 2^51 to the nearest integer.
pub(super) const ROUNDER: f64 = 6_755_399_441_055_744.0;

/// `1/j!` for j = 2..=13, the coefficients of `(e^r - 1 - r) / r²`; the first omitted term,
/// `r^14/14!`, is below 1e-17 relative for `|r| <= ln 2 / 2`.
const C: [f64; 12] = [
    0.5,
    0.166_666_666_666_666_66,
    0.041_666_666_666_666_664,
    0.008_333_333_333_333_333,
    0.001_388_888_888_888_889,
    0.000_198_412_698_412_698_4,
    2.480_158_730_158_73e-5,
    2.755_731_922_398_589_3e-6,
    2.755_731_922_398_589e-7,
    2.505_210_838_544_172e-8,
    2.087_675_698_786_81e-9,
    1.605_904_383_682_161_3e-10,
];

/// `e^r - 1` for `|r| <= ln 2 / 2`, straight from the series (no cancellation near 0).
#[inline(always)]
pub(super) fn expm1_reduced(r: f64) -> f64 {
    (r * r).mul_add(series(r), r)
}

/// `C[0] + C[1] r + ... + C[11] r^11` by Estrin's scheme: pairs, then pairs of pairs.
#[inline(always)]
fn series(r: f64) -> f64 {
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    // No closures here: one the compiler leaves uninlined is built without the caller's
    // FMA feature, and each `mul_add` in it becomes a library call.
    let q0 = C[3].mul_add(r, C[2]).mul_add(r2, C[1].mul_add(r, C[0]));
    let q1 = C[7].mul_add(r, C[6]).mul_add(r2, C[5].mul_add(r, C[4]));
    let q2 = C[11].mul_add(r, C[10]).mul_add(r2, C[9].mul_add(r, C[8]));
    q2.mul_add(r8, q1.mul_add(r4, q0))
}

/// Above this `exp` overflows.
const EXP_MAX: f64 = 709.782_712_893_384;
/// Below this `exp` rounds to zero.
const EXP_MIN: f64 = -745.133_219_101_941_2;

/// `e^x`; NaN stays NaN. (Inlined so that a caller compiled for FMA gets its `mul_add`s
/// as instructions.)
#[inline(always)]
pub(crate) fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > EXP_MAX {
        return f64::INFINITY;
    }
    if x < EXP_MIN {
        return 0.0;
    }
    // x = k ln 2 + r with |r| <= ln 2 / 2; |k| <= 1075.
    let k = (x * std::f64::consts::LOG2_E).round();
    let r = (-k).mul_add(LN2_LO, (-k).mul_add(LN2_HI, x));
    let e_r = expm1_reduced(r) + 1.0;
    // 2^k in two factors, each a normal number, so that k = 1024 and subnormal results
    // need no special case (only the last product can round).
    let k = k as i64;
    let half = k / 2;
    e_r * pow2(half) * pow2(k - half)
}

/// `2^k` for `-1022 <= k <= 1023`.
#[inline(always)]
fn pow2(k: i64) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

const SQRT_2: f64 = std::f64::consts::SQRT_2;
/// 2^54, to bring a subnormal into the normal range.
const TWO_54: f64 = 18_014_398_509_481_984.0;

/// `2 / (2j + 1)` for j = 1..=11: `R(z) = Σ 2 z^j / (2j + 1)`, the part of
/// `ln((1 + s) / (1 - s)) = 2s + s R(s²)` past its first term; the first omitted term is
/// below 1e-18 for `s² <= 0.0295`.
const L: [f64; 11] = [
    0.666_666_666_666_666_6,
    0.4,
    0.2857142857142857,
    0.2222222222222222,
    0.18181818181818182,
    0.15384615384615385,
    0.13333333333333333,
    0.11764705882352941,
    0.10526315789473684,
    0.09523809523809525,
    0.08695652173913043,
];

/// `ln x`; `ln 0 = -inf`, a negative `x` or NaN gives NaN.
#[inline(always)]
pub(crate) fn ln(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x == f64::INFINITY {
        return x;
    }
    let (x, e0) = if x < f64::MIN_POSITIVE {
        (x * TWO_54, -54)
    } else {
        (x, 0)
    };
    // x = 2^e m with m in (sqrt(1/2), sqrt(2)].
    let bits = x.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i64 - 1023 + e0;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    // ln(1 + f) = f - (f²/2 - s (f²/2 + R(s²))) with s = f / (2 + f): the division only
    // enters a correction term, so its rounding barely shows.
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let mut r = L[10];
    for c in L[..10].iter().rev() {
        r = r.mul_add(z, *c);
    }
    let r = r * z;
    let half_f2 = 0.5 * f * f;
    let ln_m = f - (half_f2 - s * (half_f2 + r));
    let e = e as f64;
    e.mul_add(LN2_HI, e.mul_add(LN2_LO, ln_m))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Distance in units in the last place (0 for equal, including both NaN).
    pub(crate) fn ulps(a: f64, b: f64) -> u64 {
        if a.is_nan() && b.is_nan() {
            return 0;
        }
        let key = |x: f64| {
            let b = x.to_bits() as i64;
            if b < 0 { i64::MIN - b } else { b }
        };
        key(a).abs_diff(key(b))
    }

    #[test]
    fn exp_within_two_ulp_of_libm_over_its_whole_range() {
        let mut worst = (0, 0.0);
        let mut x = -745.0;
        while x < 709.7 {
            for v in [x, x * 0.999_93, x + 1e-9] {
                let d = ulps(exp(v), v.exp());
                if d > worst.0 {
                    worst = (d, v);
                }
            }
            x += 0.000_731;
        }
        assert!(worst.0 <= 2, "{} ulp at {:e}", worst.0, worst.1);
    }

    #[test]
    fn ln_within_two_ulp_of_libm_from_subnormals_to_the_largest_double() {
        let mut worst = (0, 0.0);
        // Subnormals one by one at the bottom (multiplying one by 1.0009 would not move it).
        for k in 1..2000 {
            let v = 5e-324 * k as f64;
            let d = ulps(ln(v), v.ln());
            if d > worst.0 {
                worst = (d, v);
            }
        }
        let mut x = 1e-320;
        while x < 1.7e308 {
            for v in [x, x * 1.000_37, 1.0 + (x - 1.0) * 1e-9] {
                if v > 0.0 {
                    let d = ulps(ln(v), v.ln());
                    if d > worst.0 {
                        worst = (d, v);
                    }
                }
            }
            x *= 1.000_9;
        }
        assert!(worst.0 <= 2, "{} ulp at {:e}", worst.0, worst.1);
    }

    #[test]
    fn special_values_and_hand_computed_ones() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(710.0), f64::INFINITY);
        assert_eq!(exp(-746.0), 0.0);
        assert!(exp(f64::NAN).is_nan());
        assert!(exp(-745.0) > 0.0, "the smallest subnormal survives");
        assert_eq!(ln(1.0), 0.0);
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert_eq!(ln(f64::INFINITY), f64::INFINITY);
        assert!(ln(-1.0).is_nan() && ln(f64::NAN).is_nan());
        // ln 2^k = k ln 2, exact to the last bit of the split constant.
        assert_eq!(ln(1024.0), 10.0 * std::f64::consts::LN_2);
        assert!((exp(1.0) - std::f64::consts::E).abs() <= f64::EPSILON * 3.0);
        assert!((ln(std::f64::consts::E) - 1.0).abs() <= f64::EPSILON);
        assert!((ln(5e-324) - (-744.440_071_921_381_3)).abs() < 1e-12);
    }
}
