//! Every number the tool prints, formatted in one place: settings as the user writes them
//! ([`fmt_f64`]), labels and tick marks to four significant digits ([`short_float`]),
//! metrics in tables and sentences ([`significant`]), epoch counts and halves
//! ([`half_step`]), rates to three digits ([`three_digits`]).

/// Formats a float the way a user writes it, exact and round-trippable: `inf`, `nan`,
/// `0.02`, `1`, and very large or small magnitudes in scientific notation (`1e307`).
pub(crate) fn fmt_f64(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.into()
    } else if x != 0.0 && (x.abs() >= 1e16 || x.abs() < 1e-5) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// A float to four significant digits, as labels and tick marks print it: `0.003162`, `1`,
/// `inf`.
pub(crate) fn short_float(v: f64) -> String {
    if !v.is_finite() || v == 0.0 {
        return fmt_f64(v);
    }
    let s = format!("{v:.3e}");
    fmt_f64(s.parse().unwrap_or(v))
}

/// A float to three significant digits (`46.1`, `0.523`, `1230`): rates for people.
pub(crate) fn three_digits(v: f64) -> String {
    if !v.is_finite() || v == 0.0 {
        return fmt_f64(v);
    }
    let s = format!("{v:.2e}");
    fmt_f64(s.parse().unwrap_or(v))
}

/// A number to three decimals, or to three significant digits where it is smaller than
/// 0.1 (losses near zero): `0.975`, `0.0312`, `0.000560`.
pub(crate) fn significant(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || x.abs() >= 0.1 {
        return format!("{x:.3}");
    }
    let digits = (2 - x.abs().log10().floor() as i32).clamp(3, 15) as usize;
    format!("{x:.digits$}")
}

/// An epoch count or a half: `131`, `131.5`.
pub(crate) fn half_step(x: f64) -> String {
    format!("{}", (x * 2.0).round() / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_short_and_exact() {
        assert_eq!(fmt_f64(0.02), "0.02");
        assert_eq!(fmt_f64(1.0), "1");
        assert_eq!(fmt_f64(1e307), "1e307");
        assert_eq!(fmt_f64(2.5e-7), "2.5e-7");
        assert_eq!(fmt_f64(f64::INFINITY), "inf");
        for x in [1e307, 2.5e-7, 0.1 + 0.2, 123456.789] {
            assert_eq!(fmt_f64(x).parse::<f64>().unwrap(), x);
        }
    }

    #[test]
    fn each_format_by_hand() {
        assert_eq!(short_float(0.012574334296829352), "0.01257");
        assert_eq!(short_float(f64::INFINITY), "inf");
        assert_eq!(significant(0.975), "0.975");
        assert_eq!(significant(0.000560123), "0.000560");
        assert_eq!(significant(0.0312), "0.0312");
        assert_eq!(half_step(131.0), "131");
        assert_eq!(half_step(131.5), "131.5");
        assert_eq!(half_step(131.4), "131.5");
        // Regression: the progress bar said `46.0754/s`.
        assert_eq!(three_digits(46.0754), "46.1");
        assert_eq!(three_digits(0.52345), "0.523");
        assert_eq!(three_digits(1234.5), "1230");
    }
}
