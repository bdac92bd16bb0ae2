//! What a report shows, decided once from the sweep and the user's [`Options`] (the
//! experiment's `[report]` table and `sweep report`'s flags): the
//! faceting of its figures ([`Layout`]), the order of its configurations (best first) and
//! which configurations get a figure of every seed's curve. The figures and `report.md`
//! both read it, so they always agree.

use std::path::Path;

use super::article;
use super::best;
use super::epoch_tables::find_config;
use super::plot::layout::{Choice, Layout, MAX_LEVELS, Swept};
use crate::error::{Error, Result};
use crate::experiment::{Experiment, ReportKeys};
use crate::metric::{Metric, summarised_named};
use crate::search::Halving;
use crate::search::race::Race;
use crate::settings::Key;
use crate::store::EXPERIMENT;
use crate::tables::Sweep;

/// Every configuration gets its own curve figure up to this many configurations.
pub(crate) const ALL_CURVES: usize = 12;
/// Beyond that, the best this many do (with the article's and those asked for).
pub(crate) const BEST_CURVES: usize = 3;

/// What the user may choose about a report: the experiment's `[report]` table, with
/// `sweep report`'s flags laid over it ([`Options::overlay`]); `sweep run` uses the table.
/// Empty or `None` fields follow the report's own rules.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// Settings that split the figures into panels: columns, then rows (at most two).
    pub facet: Vec<Key>,
    /// The setting that colours the series.
    pub color: Option<Key>,
    /// Configurations whose every-seed curves are drawn whatever the grid's size.
    pub configs: Vec<String>,
    /// The metric the configurations are ranked by [default: [`best::DEFAULT`], or for a
    /// successive halving search the final value of the metric it ranked by].
    pub rank_by: Option<Metric>,
    /// The successive halving schedule of the recorded experiment, if it has one (not a
    /// user's choice: where the report comes from).
    pub halving: Option<Halving>,
    /// The race over seeds of the recorded experiment, if it has one.
    pub race: Option<Race>,
}

impl Options {
    /// The options of an experiment's `[report]` table, read from `path`; a metric name it
    /// does not know is an error naming the file and line.
    pub fn from_keys(keys: &ReportKeys, path: &Path) -> Result<Options> {
        let rank_by = match &keys.rank_by {
            None => None,
            Some((name, origin)) => Some(summarised_named(name).map_err(|message| {
                Error::experiment(path, origin.location("report.rank_by".into()), message)
            })?),
        };
        Ok(Options {
            facet: keys.facet.clone(),
            color: keys.color,
            configs: keys.configs.clone(),
            rank_by,
            halving: None,
            race: None,
        })
    }

    /// The options a results directory's recorded experiment gives (none without one).
    pub fn recorded(dir: &Path) -> Result<Options> {
        let path = dir.join(EXPERIMENT);
        if !path.exists() {
            return Ok(Options::default());
        }
        let exp = Experiment::load(&path)?;
        let mut options = Options::from_keys(&exp.report, &path)?;
        options.halving = exp.search.halving.clone();
        if let Some(h) = &options.halving {
            options.rank_by = options.rank_by.or(Some(Metric::final_of(h.metric)));
        }
        options.race = exp.search.race.clone();
        if let Some(r) = options.race.as_ref().filter(|r| r.metric.info().summarised) {
            options.rank_by = options.rank_by.or(Some(r.metric));
        }
        Ok(options)
    }

    /// `self` with `flags` over it: a setting or metric given replaces this one's (a
    /// setting the flags move between facet and colour leaves its old place), and
    /// configurations add to this one's.
    pub fn overlay(mut self, flags: &Options) -> Options {
        if !flags.facet.is_empty() {
            self.facet = flags.facet.clone();
            // The table's colour gives way to a flag's facet.
            self.color = self.color.filter(|c| !flags.facet.contains(c));
        }
        if let Some(color) = flags.color {
            // And the table's facets to a flag's colour.
            self.facet
                .retain(|&k| k != color || flags.facet.contains(&k));
            self.color = Some(color);
        }
        for c in &flags.configs {
            if !self.configs.contains(c) {
                self.configs.push(c.clone());
            }
        }
        self.rank_by = flags.rank_by.or(self.rank_by);
        self
    }
}

