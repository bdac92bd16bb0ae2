//! What a report shows, decided once from the sweep and the user's [`Options`]: the
//! faceting of its figures ([`Layout`]), the order of its configurations (best first) and
//! which configurations get a figure of every seed's curve. The figures and `report.md`
//! both read it, so they always agree.

use super::article;
use super::plot::layout::{Choice, Layout, MAX_LEVELS, Swept};
use super::rank;
use super::tables::find_config;
use crate::error::{Error, Result};
use crate::results::Sweep;
use crate::results::metric::Metric;
use crate::settings::Key;

/// Every configuration gets its own curve figure up to this many configurations.
pub const ALL_CURVES: usize = 12;
/// Beyond that, the best this many do (with the article's and those asked for).
pub const BEST_CURVES: usize = 3;

/// What the user may choose about a report (`sweep report --facet --color --config
/// --rank-by`); `sweep run` uses the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Settings that split the figures into panels: columns, then rows (at most two).
    pub facet: Vec<Key>,
    /// The setting that colours the series.
    pub color: Option<Key>,
    /// Configurations whose every-seed curves are drawn whatever the grid's size.
    pub configs: Vec<String>,
    /// The metric the configurations are ranked by.
    pub rank_by: Metric,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            facet: Vec::new(),
            color: None,
            configs: Vec::new(),
            rank_by: rank::DEFAULT,
        }
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
        let summaries: Vec<_> = sweep.configs.iter().map(|c| &c.summary).collect();
        let ranked = rank::order(&summaries, options.rank_by);
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
            rank_by: options.rank_by,
            ranked,
            curves,
            article,
        })
    }
}

/// The sweep's swept settings and how many values each takes.
pub fn swept(sweep: &Sweep) -> Vec<Swept> {
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
