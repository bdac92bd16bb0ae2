//! `--set KEY=VALUE` overrides of an experiment file, applied by the same rules (and
//! messages) as the key in the file, the messages naming the override instead of a line.

use std::path::{Path, PathBuf};

use toml::de::DeTable;

use crate::doc::Doc;
use crate::error::Result;
use crate::search::parse::{self};
use crate::settings::Key;

use super::grid::setting;
use super::report::{REPORT_KEYS, report_key};
use super::{DATA_KEYS, Draft, TOP_KEYS, checked_name};

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

/// Applies `--set KEY=VALUE` to `draft`, by the same rules (and messages) as the key in the
/// file, the messages naming the override instead of a line.
pub(super) fn apply_override(path: &Path, o: &Override, draft: &mut Draft) -> Result<()> {
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
                    let halving = spec.halving_mut(o.text());
                    halving.replace_alternative(key);
                    parse::halving_key(&doc, key, value, 0, halving)?;
                }
                Some(("race", key)) => {
                    let race = spec.race_mut(o.text());
                    crate::search::race_parse::race_key(&doc, key, value, 0, race)?;
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
