//! The space of configurations: an experiment's axes (given values, or distributions a
//! search draws from) and the draws themselves. `method = "random"` or `"sobol"` draws
//! `samples` configurations from the axes' distributions (and lists of choices),
//! reproducibly from the search's own `seed`.
//!
//! Sampled values are rounded to four significant digits (as configuration labels print
//! them) before they become settings, so a configuration's label and run ids are stable and
//! a sampled value can be typed back into a grid; configurations that round to the same
//! settings are one configuration.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::doc::Origin;
use crate::error::Location;
use crate::number::short_float;
use crate::numeric::{exp, ln};
use crate::settings::{Key, Value};

/// How an experiment's configurations are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Every combination of the axes' values.
    Grid,
    /// Independent uniform draws.
    Random,
    /// Scrambled Sobol points (low discrepancy: the space is covered more evenly).
    Sobol,
}

impl Method {
    pub const NAMES: [&str; 3] = ["grid", "random", "sobol"];

    pub fn name(self) -> &'static str {
        match self {
            Method::Grid => "grid",
            Method::Random => "random",
            Method::Sobol => "sobol",
        }
    }

    pub fn parse(name: &str) -> Option<Method> {
        [Method::Grid, Method::Random, Method::Sobol]
            .into_iter()
            .find(|m| m.name() == name)
    }
}

/// A sampled axis's distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    /// Log-uniform between two positive bounds.
    Log(f64, f64),
    /// Uniform between two bounds.
    Uniform(f64, f64),
    /// A whole number, uniform between two bounds, both included.
    Int(u64, u64),
    /// A whole number, log-uniform between two positive bounds (rounded), both included.
    LogInt(u64, u64),
}

impl Distribution {
    /// The key of its TOML table: `log`, `uniform`, `int`, `log_int`.
    pub fn name(self) -> &'static str {
        match self {
            Distribution::Log(..) => "log",
            Distribution::Uniform(..) => "uniform",
            Distribution::Int(..) => "int",
            Distribution::LogInt(..) => "log_int",
        }
    }

    /// Its two bounds as setting values.
    pub fn bounds(self) -> [Value; 2] {
        match self {
            Distribution::Log(a, b) | Distribution::Uniform(a, b) => {
                [Value::Float(a), Value::Float(b)]
            }
            Distribution::Int(a, b) | Distribution::LogInt(a, b) => {
                [Value::Integer(a), Value::Integer(b)]
            }
        }
    }

    /// The value at `u` in [0, 1): the inverse of its distribution function, rounded as
    /// labels print it.
    pub fn at(self, u: f64) -> Value {
        match self {
            Distribution::Log(a, b) => rounded(exp(ln(a) + u * (ln(b) - ln(a)))),
            Distribution::Uniform(a, b) => rounded(a + u * (b - a)),
            Distribution::Int(a, b) => Value::Integer(a + (u * (b - a + 1) as f64) as u64),
            Distribution::LogInt(a, b) => {
                // Log-uniform over [a - ½, b + ½), so that each end gets its share.
                let (lo, hi) = (ln(a as f64 - 0.5).max(ln(0.5)), ln(b as f64 + 0.5));
                let x = exp(lo + u * (hi - lo)).round() as u64;
                Value::Integer(x.clamp(a, b))
            }
        }
    }
}

/// A float rounded to four significant digits, as a setting.
fn rounded(x: f64) -> Value {
    Value::Float(short_float(x).parse().unwrap_or(x))
}

/// The `[search]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    pub method: Method,
    /// Configurations to draw (random, sobol).
    pub samples: usize,
    /// Seed of the draws (not of the training runs).
    pub seed: u64,
    pub halving: Option<super::halving::Halving>,
    pub race: Option<super::race::Race>,
}

impl Default for Search {
    fn default() -> Search {
        Search {
            method: Method::Grid,
            samples: 0,
            seed: 0,
            halving: None,
            race: None,
        }
    }
}

/// One setting's values, and where they came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub key: Key,
    /// Its values: given, or for a sampled axis those the search drew, in order.
    pub values: Vec<Value>,
    /// The distribution a search draws it from (`{ log = [a, b] }`, ...), if it has one.
    pub sampled: Option<Distribution>,
    /// Given in `[grid]` (rather than fixed in `[train]` or defaulted).
    pub in_grid: bool,
    pub origin: Origin,
}

impl Axis {
    /// The dotted key as the file spells it, for messages.
    pub fn dotted(&self) -> String {
        let section = if self.in_grid { "grid" } else { "train" };
        format!("{section}.{}", self.key.name())
    }

    /// Where a message about this setting points: its line, or the override that set it.
    pub fn location(&self) -> Location {
        self.origin.location(self.dotted())
    }
}

/// Sobol points: at most this many (the generator's sequence length).
pub(crate) const SOBOL_MAX_SAMPLES: usize = 1 << 16;
/// Sobol points: at most this many dimensions.
pub(crate) const SOBOL_MAX_DIMENSIONS: usize = 256;

