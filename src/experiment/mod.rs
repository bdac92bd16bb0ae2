//! Experiments: a TOML file declaring data, fixed settings and a grid, expanded into runs.
//!
//! [`Experiment::load`] parses and checks the file; [`Experiment::runs`] expands the grid
//! (cartesian product in the canonical key order, seed innermost), checks every
//! combination's settings, and gives each run its id: a short stable hash of its resolved
//! settings, its seed and the content of its data.

mod parse;

use std::path::{Path, PathBuf};

pub use parse::{Override, ReportKeys, log_space, valid_name};

use crate::doc::Origin;
use crate::search::{Axis, Method, Sampled, Search, draw};

use crate::error::{Error, Location, Result};
use crate::settings::{Key, SettingsParams, Value};
use crate::train::{RunSpec, run_id};

/// A grid larger than this needs `--yes`.
pub const LARGE_GRID: u128 = 100_000;

/// A grid larger than this is refused even with `--yes`: every run is expanded, checked and
/// held in memory (about 150 bytes each) before any trains, and at a tenth of a second per
/// article run a million runs are already a day of a 32-core node.
pub const MAX_RUNS: u128 = 1_000_000;

/// A parsed and checked experiment.
#[derive(Debug, Clone)]
pub struct Experiment {
    pub path: PathBuf,
    pub name: String,
    pub description: String,
    pub train: PathBuf,
    pub test: PathBuf,
    /// Where `data.train` and `data.test` were given.
    pub data_origins: [Origin; 2],
    /// One axis per setting, canonical order, seed last.
    pub axes: Vec<Axis>,
    /// The `--set` overrides applied to the file, in order.
    pub overrides: Vec<Override>,
    /// How configurations are chosen: a grid, or a search.
    pub search: Search,
    /// For a search, its configurations: each the values of [`Experiment::sampled`] axes, in
    /// draw order, those that round to the same settings once.
    pub points: Vec<Vec<Value>>,
    /// How its report is drawn (`[report]`).
    pub report: ReportKeys,
}

impl Experiment {
    /// Reads and checks the experiment file at `path`.
    pub fn load(path: &Path) -> Result<Experiment> {
        Experiment::load_with(path, &[])
    }

    /// Reads the experiment file at `path` with `overrides` applied, and checks the result.
    pub fn load_with(path: &Path, overrides: &[Override]) -> Result<Experiment> {
        Experiment::from_spec(path, parse::parse(path, overrides)?)
    }

    /// Checks experiment `text` as if read from `path`.
    pub fn from_text(path: &Path, text: &str) -> Result<Experiment> {
        Experiment::from_spec(path, parse::parse_text(path, text, &[])?)
    }

    fn from_spec(path: &Path, spec: parse::Spec) -> Result<Experiment> {
        let mut exp = Experiment {
            path: path.to_path_buf(),
            name: spec.name,
            description: spec.description,
            train: spec.train,
            test: spec.test,
            data_origins: spec.data_origins,
            axes: spec.axes,
            overrides: spec.overrides,
            search: spec.search,
            points: Vec::new(),
            report: spec.report,
        };
        exp.draw_points();
        let count = exp.run_count();
        if count > MAX_RUNS {
            return Err(Error::experiment(
                path,
                Location::Key("grid".into(), None),
                format!(
                    "the grid has {count} runs; at most {MAX_RUNS} are allowed (split it into \
                     several experiments)"
                ),
            ));
        }
        exp.check_report()?;
        // Each combination of fixed settings and grid values must be valid; checking the
        // values one axis at a time against the article's other settings finds most errors
        // with the key that caused them, the product check in `runs` finds the rest.
        for axis in exp.axes.iter().filter(|a| a.origin != Origin::Default) {
            for &value in &axis.values {
                let mut params = exp.first_params();
                axis.key.apply(value, &mut params);
                if let Err(e) = params.check()
                    && e.field == axis.key.name()
                {
                    return Err(exp.setting_error(axis, &e.to_string()));
                }
            }
        }
        Ok(exp)
    }

