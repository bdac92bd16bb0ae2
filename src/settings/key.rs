//! Every setting an experiment can fix or sweep, each defined once: its name, the kind of
//! value it takes, its default (the article's), the values it allows, how a configuration
//! label prints it and whether its axis is logarithmic. Grids expand, run ids hash and CSV
//! columns appear in the one canonical order of [`Key::ALL`].

use super::{MAX_EPOCHS, MAX_HIDDEN, SettingsParams};
use crate::model::Gradient;
use crate::number::{fmt_f64, short_float};

/// A setting's name and the kind of value it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

/// What kind of value a key takes.
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

/// The values a setting allows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Allowed {
    /// An integer from `min` to `max`.
    Integers { min: u64, max: u64 },
    /// An integer from 1 to the run's epochs.
    UpToEpochs,
    /// A finite number > 0.
    Positive,
    /// A number > 0, or `inf`.
    PositiveOrInf,
    /// A finite number >= 0.
    NonNegative,
    /// One of the gradient variants.
    Gradients,
}

/// Everything there is to know about one setting.
#[derive(Debug)]
pub struct Setting {
    pub key: Key,
    /// As the experiment file, the CSV columns and the run id spell it.
    pub name: &'static str,
    pub kind: Kind,
    /// Prefix in configuration labels (`h=64`); empty prints the value alone (`exact`).
    pub short: &'static str,
    /// Always in a configuration label (the article's four axes), or only when it varies.
    pub always_labelled: bool,
    /// Spans decades: figures put it on a log axis.
    pub log_axis: bool,
    pub allowed: Allowed,
}

/// The settings, in canonical order; the seed is last, so that a configuration's seeds are
/// neighbours in grid order.
static SETTINGS: [Setting; 8] = [
    Setting {
        key: Key::HiddenSize,
        name: "hidden_size",
        kind: Kind::Integer,
        short: "h",
        always_labelled: true,
        log_axis: false,
        allowed: Allowed::Integers {
            min: 1,
            max: MAX_HIDDEN,
        },
    },
    Setting {
        key: Key::LearningRate,
        name: "learning_rate",
        kind: Kind::Float,
        short: "lr",
        always_labelled: true,
        log_axis: true,
        allowed: Allowed::Positive,
    },
    Setting {
        key: Key::Clip,
        name: "clip",
        kind: Kind::Float,
        short: "clip",
        always_labelled: true,
        log_axis: false,
        allowed: Allowed::PositiveOrInf,
    },
    Setting {
        key: Key::Gradient,
        name: "gradient",
        kind: Kind::Gradient,
        short: "",
        always_labelled: true,
        log_axis: false,
        allowed: Allowed::Gradients,
    },
    Setting {
        key: Key::Epochs,
        name: "epochs",
        kind: Kind::Integer,
        short: "epochs",
        always_labelled: false,
        log_axis: false,
        allowed: Allowed::Integers {
            min: 1,
            max: MAX_EPOCHS,
        },
    },
    Setting {
        key: Key::EvalEvery,
        name: "eval_every",
        kind: Kind::Integer,
        short: "eval",
        always_labelled: false,
        log_axis: false,
        allowed: Allowed::UpToEpochs,
    },
    Setting {
        key: Key::InitScale,
        name: "init_scale",
        kind: Kind::Float,
        short: "init",
        always_labelled: false,
        log_axis: true,
        allowed: Allowed::NonNegative,
    },
    Setting {
        key: Key::Seed,
        name: "seed",
        kind: Kind::Integer,
        short: "seed",
        always_labelled: false,
        log_axis: false,
        allowed: Allowed::Integers {
            min: 0,
            max: u64::MAX,
        },
    },
];

impl Key {
    /// Every key in canonical order, the seed last.
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

    /// The keys of a configuration: all but the seed.
    pub fn configuration() -> impl Iterator<Item = Key> {
        Key::ALL.into_iter().filter(|&k| k != Key::Seed)
    }

    /// This key's properties.
    pub fn setting(self) -> &'static Setting {
        &SETTINGS[self as usize]
    }

    /// Position in [`Key::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        self.setting().name
    }

    pub fn from_name(name: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|k| k.name() == name)
    }

    pub fn kind(self) -> Kind {
        self.setting().kind
    }

    /// The short name used in configuration labels (`h=64 lr=0.02 clip=1 exact`).
    pub fn short(self) -> &'static str {
        self.setting().short
    }

    /// Whether figures put this setting on a log axis.
    pub fn log_axis(self) -> bool {
        self.setting().log_axis
    }

    /// The article's value of this setting (seed: 0).
    pub fn default_value(self) -> Value {
        self.value_of(&SettingsParams::default(), 0)
    }

    /// Writes `value` into `params` (the seed is not a training setting, and a value of
    /// another kind is not this setting's: no-op).
    pub fn apply(self, value: Value, params: &mut SettingsParams) {
        match (self, value) {
            (Key::HiddenSize, Value::Integer(v)) => params.hidden_size = v,
            (Key::LearningRate, Value::Float(v)) => params.learning_rate = v,
            (Key::Clip, Value::Float(v)) => params.clip = v,
            (Key::Gradient, Value::Gradient(g)) => params.gradient = g,
            (Key::Epochs, Value::Integer(v)) => params.epochs = v,
            (Key::EvalEvery, Value::Integer(v)) => params.eval_every = v,
            (Key::InitScale, Value::Float(v)) => params.init_scale = v,
            _ => {}
        }
    }

    /// This key's value in `params` (and `seed` for the seed).
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

    /// `value` printed for a configuration label: `h=64`, `lr=0.02`, `exact`.
    pub fn labelled(self, value: &Value) -> String {
        match self.short() {
            "" => value.short(),
            short => format!("{short}={}", value.short()),
        }
    }

    /// Parses a value of this key as a CSV column or a flag writes it (`64`, `0.02`, `inf`,
    /// `exact`).
    pub fn parse(self, text: &str) -> Option<Value> {
        match self.kind() {
            Kind::Integer => text.parse().ok().map(Value::Integer),
            Kind::Float => text.parse().ok().map(Value::Float),
            Kind::Gradient => Gradient::parse(text).map(Value::Gradient),
        }
    }
}

