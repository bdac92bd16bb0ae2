//! A TOML document whose every error names its file and line (or the `--set` override it
//! came from), and the typed readers of its values: what the experiment's parser and the
//! search's are written with.

use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::{Error, Location, Result};
use crate::model::Gradient;
use crate::settings::{Key, Kind, Value};

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Not given: the article's value.
    Default,
    /// The experiment file, at this line.
    File(usize),
    /// A `--set` override on the command line, as typed.
    Override(String),
}

impl Origin {
    /// Where a message about `key`, given here, points.
    pub fn location(&self, key: String) -> Location {
        match self {
            Origin::Default => Location::Key(key, None),
            Origin::File(line) => Location::Key(key, Some(*line)),
            Origin::Override(text) => Location::Override(text.clone()),
        }
    }
}

/// An experiment file's text, or one `--set` override's value, being parsed.
pub(crate) struct Doc<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    /// The override this text is the value of; `None` for the experiment file.
    pub origin: Option<String>,
}

pub(crate) type Entry<'i> = (
    &'i Spanned<std::borrow::Cow<'i, str>>,
    &'i Spanned<DeValue<'i>>,
);

impl Doc<'_> {
    pub(crate) fn line(&self, offset: usize) -> usize {
        1 + self.text[..offset.min(self.text.len())]
            .matches('\n')
            .count()
    }

    pub(crate) fn line_col(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let line_start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        Location::LineCol(
            self.line(offset),
            self.text[line_start..offset].chars().count() + 1,
        )
    }

    pub(crate) fn error(&self, key: &str, offset: usize, message: impl Into<String>) -> Error {
        let at = match &self.origin {
            Some(text) => Location::Override(text.clone()),
            None => Location::Key(key.to_owned(), Some(self.line(offset))),
        };
        Error::experiment(self.path, at, message)
    }

    /// Where a setting given at `offset` of this text came from.
    pub(crate) fn origin_at(&self, offset: usize) -> Origin {
        match &self.origin {
            Some(text) => Origin::Override(text.clone()),
            None => Origin::File(self.line(offset)),
        }
    }

    pub(crate) fn unknown(&self, key: &str, offset: usize, allowed: &[&str]) -> Error {
        let name = key.rsplit('.').next().unwrap_or(key);
        let nearest = allowed
            .iter()
            .map(|a| (strsim::jaro_winkler(name, a), a))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .filter(|(score, _)| *score > 0.75);
        let hint = match nearest {
            Some((_, a)) => format!("; did you mean `{a}`?"),
            None => String::new(),
        };
        self.error(
            key,
            offset,
            format!("unknown key (allowed: {}){hint}", allowed.join(", ")),
        )
    }

    pub(crate) fn scalar(
        &self,
        key: &str,
        setting: Key,
        v: &Spanned<DeValue<'_>>,
    ) -> Result<Value> {
        Ok(match setting.kind() {
            Kind::Integer => {
                // Not an integer a setting can hold (a negative epoch count, say): the
                // setting's own range in the message, not the integer type's. Integers in
                // the type's range are checked against the setting's with the rest.
                Value::Integer(self.integer(key, v, 0, u64::MAX).map_err(|e| {
                    let DeValue::Integer(i) = v.get_ref() else {
                        return e;
                    };
                    let what = setting
                        .setting()
                        .allowed
                        .describe(&crate::settings::SettingsParams::DEFAULT);
                    let text = format!("{} is not allowed: {what}", i.as_str());
                    self.error(key, v.span().start, text)
                })?)
            }
            Kind::Float => Value::Float(self.float(key, v)?),
            Kind::Gradient => {
                let s = self.string(key, v)?;
                Value::Gradient(Gradient::parse(&s).ok_or_else(|| {
                    self.error(
                        key,
                        v.span().start,
                        format!("`{s}` is not a gradient variant; allowed: article, exact"),
                    )
                })?)
            }
        })
    }

    pub(crate) fn integer(
        &self,
        key: &str,
        v: &Spanned<DeValue<'_>>,
        min: u64,
        max: u64,
    ) -> Result<u64> {
        let DeValue::Integer(i) = v.get_ref() else {
            return Err(self.error(
                key,
                v.span().start,
                format!("expected an integer, found {}", describe(v.get_ref())),
            ));
        };
        let digits = i.as_str().replace('_', "");
        let parsed = i128::from_str_radix(&digits, i.radix()).ok();
        match parsed {
            Some(x) if x >= i128::from(min) && x <= i128::from(max) => Ok(x as u64),
            _ => Err(self.error(
                key,
                v.span().start,
                format!("{} is not allowed: {}", i.as_str(), integers(min, max)),
            )),
        }
    }

    pub(crate) fn float(&self, key: &str, v: &Spanned<DeValue<'_>>) -> Result<f64> {
        match v.get_ref() {
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().map_err(|_| {
                self.error(
                    key,
                    v.span().start,
                    format!("`{}` is not a number", f.as_str()),
                )
            }),
            // `clip = 1` means 1.0.
            DeValue::Integer(i) => {
                let digits = i.as_str().replace('_', "");
                i64::from_str_radix(&digits, i.radix())
                    .map(|x| x as f64)
                    .map_err(|_| self.error(key, v.span().start, "the integer is out of range"))
            }
            other => Err(self.error(
                key,
                v.span().start,
                format!("expected a number, found {}", describe(other)),
            )),
        }
    }

    pub(crate) fn string(&self, key: &str, v: &Spanned<DeValue<'_>>) -> Result<String> {
        match v.get_ref() {
            DeValue::String(s) => Ok(s.to_string()),
            other => Err(self.error(
                key,
                v.span().start,
                format!("expected a string, found {}", describe(other)),
            )),
        }
    }

    pub(crate) fn table<'t, 'i>(
        &self,
        key: &str,
        v: &'t Spanned<DeValue<'i>>,
    ) -> Result<&'t DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Ok(t),
            other => Err(self.error(
                key,
                v.span().start,
                format!("expected a table `[{key}]`, found {}", describe(other)),
            )),
        }
    }
}

/// A value's kind and spelling, for messages.
pub(crate) fn describe(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("the string \"{s}\""),
        DeValue::Integer(i) => format!("the integer {}", i.as_str()),
        DeValue::Float(f) => format!("the number {}", f.as_str()),
        DeValue::Boolean(b) => format!("the boolean {b}"),
        DeValue::Datetime(d) => format!("the date {d}"),
        DeValue::Array(_) => "a list".into(),
        DeValue::Table(_) => "a table".into(),
    }
}

/// Integers from `min` to `max` in words, without the integer type's own bound.
fn integers(min: u64, max: u64) -> String {
    match max {
        u64::MAX => format!("an integer >= {min} (at most 2^64 - 1)"),
        _ => format!("an integer from {min} to {max}"),
    }
}
