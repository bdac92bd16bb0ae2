//! Which swept settings the figures of one report split into panels and which they colour
//! by: the faceting rule, applied once per report so that every figure agrees (a colour
//! means the same value of the same setting everywhere).
//!
//! The rule, given the swept settings and the number of values each takes:
//! 1. A setting of at most [`MAX_LEVELS`] values is *categorical*; one of more (a sampled
//!    axis of a random search) is *continuous*: plotted along a continuous x axis, never a
//!    colour or a panel.
//! 2. The colour is `--color` if given, else the categorical setting with the fewest values
//!    (ties: the last in the canonical order, so the gradient variant before the clip, the
//!    learning rate or the hidden size), if it has at most [`MAX_COLOURS`].
//! 3. Every other categorical setting splits the figure into panels: `--facet` names the
//!    columns (and then the rows); otherwise the setting with the most values makes the
//!    columns and the next the rows (ties: canonical order), and any further ones join the
//!    rows (one row per combination). A single facet of more than [`WRAP`] values wraps into rows.
//! 4. When a continuous setting is swept or the grid would exceed [`MAX_PANELS`] panels, the
//!    curve figures instead show one panel with every configuration's median in grey and
//!    the best [`HIGHLIGHTED`] (by the report's ranking) in colour.

use crate::settings::Key;

/// At most this many values make a setting categorical (a colour, a panel, a heatmap row).
pub(crate) const MAX_LEVELS: usize = 10;
/// At most this many series share a panel: the most values a colour setting may have.
pub(crate) const MAX_COLOURS: usize = 8;
/// At most this many panels in one figure.
pub(crate) const MAX_PANELS: usize = 60;
/// A lone facet setting of more values than this wraps into several rows of panels.
pub(crate) const WRAP: usize = 5;
/// Configurations drawn in colour when the figures cannot be split into panels.
pub(crate) const HIGHLIGHTED: usize = 6;

/// A swept setting and how many distinct values it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub key: Key,
    pub values: usize,
}

impl Swept {
    pub fn categorical(self) -> bool {
        self.values <= MAX_LEVELS
    }
}

/// The faceting of a report's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The setting whose value gives a series its colour.
    pub color: Option<Key>,
    /// Panels left to right.
    pub columns: Option<Key>,
    /// Panels top to bottom (a combination of settings when more than one).
    pub rows: Vec<Key>,
    /// Columns per row when a lone facet setting wraps (0: no wrapping).
    pub wrap: usize,
    /// Why the curve figures highlight the best configurations instead of splitting into
    /// panels (`None`: they split).
    pub highlight: Option<String>,
}

/// What the user asked for (`--facet`, `--color`), checked against the sweep elsewhere.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choice {
    pub facet: Vec<Key>,
    pub color: Option<Key>,
}

impl Layout {
    /// The layout of a sweep whose swept settings are `swept` (canonical order).
    pub fn choose(swept: &[Swept], choice: &Choice) -> Layout {
        let categorical: Vec<Swept> = swept.iter().copied().filter(|s| s.categorical()).collect();
        let color = choice.color.or_else(|| {
            // The last of the fewest: `min_by_key` keeps the first, so walk backwards.
            categorical
                .iter()
                .rev()
                .filter(|s| s.values <= MAX_COLOURS && !choice.facet.contains(&s.key))
                .min_by_key(|s| s.values)
                .map(|s| s.key)
        });
        let mut rest: Vec<Swept> = categorical
            .iter()
            .copied()
            .filter(|s| Some(s.key) != color && !choice.facet.contains(&s.key))
            .collect();
        // Most values first (a stable sort keeps the canonical order among equals).
        rest.sort_by_key(|s| std::cmp::Reverse(s.values));
        let mut facets: Vec<Key> = choice.facet.clone();
        facets.extend(rest.iter().map(|s| s.key));
        let count = |k: Key| swept.iter().find(|s| s.key == k).map_or(1, |s| s.values);
        let columns = facets.first().copied();
        let rows: Vec<Key> = facets.iter().skip(1).copied().collect();
        let wrap = match columns {
            Some(c) if rows.is_empty() && count(c) > WRAP => WRAP,
            _ => 0,
        };
        let panels: usize = facets.iter().map(|&k| count(k)).product();
        let continuous: Vec<&str> = swept
            .iter()
            .filter(|s| !s.categorical())
            .map(|s| s.key.name())
            .collect();
        let highlight = if !continuous.is_empty() {
            Some(format!(
                "{} take(s) more than {MAX_LEVELS} values",
                continuous.join(", ")
            ))
        } else if panels > MAX_PANELS {
            Some(format!(
                "splitting by {} would take {panels} panels (at most {MAX_PANELS})",
                names(&facets)
            ))
        } else {
            None
        };
        Layout {
            color,
            columns,
            rows,
            wrap,
            highlight,
        }
    }