/// The report's decisions.
#[derive(Debug, Clone)]
pub struct Outline {
    pub layout: Layout,
    pub rank_by: Metric,
    /// Indices into the sweep's configurations, best first.
    pub ranked: Vec<usize>,
    /// The configurations whose every-seed curves are drawn, in the order drawn.
    pub curves: Vec<usize>,
    /// The configuration with the article's settings, if the sweep has one.
    pub article: Option<usize>,
    /// The successive halving schedule, for a search that used one.
    pub halving: Option<Halving>,
    /// The race over seeds, for an experiment that raced.
    pub race: Option<Race>,
}

impl Outline {
    /// Checks `options` against `sweep` (an axis it does not sweep, a label it does not
    /// have: a usage error) and decides the rest.
    pub fn new(sweep: &Sweep, options: &Options) -> Result<Outline> {
        let swept = swept(sweep);
        check_axes(&swept, options)?;
        let choice = Choice {
            facet: options.facet.clone(),
            color: options.color,
        };
        let layout = Layout::choose(&swept, &choice);
        let rank_by = options.rank_by.unwrap_or(best::DEFAULT);
        let summaries: Vec<_> = sweep.configs.iter().map(|c| &c.summary).collect();
        let ranked = best::order(&summaries, rank_by);
        let article = sweep
            .configs
            .iter()
            .position(|c| article::is_articles(&c.summary.settings));
        let mut named = Vec::new();
        for label in &options.configs {
            let config = find_config(sweep, label).map_err(Error::Usage)?;
            named.extend(sweep.configs.iter().position(|c| c.label == config.label));
        }
        let curves = if sweep.configs.len() <= ALL_CURVES {
            (0..sweep.configs.len()).collect()
        } else {
            let mut list: Vec<usize> = ranked.iter().take(BEST_CURVES).copied().collect();
            list.extend(article);
            list.extend(named);
            let mut seen = std::collections::HashSet::new();
            list.retain(|i| seen.insert(*i));
            list
        };
        Ok(Outline {
            layout,
            rank_by,
            ranked,
            curves,
            article,
            halving: options.halving.clone(),
            race: options.race.clone(),
        })
    }
}

/// The sweep's swept settings and how many values each takes.
pub(crate) fn swept(sweep: &Sweep) -> Vec<Swept> {
    sweep
        .varying
        .iter()
        .map(|&key| Swept {
            key,
            values: sweep.axis_values(key).len(),
        })
        .collect()
}

/// `--facet` and `--color` must name swept settings of few enough values, each once.
fn check_axes(swept: &[Swept], options: &Options) -> Result<()> {
    let names: Vec<&str> = swept.iter().map(|s| s.key.name()).collect();
    let listed = if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    };
    if options.facet.len() > 2 {
        return Err(Error::Usage(format!(
            "--facet takes at most two settings (columns, then rows); got {}",
            options.facet.len()
        )));
    }
    let chosen = options.facet.iter().map(|k| ("--facet", k));
    let mut seen = Vec::new();
    for (flag, key) in chosen.chain(options.color.iter().map(|k| ("--color", k))) {
        let Some(s) = swept.iter().find(|s| s.key == *key) else {
            return Err(Error::Usage(format!(
                "{flag} {}: this sweep does not vary {}; its swept settings: {listed}",
                key.name(),
                key.name()
            )));
        };
        if s.values > MAX_LEVELS {
            return Err(Error::Usage(format!(
                "{flag} {}: it takes {} values, and panels and colours need at most \
                 {MAX_LEVELS}; its figures plot it along a continuous axis instead",
                key.name(),
                s.values
            )));
        }
        if seen.contains(key) {
            return Err(Error::Usage(format!(
                "{} is named twice among --facet and --color",
                key.name()
            )));
        }
        seen.push(*key);
    }
    Ok(())
}
