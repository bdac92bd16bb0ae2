//! The settings of `[train]` (one value each) and `[grid]` (lists, integer ranges, log
//! ranges, or a search's distributions) read into the experiment's axes.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::doc::{Doc, Entry, Origin, describe};
use crate::error::Result;
use crate::numeric::{exp, ln};
use crate::search::Axis;
use crate::search::parse::{self};
use crate::settings::{Key, Kind, Value};

/// `[train]` (scalars) or `[grid]` (lists or ranges) into the axes.
pub(super) fn settings(
    doc: &Doc<'_>,
    table: &DeTable<'_>,
    grid: bool,
    axes: &mut [Axis],
) -> Result<()> {
    let section = if grid { "grid" } else { "train" };
    let names: Vec<&str> = Key::ALL.iter().map(|k| k.name()).collect();
    for (k, v) in table.iter() {
        setting(doc, (k, v), section, grid, &names, axes)?;
    }
    Ok(())
}

pub(super) fn setting(
    doc: &Doc<'_>,
    (k, v): Entry<'_>,
    section: &str,
    grid: bool,
    names: &[&str],
    axes: &mut [Axis],
) -> Result<()> {
    let dotted = format!("{section}.{}", k.get_ref());
    let at = k.span().start;
    let Some(key) = Key::from_name(k.get_ref()) else {
        return Err(doc.unknown(&dotted, at, names));
    };
    let axis = &mut axes[key.index()];
    // Set in the other section (an override replaces the same section's value).
    if axis.origin != Origin::Default && axis.in_grid != grid {
        let other = if grid { "[train]" } else { "[grid]" };
        return Err(doc.error(
            &dotted,
            at,
            format!(
                "`{}` is also set in {other}; a setting is either fixed or swept",
                key.name()
            ),
        ));
    }
    axis.sampled = None;
    axis.values = if grid {
        match parse::distribution(doc, &dotted, key, v)? {
            Some(d) => {
                axis.sampled = Some(d);
                d.bounds().to_vec()
            }
            None => grid_values(doc, &dotted, key, v)?,
        }
    } else {
        vec![doc.scalar(&dotted, key, v)?]
    };
    axis.in_grid = grid;
    axis.origin = doc.origin_at(at);
    Ok(())
}

fn grid_values(
    doc: &Doc<'_>,
    key: &str,
    setting: Key,
    v: &Spanned<DeValue<'_>>,
) -> Result<Vec<Value>> {
    let values = match v.get_ref() {
        DeValue::Array(items) => items
            .iter()
            .map(|item| doc.scalar(key, setting, item))
            .collect::<Result<Vec<_>>>()?,
        DeValue::Table(t) => range(doc, key, setting, t, v.span().start)?,
        _ => {
            return Err(doc.error(
                key,
                v.span().start,
                format!(
                    "expected a list of values{}, found {}",
                    range_hint(setting.kind()),
                    describe(v.get_ref())
                ),
            ));
        }
    };
    if values.is_empty() {
        return Err(doc.error(
            key,
            v.span().start,
            "the list is empty; give at least one value",
        ));
    }
    // Two equal values would be two runs with one id (trained twice, one record), and two
    // values with one label would be merged into one configuration by the report.
    // Integer ranges are distinct by construction and exactly labelled.
    let integer_range = matches!(v.get_ref(), DeValue::Table(_)) && setting.kind() == Kind::Integer;
    if integer_range {
        return Ok(values);
    }
    let repeated = repeated_value(&values).map(|twice| match v.get_ref() {
        DeValue::Array(_) => format!("the value {twice} is listed twice"),
        _ => format!(
            "the range gives the value {twice} more than once; its values must be distinct \
             (a log range needs low < high when n > 1, and not so close that steps round \
             to one number)"
        ),
    });
    if let Some(message) = repeated.or_else(|| repeated_label(&values)) {
        return Err(doc.error(key, v.span().start, message));
    }
    Ok(values)
}