    /// The rule's outcome in words, for the report: `columns: learning_rate, rows: clip,
    /// colour: gradient`.
    pub fn describe(&self) -> String {
        if let Some(why) = &self.highlight {
            return format!(
                "one panel, every configuration's median in grey and the best {HIGHLIGHTED} \
                 in colour, here by rank ({why})"
            );
        }
        let mut parts = Vec::new();
        if let Some(c) = self.columns {
            parts.push(format!("panels by {}", c.name()));
        }
        if !self.rows.is_empty() {
            parts.push(format!("rows by {}", names(&self.rows)));
        }
        if let Some(c) = self.color {
            parts.push(format!("colour by {}", c.name()));
        }
        if parts.is_empty() {
            "one panel".into()
        } else {
            parts.join(", ")
        }
    }
}

/// `a x b x c`
pub(crate) fn names(keys: &[Key]) -> String {
    let names: Vec<&str> = keys.iter().map(|k| k.name()).collect();
    names.join(" x ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn swept(list: &[(Key, usize)]) -> Vec<Swept> {
        list.iter()
            .map(|&(key, values)| Swept { key, values })
            .collect()
    }

    #[test]
    fn the_baseline_is_one_panel_coloured_by_gradient() {
        let l = Layout::choose(&swept(&[(Key::Gradient, 2)]), &Choice::default());
        assert_eq!(l.color, Some(Key::Gradient));
        assert_eq!(
            (l.columns, l.rows.len(), l.highlight.clone()),
            (None, 0, None)
        );
        assert_eq!(l.describe(), "colour by gradient");
    }

    #[test]
    fn three_axes_give_rows_columns_and_colour() {
        let axes = swept(&[(Key::LearningRate, 5), (Key::Clip, 4), (Key::Gradient, 2)]);
        let l = Layout::choose(&axes, &Choice::default());
        assert_eq!(l.color, Some(Key::Gradient));
        assert_eq!(l.columns, Some(Key::LearningRate));
        assert_eq!(l.rows, [Key::Clip]);
        assert_eq!(l.highlight, None);
        // The user's choice wins, and the rest still finds a place.
        let mine = Choice {
            facet: vec![Key::Clip],
            color: Some(Key::LearningRate),
        };
        let l = Layout::choose(&axes, &mine);
        assert_eq!(l.color, Some(Key::LearningRate));
        assert_eq!(l.columns, Some(Key::Clip));
        assert_eq!(l.rows, [Key::Gradient]);
    }

    #[test]
    fn a_sampled_axis_or_too_many_panels_highlights_the_best() {
        let l = Layout::choose(
            &swept(&[(Key::LearningRate, 200), (Key::Gradient, 2)]),
            &Choice::default(),
        );
        assert_eq!(l.color, Some(Key::Gradient));
        assert!(l.highlight.unwrap().contains("learning_rate"));
        let l = Layout::choose(
            &swept(&[
                (Key::HiddenSize, 8),
                (Key::LearningRate, 10),
                (Key::Clip, 10),
            ]),
            &Choice::default(),
        );
        assert!(l.highlight.unwrap().contains("100 panels"));
    }

    #[test]
    fn one_axis_of_many_values_wraps_its_panels() {
        let l = Layout::choose(&swept(&[(Key::Clip, 9)]), &Choice::default());
        assert_eq!((l.color, l.columns, l.wrap), (None, Some(Key::Clip), WRAP));
    }
}
