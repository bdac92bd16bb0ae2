//! Training settings: [`SettingsParams`] as given (flags or an experiment file), checked once
//! by [`SettingsParams::check`] into [`Settings`], the only form training accepts; and
//! ([`key`]) each setting's properties, defined once: name, kind, default, allowed values,
//! label and axis.
//!
//! Every default is the article's ([`SettingsParams::DEFAULT`]).

mod key;

pub use key::{Allowed, Key, Kind, Setting, Value};

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

use crate::model::Gradient;

/// Training settings, not yet checked. The seed is not among them: a configuration is
/// these settings, a run is a configuration and a seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsParams {
    pub hidden_size: u64,
    #[serde(with = "float")]
    pub learning_rate: f64,
    /// Elementwise gradient clip; `inf` disables clipping.
    #[serde(with = "float")]
    pub clip: f64,
    pub epochs: u64,
    /// Test metrics are measured after every `eval_every`-th epoch (and after the last).
    pub eval_every: u64,
    /// Standard deviation of the initial weights (the article divides N(0,1) by 1000).
    #[serde(with = "float")]
    pub init_scale: f64,
    pub gradient: Gradient,
}

impl SettingsParams {
    /// The article's settings.
    pub const DEFAULT: SettingsParams = SettingsParams {
        hidden_size: 64,
        learning_rate: 0.02,
        clip: 1.0,
        epochs: 1000,
        eval_every: 100,
        init_scale: 0.001,
        gradient: Gradient::Article,
    };
}

impl Default for SettingsParams {
    fn default() -> Self {
        SettingsParams::DEFAULT
    }
}

/// Checked settings; dereferences to the fields of [`SettingsParams`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Settings(SettingsParams);

impl Deref for Settings {
    type Target = SettingsParams;
    fn deref(&self) -> &SettingsParams {
        &self.0
    }
}

impl Settings {
    /// The hidden size as a count.
    pub fn hidden(&self) -> usize {
        self.hidden_size as usize
    }

    /// Epochs as a loop bound.
    pub fn epoch_count(&self) -> u32 {
        self.epochs as u32
    }

    /// Whether test metrics are measured after `epoch`.
    pub fn evaluates_at(&self, epoch: u32) -> bool {
        u64::from(epoch) % self.eval_every == 0 || u64::from(epoch) == self.epochs
    }
}

/// A setting outside its allowed range: names the field, the value and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError {
    pub field: &'static str,
    pub value: String,
    pub allowed: String,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` = {} is not allowed: {}",
            self.field, self.value, self.allowed
        )
    }
}

impl std::error::Error for SettingsError {}

/// Epochs above this are refused. A run keeps every epoch's metrics, in memory while it
/// trains and in its record (about 85 bytes of JSON per epoch), so a million epochs already
/// make an 85 MB record per run and hold about 180 MB while it is written; the article
/// trains 1000 epochs, and every run of its grid has converged or stalled long before.
pub const MAX_EPOCHS: u64 = 1_000_000;
/// Hidden sizes above this are refused before anything is allocated.
pub const MAX_HIDDEN: u64 = 1 << 20;

impl SettingsParams {
    /// Checks every setting against what its [`Key`] allows, in canonical order; the first
    /// one out of range is the error.
    pub fn check(self) -> Result<Settings, SettingsError> {
        for key in Key::configuration() {
            let setting = key.setting();
            let value = key.value_of(&self, 0);
            if !setting.allowed.admits(value, &self) {
                return Err(SettingsError {
                    field: setting.name,
                    value: value.to_string(),
                    allowed: setting.allowed.describe(&self),
                });
            }
        }
        Ok(Settings(self))
    }
}

/// Floats in JSON records: a number, or the string `"inf"` / `"-inf"` / `"nan"` that JSON
/// numbers cannot hold (`clip = inf` is the setting for no clipping).
mod float {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        if x.is_finite() {
            s.serialize_f64(*x)
        } else {
            s.serialize_str(&crate::number::fmt_f64(*x))
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Number(f64),
            Text(String),
        }
        match Repr::deserialize(d)? {
            Repr::Number(x) => Ok(x),
            Repr::Text(t) => t
                .parse()
                .map_err(|_| serde::de::Error::custom(format!("`{t}` is not a number"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(params: SettingsParams) -> String {
        params.check().unwrap_err().to_string()
    }

    #[test]
    fn defaults_are_the_articles_and_valid() {
        let s = SettingsParams::default().check().unwrap();
        assert_eq!((s.hidden(), s.learning_rate, s.clip), (64, 0.02, 1.0));
        assert_eq!((s.epochs, s.eval_every, s.init_scale), (1000, 100, 0.001));
        assert!(s.evaluates_at(100) && !s.evaluates_at(150) && s.evaluates_at(1000));
    }

    #[test]
    fn each_bad_field_is_named_with_its_value() {
        let d = SettingsParams::default;
        assert_eq!(
            err(SettingsParams {
                learning_rate: 0.0,
                ..d()
            }),
            "`learning_rate` = 0 is not allowed: a finite number > 0"
        );
        assert!(
            err(SettingsParams {
                learning_rate: f64::NAN,
                ..d()
            })
            .contains("= nan")
        );
        assert!(
            err(SettingsParams {
                learning_rate: f64::INFINITY,
                ..d()
            })
            .contains("= inf")
        );
        assert!(
            err(SettingsParams {
                hidden_size: 0,
                ..d()
            })
            .starts_with("`hidden_size` = 0")
        );
        assert!(err(SettingsParams { clip: -1.0, ..d() }).starts_with("`clip` = -1"));
        assert!(err(SettingsParams { epochs: 0, ..d() }).starts_with("`epochs` = 0"));
        assert_eq!(
            err(SettingsParams {
                eval_every: 2000,
                ..d()
            }),
            "`eval_every` = 2000 is not allowed: an integer from 1 to epochs (1000)"
        );
        assert!(
            err(SettingsParams {
                init_scale: -0.1,
                ..d()
            })
            .starts_with("`init_scale`")
        );
        assert!(
            SettingsParams {
                clip: f64::INFINITY,
                ..d()
            }
            .check()
            .is_ok()
        );
    }

    #[test]
    fn infinite_clip_survives_a_json_round_trip() {
        // Regression: `clip = inf` was written as JSON null and the record could not be read.
        let p = SettingsParams {
            clip: f64::INFINITY,
            ..Default::default()
        };
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.contains("\"clip\":\"inf\""), "{json}");
        assert_eq!(serde_json::from_str::<SettingsParams>(&json).unwrap(), p);
        let back: SettingsParams =
            serde_json::from_str(&serde_json::to_string(&SettingsParams::default()).unwrap())
                .unwrap();
        assert_eq!(back, SettingsParams::default());
    }

    #[test]
    fn epochs_are_bounded_at_a_million() {
        // Regression: a billion epochs passed the check and then aborted the process trying
        // to reserve 48 GB for the metrics.
        let ok = SettingsParams {
            epochs: MAX_EPOCHS,
            ..Default::default()
        };
        assert!(ok.check().is_ok());
        assert_eq!(
            err(SettingsParams {
                epochs: 1_000_000_000,
                ..Default::default()
            }),
            "`epochs` = 1000000000 is not allowed: an integer from 1 to 1000000"
        );
    }
}
