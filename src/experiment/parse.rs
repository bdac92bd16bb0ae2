//! Reading an experiment file: strict TOML walked key by key with its source positions, so
//! every error names the file, the line and the key, and an unknown key suggests the
//! nearest known one.

use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::doc::{Doc, Entry, Origin, describe};
use crate::error::{Error, Location, Result};
use crate::numeric::{exp, ln};
use crate::search::parse::{self, SearchSpec};
use crate::search::{Axis, Search};
use crate::settings::{Key, Kind, Value};

/// A `--set KEY=VALUE` override of an experiment file: `KEY` dotted as in the file
/// (`train.epochs`, `grid.seed`, `data.train`), `VALUE` one TOML value as the file would
/// have it (`200`, `{ start = 0, count = 4 }`, `[0.01, 0.02]`, `"exact"`; a bare word that
/// is not TOML is taken as a string, so `data.train=my.tsv` needs no quotes), on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub key: String,
    pub value: String,
}

/// What a `--set` value may be, for messages.
const ONE_VALUE: &str = "one TOML value on one line, e.g. 200, 0.05, \"exact\", [1, 2] or \
                         { start = 0, count = 4 } (a bare word is taken as a string)";

impl Override {
    /// Parses `KEY=VALUE`, or says what is wrong with it: before anything is read or
    /// trained, since a value that smuggled in a second key (`60\nx=1`) would be ignored,
    /// and a line break would end up in the resolved experiment.
    pub fn parse(text: &str) -> std::result::Result<Override, String> {
        let shown = escaped(text);
        let (key, value) = text
            .split_once('=')
            .ok_or_else(|| format!("`{shown}` is not KEY=VALUE (e.g. train.epochs=200)"))?;
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() || value.is_empty() {
            return Err(format!(
                "`{shown}` needs both a key and a value (e.g. train.epochs=200)"
            ));
        }
        let word = |w: &str| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        if !key.split('.').all(word) {
            return Err(format!(
                "`{shown}`: `{}` is not a key of an experiment file; allowed: names of \
                 letters, digits, _ and - joined by dots (e.g. train.epochs)",
                escaped(key)
            ));
        }
        if let Some(c) = value.chars().find(|c| c.is_control()) {
            return Err(format!(
                "`{shown}`: the value has a control character ({}); allowed: {ONE_VALUE}",
                c.escape_default()
            ));
        }
        let o = Override {
            key: key.to_owned(),
            value: value.to_owned(),
        };
        // `v = 1 x = 2` is no TOML, so on one line this always holds; checked all the same.
        if let Ok(table) = DeTable::parse(&o.document()) {
            let mut keys = table.get_ref().keys().map(|k| k.get_ref().to_string());
            if let Some(extra) = keys.find(|k| k != "v") {
                return Err(format!(
                    "`{shown}`: the value sets `{extra}` too; allowed: {ONE_VALUE}"
                ));
            }
        }
        Ok(o)
    }

    /// As the user typed it, for messages and the resolved experiment.
    pub fn text(&self) -> String {
        format!("{}={}", self.key, self.value)
    }

    /// As the user typed it with any control character escaped (`\n`): one line, for a
    /// comment of the resolved experiment.
    pub fn one_line(&self) -> String {
        escaped(&self.text())
    }

    /// The value as a TOML document `v = VALUE`; a bare word that is not valid TOML is
    /// quoted, as the user meant a string.
    fn document(&self) -> String {
        let raw = format!("v = {}", self.value);
        if DeTable::parse(&raw).is_ok() {
            raw
        } else {
            format!("v = {}", toml::Value::String(self.value.clone()))
        }
    }
}

