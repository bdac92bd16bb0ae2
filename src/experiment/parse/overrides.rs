//! `--set KEY=VALUE` overrides of an experiment file, applied by the same rules (and
//! messages) as the key in the file, the messages naming the override instead of a line.

use std::path::{Path, PathBuf};

use toml::de::DeTable;

use crate::doc::Doc;
use crate::error::Result;
use crate::search::parse::{self};
use crate::settings::Key;

use super::grid::setting;
use super::report::report_key;
use super::{DATA_KEYS, Draft, TOP_KEYS, checked_name};

/// A `--set KEY=VALUE` override of an experiment file: `KEY` dotted as in the file
/// (`train.epochs`, `grid.seed`, `data.train`), `VALUE` a TOML value as the file would have
/// it (`200`, `{ start = 0, count = 4 }`, `[0.01, 0.02]`, `"exact"`; a bare word that is
/// not TOML is taken as a string, so `data.train=my.tsv` needs no quotes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub key: String,
    pub value: String,
}

impl Override {
    /// Parses `KEY=VALUE`, or says what is wrong with it.
    pub fn parse(text: &str) -> std::result::Result<Override, String> {
        let (key, value) = text
            .split_once('=')
            .ok_or_else(|| format!("`{text}` is not KEY=VALUE (e.g. train.epochs=200)"))?;
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() || value.is_empty() {
            return Err(format!(
                "`{text}` needs both a key and a value (e.g. train.epochs=200)"
            ));
        }
        Ok(Override {
            key: key.to_owned(),
            value: value.to_owned(),
        })
    }

    /// As the user typed it, for messages and the resolved experiment.
    pub fn text(&self) -> String {
        format!("{}={}", self.key, self.value)
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