impl Allowed {
    /// Whether `value` is allowed in a run of `params` (for [`Allowed::UpToEpochs`]).
    pub fn admits(self, value: Value, params: &SettingsParams) -> bool {
        match (self, value) {
            (Allowed::Integers { min, max }, Value::Integer(x)) => (min..=max).contains(&x),
            (Allowed::UpToEpochs, Value::Integer(x)) => (1..=params.epochs).contains(&x),
            (Allowed::Positive, Value::Float(x)) => x.is_finite() && x > 0.0,
            (Allowed::PositiveOrInf, Value::Float(x)) => !x.is_nan() && x > 0.0,
            (Allowed::NonNegative, Value::Float(x)) => x.is_finite() && x >= 0.0,
            (Allowed::Gradients, Value::Gradient(_)) => true,
            _ => false,
        }
    }

    /// What is allowed, in words, for messages.
    pub fn describe(self, params: &SettingsParams) -> String {
        match self {
            Allowed::Integers { min, max: u64::MAX } => {
                format!("an integer >= {min} (at most 2^64 - 1)")
            }
            Allowed::Integers { min, max } => format!("an integer from {min} to {max}"),
            Allowed::UpToEpochs => format!("an integer from 1 to epochs ({})", params.epochs),
            Allowed::Positive => "a finite number > 0".into(),
            Allowed::PositiveOrInf => "a number > 0, or inf for no clipping".into(),
            Allowed::NonNegative => "a finite number >= 0".into(),
            Allowed::Gradients => {
                let names: Vec<&str> = Gradient::ALL.iter().map(|g| g.name()).collect();
                format!("one of {}", names.join(", "))
            }
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
            Value::Float(v) => short_float(*v),
            other => other.to_string(),
        }
    }

    /// The order of an axis: numbers by value, gradient variants as declared.
    pub fn total_cmp(&self, other: &Value) -> std::cmp::Ordering {
        match (self, other) {
            (Value::Integer(a), Value::Integer(b)) => a.cmp(b),
            (Value::Float(a), Value::Float(b)) => a.total_cmp(b),
            (Value::Gradient(a), Value::Gradient(b)) => a.cmp(b),
            _ => self.to_string().cmp(&other.to_string()),
        }
    }

    /// The value as a number, where it is one (a gradient variant is not).
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Integer(x) => Some(x as f64),
            Value::Float(x) => Some(x),
            Value::Gradient(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_order_is_canonical() {
        for (i, key) in Key::ALL.into_iter().enumerate() {
            assert_eq!(Key::from_name(key.name()), Some(key));
            assert_eq!(key.setting().key, key, "SETTINGS is in Key::ALL order");
            assert_eq!(key.index(), i);
            assert_eq!(
                key.parse(&key.default_value().to_string()),
                Some(key.default_value())
            );
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
        assert_eq!(short_float(0.012574334296829352), "0.01257");
        assert_eq!(Key::LearningRate.labelled(&Value::Float(0.02)), "lr=0.02");
        assert_eq!(
            Key::Gradient.labelled(&Value::Gradient(Gradient::Exact)),
            "exact"
        );
    }

    #[test]
    fn allowed_values_by_hand() {
        let p = SettingsParams::default();
        assert!(Allowed::UpToEpochs.admits(Value::Integer(1000), &p));
        assert!(!Allowed::UpToEpochs.admits(Value::Integer(1001), &p));
        assert!(Allowed::PositiveOrInf.admits(Value::Float(f64::INFINITY), &p));
        assert!(!Allowed::Positive.admits(Value::Float(f64::INFINITY), &p));
        assert!(!Allowed::NonNegative.admits(Value::Float(f64::NAN), &p));
        assert!(Allowed::NonNegative.admits(Value::Float(0.0), &p));
        assert!(
            !Allowed::Positive.admits(Value::Integer(3), &p),
            "kinds must match"
        );
        assert_eq!(
            Key::HiddenSize.setting().allowed.describe(&p),
            format!("an integer from 1 to {MAX_HIDDEN}")
        );
        assert_eq!(
            Key::Gradient.setting().allowed.describe(&p),
            "one of article, exact"
        );
    }
}