/// `text` with control characters (a line break, a tab) escaped as Rust writes them.
fn escaped(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// An experiment file as written (and overridden), checked key by key (not yet combination
/// by combination).
#[derive(Debug, Clone)]
pub(super) struct Spec {
    pub name: String,
    pub description: String,
    pub train: PathBuf,
    pub test: PathBuf,
    /// Where `data.train` and `data.test` were given.
    pub data_origins: [Origin; 2],
    /// One axis per [`Key`], in canonical order.
    pub axes: Vec<Axis>,
    /// How configurations are chosen (a grid unless `[search]` says otherwise).
    pub search: Search,
    /// The overrides applied, in order.
    pub overrides: Vec<Override>,
    /// The `[report]` table.
    pub report: ReportKeys,
}

/// The `[report]` table: how the experiment's report is drawn (which swept settings split
/// its figures into panels and colour them, which configurations get every seed's curves,
/// which metric ranks them). Checked here as settings are, file and line in every message;
/// the metric's name is checked by the report, which knows the metrics, before training.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportKeys {
    /// Columns, then rows (at most two), and where given.
    pub facet: Vec<Key>,
    pub facet_origin: Option<Origin>,
    pub color: Option<Key>,
    pub color_origin: Option<Origin>,
    /// Configuration labels.
    pub configs: Vec<String>,
    pub configs_origin: Option<Origin>,
    /// A metric's name, as given, and where.
    pub rank_by: Option<(String, Origin)>,
}

impl ReportKeys {
    pub fn is_empty(&self) -> bool {
        *self == ReportKeys::default()
    }
}

/// A spec being filled in: from the file, then from the overrides.
struct Draft {
    name: Option<String>,
    description: String,
    /// `data.train` and `data.test`, with where each was given.
    data: [Option<(PathBuf, Origin)>; 2],
    axes: Vec<Axis>,
    /// `[search]`, with where it starts.
    search: Option<(SearchSpec, usize)>,
    report: ReportKeys,
}

const TOP_KEYS: [&str; 7] = [
    "name",
    "description",
    "data",
    "train",
    "grid",
    "search",
    "report",
];
const DATA_KEYS: [&str; 2] = ["train", "test"];
const REPORT_KEYS: [&str; 4] = ["facet", "color", "configs", "rank_by"];

/// Parses the experiment file at `path`, with `overrides` applied in order.
pub(super) fn parse(path: &Path, overrides: &[Override]) -> Result<Spec> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::experiment(
            path,
            Location::File,
            format!("cannot read the experiment file: {e}"),
        )
    })?;
    parse_text(path, &text, overrides)
}

/// Parses experiment `text` with `overrides` applied; `path` names it in messages and
/// anchors its relative data paths. (The fuzz target calls this directly.)
pub(super) fn parse_text(path: &Path, text: &str, overrides: &[Override]) -> Result<Spec> {
    let doc = Doc {
        path,
        text,
        origin: None,
    };
    let table = DeTable::parse(text).map_err(|e| {
        let at = e.span().map_or(Location::File, |s| doc.line_col(s.start));
        Error::experiment(
            path,
            at,
            format!("TOML syntax error: {}", e.message().trim()),
        )
    })?;
    let mut draft = draft(&doc, table.get_ref())?;
    for o in overrides {
        apply_override(path, o, &mut draft)?;
    }
    finish(&doc, draft, overrides)
}

/// Applies `--set KEY=VALUE` to `draft`, by the same rules (and messages) as the key in the
/// file, the messages naming the override instead of a line.
fn apply_override(path: &Path, o: &Override, draft: &mut Draft) -> Result<()> {
    let text = o.document();
    let doc = Doc {
        path,
        text: &text,
        origin: Some(o.text()),
    };
    let table = DeTable::parse(&text).map_err(|e| {
        doc.error(
            &o.key,
            0,
            format!("not a TOML value: {}", e.message().trim()),
        )
    })?;
    let Some(value) = table.get_ref().get("v") else {
        return Err(doc.error(&o.key, 0, "not a TOML value"));
    };
    let (section, name) = o.key.split_once('.').unwrap_or((o.key.as_str(), ""));
    if name.is_empty()
        && let Some(keys) = section_keys(section)
    {
        let dotted: Vec<String> = keys.iter().map(|k| format!("{section}.{k}")).collect();
        return Err(doc.error(
            &o.key,
            0,
            format!(
                "`{section}` is a section, not a key; set one of its keys: {} (e.g. \
                 `--set {}=...`)",
                dotted.join(", "),
                dotted
                    .iter()
                    .find(|k| k.ends_with(".epochs"))
                    .unwrap_or(&dotted[0]),
            ),
        ));
    }
    match (section, name) {
        ("name", "") => draft.name = Some(checked_name(&doc, doc.string("name", value)?, 0)?),
        ("description", "") => draft.description = doc.string("description", value)?,
        // A path on the command line is relative to the current directory, as any.
        ("data", role) if DATA_KEYS.contains(&role) => {
            let path = PathBuf::from(doc.string(&o.key, value)?);
            draft.data[usize::from(role == "test")] = Some((path, doc.origin_at(0)));
        }
        ("data", _) => return Err(doc.unknown(&o.key, 0, &DATA_KEYS)),
        ("search", rest) => {
            let spec = &mut draft.search.get_or_insert_with(Default::default).0;
            match rest.split_once('.') {
                Some(("halving", key)) => {
                    let halving = spec.halving_mut();
                    parse::halving_key(&doc, key, value, 0, halving)?;
                }
                _ => parse::search_key(&doc, rest, value, 0, spec)?,
            }
        }
        ("report", name) => report_key(&doc, name, value, 0, &mut draft.report)?,
        ("train" | "grid", _) => {
            let names: Vec<&str> = Key::ALL.iter().map(|k| k.name()).collect();
            let key = toml::Spanned::new(0..0, std::borrow::Cow::Borrowed(name));
            setting(
                &doc,
                (&key, value),
                section,
                section == "grid",
                &names,
                &mut draft.axes,
            )?;
        }
        _ => return Err(doc.unknown(&o.key, 0, &TOP_KEYS)),
    }
    Ok(())
}

