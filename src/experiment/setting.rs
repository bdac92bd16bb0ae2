//! The settings an experiment can fix or sweep, in the one canonical order that grids expand
//! in, run ids hash in and CSV columns appear in.

use crate::model::Gradient;
use crate::train::{SettingsParams, fmt_f64};

/// A setting's name and the kind of value it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    HiddenSize,
    LearningRate,
    Clip,
    Gradient,
    Epochs,
    EvalEvery,
    InitScale,
    Seed,
}

/// What kind of TOML value a key takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Integer,
    Float,
    Gradient,
}

/// One value of a setting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Integer(u64),
    Float(f64),
    Gradient(Gradient),
}

impl Key {
    /// Every key in canonical order; the seed is last, so a configuration's seeds are
    /// neighbours in grid order.
    pub const ALL: [Key; 8] = [
        Key::HiddenSize,
        Key::LearningRate,
        Key::Clip,
        Key::Gradient,
        Key::Epochs,
        Key::EvalEvery,
        Key::InitScale,
        Key::Seed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Key::HiddenSize => "hidden_size",
            Key::LearningRate => "learning_rate",
            Key::Clip => "clip",
            Key::Gradient => "gradient",
            Key::Epochs => "epochs",
            Key::EvalEvery => "eval_every",
            Key::InitScale => "init_scale",
            Key::Seed => "seed",
        }
    }

    pub fn from_name(name: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|k| k.name() == name)
    }

    pub fn kind(self) -> Kind {
        match self {
            Key::HiddenSize | Key::Epochs | Key::EvalEvery | Key::Seed => Kind::Integer,
            Key::LearningRate | Key::Clip | Key::InitScale => Kind::Float,
            Key::Gradient => Kind::Gradient,
        }
    }

    /// The short name used in configuration labels (`h=64 lr=0.02 clip=1 exact`).
    pub fn short(self) -> &'static str {
        match self {
            Key::HiddenSize => "h",
            Key::LearningRate => "lr",
            Key::Clip => "clip",
            Key::Gradient => "",
            Key::Epochs => "epochs",
            Key::EvalEvery => "eval",
            Key::InitScale => "init",
            Key::Seed => "seed",
        }
    }

    /// The article's value of this setting (seed: 0).
    pub fn default_value(self) -> Value {
        let d = SettingsParams::default();
        match self {
            Key::HiddenSize => Value::Integer(d.hidden_size),
            Key::LearningRate => Value::Float(d.learning_rate),
            Key::Clip => Value::Float(d.clip),
            Key::Gradient => Value::Gradient(d.gradient),
            Key::Epochs => Value::Integer(d.epochs),
            Key::EvalEvery => Value::Integer(d.eval_every),
            Key::InitScale => Value::Float(d.init_scale),
            Key::Seed => Value::Integer(0),
        }
    }

    /// Writes `value` into `params` (the seed is not a training setting: no-op).
    pub fn apply(self, value: Value, params: &mut SettingsParams) {
        match (self, value) {
            (Key::HiddenSize, Value::Integer(v)) => params.hidden_size = v,
            (Key::Epochs, Value::Integer(v)) => params.epochs = v,
            (Key::EvalEvery, Value::Integer(v)) => params.eval_every = v,
            (Key::LearningRate, Value::Float(v)) => params.learning_rate = v,
            (Key::Clip, Value::Float(v)) => params.clip = v,
            (Key::InitScale, Value::Float(v)) => params.init_scale = v,
            (Key::Gradient, Value::Gradient(g)) => params.gradient = g,
            _ => {}
        }
    }

    /// This key's value in `params` (and `seed` for the seed), for CSV columns.
    pub fn value_of(self, params: &SettingsParams, seed: u64) -> Value {
        match self {
            Key::HiddenSize => Value::Integer(params.hidden_size),
            Key::LearningRate => Value::Float(params.learning_rate),
            Key::Clip => Value::Float(params.clip),
            Key::Gradient => Value::Gradient(params.gradient),
            Key::Epochs => Value::Integer(params.epochs),
            Key::EvalEvery => Value::Integer(params.eval_every),
            Key::InitScale => Value::Float(params.init_scale),
            Key::Seed => Value::Integer(seed),
        }
    }
}

impl std::fmt::Display for Value {
    /// Exact and round-trippable: `64`, `0.02`, `inf`, `exact`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Integer(v) => write!(f, "{v}"),
            Value::Float(v) => f.write_str(&fmt_f64(*v)),
            Value::Gradient(g) => write!(f, "{g}"),
        }
    }
}

impl Value {
    /// Short form for labels: floats to four significant digits.
    pub fn short(&self) -> String {
        match self {
            Value::Float(v) if v.is_finite() && *v != 0.0 => {
                let s = format!("{v:.3e}");
                let parsed: f64 = s.parse().unwrap_or(*v);
                fmt_f64(parsed)
            }
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_order_is_canonical() {
        for key in Key::ALL {
            assert_eq!(Key::from_name(key.name()), Some(key));
        }
        assert_eq!(Key::ALL.last(), Some(&Key::Seed));
    }

    #[test]
    fn short_values() {
        assert_eq!(
            Value::Float(0.003_162_277_660_168_379_4).short(),
            "0.003162"
        );
        assert_eq!(Value::Float(0.02).short(), "0.02");
        assert_eq!(Value::Float(f64::INFINITY).short(), "inf");
        assert_eq!(Value::Float(1.0).short(), "1");
        assert_eq!(Value::Integer(64).short(), "64");
    }
}
