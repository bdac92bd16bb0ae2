//! Tests against the reference numbers in tests/fixtures/stats.json, made by
//! tests/fixtures/make_stats_fixtures.py with scipy 1.17.1, statsmodels 0.15.0 and R 4.2.2
//! (each case's `call` says exactly how; `versions` in the file records them).
//!
//! Statistics, p-values and Hodges–Lehmann intervals are compared to 1e-12 relative. Bounds
//! of share intervals (which live in [-1, 1]) are compared to 1e-12 absolute, because
//! statsmodels writes Wilson's formula in another algebraic form and clips, landing a few
//! 1e-17 away from the exact 0 that scipy's form (ours) gives. The one intended difference
//! from a reference: all-zero differences give p = 1 where scipy's asymptotic branch gives NaN.

use serde_json::Value;

use super::*;

const FIXTURES: &str = include_str!("../../tests/fixtures/stats.json");
const REL: f64 = 1e-12;
const ABS_SHARE: f64 = 1e-12;

/// The cases of one reference function, at least `min` of them (guards a truncated file).
fn cases(name: &str, min: usize) -> Vec<Value> {
    let all: Value = serde_json::from_str(FIXTURES).expect("stats.json parses");
    let list = all[name]
        .as_array()
        .unwrap_or_else(|| panic!("no {name} in stats.json"));
    assert!(list.len() >= min, "{name}: {} cases", list.len());
    list.clone()
}

/// A float, with the strings the script writes for non-finite values.
fn num(v: &Value) -> f64 {
    match v.as_str() {
        Some("inf") => f64::INFINITY,
        Some("-inf") => f64::NEG_INFINITY,
        Some("nan") => f64::NAN,
        _ => v.as_f64().unwrap_or_else(|| panic!("not a number: {v}")),
    }
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().expect("a list").iter().map(num).collect()
}

fn int(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::Exact => "exact",
        Method::Permutation => "permutation",
        Method::Asymptotic => "asymptotic",
    }
}

/// `ours` equals `theirs` within `rel` relative (or exactly, for infinities and zeros).
fn assert_rel(case: &Value, what: &str, ours: f64, theirs: f64, rel: f64) {
    let ok = ours == theirs
        || (ours.is_nan() && theirs.is_nan())
        || (ours - theirs).abs() <= rel * theirs.abs();
    assert!(
        ok,
        "{what}: ours {ours:e}, reference {theirs:e} in {}",
        case["call"]
    );
}

fn assert_abs(case: &Value, what: &str, ours: f64, theirs: f64, abs: f64) {
    let ok = ours == theirs || (ours - theirs).abs() <= abs;
    assert!(
        ok,
        "{what}: ours {ours:e}, reference {theirs:e} in {}",
        case["call"]
    );
}

/// The reference's method list contains ours.
fn assert_method(case: &Value, ours: Method) {
    let listed = case["method"].as_array().expect("method list");
    assert!(
        listed.iter().any(|m| m.as_str() == Some(method_name(ours))),
        "method {ours:?} not in {listed:?} for {}",
        case["call"]
    );
}

#[test]
fn wilcoxon_matches_scipy() {
    for case in cases("wilcoxon", 15) {
        let r = wilcoxon_signed_rank(&nums(&case["a"]), &nums(&case["b"])).expect("defined");
        assert_rel(
            &case,
            "statistic",
            r.statistic,
            num(&case["statistic"]),
            REL,
        );
        let p = num(&case["pvalue"]);
        if p.is_nan() {
            // Documented: no non-zero differences is no evidence, p = 1 (scipy: NaN above 13).
            assert_eq!((r.p_value, r.n), (1.0, 0), "{}", case["call"]);
        } else {
            assert_rel(&case, "p", r.p_value, p, REL);
        }
        assert_method(&case, r.method);
    }
}

#[test]
fn mann_whitney_matches_scipy() {
    for case in cases("mannwhitneyu", 10) {
        let r = mann_whitney_u(&nums(&case["x"]), &nums(&case["y"])).expect("defined");
        assert_rel(
            &case,
            "statistic",
            r.statistic,
            num(&case["statistic"]),
            REL,
        );
        assert_rel(&case, "p", r.p_value, num(&case["pvalue"]), REL);
        assert_method(&case, r.method);
    }
}

#[test]
fn fisher_matches_scipy() {
    for case in cases("fisher_exact", 10) {
        let t = &case["table"];
        let table = [0, 1].map(|i| [0, 1].map(|j| int(&t[i][j])));
        let r = fisher_exact(table);
        assert_rel(
            &case,
            "odds ratio",
            r.statistic,
            num(&case["statistic"]),
            REL,
        );
        assert_rel(&case, "p", r.p_value, num(&case["pvalue"]), REL);
    }
}

#[test]
fn mcnemar_matches_statsmodels() {
    for case in cases("mcnemar", 10) {
        let r = mcnemar_exact(int(&case["b"]), int(&case["c"]));
        assert_rel(
            &case,
            "statistic",
            r.statistic,
            num(&case["statistic"]),
            REL,
        );
        assert_rel(&case, "p", r.p_value, num(&case["pvalue"]), REL);
    }
}