/// The keys of a section of the file (a table), `None` for a key that is not one.
fn section_keys(section: &str) -> Option<Vec<&'static str>> {
    Some(match section {
        "data" => DATA_KEYS.to_vec(),
        "train" | "grid" => Key::ALL.iter().map(|k| k.name()).collect(),
        "search" => parse::SEARCH_KEYS.to_vec(),
        "report" => REPORT_KEYS.to_vec(),
        _ => return None,
    })
}

/// The file's keys, checked one by one, before overrides.
fn draft(doc: &Doc<'_>, top: &DeTable<'_>) -> Result<Draft> {
    let mut draft = Draft {
        name: None,
        description: String::new(),
        data: [None, None],
        search: None,
        axes: Key::ALL
            .iter()
            .map(|&key| Axis {
                key,
                values: vec![key.default_value()],
                sampled: None,
                in_grid: false,
                origin: Origin::Default,
            })
            .collect(),
        report: ReportKeys::default(),
    };
    for (k, v) in top.iter() {
        let at = k.span().start;
        match k.get_ref().as_ref() {
            "name" => draft.name = Some(checked_name(doc, doc.string("name", v)?, at)?),
            "description" => draft.description = doc.string("description", v)?,
            "data" => data(doc, doc.table("data", v)?, &mut draft.data)?,
            "train" => settings(doc, doc.table("train", v)?, false, &mut draft.axes)?,
            "grid" => settings(doc, doc.table("grid", v)?, true, &mut draft.axes)?,
            "search" => {
                draft.search = Some((parse::search(doc, doc.table("search", v)?)?, doc.line(at)))
            }
            "report" => {
                for (k, v) in doc.table("report", v)?.iter() {
                    report_key(doc, k.get_ref(), v, k.span().start, &mut draft.report)?;
                }
            }
            other => return Err(doc.unknown(other, at, &TOP_KEYS)),
        }
    }
    Ok(draft)
}

/// The spec, once every key is in: the data paths must be there, and without a `name`
/// the file stem must be a valid one.
fn finish(doc: &Doc<'_>, draft: Draft, overrides: &[Override]) -> Result<Spec> {
    let missing = |key: &str, message: &str| {
        Error::experiment(doc.path, Location::Key(key.into(), None), message)
    };
    let [train, test] = draft.data;
    let ((train, train_origin), (test, test_origin)) = match (train, test) {
        (Some(train), Some(test)) => (train, test),
        (None, None) => {
            return Err(missing(
                "data",
                "missing: the experiment needs `[data]` with `train` and `test` paths",
            ));
        }
        (train, _) => {
            let which = if train.is_none() { "train" } else { "test" };
            return Err(missing(
                &format!("data.{which}"),
                "missing: give the path of the data file (relative to this experiment file)",
            ));
        }
    };
    Ok(Spec {
        name: match draft.name {
            Some(name) => name,
            None => default_name(doc)?,
        },
        description: draft.description,
        train,
        test,
        data_origins: [train_origin, test_origin],
        search: parse::check_search(doc, draft.search, &draft.axes)?,
        axes: draft.axes,
        overrides: overrides.to_vec(),
        report: draft.report,
    })
}