    /// `[report]`'s settings must be swept, each named once, and its configurations must
    /// be the grid's.
    fn check_report(&self) -> Result<()> {
        let r = &self.report;
        let swept: Vec<&str> = Key::configuration()
            .filter(|&k| self.axis(k).values.len() > 1)
            .map(Key::name)
            .collect();
        let named = r.facet.iter().map(|k| (k, &r.facet_origin, "report.facet"));
        let named = named.chain(r.color.iter().map(|k| (k, &r.color_origin, "report.color")));
        let mut seen = Vec::new();
        for (key, origin, dotted) in named {
            let at = origin
                .clone()
                .unwrap_or(Origin::Default)
                .location(dotted.into());
            let message = if self.axis(*key).values.len() < 2 {
                format!(
                    "`{}` is not swept by this experiment; swept: {}",
                    key.name(),
                    if swept.is_empty() {
                        "none".into()
                    } else {
                        swept.join(", ")
                    }
                )
            } else if seen.contains(key) {
                format!("`{}` is named twice among facet and color", key.name())
            } else {
                seen.push(*key);
                continue;
            };
            return Err(Error::experiment(&self.path, at, message));
        }
        if let Some(label) = r.configs.iter().find(|l| !self.has_label(l)) {
            let at = r.configs_origin.clone().unwrap_or(Origin::Default);
            return Err(Error::experiment(
                &self.path,
                at.location("report.configs".into()),
                format!("no configuration of the grid is labelled `{label}`"),
            ));
        }
        Ok(())
    }

    /// Whether a configuration of the grid has `label`: word by word, each the label of
    /// one of its setting's values, in the order [`Experiment::label`] writes them (so a
    /// million-configuration grid is not walked).
    fn has_label(&self, label: &str) -> bool {
        let keys: Vec<Key> = Key::configuration()
            .filter(|&k| k.setting().always_labelled || self.axis(k).values.len() > 1)
            .collect();
        let words: Vec<&str> = label.split(' ').collect();
        words.len() == keys.len()
            && keys
                .iter()
                .zip(&words)
                .all(|(k, w)| self.axis(*k).values.iter().any(|v| k.labelled(v) == *w))
    }

    /// Number of runs in the grid (saturating, so absurd grids compare as large).
    pub fn run_count(&self) -> u128 {
        if self.is_search() {
            let seeds = self.axis(Key::Seed).values.len() as u128;
            return (self.points.len() as u128).saturating_mul(seeds);
        }
        self.axes
            .iter()
            .fold(1u128, |n, a| n.saturating_mul(a.values.len() as u128))
    }

    /// Whether configurations are drawn (random or Sobol) rather than a grid's.
    pub fn is_search(&self) -> bool {
        self.search.method != Method::Grid
    }

    /// The axes a search draws: those with a distribution, or a list of several choices
    /// (not the seed: every configuration runs on every seed).
    pub fn sampled(&self) -> Vec<Sampled> {
        self.axes
            .iter()
            .filter(|a| a.key != Key::Seed)
            .filter_map(|a| match (a.sampled, a.values.len()) {
                (Some(d), _) => Some(Sampled::Distribution(a.key, d)),
                (None, n) if n > 1 => Some(Sampled::Choices(a.key, a.values.clone())),
                _ => None,
            })
            .collect()
    }

    /// For a search: draws its configurations, keeps each once, and gives every sampled
    /// axis the values drawn (sorted), so labels and plans show them.
    fn draw_points(&mut self) {
        if !self.is_search() {
            return;
        }
        let dims = self.sampled();
        let mut seen = std::collections::HashSet::new();
        self.points = draw(&self.search, &dims)
            .into_iter()
            .filter(|p| seen.insert(p.iter().map(|v| v.to_string()).collect::<Vec<_>>()))
            .collect();
        // A list of choices keeps its values (the resolved file gives them back).
        for (d, dim) in dims.iter().enumerate() {
            let Sampled::Distribution(..) = dim else {
                continue;
            };
            let mut values: Vec<Value> = self.points.iter().map(|p| p[d]).collect();
            values.sort_by(Value::total_cmp);
            values.dedup();
            self.axes[dim.key().index()].values = values;
        }
    }

    /// Number of configurations (runs without the seed axis).
    pub fn config_count(&self) -> u128 {
        self.run_count() / self.axis(Key::Seed).values.len() as u128
    }

    /// The number of seeds every configuration trains on.
    pub fn seed_count(&self) -> usize {
        self.axis(Key::Seed).values.len()
    }

    pub fn axis(&self, key: Key) -> &Axis {
        &self.axes[key.index()]
    }

