//! Reading search experiments: an axis's distribution in `[grid]` (`{ log = [1e-3, 1.0] }`,
//! `{ uniform = [0.5, 5.0] }`, `{ int = [8, 128] }`, `{ log_int = [8, 128] }`) and the
//! `[search]` table with its `[search.halving]` and `[search.race]`, checked by the same rules as the rest of
//! the file: every error names the file, the line, the key, the value and what is allowed.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::halving::{Halving, Keep};
use super::space::{Axis, Distribution, Method, SOBOL_MAX_DIMENSIONS, SOBOL_MAX_SAMPLES, Search};
use crate::doc::{Doc, describe};
use crate::error::{Error, Location, Result};
use crate::number::fmt_f64;
use crate::settings::{Key, Kind, SettingsParams, Value};
use crate::train::Curve;

pub(crate) const SEARCH_KEYS: [&str; 5] = ["method", "samples", "seed", "halving", "race"];
const HALVING_KEYS: [&str; 5] = ["metric", "rungs", "min_epochs", "reduction_factor", "keep"];

/// `[search]` as written, before it is checked against the axes.
#[derive(Debug, Clone, Default)]
pub(crate) struct SearchSpec {
    search: Search,
    halving: Option<HalvingSpec>,
    race: Option<super::race_parse::RaceSpec>,
    /// The keys given that only a drawn search uses (`samples`, `seed`).
    draw_keys: Vec<&'static str>,
}

#[derive(Debug, Clone)]
pub(crate) struct HalvingSpec {
    metric: Option<Curve>,
    rungs: Option<Vec<u64>>,
    min_epochs: Option<u64>,
    factor: Option<u64>,
    keep: Option<Vec<usize>>,
    at: usize,
    /// The `--set` that started the table, where the file has none: what its messages name.
    origin: Option<String>,
}

impl SearchSpec {
    /// Its `[search.halving]`, made empty if there was none (by the override `origin`, which
    /// its messages then name).
    pub(crate) fn halving_mut(&mut self, origin: String) -> &mut HalvingSpec {
        self.halving.get_or_insert_with(|| HalvingSpec {
            origin: Some(origin),
            ..HalvingSpec::at(0)
        })
    }
}

impl SearchSpec {
    /// Its `[search.race]`, made empty if there was none (by the override `origin`).
    pub(crate) fn race_mut(&mut self, origin: String) -> &mut super::race_parse::RaceSpec {
        self.race
            .get_or_insert_with(|| super::race_parse::RaceSpec::new(0, Some(origin)))
    }
}

impl HalvingSpec {
    /// A `--set` of `key` replaces the key of the file it is the alternative to (`keep` or
    /// `reduction_factor`, `rungs` or `min_epochs`): an override cannot remove a key, and
    /// the two together are refused.
    pub(crate) fn replace_alternative(&mut self, key: &str) {
        match key {
            "keep" if self.min_epochs.is_none() => self.factor = None,
            "reduction_factor" if self.min_epochs.is_none() => self.keep = None,
            "rungs" => self.min_epochs = None,
            "min_epochs" => self.rungs = None,
            _ => {}
        }
    }

    /// An error about key `key` of this table: at its line, or naming the `--set` that
    /// started it.
    fn error(&self, doc: &Doc<'_>, key: &str, message: impl Into<String>) -> Error {
        match &self.origin {
            Some(o) => Error::experiment(doc.path, Location::Override(o.clone()), message),
            None => doc.error(key, self.at, message),
        }
    }

    /// An empty `[search.halving]` given at `at`.
    fn at(at: usize) -> HalvingSpec {
        HalvingSpec {
            metric: None,
            rungs: None,
            min_epochs: None,
            factor: None,
            keep: None,
            at,
            origin: None,
        }
    }
}