#[test]
fn wilson_matches_scipy() {
    for case in cases("wilson", 10) {
        let (k, n, level) = (int(&case["k"]), int(&case["n"]), num(&case["level"]));
        let w = wilson(k, n, level).expect("defined");
        assert_rel(&case, "low", w.low, num(&case["low"]), REL);
        assert_rel(&case, "high", w.high, num(&case["high"]), REL);
        assert_eq!(w.estimate, k as f64 / n as f64);
    }
}

/// A difference of shares against the case's `estimate`, `low` and `high`.
fn assert_share_interval(case: &Value, i: &Interval) {
    for (field, ours) in [("estimate", i.estimate), ("low", i.low), ("high", i.high)] {
        assert_abs(case, field, ours, num(&case[field]), ABS_SHARE);
    }
}

#[test]
fn newcombe_unpaired_matches_statsmodels() {
    for case in cases("newcombe_unpaired", 8) {
        let [k1, n1, k2, n2] = ["k1", "n1", "k2", "n2"].map(|f| int(&case[f]));
        let i = share_difference(k1, n1, k2, n2, num(&case["level"])).expect("defined");
        assert_share_interval(&case, &i);
    }
}

#[test]
fn newcombe_paired_matches_the_numpy_implementation() {
    for case in cases("newcombe_paired", 8) {
        let [both, a, b, neither] = ["both", "only_a", "only_b", "neither"].map(|f| int(&case[f]));
        let i = paired_share_difference(both, a, b, neither, num(&case["level"])).expect("defined");
        assert_share_interval(&case, &i);
    }
}

#[test]
fn holm_matches_statsmodels() {
    for case in cases("holm", 5) {
        let ours = holm(&nums(&case["p"]));
        let theirs = nums(&case["adjusted"]);
        assert_eq!(ours.len(), theirs.len());
        for (o, t) in ours.into_iter().zip(theirs) {
            assert_rel(&case, "adjusted p", o, t, REL);
        }
    }
}

/// Hodges–Lehmann cases: R's own numbers where `source` is "R", else the script's numpy.
fn check_hodges_lehmann(group: &str, f: fn(&[f64], &[f64], f64) -> Option<Interval>) {
    let all = cases(group, 8);
    assert!(all.iter().filter(|c| c["source"] == "R").count() >= 5);
    for case in all {
        let i = f(&nums(&case["x"]), &nums(&case["y"]), num(&case["level"])).expect("defined");
        assert_rel(&case, "estimate", i.estimate, num(&case["estimate"]), REL);
        assert_rel(&case, "low", i.low, num(&case["low"]), REL);
        assert_rel(&case, "high", i.high, num(&case["high"]), REL);
        assert_rel(&case, "level", i.level, num(&case["achieved_level"]), REL);
    }
}

#[test]
fn hodges_lehmann_paired_matches_r() {
    check_hodges_lehmann("hl_paired", hodges_lehmann_paired);
}

#[test]
fn hodges_lehmann_shift_matches_r() {
    check_hodges_lehmann("hl_shift", hodges_lehmann_shift);
}

/// statsmodels' sums of squares of balanced factorial designs (tests/fixtures/anova.json,
/// made by tests/fixtures/make_anova_fixtures.py), term by term, to 1e-9 relative.
#[test]
fn variance_shares_match_statsmodels_anova_lm() {
    let all: Value =
        serde_json::from_str(include_str!("../../tests/fixtures/anova.json")).expect("parses");
    let list = all["variance_shares"].as_array().expect("cases");
    assert!(list.len() >= 3);
    for case in list {
        let counts: Vec<usize> = nums(&case["counts"]).iter().map(|&c| c as usize).collect();
        let levels: Vec<Vec<usize>> = case["levels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| nums(l).iter().map(|&x| x as usize).collect())
            .collect();
        let y: Vec<Vec<f64>> = case["y"].as_array().unwrap().iter().map(nums).collect();
        let s = variance_shares(&y, &levels, &counts).expect("a full grid");
        let name = |factors: &[usize]| -> String {
            let parts: Vec<String> = factors
                .iter()
                .map(|&f| format!("C({})", ["a", "b", "c"][f]))
                .collect();
            parts.join(":")
        };
        let sums = &case["sum_sq"];
        for t in &s.terms {
            assert_rel(
                case,
                &name(&t.factors),
                t.sum_sq,
                num(&sums[name(&t.factors)]),
                1e-9,
            );
        }
        assert_rel(
            case,
            "Residual",
            s.noise.sum_sq,
            num(&sums["Residual"]),
            1e-9,
        );
        if counts.len() == 3 {
            let three = num(&sums["C(a):C(b):C(c)"]);
            assert_rel(case, "three-way", s.rest.sum_sq, three, 1e-9);
        }
    }
}