    /// Every run in grid order (a search: in draw order, seed innermost), checked, with ids
    /// over `data_fingerprint`.
    pub fn runs(&self, data_fingerprint: &str) -> Result<Vec<RunSpec>> {
        if self.is_search() {
            return self.searched_runs(data_fingerprint);
        }
        // At most MAX_RUNS (checked on load), so the count fits a usize.
        let total = self.run_count() as usize;
        let mut runs = Vec::new();
        let mut digits = vec![0usize; self.axes.len()];
        for index in 0..total {
            // Mixed-radix counter over the axes, the last (seed) fastest.
            let mut rest = index;
            for (d, axis) in digits.iter_mut().zip(&self.axes).rev() {
                *d = rest % axis.values.len();
                rest /= axis.values.len();
            }
            let (params, seed) = self.settings_at(|axis| axis.values[digits[axis.key.index()]]);
            let settings = params.check().map_err(|e| {
                let axis = Key::from_name(e.field).map_or(&self.axes[0], |k| self.axis(k));
                self.setting_error(axis, &e.to_string())
            })?;
            let id = run_id(&settings, seed, data_fingerprint);
            runs.push(RunSpec {
                index,
                id,
                settings,
                seed,
            });
        }
        Ok(runs)
    }

    /// A search's runs: each drawn configuration on every seed.
    fn searched_runs(&self, data_fingerprint: &str) -> Result<Vec<RunSpec>> {
        let dims: Vec<Key> = self.sampled().iter().map(Sampled::key).collect();
        let seeds = &self.axis(Key::Seed).values;
        let mut runs = Vec::new();
        for point in &self.points {
            for &seed_value in seeds {
                let (params, seed) =
                    self.settings_at(|axis| match dims.iter().position(|&k| k == axis.key) {
                        Some(d) => point[d],
                        None if axis.key == Key::Seed => seed_value,
                        None => axis.values[0],
                    });
                let settings = params.check().map_err(|e| {
                    let axis = Key::from_name(e.field).map_or(&self.axes[0], |k| self.axis(k));
                    self.setting_error(axis, &e.to_string())
                })?;
                runs.push(RunSpec {
                    index: runs.len(),
                    id: run_id(&settings, seed, data_fingerprint),
                    settings,
                    seed,
                });
            }
        }
        Ok(runs)
    }