/// The distribution `v` gives a `[grid]` key, or `None` when it is a list or a range of
/// values (`{ log = [a, b], n = 5 }`, `{ start = 0, count = 4 }`).
pub(crate) fn distribution(
    doc: &Doc<'_>,
    key: &str,
    setting: Key,
    v: &Spanned<DeValue<'_>>,
) -> Result<Option<Distribution>> {
    let DeValue::Table(t) = v.get_ref() else {
        return Ok(None);
    };
    let names: Vec<&str> = t.iter().map(|(k, _)| k.get_ref().as_ref()).collect();
    let [name] = names[..] else { return Ok(None) };
    let Some((_, bounds)) = t.iter().next() else {
        return Ok(None);
    };
    let dotted = format!("{key}.{name}");
    let at = v.span().start;
    let d = match (name, setting.kind()) {
        ("log" | "uniform", Kind::Float) => {
            let [a, b] = pair(doc, &dotted, bounds, |k, x| doc.float(k, x))?;
            if name == "log" {
                Distribution::Log(a, b)
            } else {
                Distribution::Uniform(a, b)
            }
        }
        ("int" | "log_int", Kind::Integer) if setting != Key::Seed => {
            let [a, b] = pair(doc, &dotted, bounds, |k, x| doc.integer(k, x, 0, u64::MAX))?;
            if name == "int" {
                Distribution::Int(a, b)
            } else {
                Distribution::LogInt(a, b)
            }
        }
        ("log" | "uniform" | "int" | "log_int", _) => {
            let fits = match setting.kind() {
                Kind::Float => "`log` or `uniform`",
                Kind::Integer if setting != Key::Seed => "`int` or `log_int`",
                _ => "none: list its values",
            };
            return Err(doc.error(
                &dotted,
                at,
                format!(
                    "`{}` cannot be drawn from `{name}`; allowed: {fits}",
                    setting.name()
                ),
            ));
        }
        _ => return Ok(None),
    };
    check_bounds(doc, &dotted, setting, d, at)?;
    Ok(Some(d))
}

