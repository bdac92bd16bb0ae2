//! Reading `[search.race]` (from the file or `--set search.race.KEY=VALUE`) and checking it
//! against the experiment: every error names the file, the line, the key, the value and
//! what is allowed, as the rest of `[search]` ([`super::parse`]).

use toml::Spanned;
use toml::de::DeValue;

use super::race::Race;
use crate::doc::Doc;
use crate::error::{Error, Location, Result};
use crate::metric::Metric;
use crate::number::fmt_f64;

const RACE_KEYS: [&str; 8] = [
    "metric",
    "first",
    "block",
    "budget",
    "alpha",
    "tolerance",
    "fresh",
    "reevaluate",
];

/// The metrics a race can rank by: every metric with one value per run.
const DEFAULT_METRIC: Metric = Metric::TestAcc1;

/// `[search.race]` as written, before it is checked against the seeds.
#[derive(Debug, Clone)]
pub(crate) struct RaceSpec {
    metric: Option<(Metric, usize)>,
    first: Option<(u64, usize)>,
    block: Option<u64>,
    budget: Option<(u64, usize)>,
    alpha: Option<(f64, usize)>,
    tolerance: Option<(f64, usize)>,
    fresh: Option<u64>,
    reevaluate: Option<u64>,
    at: usize,
    /// The `--set` that started the table, where the file has none: what its messages name.
    origin: Option<String>,
}

impl RaceSpec {
    pub(crate) fn new(at: usize, origin: Option<String>) -> RaceSpec {
        RaceSpec {
            metric: None,
            first: None,
            block: None,
            budget: None,
            alpha: None,
            tolerance: None,
            fresh: None,
            reevaluate: None,
            at,
            origin,
        }
    }

    /// An error about `key`, at `at` (the key's own line), or naming the `--set`.
    fn error_at(&self, doc: &Doc<'_>, key: &str, at: usize, message: impl Into<String>) -> Error {
        match &self.origin {
            Some(o) if at == 0 => {
                Error::experiment(doc.path, Location::Override(o.clone()), message)
            }
            _ => doc.error(key, at, message),
        }
    }

    /// An error about `key` at the table's line.
    pub(crate) fn error(&self, doc: &Doc<'_>, key: &str, message: impl Into<String>) -> Error {
        self.error_at(doc, key, self.at, message)
    }
}

/// The metrics a race can rank by, for messages.
fn metric_names() -> String {
    Metric::ALL
        .iter()
        .map(|m| m.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One key of `[search.race]`.
pub(crate) fn race_key(
    doc: &Doc<'_>,
    name: &str,
    v: &Spanned<DeValue<'_>>,
    at: usize,
    spec: &mut RaceSpec,
) -> Result<()> {
    let key = format!("search.race.{name}");
    match name {
        "metric" => {
            let text = doc.string(&key, v)?;
            let metric = Metric::from_name(&text).ok_or_else(|| {
                doc.error(
                    &key,
                    at,
                    format!(
                        "`{text}` is not a metric a race can rank by (a race compares one \
                         value per run, paired by seed); allowed: {}",
                        metric_names()
                    ),
                )
            })?;
            spec.metric = Some((metric, at));
        }
        "first" => spec.first = Some((doc.integer(&key, v, 1, 1_000_000)?, at)),
        "block" => spec.block = Some(doc.integer(&key, v, 1, 1_000_000)?),
        "budget" => spec.budget = Some((doc.integer(&key, v, 1, 1_000_000)?, at)),
        "fresh" => spec.fresh = Some(doc.integer(&key, v, 0, 1_000_000)?),
        "reevaluate" => spec.reevaluate = Some(doc.integer(&key, v, 1, 1_000_000)?),
        "alpha" => {
            let a = doc.float(&key, v)?;
            if !(a > 0.0 && a <= 0.5) {
                return Err(doc.error(
                    &key,
                    at,
                    format!(
                        "{} is not allowed: the probability of eliminating the best \
                         configuration, above 0 and at most 0.5 (e.g. 0.05)",
                        fmt_f64(a)
                    ),
                ));
            }
            spec.alpha = Some((a, at));
        }
        "tolerance" => spec.tolerance = Some((doc.float(&key, v)?, at)),
        _ => return Err(doc.unknown(&key, at, &RACE_KEYS)),
    }
    Ok(())
}

/// The race, checked against the `seeds` of the seed axis and the number of configurations.
pub(crate) fn check_race(doc: &Doc<'_>, r: RaceSpec, seeds: usize, configs: usize) -> Result<Race> {
    let at = |slot: Option<usize>| slot.unwrap_or(r.at);
    if configs < 2 {
        return Err(r.error(
            doc,
            "search.race",
            format!(
                "a race needs at least 2 configurations to compare; this experiment has \
                 {configs}: vary a setting in [grid], or draw samples in [search]"
            ),
        ));
    }
    let metric = r.metric.map_or(DEFAULT_METRIC, |(m, _)| m);
    let first = r.first.map_or(4, |(f, _)| f as usize);
    let block = r.block.unwrap_or(first as u64) as usize;
    let fresh = r.fresh.unwrap_or(0) as usize;
    let room = seeds.saturating_sub(fresh);
    let budget = r.budget.map_or(room, |(b, _)| b as usize);
    if budget + fresh > seeds {
        return Err(r.error_at(
            doc,
            "search.race.budget",
            at(r.budget.map(|b| b.1)),
            format!(
                "budget {budget} + fresh {fresh} seeds is more than the {seeds} seed(s) of \
                 the seed axis: allowed a budget from `first` ({first}) to {room}, or more \
                 seeds (`seed = {{ start = 0, count = N }}`)"
            ),
        ));
    }
    if budget < first {
        let (key, slot) = match r.budget {
            Some((_, a)) => ("search.race.budget", a),
            None => ("search.race.first", at(r.first.map(|f| f.1))),
        };
        return Err(r.error_at(
            doc,
            key,
            slot,
            format!(
                "a budget of {budget} seed(s) is below the first block ({first}): allowed a \
                 budget of at least `first`, at most the seeds of the seed axis less `fresh` \
                 ({room})"
            ),
        ));
    }
    let tolerance = check_tolerance(doc, &r, metric)?;
    Ok(Race {
        metric,
        first,
        block,
        budget,
        alpha: r.alpha.map_or(0.05, |(a, _)| a),
        tolerance,
        fresh,
        reevaluate: r.reevaluate.map(|k| k as usize),
    })
}

/// A tolerance is a difference of the metric, above 0 (and at most 1 for a share or an
/// accuracy).
fn check_tolerance(doc: &Doc<'_>, r: &RaceSpec, metric: Metric) -> Result<Option<f64>> {
    let Some((t, at)) = r.tolerance else {
        return Ok(None);
    };
    let unit = metric.is_unit_interval();
    if t > 0.0 && t.is_finite() && (!unit || t <= 1.0) {
        return Ok(Some(t));
    }
    let allowed = match unit {
        true => "a difference above 0 and at most 1 (`0.1`: 10 points of the share)",
        false => "a difference above 0 in the metric's unit",
    };
    Err(r.error_at(
        doc,
        "search.race.tolerance",
        at,
        format!(
            "{} is not allowed for `{}`: {allowed}",
            fmt_f64(t),
            metric.name()
        ),
    ))
}
