//! The `[report]` table: which swept settings split the figures into panels and colour them,
//! which configurations get every seed's curves, which metric ranks them.

use toml::Spanned;
use toml::de::DeValue;

use crate::doc::{Doc, Origin};
use crate::error::Result;
use crate::metric::summarised_named;
use crate::settings::Key;

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

pub(super) const REPORT_KEYS: [&str; 4] = ["facet", "color", "configs", "rank_by"];

/// One key of `[report]`, given at `at`, into `keys`.
pub(super) fn report_key(
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
        "rank_by" => {
            // Checked here, with the rest of the file, before any training.
            let name = doc.string(&dotted, v)?;
            summarised_named(&name).map_err(|message| doc.error(&dotted, at, message))?;
            keys.rank_by = Some((name, doc.origin_at(at)));
        }
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