fn default_name(doc: &Doc<'_>) -> Result<String> {
    let stem = doc.path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if valid_name(stem) {
        Ok(stem.to_owned())
    } else {
        Err(Error::experiment(
            doc.path,
            Location::Key("name".into(), None),
            format!(
                "the file name `{stem}` is not a valid experiment name; set `name` \
                 (letters, digits, - and _ only)"
            ),
        ))
    }
}

fn checked_name(doc: &Doc<'_>, name: String, at: usize) -> Result<String> {
    if valid_name(&name) {
        Ok(name)
    } else {
        Err(doc.error(
            "name",
            at,
            format!("`{name}` is not allowed: letters, digits, - and _ only"),
        ))
    }
}

/// `[data]`'s paths, relative to the experiment file, into `slots` (train, test).
fn data(
    doc: &Doc<'_>,
    data: &DeTable<'_>,
    slots: &mut [Option<(PathBuf, Origin)>; 2],
) -> Result<()> {
    let base = doc.path.parent().unwrap_or(Path::new("."));
    for (k, v) in data.iter() {
        let key = format!("data.{}", k.get_ref());
        let at = k.span().start;
        let Some(role) = DATA_KEYS.iter().position(|d| *d == k.get_ref().as_ref()) else {
            return Err(doc.unknown(&key, at, &DATA_KEYS));
        };
        slots[role] = Some((base.join(doc.string(&key, v)?), doc.origin_at(at)));
    }
    Ok(())
}

/// `[train]` (scalars) or `[grid]` (lists or ranges) into the axes.
fn settings(doc: &Doc<'_>, table: &DeTable<'_>, grid: bool, axes: &mut [Axis]) -> Result<()> {
    let section = if grid { "grid" } else { "train" };
    let names: Vec<&str> = Key::ALL.iter().map(|k| k.name()).collect();
    for (k, v) in table.iter() {
        setting(doc, (k, v), section, grid, &names, axes)?;
    }
    Ok(())
}

fn setting(
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

/// One key of `[report]`, given at `at`, into `keys`.
fn report_key(
    doc: &Doc<'_>,
    name: &str,
    v: &Spanned<DeValue<'_>>,
    at: usize,
    keys: &mut ReportKeys,
) -> Result<()> {
    let dotted = format!("report.{name}");
    match name {
        "facet" => {
            let names = strings(doc, &dotted, v)?;
            if names.len() > 2 {
                return Err(doc.error(
                    &dotted,
                    v.span().start,
                    format!(
                        "{} settings given; at most two (columns, then rows)",
                        names.len()
                    ),
                ));
            }
            keys.facet = names
                .iter()
                .map(|n| report_setting(doc, &dotted, n, v.span().start))
                .collect::<Result<_>>()?;
            keys.facet_origin = Some(doc.origin_at(at));
        }
        "color" => {
            let name = doc.string(&dotted, v)?;
            keys.color = Some(report_setting(doc, &dotted, &name, v.span().start)?);
            keys.color_origin = Some(doc.origin_at(at));
        }
        "configs" => {
            keys.configs = strings(doc, &dotted, v)?;
            keys.configs_origin = Some(doc.origin_at(at));
        }
        "rank_by" => keys.rank_by = Some((doc.string(&dotted, v)?, doc.origin_at(at))),
        _ => return Err(doc.unknown(&dotted, at, &REPORT_KEYS)),
    }
    Ok(())
}

/// A setting's name in `[report]`: any setting but the seed.
fn report_setting(doc: &Doc<'_>, key: &str, name: &str, at: usize) -> Result<Key> {
    Key::from_name(name)
        .filter(|&k| k != Key::Seed)
        .ok_or_else(|| {
            let names: Vec<&str> = Key::configuration().map(Key::name).collect();
            doc.error(
                key,
                at,
                format!("`{name}` is not a setting; allowed: {}", names.join(", ")),
            )
        })
}

/// A string, or a list of strings.
fn strings(doc: &Doc<'_>, key: &str, v: &Spanned<DeValue<'_>>) -> Result<Vec<String>> {
    match v.get_ref() {
        DeValue::Array(items) => items.iter().map(|i| doc.string(key, i)).collect(),
        _ => Ok(vec![doc.string(key, v)?]),
    }
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

/// Letters, digits, `-` and `_`: safe as a directory name everywhere.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
