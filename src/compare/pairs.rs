//! Which configurations of a sweep are compared: those that differ in exactly one setting,
//! so that a difference has one cause. Along each swept setting, every pair of its values
//! when the sweep has few such pairs (at most [`ALL_PAIRS_UP_TO`]), otherwise neighbouring
//! values only (0.01 against 0.02, 0.02 against 0.05, ...), which keeps the number of
//! comparisons, and so the cost of Holm's adjustment in power, linear in the grid's size.

use std::collections::HashMap;

use crate::settings::{Key, SettingsParams, Value};

/// Up to this many one-setting pairs, all are compared.
pub(crate) const ALL_PAIRS_UP_TO: usize = 45;

/// Two configurations (indices) that differ only in `setting`; `a` has the smaller value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pair {
    pub a: usize,
    pub b: usize,
    pub setting: Key,
}

/// The pairs of `configs` to compare, by setting (canonical order), then in the order the
/// configurations come, then by value.
pub(crate) fn pairs(configs: &[&SettingsParams]) -> Vec<Pair> {
    let lines: Vec<(Key, Vec<usize>)> = Key::configuration()
        .flat_map(|key| lines_along(configs, key).into_iter().map(move |l| (key, l)))
        .collect();
    let all: usize = lines.iter().map(|(_, l)| l.len() * (l.len() - 1) / 2).sum();
    let neighbours_only = all > ALL_PAIRS_UP_TO;
    let mut out = Vec::new();
    for (setting, line) in lines {
        for (i, &a) in line.iter().enumerate() {
            let partners = if neighbours_only {
                &line[i + 1..(i + 2).min(line.len())]
            } else {
                &line[i + 1..]
            };
            out.extend(partners.iter().map(|&b| Pair { a, b, setting }));
        }
    }
    out
}

/// The groups of configurations that agree on every setting but `key`, each sorted by its
/// value of `key`; only groups of two or more.
fn lines_along(configs: &[&SettingsParams], key: Key) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut index: HashMap<Vec<String>, usize> = HashMap::new();
    for (i, settings) in configs.iter().enumerate() {
        let rest: Vec<String> = Key::configuration()
            .filter(|&k| k != key)
            .map(|k| k.value_of(settings, 0).to_string())
            .collect();
        let g = *index.entry(rest).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    let value = |i: usize| -> Value { key.value_of(configs[i], 0) };
    for g in &mut groups {
        g.sort_by(|&x, &y| value(x).total_cmp(&value(y)));
    }
    groups.retain(|g| g.len() > 1);
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(lrs: &[f64], clips: &[f64]) -> Vec<SettingsParams> {
        lrs.iter()
            .flat_map(|&learning_rate| {
                clips.iter().map(move |&clip| SettingsParams {
                    learning_rate,
                    clip,
                    ..Default::default()
                })
            })
            .collect()
    }

    #[test]
    fn a_small_grid_compares_every_pair_that_differs_in_one_setting() {
        // 2 x 3: along lr, 3 lines of 1 pair; along clip, 2 lines of 3 pairs: 9 in all.
        let g = grid(&[0.01, 0.02], &[1.0, 5.0, 2.0]);
        let refs: Vec<&SettingsParams> = g.iter().collect();
        let p = pairs(&refs);
        assert_eq!(p.len(), 9);
        assert_eq!(
            p[0],
            Pair {
                a: 0,
                b: 3,
                setting: Key::LearningRate
            }
        );
        // Along clip, by value: 1 < 2 < 5 is configurations 0, 2, 1.
        let clip: Vec<(usize, usize)> = p
            .iter()
            .filter(|x| x.setting == Key::Clip)
            .map(|x| (x.a, x.b))
            .collect();
        assert_eq!(clip, [(0, 2), (0, 1), (2, 1), (3, 5), (3, 4), (5, 4)]);
    }

    #[test]
    fn a_large_grid_compares_neighbours_only() {
        let lrs: Vec<f64> = (1..=10).map(|i| f64::from(i) / 100.0).collect();
        let g = grid(&lrs, &[1.0, 2.0]);
        let refs: Vec<&SettingsParams> = g.iter().collect();
        let p = pairs(&refs);
        // 2 lines of 9 neighbours along lr, 10 lines of 1 pair along clip.
        assert_eq!(p.len(), 2 * 9 + 10);
        assert!(
            p.iter()
                .all(|x| x.setting != Key::LearningRate || x.b == x.a + 2)
        );
    }

    #[test]
    fn configurations_differing_in_two_settings_are_not_paired() {
        let g = grid(&[0.01, 0.02], &[1.0, 2.0]);
        let refs: Vec<&SettingsParams> = vec![&g[0], &g[3]];
        assert!(pairs(&refs).is_empty());
    }
}
