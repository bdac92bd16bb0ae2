//! Reading an experiment file: strict TOML walked key by key with its source positions, so
//! every error names the file, the line and the key, and an unknown key suggests the
//! nearest known one. Files by job: this one the file's top level, `[data]` and the name;
//! [`grid`] the settings of `[train]` and `[grid]`; [`report`] the `[report]` table;
//! [`overrides`] `--set`; the `[search]` table is [`crate::search::parse`]'s and the
//! document with its located errors [`crate::doc`]'s.

mod grid;
mod overrides;
mod report;

pub use grid::log_space;
pub use overrides::Override;
pub use report::ReportKeys;

use grid::settings;
use overrides::apply_override;
use report::report_key;

use std::path::{Path, PathBuf};

use toml::de::DeTable;

use crate::doc::{Doc, Origin};
use crate::error::{Error, Location, Result};
use crate::search::parse::{self, SearchSpec};
use crate::search::{Axis, Search};
use crate::settings::Key;

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

/// A spec being filled in: from the file, then from the overrides.
pub(super) struct Draft {
    name: Option<String>,
    description: String,
    /// `data.train` and `data.test`, with where each was given.
    data: [Option<(PathBuf, Origin)>; 2],
    axes: Vec<Axis>,
    /// `[search]`, with where it starts.
    search: Option<(SearchSpec, usize)>,
    report: ReportKeys,
}

pub(super) const TOP_KEYS: [&str; 7] = [
    "name",
    "description",
    "data",
    "train",
    "grid",
    "search",
    "report",
];
pub(super) const DATA_KEYS: [&str; 2] = ["train", "test"];

/// Parses the experiment file at `path`, with `overrides` applied in order.
pub(super) fn parse(path: &Path, overrides: &[Override]) -> Result<Spec> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::experiment(
            path,
            Location::File,
            format!("cannot read the experiment file: {e}"),
        )
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        // Where, as a data file's error says it: the line, and the bad byte.
        let good = &bytes[..e.valid_up_to()];
        let line = 1 + good.iter().filter(|&&b| b == b'\n').count();
        let column = 1 + good.iter().rev().take_while(|&&b| b != b'\n').count();
        Error::experiment(
            path,
            Location::LineCol(line, column),
            format!(
                "not valid UTF-8 (byte 0x{:02X}); experiment files must be UTF-8 text",
                bytes[e.valid_up_to()]
            ),
        )
    })?;
    parse_text(path, text, overrides)
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

pub(super) fn checked_name(doc: &Doc<'_>, name: String, at: usize) -> Result<String> {
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
pub(super) fn data(
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

/// Letters, digits, `-` and `_`: safe as a directory name everywhere.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