    /// The label of a configuration: the article's four axes always, and any other setting
    /// that varies in this grid, e.g. `h=64 lr=0.02 clip=1 exact`.
    pub fn label(&self, settings: &SettingsParams) -> String {
        Key::configuration()
            .filter(|&k| k.setting().always_labelled || self.axis(k).values.len() > 1)
            .map(|k| k.labelled(&k.value_of(settings, 0)))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn first_params(&self) -> SettingsParams {
        self.settings_at(|axis| axis.values[0]).0
    }

    /// The settings and seed of the run that takes `pick(axis)` of every axis. An
    /// `eval_every` nobody gave is the article's 100, or `epochs` where that is fewer (so a
    /// short run is not refused over a default; for 100 epochs or more, as always, 100).
    fn settings_at(&self, pick: impl Fn(&Axis) -> Value) -> (SettingsParams, u64) {
        let mut params = SettingsParams::default();
        let mut seed = 0;
        for axis in &self.axes {
            let value = pick(axis);
            axis.key.apply(value, &mut params);
            if let (Key::Seed, Value::Integer(s)) = (axis.key, value) {
                seed = s;
            }
        }
        if self.eval_every_follows_epochs() {
            params.eval_every = params.epochs.min(SettingsParams::DEFAULT.eval_every);
        }
        (params, seed)
    }

    /// Whether some run's `eval_every` is a default other than the article's 100.
    fn short_runs_evaluate_at_their_end(&self) -> bool {
        let default = SettingsParams::DEFAULT.eval_every;
        self.eval_every_follows_epochs()
            && self
                .axis(Key::Epochs)
                .values
                .iter()
                .any(|v| v.as_f64().is_some_and(|e| e < default as f64))
    }

    /// Whether `eval_every` was not given, and so follows each run's epochs.
    fn eval_every_follows_epochs(&self) -> bool {
        self.axis(Key::EvalEvery).origin == Origin::Default
    }

    fn setting_error(&self, axis: &Axis, message: &str) -> Error {
        Error::experiment(&self.path, axis.location(), message.to_owned())
    }

    /// The experiment as resolved: every setting explicit, ranges expanded, data paths
    /// absolute, with the data's fingerprint. Valid input for `sweep run`.
    pub fn resolved_toml(&self, fingerprint: &str) -> String {
        let mut out = format!("name = {}\n", quote(&self.name));
        out += &format!("description = {}\n", quote(&self.description));
        out += &format!("{FINGERPRINT_COMMENT} {fingerprint}\n");
        for o in &self.overrides {
            // One comment line, whatever the value: a line break would end the comment.
            out += &format!("# with --set {}\n", o.one_line());
        }
        out += "\n[data]\n";
        for (key, path) in [("train", &self.train), ("test", &self.test)] {
            let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            out += &format!("{key} = {}\n", quote(&abs.display().to_string()));
        }
        for (section, in_grid) in [("train", false), ("grid", true)] {
            out += &format!("\n[{section}]\n");
            for axis in self.axes.iter().filter(|a| a.in_grid == in_grid) {
                if axis.key == Key::EvalEvery && self.short_runs_evaluate_at_their_end() {
                    out += "# eval_every: not given, so 100, or epochs where that is fewer\n";
                    continue;
                }
                if let Some(d) = axis.sampled {
                    let [lo, hi] = d.bounds().map(|b| toml_value(&b));
                    out += &format!("{} = {{ {} = [{lo}, {hi}] }}\n", axis.key.name(), d.name());
                    continue;
                }
                let values: Vec<String> = axis.values.iter().map(toml_value).collect();
                if in_grid {
                    out += &format!("{} = [{}]\n", axis.key.name(), values.join(", "));
                } else {
                    out += &format!("{} = {}\n", axis.key.name(), values[0]);
                }
            }
        }
        out + &self.search_toml() + &self.resolved_report()
    }

    /// The `[search]` table as resolved (nothing for a grid).
    fn search_toml(&self) -> String {
        let s = &self.search;
        if s.method == Method::Grid && s.halving.is_none() && s.race.is_none() {
            return String::new();
        }
        let mut out = format!("\n[search]\nmethod = {}\n", quote(s.method.name()));
        if self.is_search() {
            out += &format!("samples = {}\nseed = {}\n", s.samples, s.seed);
        }
        if let Some(h) = &s.halving {
            out += &format!(
                "\n[search.halving]\nmetric = {}\nrungs = {:?}\n",
                quote(h.metric.name()),
                h.rungs
            );
            out += &match &h.keep {
                crate::search::Keep::Counts(k) => format!("keep = {k:?}\n"),
                crate::search::Keep::Factor(f) => format!("reduction_factor = {f}\n"),
            };
        }
        if let Some(r) = &s.race {
            out += &r.toml();
        }
        out
    }

    /// The `[report]` table as given (nothing when it is empty).
    fn resolved_report(&self) -> String {
        let r = &self.report;
        if r.is_empty() {
            return String::new();
        }
        let list = |items: Vec<String>| {
            let quoted: Vec<String> = items.iter().map(|i| quote(i)).collect();
            format!("[{}]", quoted.join(", "))
        };
        let mut out = String::from("\n[report]\n");
        if !r.facet.is_empty() {
            out += &format!(
                "facet = {}\n",
                list(r.facet.iter().map(|k| k.name().to_owned()).collect())
            );
        }
        if let Some(color) = r.color {
            out += &format!("color = {}\n", quote(color.name()));
        }
        if !r.configs.is_empty() {
            out += &format!("configs = {}\n", list(r.configs.clone()));
        }
        if let Some((metric, _)) = &r.rank_by {
            out += &format!("rank_by = {}\n", quote(metric));
        }
        out
    }
}

/// The comment line of a resolved experiment that records its data fingerprint.
const FINGERPRINT_COMMENT: &str = "# data fingerprint (sha256 of the encoded data):";

/// The data fingerprint a resolved experiment ([`Experiment::resolved_toml`]) records, if
/// the text has one.
pub fn recorded_fingerprint(text: &str) -> Option<&str> {
    text.lines()
        .find_map(|l| l.strip_prefix(FINGERPRINT_COMMENT))
        .map(str::trim)
        .filter(|f| !f.is_empty())
}

fn toml_value(v: &Value) -> String {
    match v {
        Value::Gradient(g) => quote(g.name()),
        // `1` would read back as an integer; TOML floats need a dot or an exponent.
        Value::Float(_) => {
            let s = v.to_string();
            if s.chars().all(|c| c.is_ascii_digit() || c == '-') {
                format!("{s}.0")
            } else {
                s
            }
        }
        other => other.to_string(),
    }
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

#[cfg(test)]
mod tests;