/// `{ start = 0, count = 48 }` for integers, `{ log = [1e-3, 1e-1], n = 5 }` for floats.
fn range(doc: &Doc<'_>, key: &str, setting: Key, t: &DeTable<'_>, at: usize) -> Result<Vec<Value>> {
    let allowed: &[&str] = match setting.kind() {
        Kind::Integer => &["start", "count"],
        Kind::Float => &["log", "n"],
        Kind::Gradient => &[],
    };
    let mut fields: [Option<&Spanned<DeValue<'_>>>; 2] = [None, None];
    for (k, v) in t.iter() {
        let dotted = format!("{key}.{}", k.get_ref());
        let Some(i) = allowed.iter().position(|a| *a == k.get_ref().as_ref()) else {
            return Err(doc.unknown(&dotted, k.span().start, allowed));
        };
        fields[i] = Some(v);
    }
    let [Some(a), Some(b)] = fields else {
        return Err(doc.error(
            key,
            at,
            format!(
                "a range needs both `{}` and `{}`",
                allowed.first().unwrap_or(&"start"),
                allowed.get(1).unwrap_or(&"count")
            ),
        ));
    };
    match setting.kind() {
        Kind::Integer => {
            let start = doc.integer(&format!("{key}.start"), a, 0, u64::MAX)?;
            let count = doc.integer(&format!("{key}.count"), b, 1, 10_000_000)?;
            let end = start.checked_add(count - 1).ok_or_else(|| {
                doc.error(key, at, format!("start + count - 1 exceeds {}", u64::MAX))
            })?;
            Ok((start..=end).map(Value::Integer).collect())
        }
        _ => log_range(doc, key, a, b),
    }
}

fn log_range(
    doc: &Doc<'_>,
    key: &str,
    ends: &Spanned<DeValue<'_>>,
    n: &Spanned<DeValue<'_>>,
) -> Result<Vec<Value>> {
    let log_key = format!("{key}.log");
    let bounds = match ends.get_ref() {
        DeValue::Array(items) if items.len() == 2 => [
            doc.float(&log_key, &items[0])?,
            doc.float(&log_key, &items[1])?,
        ],
        other => {
            return Err(doc.error(
                &log_key,
                ends.span().start,
                format!(
                    "expected two numbers `[low, high]`, found {}",
                    describe(other)
                ),
            ));
        }
    };
    let [low, high] = bounds;
    if !(low > 0.0 && high >= low && high.is_finite()) {
        return Err(doc.error(
            &log_key,
            ends.span().start,
            format!("[{low}, {high}] is not allowed: need 0 < low <= high, both finite"),
        ));
    }
    let n = doc.integer(&format!("{key}.n"), n, 1, 1_000_000)?;
    Ok(log_space(low, high, n as usize)
        .into_iter()
        .map(Value::Float)
        .collect())
}

/// `n` values from `low` to `high` evenly spaced in log scale, both ends exact.
pub fn log_space(low: f64, high: f64, n: usize) -> Vec<f64> {
    if n == 1 {
        return vec![low];
    }
    // The project's own exp/ln: libm's last bits vary by CPU, and these values are settings
    // (and so run ids).
    let (a, b) = (ln(low), ln(high));
    (0..n)
        .map(|i| match i {
            0 => low,
            i if i == n - 1 => high,
            i => exp(a + (b - a) * i as f64 / (n - 1) as f64),
        })
        .collect()
}

/// A hashable identity of a value within one axis (all values of an axis have one kind);
/// floats by their bits, with `-0.0` as `0.0` since they are equal settings.
fn identity(v: &Value) -> u64 {
    match v {
        Value::Integer(x) => *x,
        Value::Float(x) if *x == 0.0 => 0,
        Value::Float(x) => x.to_bits(),
        Value::Gradient(g) => *g as u64,
    }
}

/// The first value of an axis that occurs again (a list that repeats one, or a log range
/// whose ends are equal or so close that its steps round to the same number).
fn repeated_value(values: &[Value]) -> Option<&Value> {
    let mut seen = std::collections::HashSet::new();
    values.iter().find(|x| !seen.insert(identity(x)))
}

/// Says which two values of an axis share a configuration label (floats are labelled to
/// four significant digits, e.g. `lr=0.02`).
fn repeated_label(values: &[Value]) -> Option<String> {
    let mut seen = std::collections::HashMap::new();
    values.iter().find_map(|x| {
        let first = seen.insert(x.short(), x)?;
        Some(format!(
            "the values {first} and {x} both show as {} in configuration labels; values of an \
             axis must differ within four significant digits",
            x.short()
        ))
    })
}

fn range_hint(kind: Kind) -> &'static str {
    match kind {
        Kind::Integer => " or a range `{ start = 0, count = 16 }`",
        Kind::Float => " or a log range `{ log = [1e-3, 1e-1], n = 5 }`",
        Kind::Gradient => "",
    }
}