/// `[low, high]` of two values of one kind.
fn pair<T>(
    doc: &Doc<'_>,
    key: &str,
    v: &Spanned<DeValue<'_>>,
    each: impl Fn(&str, &Spanned<DeValue<'_>>) -> Result<T>,
) -> Result<[T; 2]> {
    match v.get_ref() {
        DeValue::Array(items) if items.len() == 2 => {
            Ok([each(key, &items[0])?, each(key, &items[1])?])
        }
        other => Err(doc.error(
            key,
            v.span().start,
            format!("expected `[low, high]`, found {}", describe(other)),
        )),
    }
}

/// Bounds in order, positive for a log scale, and values the setting allows.
fn check_bounds(doc: &Doc<'_>, key: &str, setting: Key, d: Distribution, at: usize) -> Result<()> {
    let [lo, hi] = d.bounds().map(|b| b.as_f64().unwrap_or(f64::NAN));
    let log = matches!(d, Distribution::Log(..) | Distribution::LogInt(..));
    let why = if !(lo < hi || (lo == hi && matches!(d, Distribution::Int(..)))) {
        Some("need low < high".to_owned())
    } else if log && lo <= 0.0 {
        Some("a log scale needs low > 0".to_owned())
    } else {
        let params = SettingsParams::default();
        let allowed = setting.setting().allowed;
        d.bounds()
            .into_iter()
            .find(|&b| !allowed.admits(b, &params))
            .map(|b| {
                format!(
                    "{b} is not a value of `{}` ({})",
                    setting.name(),
                    allowed.describe(&params)
                )
            })
    };
    match why {
        Some(why) => Err(doc.error(
            key,
            at,
            format!("[{}, {}] is not allowed: {why}", fmt_f64(lo), fmt_f64(hi)),
        )),
        None => Ok(()),
    }
}

/// `[search]`.
pub(crate) fn search(doc: &Doc<'_>, t: &DeTable<'_>) -> Result<SearchSpec> {
    let mut spec = SearchSpec::default();
    for (k, v) in t.iter() {
        search_key(doc, k.get_ref(), v, k.span().start, &mut spec)?;
    }
    Ok(spec)
}

/// One key of `[search]` (from the file, or a `--set search.KEY=VALUE`).
pub(crate) fn search_key(
    doc: &Doc<'_>,
    name: &str,
    v: &Spanned<DeValue<'_>>,
    at: usize,
    spec: &mut SearchSpec,
) -> Result<()> {
    let key = format!("search.{name}");
    match name {
        "method" => {
            let name = doc.string(&key, v)?;
            spec.search.method = Method::parse(&name).ok_or_else(|| {
                doc.error(
                    &key,
                    at,
                    format!(
                        "`{name}` is not a search method; allowed: {}",
                        Method::NAMES.join(", ")
                    ),
                )
            })?;
        }
        "samples" => {
            spec.search.samples = doc.integer(&key, v, 1, 1_000_000)? as usize;
            spec.draw_keys.push("samples");
        }
        "seed" => {
            spec.search.seed = doc.integer(&key, v, 0, u64::MAX)?;
            spec.draw_keys.push("seed");
        }
        "halving" => {
            let halving = spec.halving.get_or_insert_with(|| HalvingSpec::at(at));
            for (k, v) in doc.table(&key, v)?.iter() {
                halving_key(doc, k.get_ref(), v, k.span().start, halving)?;
            }
        }
        "race" => {
            let race = spec
                .race
                .get_or_insert_with(|| super::race_parse::RaceSpec::new(at, None));
            for (k, v) in doc.table(&key, v)?.iter() {
                super::race_parse::race_key(doc, k.get_ref(), v, k.span().start, race)?;
            }
        }
        _ => return Err(doc.unknown(&key, at, &SEARCH_KEYS)),
    }
    Ok(())
}

/// One key of `[search.halving]`.
pub(crate) fn halving_key(
    doc: &Doc<'_>,
    name: &str,
    v: &Spanned<DeValue<'_>>,
    at: usize,
    spec: &mut HalvingSpec,
) -> Result<()> {
    let key = format!("search.halving.{name}");
    let list = |min: u64| -> Result<Vec<u64>> {
        let DeValue::Array(items) = v.get_ref() else {
            return Err(doc.error(
                &key,
                at,
                format!(
                    "expected a list of integers, found {}",
                    describe(v.get_ref())
                ),
            ));
        };
        items
            .iter()
            .map(|x| doc.integer(&key, x, min, u64::MAX))
            .collect()
    };
    match name {
        "metric" => {
            let name = doc.string(&key, v)?;
            spec.metric = Some(Curve::from_name(&name).ok_or_else(|| {
                let all: Vec<&str> = Curve::ALL.iter().map(|c| c.name()).collect();
                doc.error(
                    &key,
                    at,
                    format!(
                        "`{name}` is not a metric halving can rank by; allowed: {}",
                        all.join(", ")
                    ),
                )
            })?);
        }
        "rungs" => spec.rungs = Some(list(1)?),
        "min_epochs" => spec.min_epochs = Some(doc.integer(&key, v, 1, u64::MAX)?),
        "reduction_factor" => spec.factor = Some(doc.integer(&key, v, 2, 1000)?),
        "keep" => spec.keep = Some(list(1)?.into_iter().map(|x| x as usize).collect()),
        _ => return Err(doc.unknown(&key, at, &HALVING_KEYS)),
    }
    Ok(())
}

/// The search, checked against the axes: distributions only for a random or Sobol
/// search, which needs `samples`; the generator's limits; a halving schedule that fits
/// the epochs.
pub(crate) fn check_search(
    doc: &Doc<'_>,
    spec: Option<(SearchSpec, usize)>,
    axes: &[Axis],
) -> Result<Search> {
    let (spec, at) = spec.unwrap_or_default();
    let mut search = spec.search;
    let sampled: Vec<&Axis> = axes.iter().filter(|a| a.sampled.is_some()).collect();
    match search.method {
        Method::Grid => {
            if let Some(k) = spec.draw_keys.first() {
                return Err(doc.error(
                    &format!("search.{k}"),
                    at,
                    format!(
                        "`{k}` applies to a drawn search (method = \"random\" or \"sobol\"); \
                         this experiment is a grid, which trains every combination"
                    ),
                ));
            }
            if let Some(a) = sampled.first() {
                return Err(Error::experiment(
                    doc.path,
                    a.location(),
                    format!(
                        "a distribution (`{}`) needs a search: add `[search]` with \
                         `method = \"random\"` or `\"sobol\"` and `samples`, or give a list of \
                         values",
                        a.sampled.map_or("", |d| d.name())
                    ),
                ));
            }
        }
        Method::Random | Method::Sobol => {
            if search.samples == 0 {
                return Err(doc.error(
                    "search.samples",
                    at,
                    "missing: how many configurations to draw (an integer from 1 to 1000000)",
                ));
            }
            check_sobol(doc, &search, axes, at)?;
        }
    }
    let configs = match search.method {
        Method::Grid => axes
            .iter()
            .filter(|a| a.key != Key::Seed)
            .map(|a| a.values.len())
            .fold(1usize, usize::saturating_mul),
        Method::Random | Method::Sobol => search.samples,
    };
    if let (Some(_), Some(r)) = (&spec.halving, &spec.race) {
        return Err(r.error(
            doc,
            "search.race",
            "a race and successive halving cannot share a search: halving ranks every \
             configuration on all its seeds at each rung, the race stops configurations after \
             blocks of seeds; give one of `[search.halving]` and `[search.race]`",
        ));
    }
    if let Some(h) = spec.halving {
        search.halving = Some(check_halving(doc, h, axes, configs)?);
    }
    if let Some(r) = spec.race {
        let seeds = axes[Key::Seed.index()].values.len();
        search.race = Some(super::race_parse::check_race(doc, r, seeds, configs)?);
    }
    Ok(search)
}

fn check_sobol(doc: &Doc<'_>, search: &Search, axes: &[Axis], at: usize) -> Result<()> {
    if search.method != Method::Sobol {
        return Ok(());
    }
    let dims = axes
        .iter()
        .filter(|a| a.key != Key::Seed && (a.sampled.is_some() || a.values.len() > 1))
        .count();
    if search.samples > SOBOL_MAX_SAMPLES || dims > SOBOL_MAX_DIMENSIONS {
        return Err(doc.error(
            "search.samples",
            at,
            format!(
                "{} samples over {dims} sampled settings is beyond the Sobol generator: at \
                 most {SOBOL_MAX_SAMPLES} samples and {SOBOL_MAX_DIMENSIONS} settings (use \
                 method = \"random\" for more)",
                search.samples
            ),
        ));
    }
    Ok(())
}

/// Rungs increasing and before the last epoch (given, or `min_epochs` times powers of
/// the reduction factor); at evaluation epochs when ranking by a test metric; one count
/// to keep per rung, each at least 1.
/// The rungs given, or generated from `min_epochs` by the reduction factor, increasing
/// and each before the last epoch.
fn rungs(doc: &Doc<'_>, h: &HalvingSpec, epochs: u64, factor: u64) -> Result<Vec<u64>> {
    let key = "search.halving.rungs";
    let rungs = match (&h.rungs, h.min_epochs) {
        (Some(r), _) => r.clone(),
        (None, Some(min)) => {
            let mut r = vec![min];
            while let Some(next) = r.last().map(|&x| x * factor).filter(|&x| x < epochs) {
                r.push(next);
            }
            r
        }
        (None, None) => {
            return Err(h.error(
                doc,
                key,
                "missing: give `rungs = [100, 300]` or `min_epochs` (with `reduction_factor`)",
            ));
        }
    };
    let bad = rungs.windows(2).any(|w| w[0] >= w[1]) || rungs.last().is_some_and(|&r| r >= epochs);
    if rungs.is_empty() || bad {
        return Err(h.error(
            doc,
            key,
            format!(
                "{rungs:?} is not allowed: one or more epochs, increasing, each before the \
                 last epoch ({epochs})"
            ),
        ));
    }
    Ok(rungs)
}

/// A test metric is measured only at evaluations: every rung must be one.
fn check_evaluated(
    doc: &Doc<'_>,
    h: &HalvingSpec,
    metric: Curve,
    rungs: &[u64],
    axes: &[Axis],
    epochs: u64,
) -> Result<()> {
    if !metric.is_test() {
        return Ok(());
    }
    let axis = &axes[Key::EvalEvery.index()];
    let every = match axis.values[..] {
        [Value::Integer(e)] if axis.origin != crate::doc::Origin::Default => e,
        _ => epochs.min(SettingsParams::DEFAULT.eval_every),
    };
    match rungs.iter().find(|&&r| r % every != 0) {
        Some(r) => Err(h.error(
            doc,
            "search.halving.rungs",
            format!(
                "rung {r} is not an evaluation epoch, so `{}` is not measured there: with \
                 eval_every = {every}, use multiples of {every}",
                metric.name()
            ),
        )),
        None => Ok(()),
    }
}

/// Keys of `[search.halving]` that would be silently ignored beside others: `min_epochs`
/// beside `rungs`, `reduction_factor` beside `keep` when it generates no rungs.
fn check_conflicts(doc: &Doc<'_>, h: &HalvingSpec) -> Result<()> {
    let conflict = match (&h.rungs, h.min_epochs, &h.keep, h.factor) {
        (Some(_), Some(_), _, _) => Some(("min_epochs", "rungs", "rungs are given")),
        (_, None, Some(_), Some(_)) => Some((
            "reduction_factor",
            "keep",
            "keep gives the counts and no min_epochs needs the factor",
        )),
        _ => None,
    };
    match conflict {
        Some((unused, by, why)) => Err(h.error(
            doc,
            &format!("search.halving.{unused}"),
            format!("`{unused}` would be ignored beside `{by}` ({why}): give one of them"),
        )),
        None => Ok(()),
    }
}

/// `keep`: one count per rung, decreasing, the first below the number of configurations
/// (else the first rung stops nothing and halving costs more than no halving).
fn check_keep(doc: &Doc<'_>, h: &HalvingSpec, rungs: usize, configs: usize) -> Result<Keep> {
    let Some(k) = &h.keep else {
        return Ok(Keep::Factor(h.factor.unwrap_or(3)));
    };
    let why = if k.len() != rungs {
        format!("one count per rung ({rungs} rungs)")
    } else if k.windows(2).any(|w| w[1] > w[0]) {
        "counts that do not increase (a rung keeps at most what the one before kept)".into()
    } else if k[0] >= configs {
        format!(
            "counts below the {configs} configurations (keeping them all at the first rung \
             costs more than no halving)"
        )
    } else {
        return Ok(Keep::Counts(k.clone()));
    };
    Err(h.error(
        doc,
        "search.halving.keep",
        format!("{k:?} is not allowed: {why}, each at least 1"),
    ))
}

fn check_halving(doc: &Doc<'_>, h: HalvingSpec, axes: &[Axis], configs: usize) -> Result<Halving> {
    check_conflicts(doc, &h)?;
    let metric = h.metric.ok_or_else(|| {
        h.error(
            doc,
            "search.halving.metric",
            "missing: the metric to rank configurations by at each rung (e.g. \"train_loss\")",
        )
    })?;
    let epochs_axis = &axes[Key::Epochs.index()];
    let key = |k: &str| format!("search.halving.{k}");
    let [Value::Integer(epochs)] = epochs_axis.values[..] else {
        return Err(h.error(
            doc,
            &key("rungs"),
            "successive halving needs one number of epochs for every configuration \
             (`epochs` is swept or sampled)",
        ));
    };
    let factor = h.factor.unwrap_or(3);
    let rungs = rungs(doc, &h, epochs, factor)?;
    check_evaluated(doc, &h, metric, &rungs, axes, epochs)?;
    let keep = check_keep(doc, &h, rungs.len(), configs)?;
    Ok(Halving {
        metric,
        rungs,
        keep,
    })
}