/// A sampled axis: its key, and what its values are drawn from.
#[derive(Debug, Clone, PartialEq)]
pub enum Sampled {
    Distribution(Key, Distribution),
    /// A list of values, one drawn uniformly.
    Choices(Key, Vec<Value>),
}

impl Sampled {
    pub fn key(&self) -> Key {
        match self {
            Sampled::Distribution(k, _) | Sampled::Choices(k, _) => *k,
        }
    }

    fn at(&self, u: f64) -> Value {
        match self {
            Sampled::Distribution(_, d) => d.at(u),
            Sampled::Choices(_, values) => {
                values[((u * values.len() as f64) as usize).min(values.len() - 1)]
            }
        }
    }
}

/// The `samples` points of `search` over the sampled axes `dims`, in draw order: each a
/// value per dimension. Draws depend only on the method, the search seed, the sample index
/// and the dimension's position.
pub(crate) fn draw(search: &Search, dims: &[Sampled]) -> Vec<Vec<Value>> {
    let mut rng = ChaCha8Rng::seed_from_u64(search.seed);
    (0..search.samples)
        .map(|i| {
            dims.iter()
                .enumerate()
                .map(|(d, axis)| {
                    let u = match search.method {
                        Method::Sobol => f64::from(sobol_burley::sample(
                            i as u32,
                            d as u32,
                            // The seed folded to the generator's 32 bits.
                            (search.seed ^ (search.seed >> 32)) as u32,
                        )),
                        _ => rng.random::<f64>(),
                    };
                    axis.at(u)
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(method: Method, samples: usize) -> Search {
        Search {
            method,
            samples,
            seed: 7,
            halving: None,
            race: None,
        }
    }

    #[test]
    fn values_are_rounded_as_labels_print_them_and_stay_in_bounds() {
        let lr = Distribution::Log(1e-3, 1.0);
        assert_eq!(lr.at(0.0), Value::Float(0.001));
        assert_eq!(lr.at(0.5), Value::Float(0.03162));
        let clip = Distribution::Uniform(0.5, 5.0);
        assert_eq!(clip.at(0.25), Value::Float(1.625));
        let h = Distribution::Int(8, 128);
        assert_eq!(
            (h.at(0.0), h.at(0.999_999)),
            (Value::Integer(8), Value::Integer(128))
        );
        let lh = Distribution::LogInt(8, 128);
        for u in [0.0, 0.3, 0.7, 0.999_999] {
            let Value::Integer(x) = lh.at(u) else {
                panic!()
            };
            assert!((8..=128).contains(&x), "{x}");
        }
    }

    #[test]
    fn draws_are_reproducible_and_depend_on_the_seed() {
        let dims = [
            Sampled::Distribution(Key::LearningRate, Distribution::Log(1e-3, 1.0)),
            Sampled::Choices(
                Key::Gradient,
                vec![
                    Value::Gradient(crate::model::Gradient::Article),
                    Value::Gradient(crate::model::Gradient::Exact),
                ],
            ),
        ];
        for method in [Method::Random, Method::Sobol] {
            let a = draw(&search(method, 16), &dims);
            assert_eq!(a, draw(&search(method, 16), &dims), "{method:?}");
            let other = Search {
                seed: 8,
                ..search(method, 16)
            };
            assert_ne!(a, draw(&other, &dims), "{method:?}");
            // The first n of a longer draw are the draw of n.
            assert_eq!(&draw(&search(method, 32), &dims)[..16], &a[..]);
        }
    }

    #[test]
    fn sobol_points_cover_the_square_more_evenly_than_random_ones() {
        // Star discrepancy proxy: the largest gap between the share of points in [0, x) x
        // [0, y) and its area x·y, over a 16 x 16 grid of corners, for 256 points.
        let dims = [
            Sampled::Distribution(Key::Clip, Distribution::Uniform(0.0, 1.0)),
            Sampled::Distribution(Key::InitScale, Distribution::Uniform(0.0, 1.0)),
        ];
        let discrepancy = |method| {
            let points = draw(&search(method, 256), &dims);
            let xy: Vec<(f64, f64)> = points
                .iter()
                .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
                .collect();
            let mut worst: f64 = 0.0;
            for i in 1..=16 {
                for j in 1..=16 {
                    let (x, y) = (f64::from(i) / 16.0, f64::from(j) / 16.0);
                    let inside = xy.iter().filter(|p| p.0 < x && p.1 < y).count();
                    worst = worst.max((inside as f64 / 256.0 - x * y).abs());
                }
            }
            worst
        };
        let (sobol, random) = (discrepancy(Method::Sobol), discrepancy(Method::Random));
        assert!(sobol < random / 2.0, "sobol {sobol} random {random}");
        assert!(sobol < 0.02, "{sobol}");
    }
}
